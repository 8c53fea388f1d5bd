package cluster

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"
)

// Sweep fits KMeans for many K (and seeds) in parallel: the book's
// ManyKmeansFlow (Effective Data Science Infrastructure, ch. 5) as one call.
// The data is checked once and shared by every fit.
type Sweep struct {
	Ks    []int    // the K values to try
	Seeds []uint64 // the seeds to try for each K; nil means {0}

	// Base is the configuration of every fit; its K and Seed are replaced.
	// Its Workers is the goroutines of one fit, where 0 means 1: the sweep
	// already runs Concurrency fits at once. Its NInit is the starts of one
	// fit, where 0 means 1 (not KMeans' 10): the Seeds are the sweep's
	// starts, as the book's flow runs KMeans(n_clusters=K, n_init=1) per seed.
	Base KMeans
	// Concurrency bounds the fits running at once (0 = GOMAXPROCS).
	Concurrency int

	// SilhouetteSample is the rows the silhouette is computed on (the same
	// seeded sample for every fit); 0 means 2000, negative skips it.
	SilhouetteSample int
	SilhouetteSeed   uint64

	// Done, if set, is called after each fit (from the fit's goroutine,
	// one call at a time).
	Done func(SweepResult)
}

// SweepResult is one fit of a Sweep.
type SweepResult struct {
	K          int
	Seed       uint64
	Inertia    float64
	Iterations int
	Silhouette float64 // NaN when skipped or undefined (K = 1)
	Duration   time.Duration
	Model      *KMeans
}

// Run fits every (K, seed) pair and returns the results ordered by K, then
// seed, as given. Larger K start first so that the slowest fits overlap.
// Memory: one fit's working set (labels, sums, Elkan bounds) per running fit.
func (s *Sweep) Run(ctx context.Context, X mat.Matrix) ([]SweepResult, error) {
	p, err := newPoints(X)
	if err != nil {
		return nil, err
	}
	if len(s.Ks) == 0 {
		return nil, fmt.Errorf("cluster: Sweep has no K values")
	}
	for _, k := range s.Ks {
		if err := checkK(k, p.n); err != nil {
			return nil, err
		}
	}
	w, _ := checkWeights(nil, p.n)
	seeds := s.Seeds
	if len(seeds) == 0 {
		seeds = []uint64{0}
	}
	sample := s.SilhouetteSample
	if sample == 0 {
		sample = 2000
	}
	type job struct {
		index, k int
		seed     uint64
	}
	var jobs []job
	for _, k := range s.Ks {
		for _, seed := range seeds {
			jobs = append(jobs, job{len(jobs), k, seed})
		}
	}
	order := slices.Clone(jobs)
	slices.SortStableFunc(order, func(a, b job) int { return b.k - a.k })

	results := make([]SweepResult, len(jobs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(effectiveWorkers(s.Concurrency))
	var done sync.Mutex
	for _, j := range order {
		g.Go(func() error {
			start := time.Now()
			km := s.Base
			km.K, km.Seed = j.k, j.seed
			if km.Workers <= 0 {
				km.Workers = 1
			}
			if km.NInit == 0 {
				km.NInit = 1
			}
			km.Progress = nil
			if err := km.fitPoints(ctx, p, w); err != nil {
				return fmt.Errorf("K=%d seed=%d: %w", j.k, j.seed, err)
			}
			r := SweepResult{K: j.k, Seed: j.seed, Inertia: km.inertia, Iterations: km.iterations, Model: &km, Silhouette: nan()}
			if sample > 0 && j.k > 1 {
				if sc, err := silhouette(p, km.labels, sample, s.SilhouetteSeed, km.Workers); err == nil {
					r.Silhouette = sc
				}
			}
			r.Duration = time.Since(start)
			results[j.index] = r
			if s.Done != nil {
				done.Lock()
				s.Done(r)
				done.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}
