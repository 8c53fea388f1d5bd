package cluster

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// Init selects how KMeans picks its first centroids.
type Init int

const (
	// KMeansPlusPlus is scikit-learn's greedy k-means++ (the default).
	KMeansPlusPlus Init = iota
	// RandomRows takes K distinct rows chosen uniformly at random.
	RandomRows
)

// Algorithm selects the k-means iteration.
type Algorithm int

const (
	// Lloyd computes every row-to-centre distance at every iteration (the default).
	Lloyd Algorithm = iota
	// Elkan skips distances the triangle inequality rules out, keeping an
	// upper bound per row and a lower bound per row and centre (n×K floats).
	Elkan
)

func (a Algorithm) String() string {
	if a == Elkan {
		return "elkan"
	}
	return "lloyd"
}

// KMeans clusters rows into K groups by minimising the within-cluster sum of
// squared distances (inertia), following scikit-learn 1.2.1's KMeans.
//
// The zero value of each field but K is a useful default. The learned state
// is read through methods after Fit.
//
// A fitted KMeans is safe for concurrent use: Predict and Transform may run
// from many goroutines at once. Fit must not run alongside them.
type KMeans struct {
	K int // number of clusters, 1 <= K <= rows

	Init Init // KMeansPlusPlus (default) or RandomRows
	// InitialCentroids, when set (K × features), are the starting centres;
	// Init is then ignored and only one start is made.
	InitialCentroids mat.Matrix

	// NInit is the number of starts; the one of lowest inertia is kept.
	// 0 means 10 for either Init, scikit-learn 1.2.1's default n_init=10
	// (1.4 changed its default to "auto", one k-means++ start: set NInit to 1
	// for that).
	NInit int
	// MaxIter bounds the iterations of one start; 0 means 300.
	MaxIter int
	// Tol stops a start once Σ_c ||Δc||² <= Tol × (mean of the per-feature
	// variances of X), scikit-learn's meaning. 0 means 1e-4; a negative
	// value means 0 (stop only when the labels no longer change).
	Tol float64
	// Algorithm is Lloyd (default) or Elkan.
	Algorithm Algorithm
	// Seed drives all randomness; start s uses PCG(Seed, s).
	Seed uint64
	// Workers bounds the goroutines of one fit (0 = GOMAXPROCS). The result
	// does not depend on it.
	Workers int
	// Progress, if set, is called from the goroutine running Fit after each
	// iteration, with Stage "iteration", Done the iterations of the current
	// start, Total MaxIter and Value the Σ of squared centroid moves in that
	// iteration (the quantity Tol bounds); and after each start, with Stage
	// "start", Done the starts finished, Total the number of starts and Value
	// the inertia of the start just finished.
	Progress kiln.ProgressFunc

	centroids  *mat.Dense
	labels     []int
	inertia    float64
	iterations int
}

// Centroids returns the K × features matrix of cluster centres (nil before Fit).
func (km *KMeans) Centroids() *mat.Dense { return km.centroids }

// Labels returns the cluster of each training row.
func (km *KMeans) Labels() []int { return km.labels }

// Inertia returns the weighted sum of squared distances of the training rows
// to their centres.
func (km *KMeans) Inertia() float64 { return km.inertia }

// Iterations returns the iterations run by the kept start.
func (km *KMeans) Iterations() int { return km.iterations }

func (km *KMeans) maxIter() int {
	if km.MaxIter <= 0 {
		return 300
	}
	return km.MaxIter
}

func (km *KMeans) nInit() int {
	switch {
	case km.InitialCentroids != nil:
		return 1
	case km.NInit > 0:
		return km.NInit
	}
	return 10
}

func relTol(tol float64) float64 {
	switch {
	case tol == 0:
		return 1e-4
	case tol < 0:
		return 0
	}
	return tol
}

// Fit clusters the rows of X (*mat.Dense, *sparse.CSR or any mat.Matrix). It
// stops with ctx's error when ctx is cancelled (checked every iteration).
// Memory: the data is not copied when it is *mat.Dense or *sparse.CSR; Fit
// adds a few floats per row, 4 bytes per nonzero of sparse data, three
// K×features tables, one features-long partial sum per 2,048 rows, and for
// Elkan n×K floats of bounds.
func (km *KMeans) Fit(ctx context.Context, X mat.Matrix) error {
	return km.FitWeighted(ctx, X, nil)
}

// FitWeighted is Fit with non-negative sample weights (nil = all ones), which
// weigh the means and the inertia as in scikit-learn 1.2.1 (seeding ignores
// them, as 1.2.1 does).
func (km *KMeans) FitWeighted(ctx context.Context, X mat.Matrix, sampleWeight []float64) error {
	p, err := newPoints(X)
	if err != nil {
		return err
	}
	w, err := checkWeights(sampleWeight, p.n)
	if err != nil {
		return err
	}
	return km.fitPoints(ctx, p, w)
}

