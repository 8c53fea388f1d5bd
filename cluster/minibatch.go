package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// MiniBatchKMeans clusters data too large for many full passes: each step
// assigns a random batch of rows to the nearest centres and moves each
// centre towards the mean of its batch rows with a per-centre learning rate
// 1/(total weight the centre has seen), as scikit-learn 1.2.1's
// MiniBatchKMeans does (Sculley, "Web-scale k-means clustering", 2010).
//
// What it follows from scikit-learn 1.2.1: batches of BatchSize rows drawn
// with replacement; MaxIter passes' worth of steps; NInit seedings, each on
// InitSize random rows, the best judged by inertia on one validation sample
// of InitSize rows; early stopping when the smoothed (exponentially weighted)
// mean batch inertia has not improved for MaxNoImprovement steps, or when
// Tol > 0 and the squared centre move falls to Tol × mean feature variance;
// random reassignment of centres whose count falls below ReassignmentRatio ×
// the largest count, every 10×K rows seen or whenever a centre is still
// empty, to rows of the current batch, their counts then set to the smallest
// count of the others. The random draws differ from numpy's, so results
// match scikit-learn in distribution, not bit for bit.
//
// A fitted MiniBatchKMeans is safe for concurrent use: Predict and Transform
// may run from many goroutines at once. Fit and PartialFit change the model
// and must not run alongside them (nor alongside each other).
type MiniBatchKMeans struct {
	K int // number of clusters

	Init             Init       // KMeansPlusPlus (default) or RandomRows
	InitialCentroids mat.Matrix // if set, the starting centres (one seeding)

	// BatchSize is the rows per step; 0 means 1024 (capped at the row count).
	BatchSize int
	// MaxIter bounds the passes over the data: steps = MaxIter×rows/BatchSize.
	// 0 means 100.
	MaxIter int
	// NInit seedings are compared on a validation sample; 0 means 3 for
	// either Init, scikit-learn 1.2.1's default n_init=3.
	NInit int
	// InitSize is the rows each seeding sees; 0 means 3×BatchSize (at least 3×K).
	InitSize int
	// Tol enables early stopping on small centre moves when positive
	// (relative to the mean feature variance); 0 disables it, the default.
	Tol float64
	// MaxNoImprovement stops after that many steps without a better smoothed
	// inertia; 0 means 10, negative disables it.
	MaxNoImprovement int
	// ReassignmentRatio: centres with a count below it × the largest count
	// are moved to random batch rows; 0 means 0.01, negative disables it.
	ReassignmentRatio float64

	Seed    uint64 // drives seeding, batches and reassignment
	Workers int    // goroutines per step (0 = GOMAXPROCS); results do not depend on it
	// Progress, if set, is called from the goroutine running Fit after each
	// step, with Stage "step", Done the steps so far, Total the most steps
	// MaxIter allows and Value the step's mean batch inertia (weighted sum of
	// squared distances over the batch size, before the centres move).
	Progress kiln.ProgressFunc

	centroids  *mat.Dense
	counts     []float64
	labels     []int
	inertia    float64
	steps      int
	iterations int

	rng           *rand.Rand // PartialFit's generator, kept between calls
	sinceReassign int
}

// Centroids returns the K × features matrix of centres (nil before fitting).
func (mb *MiniBatchKMeans) Centroids() *mat.Dense { return mb.centroids }

// Counts returns the total sample weight each centre has absorbed.
func (mb *MiniBatchKMeans) Counts() []float64 { return mb.counts }

// Labels returns the nearest centre of each row of the data given to Fit
// (or of the last PartialFit batch).
func (mb *MiniBatchKMeans) Labels() []int { return mb.labels }

// Inertia is the weighted sum of squared distances of the rows given to Fit
// (or of the last PartialFit batch) to their nearest final centre.
func (mb *MiniBatchKMeans) Inertia() float64 { return mb.inertia }

// Steps returns the mini-batch steps taken.
func (mb *MiniBatchKMeans) Steps() int { return mb.steps }

// Iterations returns the passes over the data: ceil(steps×BatchSize/rows).
func (mb *MiniBatchKMeans) Iterations() int { return mb.iterations }

func (mb *MiniBatchKMeans) batchSize(n int) int {
	b := mb.BatchSize
	if b <= 0 {
		b = 1024
	}
	return min(b, n)
}

func (mb *MiniBatchKMeans) initSize(n, batch int) int {
	s := mb.InitSize
	if s <= 0 {
		s = 3 * batch
	}
	if s < mb.K {
		s = 3 * mb.K
	}
	return min(s, n)
}

func (mb *MiniBatchKMeans) nInit() int {
	switch {
	case mb.InitialCentroids != nil:
		return 1
	case mb.NInit > 0:
		return mb.NInit
	}
	return 3
}

