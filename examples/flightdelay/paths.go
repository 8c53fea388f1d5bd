package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/features/dfs"
	"github.com/kiln-ml/kiln/persist"
)

// scored is what one production path answered for a flight: the predicted
// label, the probability of each class (false, true) and the model version
// the answer named.
type scored struct {
	Late    bool
	PFalse  float64
	PTrue   float64
	Version string
}

// appendRow appends a flight's model inputs as one JSON object, keys in the
// model's input order: integers as integers, booleans as true or false,
// categories as strings, numbers in the shortest decimal that parses back to
// the same float64 (so that a path through text scores the very same
// inputs), missing values as null.
func appendRow(b []byte, inputs []*dfs.Feature, values []dfs.Value) ([]byte, error) {
	b = append(b, '{')
	for j, f := range inputs {
		if j > 0 {
			b = append(b, ',')
		}
		name, _ := json.Marshal(f.Name)
		b = append(b, name...)
		b = append(b, ':')
		v := values[j]
		switch {
		case v.Null:
			b = append(b, "null"...)
		case f.Type == dfs.Integer:
			b = strconv.AppendInt(b, int64(v.Float), 10)
		case f.Type == dfs.Boolean:
			b = strconv.AppendBool(b, v.Float == 1)
		case f.Type == dfs.Categorical:
			s, _ := json.Marshal(v.Str)
			b = append(b, s...)
		case math.IsNaN(v.Float) || math.IsInf(v.Float, 0):
			return b, fmt.Errorf("feature %s: %v is not a JSON number", f.Name, v.Float)
		default:
			b = strconv.AppendFloat(b, v.Float, 'g', -1, 64)
		}
	}
	return append(b, '}'), nil
}

// realTime runs `kiln serve` on the registry, following the alias
// production, on a free loopback port, and sends the flights one request
// each, in order, as a client in front of the server would when each
// flight's features are ready. The server's log goes to serverLog (nil:
// nowhere). It returns each flight's answer and the median and 99th
// percentile of the round trips, then stops the server as an operator
// would (an interrupt: it drains and exits).
func realTime(ctx context.Context, kilnPath string, reg *persist.Registry, rows [][]byte, serverLog io.Writer, progress kiln.ProgressFunc) ([]scored, time.Duration, time.Duration, error) {
	if serverLog == nil {
		serverLog = io.Discard
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, kilnPath, "serve", "-addr", "127.0.0.1:0", "-alias", "production", "-default", ModelName, "-poll", "0", reg.Root)
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, err
	}
	// The server logs the address it listens on; its other lines pass
	// through. The last lines are kept for an error message.
	addr := make(chan string, 1)
	logDone := make(chan []string, 1)
	go func() {
		var last []string
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(serverLog, line)
			if a, ok := servingAddr(line); ok {
				addr <- a
			}
			if last = append(last, line); len(last) > 5 {
				last = last[1:]
			}
		}
		close(addr)
		logDone <- last
	}()
	fail := func(err error) ([]scored, time.Duration, time.Duration, error) {
		cancel()
		cmd.Wait()
		if last := <-logDone; len(last) > 0 {
			return nil, 0, 0, fmt.Errorf("kiln serve: %w; its log ends:\n%s", err, strings.Join(last, "\n"))
		}
		return nil, 0, 0, fmt.Errorf("kiln serve: %w", err)
	}
	var base string
	select {
	case a, ok := <-addr:
		if !ok {
			return fail(errors.New("exited before serving"))
		}
		base = "http://" + a
	case <-time.After(time.Minute):
		return fail(errors.New("not serving after a minute"))
	}
	answers, median, p99, err := sendFlights(ctx, base, rows, progress)
	if err != nil {
		return fail(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		return fail(err)
	}
	if err := cmd.Wait(); err != nil {
		<-logDone
		return nil, 0, 0, fmt.Errorf("kiln serve, stopped: %w", err)
	}
	<-logDone
	return answers, median, p99, nil
}

// servingAddr returns the address in kiln serve's log line announcing it
// serves (log/slog's text format: ... msg=serving ... addr=HOST:PORT).
func servingAddr(line string) (string, bool) {
	if !strings.Contains(line, " msg=serving ") {
		return "", false
	}
	_, a, ok := strings.Cut(line, " addr=")
	if !ok {
		return "", false
	}
	a, _, _ = strings.Cut(a, " ")
	return a, a != ""
}

