package cluster

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestMiniBatchKMeansIris compares the distribution of final inertias over
// 20 seeds with scikit-learn's: scikit-learn 1.2.1,
// MiniBatchKMeans(3, batch_size=B, n_init=1, random_state=s).fit(X) for
// s = 0..19 on R's iris gives a median inertia of 79.5549 (B=30) and 79.901
// (B=1024, i.e. whole-data batches); the optimum is 78.85144143.
func TestMiniBatchKMeansIris(t *testing.T) {
	X := irisX(t)
	for _, tc := range []struct {
		batch  int
		median float64
	}{{30, 79.5549}, {1024, 79.901}} {
		var inertias []float64
		for _, in := range []mat.Matrix{X, toCSR(X)} {
			for s := uint64(0); s < 20; s++ {
				mb := &MiniBatchKMeans{K: 3, BatchSize: tc.batch, Seed: s, NInit: 1} // the reference's n_init=1
				if err := mb.Fit(context.Background(), in); err != nil {
					t.Fatal(err)
				}
				if mb.Inertia() < 78.85144143-1e-6 {
					t.Fatalf("inertia %v below the optimum", mb.Inertia())
				}
				if len(mb.Labels()) != 150 || mb.Steps() < 2 || mb.Iterations() < 1 {
					t.Fatalf("labels %d, steps %d, iterations %d", len(mb.Labels()), mb.Steps(), mb.Iterations())
				}
				inertias = append(inertias, mb.Inertia())
			}
		}
		// Within 2% of scikit-learn's median: the same algorithm with other random draws.
		t.Logf("batch %d: median inertia %.6g (scikit-learn %.6g)", tc.batch, median(inertias), tc.median)
		if m := median(inertias); m > tc.median*1.02 {
			t.Errorf("batch %d: median inertia %.6g, scikit-learn's %.6g", tc.batch, m, tc.median)
		}
	}
}

// TestMiniBatchKMeansPartialFit streams iris as three interleaved batches of
// 50 rows for 10 passes. scikit-learn 1.2.1 (MiniBatchKMeans(3, n_init=1,
// random_state=s).partial_fit(X[b::3]) likewise, s = 0..19) ends with a
// median inertia over all 150 rows of 78.8806.
func TestMiniBatchKMeansPartialFit(t *testing.T) {
	X := irisX(t)
	var inertias []float64
	for s := uint64(0); s < 20; s++ {
		mb := &MiniBatchKMeans{K: 3, Seed: s}
		for pass := 0; pass < 10; pass++ {
			for b := 0; b < 3; b++ {
				var idx []int
				for i := b; i < 150; i += 3 {
					idx = append(idx, i)
				}
				if err := mb.PartialFit(rowsOf(X, idx...), nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		if mb.Steps() != 30 || len(mb.Labels()) != 50 {
			t.Fatalf("steps %d, labels %d", mb.Steps(), len(mb.Labels()))
		}
		var total float64
		for _, c := range mb.Counts() {
			total += c
		}
		if total != 30*50 {
			t.Errorf("counts sum to %v, want 1500 rows seen", total)
		}
		labels, err := mb.Predict(X)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := newPoints(X)
		cs := newCenters(3, p)
		copy(cs.c, mb.Centroids().RawMatrix().Data)
		ones, _ := checkWeights(nil, 150)
		inertias = append(inertias, inertia(p, ones, cs, clusterIDs(t, labels), 1))
	}
	if m := median(inertias); m > 78.8806*1.02 {
		t.Errorf("median inertia %.6g, scikit-learn's 78.8806", m)
	}
}

func TestMiniBatchKMeansWorkers(t *testing.T) {
	X := irisX(t)
	var ref *MiniBatchKMeans
	for _, w := range []int{1, 2, 8} {
		mb := &MiniBatchKMeans{K: 4, BatchSize: 64, Seed: 7, Workers: w}
		if err := mb.Fit(context.Background(), toCSR(X)); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = mb
			continue
		}
		if !mat.Equal(mb.Centroids(), ref.Centroids()) || !slices.Equal(mb.Labels(), ref.Labels()) || mb.Steps() != ref.Steps() {
			t.Errorf("workers=%d differs from workers=1", w)
		}
	}
}

func TestMiniBatchKMeansBadInput(t *testing.T) {
	X := irisX(t)
	for _, tc := range []struct {
		mb   *MiniBatchKMeans
		X    mat.Matrix
		want string
	}{
		{&MiniBatchKMeans{K: 0}, X, "K = 0"},
		{&MiniBatchKMeans{K: 200}, X, "more than the 150 rows"},
		{&MiniBatchKMeans{K: 2, BatchSize: -1}, X, "must not be negative"},
		{&MiniBatchKMeans{K: 2}, &mat.Dense{}, "empty input"},
	} {
		if err := tc.mb.Fit(context.Background(), tc.X); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	mb := &MiniBatchKMeans{K: 2}
	if err := mb.PartialFit(X, nil); err != nil {
		t.Fatal(err)
	}
	if err := mb.PartialFit(mat.NewDense(3, 2, nil), nil); err == nil || !strings.Contains(err.Error(), "2 features; the model was fitted on 4") {
		t.Errorf("width: %v", err)
	}
}