// fitPoints fits checked data (Sweep shares one *points among many fits).
func (km *KMeans) fitPoints(ctx context.Context, p *points, w []float64) error {
	if err := checkK(km.K, p.n); err != nil {
		return err
	}
	if km.MaxIter < 0 || km.NInit < 0 {
		return fmt.Errorf("cluster: MaxIter (%d) and NInit (%d) must not be negative: %w", km.MaxIter, km.NInit, kiln.ErrConfig)
	}
	var err error
	var given *centers
	if km.InitialCentroids != nil {
		if given, err = centersFrom(km.InitialCentroids, km.K, p); err != nil {
			return err
		}
	}
	tol := relTol(km.Tol)
	if tol > 0 {
		tol *= p.meanVariance()
	}
	workers := effectiveWorkers(km.Workers)
	var best *run
	starts := km.nInit()
	for s := 0; s < starts; s++ {
		rng := rand.New(rand.NewPCG(km.Seed, uint64(s)))
		cs := newCenters(km.K, p)
		switch {
		case given != nil:
			copy(cs.c, given.c)
			cs.refresh()
		case km.Init == RandomRows:
			randomRows(p, km.K, rng, cs)
		default:
			kmeansPlusPlus(p, km.K, rng, workers, cs)
		}
		r := &run{p: p, w: w, k: km.K, maxIter: km.maxIter(), tol: tol, workers: workers, start: s, progress: km.Progress}
		if err := r.fit(ctx, cs, km.Algorithm); err != nil {
			return err
		}
		if best == nil || r.inertia < best.inertia {
			best = r
		}
		if km.Progress != nil {
			km.Progress(kiln.Progress{Stage: "start", Done: int64(s + 1), Total: int64(starts), Value: r.inertia})
		}
	}
	km.centroids = mat.NewDense(km.K, p.d, best.centers.c)
	km.labels, km.inertia, km.iterations = best.labels, best.inertia, best.iterations
	return nil
}

func checkK(k, n int) error {
	switch {
	case k <= 0:
		return fmt.Errorf("cluster: K = %d; it must be at least 1: %w", k, kiln.ErrConfig)
	case k > n:
		return fmt.Errorf("cluster: K = %d is more than the %d rows: %w", k, n, kiln.ErrConfig)
	}
	return nil
}

// centersFrom checks and copies user-given centroids.
func centersFrom(m mat.Matrix, k int, data *points) (*centers, error) {
	d := data.d
	r, c := m.Dims()
	if r != k || c != d {
		return nil, fmt.Errorf("cluster: InitialCentroids are %d×%d; want K×features = %d×%d: %w", r, c, k, d, kiln.ErrShape)
	}
	p, err := newPoints(m)
	if err != nil {
		return nil, fmt.Errorf("cluster: InitialCentroids: %w", err)
	}
	cs := newCenters(k, data)
	for i := 0; i < k; i++ {
		p.copyRow(cs.row(i), i)
	}
	cs.refresh()
	return cs, nil
}

// errNotFitted is returned by Predict, Transform and State before Fit.
var errNotFitted = fmt.Errorf("cluster: %w", kiln.ErrNotFitted)

// predictPoints checks new data against the fitted centres.
func predictPoints(X mat.Matrix, cs *mat.Dense) (*points, *centers, error) {
	if cs == nil {
		return nil, nil, errNotFitted
	}
	p, err := newPoints(X)
	if err != nil {
		return nil, nil, err
	}
	k, d := cs.Dims()
	if p.d != d {
		return nil, nil, fmt.Errorf("cluster: X has %d features; the model was fitted on %d: %w", p.d, d, kiln.ErrShape)
	}
	c := newCenters(k, p)
	copy(c.c, cs.RawMatrix().Data)
	c.refresh()
	return p, c, nil
}

// Predict returns the nearest centroid of each row of X: cluster ids 0 ...
// K-1, stored exactly as float64 so that KMeans is a kiln.Predictor.
func (km *KMeans) Predict(X mat.Matrix) ([]float64, error) {
	return predictNearest(X, km.centroids, km.Workers)
}

// Sizes returns the number of training rows in each cluster (nil before
// Fit), counted from Labels: rows, not sample weights.
func (km *KMeans) Sizes() []int { return labelCounts(km.labels, km.centroids) }

// labelCounts counts the labels of each of the centroids' rows.
func labelCounts(labels []int, centroids *mat.Dense) []int {
	if centroids == nil {
		return nil
	}
	k, _ := centroids.Dims()
	out := make([]int, k)
	for _, l := range labels {
		if l >= 0 && l < k {
			out[l]++
		}
	}
	return out
}

// Transform returns the Euclidean distance of each row of X to each centroid
// (rows × K), as scikit-learn's transform.
func (km *KMeans) Transform(X mat.Matrix) (*mat.Dense, error) {
	return transformDistances(X, km.centroids, km.Workers)
}

func predictNearest(X mat.Matrix, cm *mat.Dense, workers int) ([]float64, error) {
	p, cs, err := predictPoints(X, cm)
	if err != nil {
		return nil, err
	}
	labels := make([]int, p.n)
	dist := make([]float64, p.n)
	forBlocks(p.n, assignBlock, effectiveWorkers(workers), func(_, lo, hi int) {
		p.nearest(cs, lo, hi, labels, dist, make([]float64, cs.k))
	})
	out := make([]float64, p.n)
	for i, l := range labels {
		out[i] = float64(l)
	}
	return out, nil
}

func transformDistances(X mat.Matrix, cm *mat.Dense, workers int) (*mat.Dense, error) {
	p, cs, err := predictPoints(X, cm)
	if err != nil {
		return nil, err
	}
	out := mat.NewDense(p.n, cs.k, nil)
	raw := out.RawMatrix()
	forBlocks(p.n, assignBlock, effectiveWorkers(workers), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+cs.k]
			for c := range row {
				row[c] = sqrt(p.sqDist(i, cs, c))
			}
		}
	})
	return out, nil
}
