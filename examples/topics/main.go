// Command topics clusters IMDB movie reviews into topics, as chapter 5 of
// Effective Data Science Infrastructure does with Yelp reviews in KMeansFlow and
// ManyKmeansFlow: a count bag of words (scikit-learn's CountVectorizer(
// min_df=10, max_df=0.1)), k-means fits for many K at once (the book runs one
// Metaflow task per K; here cluster.Sweep runs them on all cores in one
// process), the inertia and a silhouette score per K, and the top words of each
// cluster for the chosen K (the book's top_words).
//
// By default it runs on the 5,000 reviews embedded in the binary and sweeps
// K = 5, 10, 15, 20; -full uses the 50,000 reviews fetched by
// scripts/fetch-data.sh into data/imdb/reviews.json (or $KILN_DATA) and sweeps
// K = 5, 10, ..., 50 as the book does (50,000 x 25,858 counts; the ten fits took
// 1m42s on 2 shared cores, 414 MB).
//
// As in the book, k-means on raw counts tends to make one large cluster of
// ordinary reviews and a few tiny ones of unusual vocabulary (wrestling,
// Michael Jackson, TV series): the top words say what each cluster is about,
// the silhouette says how well separated they are (not much).
//
//	go run ./examples/topics
//	go run ./examples/topics -k 15 -ks 5,10,15,20,25
//	go run ./examples/topics -full
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/examples/internal/charts"
	"github.com/kiln-ml/kiln/examples/internal/reviews"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/internal/progress"
)

type config struct {
	Full             bool
	Ks               []int     // the K values to sweep; nil: 5..20 (sample) or 5..50 (full) by 5
	K                int       // the K whose clusters are printed (must be in Ks)
	Seed             uint64    // k-means++ seed of every fit
	SilhouetteSample int       // rows the silhouette is computed on
	TopWords         int       // words printed per cluster
	Progress         io.Writer // where progress is drawn (a bar on a terminal); nil: nowhere
	Plot             string    // PNG file of inertia and silhouette over K; empty: none
}

func main() {
	log.SetFlags(0)
	cfg := config{Progress: os.Stderr}
	ks := flag.String("ks", "", "comma-separated K values to sweep (default 5,10,15,20; with -full 5,10,...,50)")
	flag.BoolVar(&cfg.Full, "full", false, "use the 50,000 reviews of data/imdb/reviews.json (scripts/fetch-data.sh)")
	flag.IntVar(&cfg.K, "k", 10, "the K whose clusters and top words are printed")
	flag.Uint64Var(&cfg.Seed, "seed", 0, "k-means++ seed")
	flag.IntVar(&cfg.SilhouetteSample, "silhouette", 2000, "rows sampled for the silhouette score")
	flag.IntVar(&cfg.TopWords, "top", 10, "top words printed per cluster")
	flag.StringVar(&cfg.Plot, "plot", "topics.png", "PNG file of inertia and silhouette over K (empty: none)")
	flag.Parse()
	if *ks != "" {
		for _, f := range strings.Split(*ks, ",") {
			k, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				log.Fatalf("topics: -ks: %q is not a number", f)
			}
			cfg.Ks = append(cfg.Ks, k)
		}
	}
	if _, err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal("topics: ", err)
	}
}

// report is what the tests check beyond the printed text.
type report struct {
	X      *sparse.CSR
	Vocab  *text.Vocabulary
	Sweep  []cluster.SweepResult
	Chosen *cluster.KMeans
	Top    [][]cluster.Term
}

