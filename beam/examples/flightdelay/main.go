// Command flightdelay is the batch path of the flight delay example on
// Apache Beam: it scores the held-out month's flights with the model that
// examples/flightdelay (in the core module) published, on any Beam runner
// (prism by default, in this process), and checks every answer against the
// answers of the other paths, bit for bit.
//
// The core example, run with -dir DIR, leaves in DIR the registry it
// published to (DIR/registry), the month's feature rows as a feature stage
// hands them to a batch job (DIR/batch/*.parquet: the flight's id and the
// model's inputs) and every path's answers (DIR/answers.jsonl: the month in
// process, and one day's flights in process from online features, through
// the HTTP server and streamed through kiln predict). This program resolves
// the registry's alias (production) to one version, so that every worker
// scores the same bundle, and runs
//
//	ReadParquet(DIR/batch/*.parquet) -> Score{Model: the bundle, Keep: id} -> WriteParquet(DIR/beam/scored)
//
// with the rows that cannot be scored written to DIR/beam/dead-letters.jsonl.
// Every output row carries the flight's id, the predicted label (late), the
// probability of each class (p(false), p(true)) and the model's name and
// version (model_name, model_version). It then reads the output back and
// counts the answers identical to each other path's: the same label and the
// same float64 probabilities.
//
//	go run ./examples/flightdelay -dir out                 # in the repository's root
//	cd beam && go run ./examples/flightdelay -dir ../out   # here
//
// Other runners take Beam's flags (--runner=flink --endpoint=...); their
// workers must reach DIR, and the check reads the output from this
// machine, so DIR must be a local or shared folder.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	kbeam "github.com/kiln-ml/kiln/beam"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/persist"
)

// ModelName is the name the core example publishes its model under.
const ModelName = "flightdelay"

type config struct {
	Dir   string // the core example's -dir
	Alias string // the registry alias to score with
	// BatchRows is the most rows in one element between the reader and
	// Score; 0: the reader's default.
	BatchRows int
}

func main() {
	log.SetFlags(0)
	var cfg config
	flag.StringVar(&cfg.Dir, "dir", "", "the output folder of the core example's run (go run ./examples/flightdelay -dir DIR)")
	flag.StringVar(&cfg.Alias, "alias", "production", "the registry alias whose version scores the flights")
	flag.IntVar(&cfg.BatchRows, "batch_rows", 4096, "the most flights in one element from the reader to Score")
	flag.Parse()
	beam.Init()
	if cfg.Dir == "" {
		log.Fatal("flightdelay: give -dir, the output folder of `go run ./examples/flightdelay -dir DIR` in the repository's root")
	}
	if _, err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal("flightdelay: ", err)
	}
}

// answer is what a path answered for a flight.
type answer struct {
	Late          bool
	PFalse, PTrue float64
	Name, Version string
}

// report is what the tests check beyond the printed text.
type report struct {
	Ref         string           // the scoring model, NAME@VERSION
	Scored      map[int64]answer // Beam's answer for each flight id
	Rows        int              // output rows (a flight scored twice would count twice)
	DeadLetters int
	// Identical counts, for each other path, the flights that Beam answered
	// as it did, out of Compared.
	Identical, Compared map[string]int
}

// paths are the other paths of the answers file, in the order printed.
var paths = []struct{ key, title string }{
	{"batch", "in process, batch features (the month at once)"},
	{"online", "in process, online features (one flight at a time)"},
	{"real time", "real time: kiln serve, one request per flight"},
	{"streaming", "streaming: kiln predict -probabilities, JSON Lines"},
}