func (mb *MiniBatchKMeans) reassignRatio() float64 {
	switch {
	case mb.ReassignmentRatio == 0:
		return 0.01
	case mb.ReassignmentRatio < 0:
		return 0
	}
	return mb.ReassignmentRatio
}

// Fit clusters the rows of X. It stops with ctx's error when ctx is
// cancelled (checked every step). Memory: O(K×features + BatchSize) beyond
// the data, plus the labels of all rows.
func (mb *MiniBatchKMeans) Fit(ctx context.Context, X mat.Matrix) error {
	return mb.FitWeighted(ctx, X, nil)
}

// FitWeighted is Fit with non-negative sample weights (nil = all ones).
func (mb *MiniBatchKMeans) FitWeighted(ctx context.Context, X mat.Matrix, sampleWeight []float64) error {
	p, w, err := mb.check(X, sampleWeight)
	if err != nil {
		return err
	}
	n := p.n
	batch := mb.batchSize(n)
	workers := effectiveWorkers(mb.Workers)
	rng := rand.New(rand.NewPCG(mb.Seed, 0))
	cs, err := mb.seed(p, w, batch, rng, workers, mb.nInit())
	if err != nil {
		return err
	}
	tol := 0.0
	if mb.Tol > 0 {
		tol = mb.Tol * p.meanVariance()
	}
	maxIter := mb.MaxIter
	if maxIter <= 0 {
		maxIter = 100
	}
	maxNoImprovement := mb.MaxNoImprovement
	if maxNoImprovement == 0 {
		maxNoImprovement = 10
	}
	st := newBatchStepper(p, w, cs, workers)
	mb.sinceReassign = 0
	nSteps := maxIter * n / batch
	idx := make([]int, batch)
	var ewa, ewaMin float64
	haveEWA, haveMin := false, false
	noImprovement := 0
	step := 0
	for step < nSteps {
		if err := ctx.Err(); err != nil {
			return err
		}
		for j := range idx {
			idx[j] = rng.IntN(n)
		}
		batchInertia, moved := st.step(idx, mb.reassignNow(st.counts, batch), mb.reassignRatio(), rng, tol > 0)
		step++
		if mb.Progress != nil {
			mb.Progress(kiln.Progress{Stage: "step", Done: int64(step), Total: int64(nSteps), Value: batchInertia / float64(batch)})
		}
		if step == 1 { // the first batch measures the seeding, not a step
			continue
		}
		// Early stopping as scikit-learn's _mini_batch_convergence.
		batchInertia /= float64(batch)
		if !haveEWA {
			ewa, haveEWA = batchInertia, true
		} else {
			alpha := min(float64(batch)*2/float64(n+1), 1)
			ewa = ewa*(1-alpha) + batchInertia*alpha
		}
		if tol > 0 && moved <= tol {
			break
		}
		if !haveMin || ewa < ewaMin {
			noImprovement, ewaMin, haveMin = 0, ewa, true
		} else {
			noImprovement++
		}
		if maxNoImprovement > 0 && noImprovement >= maxNoImprovement {
			break
		}
	}
	mb.steps = step
	mb.iterations = int(math.Ceil(float64(step*batch) / float64(n)))
	mb.finish(p, w, st.cs, st.counts, workers)
	return nil
}

// PartialFit takes one mini-batch step on the rows of X (all of them form
// the batch), seeding the centres from X on the first call with a single
// seeding whatever NInit is, as scikit-learn's partial_fit. Labels and
// Inertia then describe X.
func (mb *MiniBatchKMeans) PartialFit(X mat.Matrix, sampleWeight []float64) error {
	p, err := newPoints(X)
	if err != nil {
		return err
	}
	w, err := checkWeights(sampleWeight, p.n)
	if err != nil {
		return err
	}
	workers := effectiveWorkers(mb.Workers)
	var cs *centers
	if mb.centroids == nil {
		if err := checkK(mb.K, p.n); err != nil {
			return err
		}
		mb.rng = rand.New(rand.NewPCG(mb.Seed, 0))
		// One seeding, as scikit-learn 1.2.1's partial_fit makes whatever n_init is.
		if cs, err = mb.seed(p, w, mb.batchSize(p.n), mb.rng, workers, 1); err != nil {
			return err
		}
		mb.counts = make([]float64, mb.K)
		mb.sinceReassign = 0
	} else {
		k, d := mb.centroids.Dims()
		if p.d != d {
			return fmt.Errorf("cluster: X has %d features; the model was fitted on %d: %w", p.d, d, kiln.ErrShape)
		}
		if mb.rng == nil { // restored from a State
			mb.rng = rand.New(rand.NewPCG(mb.Seed, uint64(mb.steps)))
		}
		cs = newCenters(k, p)
		copy(cs.c, mb.centroids.RawMatrix().Data)
		cs.refresh()
	}
	st := newBatchStepper(p, w, cs, workers)
	copy(st.counts, mb.counts)
	idx := make([]int, p.n)
	for i := range idx {
		idx[i] = i
	}
	st.step(idx, mb.reassignNow(st.counts, p.n), mb.reassignRatio(), mb.rng, false)
	mb.steps++
	mb.finish(p, w, st.cs, st.counts, workers)
	return nil
}