func run(ctx context.Context, w io.Writer, cfg config) (*report, error) {
	if cfg.Ks == nil {
		cfg.Ks = []int{5, 10, 15, 20}
		if cfg.Full {
			cfg.Ks = []int{5, 10, 15, 20, 25, 30, 35, 40, 45, 50}
		}
	}
	if !slices.Contains(cfg.Ks, cfg.K) {
		return nil, fmt.Errorf("-k %d is not among the swept K values %v", cfg.K, cfg.Ks)
	}
	bar := progress.New(cfg.Progress, "loading reviews")
	set, err := reviews.Load(cfg.Full, bar.Func())
	if err != nil {
		return nil, err
	}
	bar.Done()
	// KMeansFlow's first step: the documents as a count bag of words.
	bar = progress.New(cfg.Progress, "vectorizing")
	words := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Progress: bar.Func()}
	x, err := words.FitTransform(ctx, set.Clean())
	if err != nil {
		return nil, err
	}
	bar.Done()
	r, c := x.Dims()
	fmt.Fprintf(w, "IMDB reviews: %d from %s\n", len(set.Docs), set.Source)
	fmt.Fprintf(w, "count bag of words: %d x %d, %d non-zeros (min_df=10, max_df=0.1)\n\n", r, c, x.NNZ())

	// ManyKmeansFlow: one k-means per K, run in parallel.
	start := time.Now()
	bar = progress.New(cfg.Progress, "k-means sweep")
	fits := int64(0)
	sweep := cluster.Sweep{
		Ks:               cfg.Ks,
		Seeds:            []uint64{cfg.Seed},
		SilhouetteSample: cfg.SilhouetteSample,
		SilhouetteSeed:   cfg.Seed,
		Done: func(r cluster.SweepResult) { // one call at a time
			fits++
			bar.Report(kiln.Progress{Stage: "fit", Done: fits, Total: int64(len(cfg.Ks)), Value: r.Inertia})
		},
	}
	results, err := sweep.Run(ctx, x)
	if err != nil {
		return nil, err
	}
	bar.Done()
	fmt.Fprintf(w, "k-means sweep over K = %v (k-means++, seed %d): %v in all\n", cfg.Ks, cfg.Seed, time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(w, "   K       inertia  iterations  silhouette      time")
	rep := &report{X: x, Vocab: words.Vocabulary(), Sweep: results}
	for _, res := range results {
		fmt.Fprintf(w, "%4d  %12.6g  %10d  %10.4f  %8v\n", res.K, res.Inertia, res.Iterations, res.Silhouette, res.Duration.Round(time.Millisecond))
		if res.K == cfg.K {
			rep.Chosen = res.Model
		}
	}

	if cfg.Plot != "" {
		if err := plotSweep(cfg.Plot, results, len(set.Docs)); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "inertia and silhouette over K: %s\n", cfg.Plot)
	}

	// The book's top_words: the heaviest words of each centroid, which for
	// k-means on counts are the words used most in the cluster.
	rep.Top, err = cluster.TopTerms(rep.Chosen.Centroids(), rep.Vocab.Terms(), cfg.TopWords)
	if err != nil {
		return nil, err
	}
	sizes := make([]int, cfg.K)
	for _, l := range rep.Chosen.Labels() {
		sizes[l]++
	}
	fmt.Fprintf(w, "\ntop words of the %d clusters for K = %d:\n", cfg.K, cfg.K)
	for i, terms := range rep.Top {
		names := make([]string, len(terms))
		for j, t := range terms {
			names[j] = t.Term
		}
		fmt.Fprintf(w, "cluster %2d (%5d reviews): %s\n", i, sizes[i], strings.Join(names, " "))
	}
	return rep, nil
}

// plotSweep draws the sweep as the book's chapter 5 compares its runs:
// inertia and silhouette over K, one panel each.
func plotSweep(path string, results []cluster.SweepResult, docs int) error {
	var ks, inertia, silhouette []float64
	for _, r := range results {
		ks = append(ks, float64(r.K))
		inertia = append(inertia, r.Inertia)
		silhouette = append(silhouette, r.Silhouette)
	}
	return charts.Save(path,
		charts.Panel{Title: fmt.Sprintf("k-means on %d IMDB reviews (count bag of words): inertia over K", docs),
			X: "K (clusters)", Y: "inertia (sum of squared distances)",
			Series: []charts.Series{{Name: "inertia", X: ks, Y: inertia}}},
		charts.Panel{Title: "silhouette over K (higher: better separated clusters)",
			X: "K (clusters)", Y: "silhouette score",
			Series: []charts.Series{{Name: "silhouette", X: ks, Y: silhouette}}},
	)
}