func run(ctx context.Context, w io.Writer, cfg config) (*report, error) {
	if cfg.Alias == "" {
		cfg.Alias = "production"
	}
	reg := &persist.Registry{Root: filepath.Join(cfg.Dir, "registry")}
	ref, err := reg.Resolve(ModelName, cfg.Alias)
	if err != nil {
		return nil, fmt.Errorf("%w (run go run ./examples/flightdelay -dir %s in the repository's root first)", err, cfg.Dir)
	}
	bundle, err := reg.Path(ref)
	if err != nil {
		return nil, err
	}
	input := filepath.Join(cfg.Dir, "batch", "*.parquet")
	out := filepath.Join(cfg.Dir, "beam")
	if err := os.RemoveAll(out); err != nil { // a file of an earlier run would be read back as this run's
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	deadFile := filepath.Join(out, "dead-letters.jsonl")

	p, s := beam.NewPipelineWithRoot()
	rows, unread := kbeam.ReadParquet(s, input, kbeam.ReadOptions{BatchRows: cfg.BatchRows})
	scored, unscored := kbeam.Score{Model: bundle, Keep: []string{"id"}}.Apply(s, rows)
	kbeam.WriteParquet(s, filepath.Join(out, "scored"), scored)
	kbeam.WriteDeadLetters(s, deadFile, beam.Flatten(s, unread, unscored))
	start := time.Now()
	if err := beamx.Run(ctx, p); err != nil {
		return nil, err
	}
	took := time.Since(start)

	rep := &report{Ref: ref.String(), Identical: map[string]int{}, Compared: map[string]int{}}
	if rep.Scored, rep.Rows, err = readScored(filepath.Join(out, "scored-*.parquet")); err != nil {
		return nil, err
	}
	if rep.DeadLetters, err = countLines(deadFile); err != nil {
		return nil, err
	}
	runner := *runners.Runner
	if runner == "" {
		runner = "prism"
	}
	fmt.Fprintf(w, "Apache Beam (%s): %d flights of %s scored by %s (%s) in %v; %d dead letters (%s)\n",
		runner, rep.Rows, input, ref, bundle, took.Round(10*time.Millisecond), rep.DeadLetters, deadFile)
	versions := map[[2]string]int{}
	for _, a := range rep.Scored {
		versions[[2]string{a.Name, a.Version}]++
	}
	for v, n := range versions {
		fmt.Fprintf(w, "  %d rows name model_name %q, model_version %q\n", n, v[0], v[1])
	}

	others, err := readAnswers(filepath.Join(cfg.Dir, "answers.jsonl"))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "against the other paths (the same label and the same float64 probabilities, bit for bit):\n")
	for _, path := range paths {
		for id, want := range others[path.key] {
			rep.Compared[path.key]++
			if got, ok := rep.Scored[id]; ok && got.Late == want.Late && got.PFalse == want.PFalse && got.PTrue == want.PTrue {
				rep.Identical[path.key]++
			}
		}
		fmt.Fprintf(w, "  %-52s  %d of %d identical\n", path.title, rep.Identical[path.key], rep.Compared[path.key])
	}
	return rep, nil
}

// readScored reads Score's output files back: each flight's answer by id,
// and the number of rows.
func readScored(glob string) (map[int64]answer, int, error) {
	files, err := filepath.Glob(glob)
	if err != nil {
		return nil, 0, err
	}
	if len(files) == 0 {
		return nil, 0, fmt.Errorf("no output files %s", glob)
	}
	out := map[int64]answer{}
	rows := 0
	for _, file := range files {
		f, err := parquet.ReadFile(file, parquet.Options{Columns: []string{"id", "late", "p(false)", "p(true)", "model_name", "model_version"}})
		if err != nil {
			return nil, 0, err
		}
		cols := f.Columns()
		for _, c := range cols {
			if c.NullCount() > 0 {
				return nil, 0, fmt.Errorf("%s: column %s has %d nulls", file, c.Name(), c.NullCount())
			}
		}
		if cols[0].Type() != dataset.Int64 || cols[1].Type() != dataset.Bool || cols[2].Type() != dataset.Float64 || cols[3].Type() != dataset.Float64 {
			return nil, 0, fmt.Errorf("%s: columns %v, not int64 id, bool late and float64 probabilities", file, f.Names())
		}
		for i := range f.NumRows() {
			out[cols[0].Int64s()[i]] = answer{Late: cols[1].Bools()[i], PFalse: cols[2].Float64s()[i], PTrue: cols[3].Float64s()[i],
				Name: cols[4].StringAt(i), Version: cols[5].StringAt(i)}
		}
		rows += f.NumRows()
	}
	return out, rows, nil
}

// readAnswers reads the core example's answers file: for each path, each
// flight's answer by id.
func readAnswers(file string) (map[string]map[int64]answer, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[int64]answer{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var a struct {
			Path    string   `json:"path"`
			ID      *int64   `json:"id"`
			Late    *bool    `json:"late"`
			PFalse  *float64 `json:"p(false)"`
			PTrue   *float64 `json:"p(true)"`
			Version string   `json:"model_version"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", file, line, err)
		}
		if a.ID == nil || a.Late == nil || a.PFalse == nil || a.PTrue == nil {
			return nil, fmt.Errorf("%s line %d lacks id, late, p(false) or p(true)", file, line)
		}
		if out[a.Path] == nil {
			out[a.Path] = map[int64]answer{}
		}
		out[a.Path][*a.ID] = answer{Late: *a.Late, PFalse: *a.PFalse, PTrue: *a.PTrue, Version: a.Version}
	}
	return out, sc.Err()
}

// countLines counts the lines of a file; a file that does not exist has
// none (the dead-letter writer writes no file when there are none).
func countLines(file string) (int, error) {
	raw, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return bytes.Count(raw, []byte("\n")), nil
}
