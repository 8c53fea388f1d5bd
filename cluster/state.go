package cluster

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// KMeansState is a fitted KMeans as plain values, for saving (see persist).
// Centroids[c] is the centre of cluster c; Labels may be empty.
type KMeansState struct {
	K          int
	Features   int
	Centroids  [][]float64
	Inertia    float64
	Iterations int
	Labels     []int

	// The configuration it was fitted with.
	Init      string // "k-means++", "random" or "given"
	NInit     int    // the starts made (never 0: the default is written out)
	MaxIter   int
	Tol       float64
	Algorithm string // "lloyd" or "elkan"
	Seed      uint64
}

// State returns the fitted model as plain values.
func (km *KMeans) State() (KMeansState, error) {
	if km.centroids == nil {
		return KMeansState{}, errNotFitted
	}
	init := "k-means++"
	switch {
	case km.InitialCentroids != nil:
		init = "given"
	case km.Init == RandomRows:
		init = "random"
	}
	_, d := km.centroids.Dims()
	return KMeansState{K: km.K, Features: d, Centroids: rowsCopy(km.centroids), Inertia: km.inertia,
		Iterations: km.iterations, Labels: slices.Clone(km.labels), Init: init, NInit: km.nInit(),
		MaxIter: km.MaxIter, Tol: km.Tol, Algorithm: km.Algorithm.String(), Seed: km.Seed}, nil
}

// NewKMeansFromState rebuilds a fitted KMeans that predicts and transforms
// as the one State was taken from. A model given initial centroids comes
// back with them set to its final centroids.
func NewKMeansFromState(s KMeansState) (*KMeans, error) {
	cm, err := centroidsFromState(s.K, s.Features, s.Centroids)
	if err != nil {
		return nil, err
	}
	for i, l := range s.Labels {
		if l < 0 || l >= s.K {
			return nil, fmt.Errorf("cluster: state label %d is %d; want 0 ... %d", i, l, s.K-1)
		}
	}
	km := &KMeans{K: s.K, NInit: s.NInit, MaxIter: s.MaxIter, Tol: s.Tol, Seed: s.Seed,
		centroids: cm, inertia: s.Inertia, iterations: s.Iterations, labels: slices.Clone(s.Labels)}
	switch s.Init {
	case "k-means++", "":
	case "random":
		km.Init = RandomRows
	case "given":
		km.InitialCentroids = mat.DenseCopyOf(cm)
	default:
		return nil, fmt.Errorf("cluster: unknown Init %q in state", s.Init)
	}
	switch s.Algorithm {
	case "lloyd", "":
	case "elkan":
		km.Algorithm = Elkan
	default:
		return nil, fmt.Errorf("cluster: unknown Algorithm %q in state", s.Algorithm)
	}
	return km, nil
}

// MiniBatchKMeansState is a fitted MiniBatchKMeans as plain values. Counts
// (the weight each centre has absorbed) let PartialFit carry on after a reload.
type MiniBatchKMeansState struct {
	K          int
	Features   int
	Centroids  [][]float64
	Counts     []float64
	Inertia    float64
	Steps      int
	Iterations int
	Labels     []int

	BatchSize         int
	MaxIter           int
	Tol               float64
	MaxNoImprovement  int
	ReassignmentRatio float64
	Seed              uint64
}

// State returns the fitted model as plain values.
func (mb *MiniBatchKMeans) State() (MiniBatchKMeansState, error) {
	if mb.centroids == nil {
		return MiniBatchKMeansState{}, errNotFitted
	}
	_, d := mb.centroids.Dims()
	return MiniBatchKMeansState{K: mb.K, Features: d, Centroids: rowsCopy(mb.centroids), Counts: slices.Clone(mb.counts),
		Inertia: mb.inertia, Steps: mb.steps, Iterations: mb.iterations, Labels: slices.Clone(mb.labels),
		BatchSize: mb.BatchSize, MaxIter: mb.MaxIter, Tol: mb.Tol, MaxNoImprovement: mb.MaxNoImprovement,
		ReassignmentRatio: mb.ReassignmentRatio, Seed: mb.Seed}, nil
}

// NewMiniBatchKMeansFromState rebuilds a fitted MiniBatchKMeans; PartialFit
// continues from the saved centres and counts (with a fresh random stream
// derived from Seed and Steps).
func NewMiniBatchKMeansFromState(s MiniBatchKMeansState) (*MiniBatchKMeans, error) {
	cm, err := centroidsFromState(s.K, s.Features, s.Centroids)
	if err != nil {
		return nil, err
	}
	if len(s.Counts) != s.K {
		return nil, fmt.Errorf("cluster: state has %d counts for K = %d", len(s.Counts), s.K)
	}
	for c, v := range s.Counts {
		if math.IsNaN(v) || v < 0 {
			return nil, fmt.Errorf("cluster: state count %d is %v", c, v)
		}
	}
	return &MiniBatchKMeans{K: s.K, BatchSize: s.BatchSize, MaxIter: s.MaxIter, Tol: s.Tol,
		MaxNoImprovement: s.MaxNoImprovement, ReassignmentRatio: s.ReassignmentRatio, Seed: s.Seed,
		centroids: cm, counts: slices.Clone(s.Counts), inertia: s.Inertia, steps: s.Steps,
		iterations: s.Iterations, labels: slices.Clone(s.Labels)}, nil
}

func rowsCopy(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = slices.Clone(m.RawRowView(i))
	}
	return out
}

func centroidsFromState(k, d int, rows [][]float64) (*mat.Dense, error) {
	if k <= 0 || d <= 0 {
		return nil, fmt.Errorf("cluster: state has K = %d and %d features; both must be positive", k, d)
	}
	if len(rows) != k {
		return nil, fmt.Errorf("cluster: state has %d centroids for K = %d", len(rows), k)
	}
	cm := mat.NewDense(k, d, nil)
	for c, row := range rows {
		if len(row) != d {
			return nil, fmt.Errorf("cluster: state centroid %d has %d values; want %d", c, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("cluster: state centroid %d, feature %d is %v", c, j, v)
			}
		}
		cm.SetRow(c, row)
	}
	return cm, nil
}
