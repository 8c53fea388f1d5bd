// Command reloadload measures hot reload under load: it keeps
// -c clients scoring one-row requests against a running kiln server without
// pause while it publishes a new version of the model to the server's
// registry and promotes the served alias to it every -every, for -d. Every
// answer is checked: status 200, a Kiln-Model-Version header that is a
// version number, the same version in the body, and, per client (one
// connection each, requests in turn), versions that never go backwards. A
// first phase of the same length without promotions gives the steady figures
// to compare with.
//
//	kiln serve -alias production -poll 20ms REGISTRY &
//	go run ./scripts/reloadload -registry REGISTRY -model housing -alias production \
//		-url http://127.0.0.1:18080 -body rows.json -path /models/housing/predict
//
// It prints, per phase, requests per second, latency percentiles and every
// kind of failure, then, for the promotions, how long each version took to
// serve its first answer after its promotion. It exits 1 when any request
// failed or went backwards.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kiln-ml/kiln/persist"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18080", "the server")
	path := flag.String("path", "/models/housing/predict", "the scoring route")
	bodyFile := flag.String("body", "", "the request body (a JSON file)")
	root := flag.String("registry", "", "the registry the server follows")
	model := flag.String("model", "housing", "the model to publish")
	alias := flag.String("alias", "production", "the alias the server serves and that is promoted")
	clients := flag.Int("c", 32, "clients, one connection each")
	duration := flag.Duration("d", 20*time.Second, "length of each phase")
	every := flag.Duration("every", 100*time.Millisecond, "how often a new version is published and promoted")
	flag.Parse()
	if *bodyFile == "" || *root == "" {
		log.Fatal("reloadload: -body and -registry are required")
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	reg := &persist.Registry{Root: *root}
	current, err := reg.Resolve(*model, *alias)
	if err != nil {
		log.Fatal(err)
	}
	bundle, err := reg.ReadBundle(current)
	if err != nil {
		log.Fatal(err)
	}
	url := *base + *path

	steady := runPhase(url, body, *clients, *duration, nil)
	steady.print("steady (no promotions)")

	promoter := &promoter{reg: reg, model: *model, alias: *alias, bundle: bundle, promoted: map[int]time.Time{}}
	reloading := runPhase(url, body, *clients, *duration, func(ctx context.Context) error {
		return promoter.run(ctx, *every)
	})
	reloading.print(fmt.Sprintf("promoting a new version every %v", *every))
	promoter.report(reloading)
	if steady.failed() || reloading.failed() {
		os.Exit(1)
	}
}

// phaseResult is what one phase measured.
type phaseResult struct {
	wall      time.Duration
	latencies []time.Duration
	failures  map[string]int    // kind -> count
	backwards int               // answers older than the client's previous one
	first     map[int]time.Time // version -> first answer naming it
	examples  map[string]string // kind -> one message
	versions  map[int]int       // version -> answers
	err       error             // the promoter's
}

func (r *phaseResult) failed() bool {
	return len(r.failures) > 0 || r.backwards > 0 || r.err != nil
}

func (r *phaseResult) print(title string) {
	slices.Sort(r.latencies)
	n := len(r.latencies)
	pct := func(p float64) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f ms", float64(r.latencies[min(n-1, int(p*float64(n)))].Microseconds())/1000)
	}
	fmt.Printf("%s: %d answers in %.1f s, %.0f requests/s; latency p50 %s, p99 %s, max %s\n",
		title, n, r.wall.Seconds(), float64(n)/r.wall.Seconds(), pct(0.50), pct(0.99), pct(1))
	total := 0
	for kind, k := range r.failures {
		fmt.Printf("  FAILED %d: %s (e.g. %s)\n", k, kind, r.examples[kind])
		total += k
	}
	fmt.Printf("  failed requests %d, answers older than the same client's previous answer %d, versions answering %d\n",
		total, r.backwards, len(r.versions))
	if r.err != nil {
		fmt.Printf("  promoter FAILED: %v\n", r.err)
	}
}

var bodyVersion = regexp.MustCompile(`"(?:model_)?version":"([^"]*)"`)