// sendFlights waits for the server to be ready, then posts each row to the
// model's row endpoint.
func sendFlights(ctx context.Context, base string, rows [][]byte, progress kiln.ProgressFunc) ([]scored, time.Duration, time.Duration, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	for ready := false; !ready; {
		resp, err := client.Get(base + "/v2/health/ready")
		if err == nil {
			resp.Body.Close()
			ready = resp.StatusCode == http.StatusOK
		}
		if !ready {
			select {
			case <-ctx.Done():
				return nil, 0, 0, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	url := base + "/models/" + ModelName + "/predict"
	answers := make([]scored, len(rows))
	took := make([]time.Duration, len(rows))
	var body bytes.Buffer
	for i, row := range rows {
		body.Reset()
		body.WriteString(`{"rows":[`)
		body.Write(row)
		body.WriteString(`]}`)
		start := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
		if err != nil {
			return nil, 0, 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("flight %d: %w", i, err)
		}
		var answer struct {
			Version       string
			Predictions   []bool
			Classes       []bool
			Probabilities [][]float64
			Error         string
		}
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		took[i] = time.Since(start)
		switch {
		case err != nil:
			return nil, 0, 0, fmt.Errorf("flight %d: status %d: %w", i, resp.StatusCode, err)
		case resp.StatusCode != http.StatusOK:
			return nil, 0, 0, fmt.Errorf("flight %d: status %d: %s", i, resp.StatusCode, answer.Error)
		case len(answer.Predictions) != 1 || len(answer.Probabilities) != 1 || !slices.Equal(answer.Classes, []bool{false, true}):
			return nil, 0, 0, fmt.Errorf("flight %d: an answer with %d predictions, %d probability rows, classes %v", i,
				len(answer.Predictions), len(answer.Probabilities), answer.Classes)
		}
		answers[i] = scored{Late: answer.Predictions[0], PFalse: answer.Probabilities[0][0], PTrue: answer.Probabilities[0][1], Version: answer.Version}
		if progress != nil {
			progress(kiln.Progress{Stage: "request", Done: int64(i + 1), Total: int64(len(rows))})
		}
	}
	slices.Sort(took)
	return answers, took[len(took)/2], took[(len(took)*99)/100], nil
}

// buildKiln builds the kiln command into dir with the go tool that runs
// this program, and returns its path.
func buildKiln(ctx context.Context, dir string) (string, error) {
	path := filepath.Join(dir, "kiln")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", path, "github.com/kiln-ml/kiln/cmd/kiln")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building kiln (run inside the kiln module, or pass -kiln with a built kiln): %v\n%s", err, stderr.Bytes())
	}
	return path, nil
}

// stream runs `kiln predict -probabilities` on the production model of the
// registry and writes the flights to its standard input as JSON Lines, one
// line at a time, reading each line's prediction before writing the next:
// a stream consumer answering rows as they arrive, not a batch job that
// waits for the end of its input.
func stream(ctx context.Context, kilnPath string, reg *persist.Registry, rows [][]byte, progress kiln.ProgressFunc) ([]scored, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, kilnPath, "predict", "-probabilities", filepath.Join(reg.Root, ModelName)+":production")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	fail := func(err error) ([]scored, error) {
		in.Close()
		cancel()
		cmd.Wait()
		if stderr.Len() > 0 {
			return nil, fmt.Errorf("kiln predict: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
		}
		return nil, fmt.Errorf("kiln predict: %w", err)
	}
	lines := make(chan []byte)
	go func() {
		defer close(lines)
		r := bufio.NewReader(out)
		for {
			l, err := r.ReadBytes('\n')
			if len(l) > 0 {
				lines <- l
			}
			if err != nil {
				return
			}
		}
	}()
	answers := make([]scored, len(rows))
	for i, row := range rows {
		if _, err := in.Write(append(row, '\n')); err != nil {
			return fail(fmt.Errorf("line %d: %w", i+1, err))
		}
		var l []byte
		select {
		case l = <-lines:
		case <-time.After(time.Minute):
			return fail(fmt.Errorf("no answer to line %d within a minute while its input stayed open", i+1))
		}
		if l == nil {
			return fail(fmt.Errorf("output ended at line %d", i+1))
		}
		var answer struct {
			Late    *bool    `json:"late"`
			PFalse  *float64 `json:"p(false)"`
			PTrue   *float64 `json:"p(true)"`
			Version string   `json:"model_version"`
		}
		if err := json.Unmarshal(l, &answer); err != nil {
			return fail(fmt.Errorf("line %d: %w", i+1, err))
		}
		if answer.Late == nil || answer.PFalse == nil || answer.PTrue == nil {
			return fail(fmt.Errorf("line %d lacks late, p(false) or p(true): %s", i+1, l))
		}
		answers[i] = scored{Late: *answer.Late, PFalse: *answer.PFalse, PTrue: *answer.PTrue, Version: answer.Version}
		if progress != nil {
			progress(kiln.Progress{Stage: "line", Done: int64(i + 1), Total: int64(len(rows))})
		}
	}
	if err := in.Close(); err != nil {
		return fail(err)
	}
	if l, ok := <-lines; ok {
		return fail(fmt.Errorf("a line more than the %d sent: %s", len(rows), l))
	}
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && stderr.Len() > 0 {
			return nil, fmt.Errorf("kiln predict: %s", bytes.TrimSpace(stderr.Bytes()))
		}
		return nil, fmt.Errorf("kiln predict: %w", err)
	}
	return answers, nil
}