func (mb *MiniBatchKMeans) check(X mat.Matrix, sampleWeight []float64) (*points, []float64, error) {
	p, err := newPoints(X)
	if err != nil {
		return nil, nil, err
	}
	if err := checkK(mb.K, p.n); err != nil {
		return nil, nil, err
	}
	if mb.MaxIter < 0 || mb.NInit < 0 || mb.BatchSize < 0 || mb.InitSize < 0 {
		return nil, nil, fmt.Errorf("cluster: MaxIter, NInit, BatchSize and InitSize must not be negative: %w", kiln.ErrConfig)
	}
	w, err := checkWeights(sampleWeight, p.n)
	return p, w, err
}

// reassignNow is scikit-learn's _random_reassign: true every 10×K rows seen,
// or whenever a centre has seen nothing yet.
func (mb *MiniBatchKMeans) reassignNow(counts []float64, batch int) bool {
	mb.sinceReassign += batch
	empty := false
	for _, c := range counts {
		if c == 0 {
			empty = true
		}
	}
	if empty || mb.sinceReassign >= 10*mb.K {
		mb.sinceReassign = 0
		return true
	}
	return false
}

// seed picks the starting centres: the best of starts seedings on InitSize
// random rows, judged by inertia on a validation sample of InitSize rows.
func (mb *MiniBatchKMeans) seed(p *points, w []float64, batch int, rng *rand.Rand, workers, starts int) (*centers, error) {
	if mb.InitialCentroids != nil {
		return centersFrom(mb.InitialCentroids, mb.K, p)
	}
	size := mb.initSize(p.n, batch)
	valid := make([]int, size)
	for j := range valid {
		valid[j] = rng.IntN(p.n)
	}
	vp := p.subset(valid)
	vw := make([]float64, size)
	for j, i := range valid {
		vw[j] = w[i]
	}
	vLabels := make([]int, size)
	var best *centers
	bestInertia := math.Inf(1)
	for s := 0; s < starts; s++ {
		sub := p // scikit-learn seeds on a sample only when InitSize < rows
		if size < p.n {
			rows := make([]int, size)
			for j := range rows {
				rows[j] = rng.IntN(p.n)
			}
			sub = p.subset(rows)
		}
		cs := newCenters(mb.K, p)
		if mb.Init == RandomRows {
			randomRows(sub, mb.K, rng, cs)
		} else {
			kmeansPlusPlus(sub, mb.K, rng, workers, cs)
		}
		dots := make([]float64, mb.K)
		for j := range vLabels {
			vLabels[j], _ = vp.nearestOne(j, cs, dots)
		}
		if in := inertia(vp, vw, cs, vLabels, workers); best == nil || in < bestInertia {
			best, bestInertia = cs, in
		}
	}
	return best, nil
}

// finish stores the centres and labels every row of p.
func (mb *MiniBatchKMeans) finish(p *points, w []float64, cs *centers, counts []float64, workers int) {
	mb.centroids = mat.NewDense(cs.k, cs.d, append([]float64(nil), cs.c...))
	mb.counts = append(mb.counts[:0], counts...)
	mb.labels = make([]int, p.n)
	dist := make([]float64, p.n)
	forBlocks(p.n, assignBlock, workers, func(_, lo, hi int) {
		p.nearest(cs, lo, hi, mb.labels, dist, make([]float64, cs.k))
	})
	mb.inertia = inertia(p, w, cs, mb.labels, workers)
}

// Predict returns the nearest centroid of each row of X: cluster ids 0 ...
// K-1, stored exactly as float64 so that MiniBatchKMeans is a kiln.Predictor.
func (mb *MiniBatchKMeans) Predict(X mat.Matrix) ([]float64, error) {
	return predictNearest(X, mb.centroids, mb.Workers)
}

// Sizes returns the number of rows in each cluster among the rows Labels
// covers (the data given to Fit, or the last PartialFit batch); nil before
// fitting. Counts, not Sizes, is what the centres have absorbed over all
// steps.
func (mb *MiniBatchKMeans) Sizes() []int { return labelCounts(mb.labels, mb.centroids) }

// Transform returns the Euclidean distance of each row of X to each centroid.
func (mb *MiniBatchKMeans) Transform(X mat.Matrix) (*mat.Dense, error) {
	return transformDistances(X, mb.centroids, mb.Workers)
}
