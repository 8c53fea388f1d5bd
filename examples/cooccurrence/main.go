// Command cooccurrence counts which words appear together in IMDB movie
// reviews, the word co-occurrence matrix of chapter 5 of Effective Data Science
// Infrastructure: a binary bag of words B (scikit-learn's CountVectorizer(
// min_df=10, max_df=0.1, binary=True)), then C = the number of reviews that
// hold both words x and y, for every pair of words. It prints the checksum the
// book's variants are compared by (the sum of all entries of C), the memory it
// took, and the most frequent word pairs off the diagonal.
//
// -method selects one of the book's pluggable implementations: "plain"
// (Listing 5.7's loop), "algebra" (5.9's BᵀB) or "multicore" (the default,
// kiln's parallel kernel); all give the same counts. The upper triangle is kept
// (linalg.PackedCounts), half the book's dense matrix.
//
// By default it runs on the 5,000 reviews embedded in the binary; -full uses the
// 50,000 reviews fetched by scripts/fetch-data.sh into data/imdb/reviews.json (or
// $KILN_DATA): 25,858 terms, a 1.34 GB packed matrix, checksum 438,452,207 (scipy's,
// linalg/testdata/scipy_cooccurrence.py), counted in about half a second on 2 cores.
//
//	go run ./examples/cooccurrence
//	go run ./examples/cooccurrence -full -top 30
//
// -plot FILE also times the three methods on a fifth, two fifths, ... of the
// documents (median of nine warm runs each, in rounds over every size and
// method) and draws the seconds against the documents, the book's Figure
// 5.10, as a PNG.
//
//	go run ./examples/cooccurrence -method plain
//	go run ./examples/cooccurrence -plot cooccurrence.png
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/examples/internal/charts"
	"github.com/kiln-ml/kiln/examples/internal/reviews"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/internal/progress"
	"github.com/kiln-ml/kiln/linalg"
	"github.com/kiln-ml/kiln/models/selection"
	"gonum.org/v1/gonum/mat"
)

type config struct {
	Full   bool
	Method linalg.Method
	Top    int // word pairs to print
	// Progress is where progress is drawn (a bar on a terminal); nil: nowhere.
	Progress io.Writer
	// Plot, if set, is a PNG file of the time of each method against the
	// number of documents (the book's Figure 5.10).
	Plot string
	// PlotPoints is the number of document counts timed for the plot
	// (n/PlotPoints, 2n/PlotPoints, ..., n); 0 means 5.
	PlotPoints int
}

func main() {
	log.SetFlags(0)
	cfg := config{Progress: os.Stderr}
	method := flag.String("method", string(linalg.Multicore), "plain, algebra or multicore")
	flag.BoolVar(&cfg.Full, "full", false, "use the 50,000 reviews of data/imdb/reviews.json (scripts/fetch-data.sh)")
	flag.IntVar(&cfg.Top, "top", 15, "word pairs to print")
	flag.StringVar(&cfg.Plot, "plot", "", "also time the three methods on growing numbers of documents and draw them in this PNG file (the book's Figure 5.10)")
	flag.Parse()
	cfg.Method = linalg.Method(*method)
	if _, err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal("cooccurrence: ", err)
	}
}

// Pair is two words and the number of reviews that hold both.
type Pair struct {
	X, Y  string
	Count int32
}

// report is what the tests check beyond the printed text.
type report struct {
	B                     *sparse.CSR
	Vocab                 *text.Vocabulary
	Docs, Terms, NonZeros int
	Checksum              int64 // sum of all entries of C
	Diagonal              int64 // sum of C(x, x): the non-zeros of B
	Top                   []Pair
	Timings               []Timing // each method's time against documents, when plotted
}