// runPhase runs the clients for d while background (when not nil) runs.
func runPhase(url string, body []byte, clients int, d time.Duration, background func(ctx context.Context) error) *phaseResult {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	res := &phaseResult{failures: map[string]int{}, first: map[int]time.Time{}, examples: map[string]string{}, versions: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	if background != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := background(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				mu.Lock()
				res.err = err
				mu.Unlock()
			}
		}()
	}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient()
			w := clientResult{failures: map[string]int{}, examples: map[string]string{}, first: map[int]time.Time{}, versions: map[int]int{}}
			for ctx.Err() == nil {
				w.one(c, url, body)
			}
			mu.Lock()
			defer mu.Unlock()
			res.latencies = append(res.latencies, w.latencies...)
			for k, v := range w.failures {
				res.failures[k] += v
				res.examples[k] = w.examples[k]
			}
			res.backwards += w.backwards
			for v, t := range w.first {
				if old, ok := res.first[v]; !ok || t.Before(old) {
					res.first[v] = t
				}
			}
			for v, k := range w.versions {
				res.versions[v] += k
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	return res
}

// newClient is one client on one keep-alive connection.
func newClient() *http.Client {
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true},
	}
}

// clientResult is one client's tally.
type clientResult struct {
	latencies []time.Duration
	failures  map[string]int
	examples  map[string]string
	backwards int
	last      int
	first     map[int]time.Time
	versions  map[int]int
	buf       bytes.Buffer
}

func (w *clientResult) fail(kind, example string) {
	w.failures[kind]++
	w.examples[kind] = example
}

// one sends one request and checks its answer.
func (w *clientResult) one(c *http.Client, url string, body []byte) {
	t0 := time.Now()
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		w.fail("transport error", err.Error())
		return
	}
	w.buf.Reset()
	_, err = w.buf.ReadFrom(resp.Body)
	resp.Body.Close()
	done := time.Now()
	if err != nil {
		w.fail("reading the answer", err.Error())
		return
	}
	if resp.StatusCode != http.StatusOK {
		w.fail("status "+strconv.Itoa(resp.StatusCode), w.buf.String())
		return
	}
	header := resp.Header.Get("Kiln-Model-Version")
	v, err := strconv.Atoi(header)
	if err != nil {
		w.fail("no version number in Kiln-Model-Version", strconv.Quote(header))
		return
	}
	m := bodyVersion.FindSubmatch(w.buf.Bytes())
	if m == nil || string(m[1]) != header {
		w.fail("the body does not name the header's version", w.buf.String())
		return
	}
	w.latencies = append(w.latencies, done.Sub(t0))
	if v < w.last {
		w.backwards++
	}
	w.last = max(w.last, v)
	if _, ok := w.first[v]; !ok {
		w.first[v] = done
	}
	w.versions[v]++
}

// promoter publishes the same bundle as a new version and promotes the
// alias to it, at a fixed pace.
type promoter struct {
	reg          *persist.Registry
	model, alias string
	bundle       *persist.Bundle
	mu           sync.Mutex
	promoted     map[int]time.Time // version -> when its promotion began
}

func (p *promoter) run(ctx context.Context, every time.Duration) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		ref, err := p.reg.PublishBundle(p.model, p.bundle)
		if err != nil {
			return err
		}
		at := time.Now()
		now, err := p.reg.Promote(p.model, p.alias, ref.Version)
		if err != nil {
			return err
		}
		if now.Version != ref.Version {
			return fmt.Errorf("promoting %s: the alias stays at %d", ref, now.Version)
		}
		p.mu.Lock()
		p.promoted[ref.Version] = at
		p.mu.Unlock()
	}
}

// report prints how many promoted versions answered and how long after
// their promotion they first did. A version promoted while the server was
// still loading the one before may never answer: the server goes straight
// to the newest.
func (p *promoter) report(r *phaseResult) {
	var lags []time.Duration
	for v, at := range p.promoted {
		if first, ok := r.first[v]; ok {
			lags = append(lags, first.Sub(at))
		}
	}
	slices.Sort(lags)
	fmt.Printf("  versions promoted %d, of which answered %d", len(p.promoted), len(lags))
	if len(lags) > 0 {
		fmt.Printf("; from promotion to first answer: median %.1f ms, max %.1f ms",
			float64(lags[len(lags)/2].Microseconds())/1000, float64(lags[len(lags)-1].Microseconds())/1000)
	}
	fmt.Println()
}