func run(ctx context.Context, w io.Writer, cfg config) (*report, error) {
	if cfg.Method == "" {
		cfg.Method = linalg.Multicore
	}
	if !slices.Contains(linalg.Methods(), cfg.Method) {
		return nil, fmt.Errorf("unknown method %q: want one of %v", cfg.Method, linalg.Methods())
	}
	bar := progress.New(cfg.Progress, "loading reviews")
	set, err := reviews.Load(cfg.Full, bar.Func())
	if err != nil {
		return nil, err
	}
	bar.Done()
	bar = progress.New(cfg.Progress, "vectorizing")
	words := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true, Progress: bar.Func()}
	b, err := words.FitTransform(ctx, set.Clean())
	if err != nil {
		return nil, err
	}
	bar.Done()
	fmt.Fprintf(w, "IMDB reviews: %d from %s\n", len(set.Docs), set.Source)
	rep, err := count(ctx, w, b, words.Vocabulary(), cfg)
	if err != nil || cfg.Plot == "" {
		return rep, err
	}
	if rep.Timings, err = timeMethods(ctx, b, cfg.PlotPoints, cfg.Progress); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "\ntime of each method against the number of documents (the book's Figure 5.10): %s\n", cfg.Plot)
	for _, t := range rep.Timings {
		fmt.Fprintf(w, "  %-9s", t.Method)
		for i, d := range t.Docs {
			fmt.Fprintf(w, "  %d docs %v", d, t.Times[i].Round(time.Millisecond))
		}
		fmt.Fprintln(w)
	}
	return rep, plotTimings(cfg.Plot, rep.Timings, rep.Terms)
}

// Timing is one method's time (median of nine warm runs, into a reused
// output) to count the co-occurrences of the first Docs[i] documents.
type Timing struct {
	Method linalg.Method
	Docs   []int
	Times  []time.Duration
}

// timedRuns is the number of timed runs of each method at each size.
const timedRuns = 9

// timeMethods times every method on the first n/points, 2n/points, ..., n
// documents of b (the same vocabulary throughout): the median of nine runs.
// The runs go in rounds, each round timing every method at every size, so
// that a change in the machine's load (other processes come and go) falls
// on every point of the figure alike rather than on one size or one method.
// Each method counts into an output of its own, allocated in an untimed
// first round and reused: the pages a process touches for the first time
// cost far more on some machines than the counting, and whether the heap
// still holds them varies from run to run (the count above the figure
// reports the fresh-process time, output allocated).
func timeMethods(ctx context.Context, b mat.Matrix, points int, progressTo io.Writer) ([]Timing, error) {
	if points <= 0 {
		points = 5
	}
	n, _ := b.Dims()
	methods := linalg.Methods()
	subs := make([]mat.Matrix, points)
	docs := make([]int, points)
	for p := range subs {
		docs[p] = n * (p + 1) / points
		idx := make([]int, docs[p])
		for i := range idx {
			idx[i] = i
		}
		sub, err := selection.Rows(b, idx)
		if err != nil {
			return nil, err
		}
		subs[p] = sub
	}
	runs := make([][][]time.Duration, len(methods)) // method, size, run
	for k := range runs {
		runs[k] = make([][]time.Duration, points)
	}
	outputs := make([]*linalg.PackedCounts, len(methods)) // one per method, reused
	bar := progress.New(progressTo, "timing the methods")
	for r := -1; r < timedRuns; r++ { // round -1 warms up
		for p, sub := range subs {
			for k, m := range methods {
				start := time.Now()
				c, err := (linalg.Cooccurrence{Method: m}).PackedTo(ctx, outputs[k], sub)
				if err != nil {
					return nil, err
				}
				outputs[k] = c
				if r >= 0 {
					runs[k][p] = append(runs[k][p], time.Since(start))
				}
			}
		}
		bar.Report(kiln.Progress{Stage: "rounds", Done: int64(r + 2), Total: timedRuns + 1})
	}
	bar.Done()
	out := make([]Timing, len(methods))
	for k, m := range methods {
		out[k] = Timing{Method: m, Docs: slices.Clone(docs)}
		for p := range subs {
			slices.Sort(runs[k][p])
			out[k].Times = append(out[k].Times, runs[k][p][timedRuns/2])
		}
	}
	return out, nil
}

// plotTimings draws the seconds of each method against the documents.
func plotTimings(path string, timings []Timing, terms int) error {
	var series []charts.Series
	for _, t := range timings {
		s := charts.Series{Name: string(t.Method)}
		for i := range t.Docs {
			s.X = append(s.X, float64(t.Docs[i]))
			s.Y = append(s.Y, max(t.Times[i].Seconds(), 1e-4))
		}
		series = append(series, s)
	}
	return charts.Save(path, charts.Panel{
		Title: fmt.Sprintf("Word co-occurrence of IMDB reviews (%d terms): time against documents", terms),
		X:     "documents",
		Y:     "seconds (log scale)",
		LogY:  true,
		// The curves climb to the top right; the bottom right is empty.
		LegendBottom: true,
		Series:       series,
	})
}

// count computes the co-occurrence of the terms of the binary bag of words
// b and reports on it.
func count(ctx context.Context, w io.Writer, b *sparse.CSR, vocab *text.Vocabulary, cfg config) (*report, error) {
	rep := &report{B: b, Vocab: vocab, NonZeros: b.NNZ()}
	rep.Docs, rep.Terms = b.Dims()
	fmt.Fprintf(w, "binary bag of words: %d x %d, %d non-zeros (min_df=10, max_df=0.1)\n", rep.Docs, rep.Terms, rep.NonZeros)

	bar := progress.New(cfg.Progress, "co-occurrence")
	co := linalg.Cooccurrence{Method: cfg.Method, Progress: bar.Func()}
	output, working, err := co.Memory(ctx, b, linalg.PackedForm)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	c, err := co.Packed(ctx, b)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	bar.Done()
	rep.Checksum = c.Sum()
	for x := 0; x < rep.Terms; x++ {
		rep.Diagonal += int64(c.Count(x, x))
	}
	fmt.Fprintf(w, "co-occurrence (%s): %d x %d in %v, %.1f MB packed + %.1f MB working\n",
		co.Method, rep.Terms, rep.Terms, elapsed.Round(time.Millisecond), float64(output)/1e6, float64(working)/1e6)
	fmt.Fprintf(w, "checksum (sum of all entries) %d, diagonal %d\n\n", rep.Checksum, rep.Diagonal)

	rep.Top = topPairs(c, vocab, cfg.Top)
	fmt.Fprintf(w, "the %d most frequent word pairs (reviews holding both):\n", len(rep.Top))
	for _, p := range rep.Top {
		fmt.Fprintf(w, "%6d  %s + %s\n", p.Count, p.X, p.Y)
	}
	return rep, nil
}

// topPairs returns the n largest off-diagonal counts, largest first, ties in
// vocabulary order. It scans the packed upper triangle once, keeping the best
// n pairs seen in a short sorted list.
func topPairs(c *linalg.PackedCounts, vocab *text.Vocabulary, n int) []Pair {
	type cell struct {
		x, y  int
		count int32
	}
	var best []cell
	m, _ := c.Dims()
	data := c.Data()
	for x, at := 0, 0; x < m; x++ {
		row := data[at : at+m-x] // counts of (x, x), (x, x+1), ..., (x, m-1)
		at += m - x
		for k := 1; k < len(row); k++ { // k = 0 is the diagonal
			v := row[k]
			if len(best) == n && (n == 0 || v <= best[n-1].count) {
				continue // later pairs lose ties: they come later in vocabulary order
			}
			i := sort.Search(len(best), func(i int) bool { return best[i].count < v })
			if len(best) < n {
				best = append(best, cell{})
			}
			copy(best[i+1:], best[i:])
			best[i] = cell{x, x + k, v}
		}
	}
	pairs := make([]Pair, len(best))
	for i, b := range best {
		pairs[i] = Pair{X: vocab.Term(b.x), Y: vocab.Term(b.y), Count: b.count}
	}
	return pairs
}
