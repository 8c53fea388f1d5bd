package cluster

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestKMeansIrisBestOfTen is the acceptance case on iris: best of ten
// k-means++ starts. Golden values: R 4.2.2, kmeans(iris[,1:4], K, nstart=...)
// (also scikit-learn 1.2.1 KMeans(n_init=10, random_state=0): 78.85144143
// with sizes 62/50/38, and 152.3479518 for K=2).
func TestKMeansIrisBestOfTen(t *testing.T) {
	X := irisX(t)
	for _, tc := range []struct {
		k       int
		inertia float64
		sizes   []int
	}{
		{3, 78.85144143, []int{38, 50, 62}},
		{2, 152.3479518, []int{53, 97}},
	} {
		for _, algo := range []Algorithm{Lloyd, Elkan} {
			km := &KMeans{K: tc.k, NInit: 10, Seed: 1, Algorithm: algo}
			if err := km.Fit(context.Background(), X); err != nil {
				t.Fatal(err)
			}
			if !closeTo(km.Inertia(), tc.inertia, 1e-9) {
				t.Errorf("K=%d %v: inertia %.10g, want %.10g", tc.k, algo, km.Inertia(), tc.inertia)
			}
			got := sizes(km.Labels(), tc.k)
			slices.Sort(got)
			if !slices.Equal(got, tc.sizes) {
				t.Errorf("K=%d %v: sizes %v, want %v", tc.k, algo, got, tc.sizes)
			}
		}
	}
}

// TestKMeansGivenCentroidsMatchSklearn starts from given rows, so the whole
// run is deterministic and must match scikit-learn step for step. Golden
// values: scikit-learn 1.2.1, KMeans(3, init=X[rows], n_init=1,
// algorithm=...).fit(X, sample_weight=w) with /usr/bin/python3 on R's iris.
func TestKMeansGivenCentroidsMatchSklearn(t *testing.T) {
	X := irisX(t)
	weights := make([]float64, 150)
	for i := range weights {
		weights[i] = float64(1 + i%3)
	}
	cases := []struct {
		name      string
		rows      []int
		weighted  bool
		iter      int
		inertia   float64
		sizes     []int
		centroids []float64
	}{
		{"rows 0,50,100", []int{0, 50, 100}, false, 4, 78.8514414261, []int{50, 62, 38}, []float64{
			5.006, 3.428, 1.462, 0.246,
			5.901612903226, 2.748387096774, 4.393548387097, 1.433870967742,
			6.85, 3.073684210526, 5.742105263158, 2.071052631579}},
		{"rows 0,1,2", []int{0, 1, 2}, false, 12, 78.855665826, []int{39, 61, 50}, []float64{
			6.853846153846, 3.076923076923, 5.715384615385, 2.053846153846,
			5.883606557377, 2.740983606557, 4.388524590164, 1.434426229508,
			5.006, 3.428, 1.462, 0.246}},
		// Weights 1 + i%3. (Rows 0,1,2 are not used here: row 11 is exactly
		// as far from two of them, and the two ways of rounding break that tie
		// differently.)
		{"weighted 1+i%3", []int{10, 60, 110}, true, 13, 159.498940083, []int{50, 61, 39}, []float64{
			4.988888888889, 3.410101010101, 1.461616161616, 0.251515151515,
			5.899173553719, 2.733884297521, 4.398347107438, 1.438842975207,
			6.83125, 3.08125, 5.7, 2.02}},
	}
	for _, tc := range cases {
		for _, algo := range []Algorithm{Lloyd, Elkan} {
			for _, sparseInput := range []bool{false, true} {
				var in mat.Matrix = X
				if sparseInput {
					in = toCSR(X)
				}
				km := &KMeans{K: 3, InitialCentroids: rowsOf(X, tc.rows...), Algorithm: algo}
				var w []float64
				if tc.weighted {
					w = weights
				}
				if err := km.FitWeighted(t.Context(), in, w); err != nil {
					t.Fatal(err)
				}
				name := tc.name + " " + algo.String()
				if sparseInput {
					name += " sparse"
				}
				if km.Iterations() != tc.iter {
					t.Errorf("%s: %d iterations, want %d", name, km.Iterations(), tc.iter)
				}
				if !closeTo(km.Inertia(), tc.inertia, 1e-9) {
					t.Errorf("%s: inertia %.12g, want %.12g", name, km.Inertia(), tc.inertia)
				}
				if got := sizes(km.Labels(), 3); !slices.Equal(got, tc.sizes) {
					t.Errorf("%s: sizes %v, want %v", name, got, tc.sizes)
				}
				for i, v := range km.Centroids().RawMatrix().Data {
					if !closeTo(v, tc.centroids[i], 1e-10) {
						t.Errorf("%s: centroid value %d = %.12g, want %.12g", name, i, v, tc.centroids[i])
						break
					}
				}
			}
		}
	}
}

// TestKMeansEmptyClusterRelocation starts with two centres no row is near:
// both clusters are empty after the first assignment and take the rows
// farthest from their centres, as in scikit-learn. Golden values:
// scikit-learn 1.2.1, KMeans(3, init=[X[0], [100]*4, [-50]*4], n_init=1) on
// iris: 9 iterations, inertia 78.8514414261, sizes 50/38/62.
func TestKMeansEmptyClusterRelocation(t *testing.T) {
	X := irisX(t)
	init := mat.NewDense(3, 4, []float64{5.1, 3.5, 1.4, 0.2, 100, 100, 100, 100, -50, -50, -50, -50})
	for _, algo := range []Algorithm{Lloyd, Elkan} {
		km := &KMeans{K: 3, InitialCentroids: init, Algorithm: algo}
		if err := km.Fit(context.Background(), X); err != nil {
			t.Fatal(err)
		}
		if km.Iterations() != 9 || !closeTo(km.Inertia(), 78.8514414261, 1e-9) ||
			!slices.Equal(sizes(km.Labels(), 3), []int{50, 38, 62}) {
			t.Errorf("%v: %d iterations, inertia %.12g, sizes %v; want 9, 78.8514414261, [50 38 62]",
				algo, km.Iterations(), km.Inertia(), sizes(km.Labels(), 3))
		}
	}
}

// TestKMeansFewerDistinctPointsThanK: with d < K distinct rows Fit succeeds
// (scikit-learn warns instead), every distinct row gets its own cluster,
// K-d clusters stay empty with their centroid on a data row, and the
// inertia is 0.
func TestKMeansFewerDistinctPointsThanK(t *testing.T) {
	X := mat.NewDense(6, 2, []float64{1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 5, 5})
	for _, algo := range []Algorithm{Lloyd, Elkan} {
		for seed := uint64(0); seed < 5; seed++ {
			km := &KMeans{K: 4, Seed: seed, Algorithm: algo}
			if err := km.Fit(context.Background(), X); err != nil {
				t.Fatal(err)
			}
			if km.Inertia() != 0 {
				t.Errorf("seed %d %v: inertia %g, want 0", seed, algo, km.Inertia())
			}
			l := km.Labels()
			if l[0] != l[1] || l[2] != l[3] || l[3] != l[4] || l[0] == l[2] || l[0] == l[5] || l[2] == l[5] {
				t.Errorf("seed %d %v: labels %v do not separate the three distinct points", seed, algo, l)
			}
			for c := 0; c < 4; c++ {
				x, y := km.Centroids().At(c, 0), km.Centroids().At(c, 1)
				if x != y || (x != 1 && x != 2 && x != 5) {
					t.Errorf("seed %d %v: centroid %d = (%g, %g) is not a data row", seed, algo, c, x, y)
				}
			}
		}
	}
}

// TestKMeansWorkersGiveIdenticalResults: the same seed gives bit-identical
// labels, centroids and inertia with 1, 2 and 8 workers (dense and sparse,
// Lloyd and Elkan), because partial sums are reduced in a fixed order.
func TestKMeansWorkersGiveIdenticalResults(t *testing.T) {
	X := irisX(t)
	// Repeat iris 20 times (3,000 rows, shifted a little) so that several
	// blocks exist and, with K=1, a cluster spans more than one chunk.
	big := mat.NewDense(150*20, 4, nil)
	for r := 0; r < 20; r++ {
		for i := 0; i < 150; i++ {
			row := slices.Clone(X.RawRowView(i))
			row[r%4] += float64(r) * 0.01
			big.SetRow(r*150+i, row)
		}
	}
	for _, in := range []mat.Matrix{big, toCSR(big)} {
		for _, algo := range []Algorithm{Lloyd, Elkan} {
			for _, k := range []int{1, 2, 7, 20} {
				var ref *KMeans
				for _, workers := range []int{1, 2, 8} {
					km := &KMeans{K: k, Seed: 42, NInit: 2, Algorithm: algo, Workers: workers} // two starts keep the test quick and still cover the choice between starts
					if err := km.Fit(context.Background(), in); err != nil {
						t.Fatal(err)
					}
					if ref == nil {
						ref = km
						continue
					}
					if !slices.Equal(km.Labels(), ref.Labels()) || km.Inertia() != ref.Inertia() ||
						!mat.Equal(km.Centroids(), ref.Centroids()) || km.Iterations() != ref.Iterations() {
						t.Errorf("%T %v K=%d: workers=%d differs from workers=1 (inertia %v vs %v)", in, algo, k, workers, km.Inertia(), ref.Inertia())
					}
				}
			}
		}
	}
}

func TestKMeansPredictTransform(t *testing.T) {
	X := irisX(t)
	km := &KMeans{K: 3, InitialCentroids: rowsOf(X, 0, 50, 100)}
	if err := km.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	for _, in := range []mat.Matrix{X, toCSR(X)} {
		pred, err := km.Predict(in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(clusterIDs(t, pred), km.Labels()) {
			t.Errorf("%T: Predict on the training rows differs from Labels", in)
		}
		dist, err := km.Transform(in)
		if err != nil {
			t.Fatal(err)
		}
		// scikit-learn 1.2.1 km.transform(X[:2]) for the same clustering
		// (centres in the order setosa, versicolor-like, virginica-like).
		want := []float64{0.141350627873, 3.419250607054, 5.059541601651, 0.447638246802, 3.398574255758, 5.114943345665}
		for i := 0; i < 2; i++ {
			for c := 0; c < 3; c++ {
				if !closeTo(dist.At(i, c), want[i*3+c], 1e-9) {
					t.Errorf("%T: Transform[%d,%d] = %.12g, want %.12g", in, i, c, dist.At(i, c), want[i*3+c])
				}
			}
		}
	}
}

func TestKMeansBadInput(t *testing.T) {
	X := irisX(t)
	nan := mat.DenseCopyOf(X)
	nan.Set(7, 2, mathNaN())
	inf := mat.DenseCopyOf(X)
	inf.Set(3, 1, mathInf())
	for _, tc := range []struct {
		name string
		km   *KMeans
		X    mat.Matrix
		want string
	}{
		{"K=0", &KMeans{K: 0}, X, "K = 0"},
		{"K<0", &KMeans{K: -2}, X, "K = -2"},
		{"K>rows", &KMeans{K: 151}, X, "more than the 150 rows"},
		{"NaN", &KMeans{K: 3}, nan, "row 7, column 2"},
		{"Inf sparse", &KMeans{K: 3}, toCSR(inf), "row 3, column 1"},
		{"empty", &KMeans{K: 1}, &mat.Dense{}, "empty input"},
		{"nil", &KMeans{K: 1}, nil, "empty input"},
		{"init shape", &KMeans{K: 3, InitialCentroids: mat.NewDense(2, 4, nil)}, X, "InitialCentroids are 2×4"},
		{"negative MaxIter", &KMeans{K: 3, MaxIter: -1}, X, "must not be negative"},
	} {
		err := tc.km.Fit(context.Background(), tc.X)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if err := (&KMeans{K: 3}).FitWeighted(t.Context(), X, make([]float64, 3)); err == nil || !strings.Contains(err.Error(), "3 sample weights for 150 rows") {
		t.Errorf("weights length: %v", err)
	}
	if _, err := (&KMeans{K: 3}).Predict(X); err == nil || !strings.Contains(err.Error(), "not fitted") {
		t.Errorf("predict before fit: %v", err)
	}
	km := &KMeans{K: 3, Seed: 1}
	if err := km.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	if _, err := km.Transform(mat.NewDense(2, 3, nil)); err == nil || !strings.Contains(err.Error(), "3 features; the model was fitted on 4") {
		t.Errorf("width: %v", err)
	}
}

func TestKMeansContextCancelled(t *testing.T) {
	X := irisX(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	km := &KMeans{K: 3}
	if err := km.FitWeighted(ctx, X, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: %v", err)
	}
	mb := &MiniBatchKMeans{K: 3}
	if err := mb.FitWeighted(ctx, X, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled mini-batch fit: %v", err)
	}
	if _, err := (&Sweep{Ks: []int{2, 3}}).Run(ctx, X); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled sweep: %v", err)
	}
}

// TestKMeansSparseMatchesDense: the sparse kernels (register-blocked up to
// 16 centres, vectorised beyond) give the dense path's clustering.
// Iris lies on a 0.1 grid, so many rows are exactly as far from two
// centres and the two distance formulas' roundings break such ties
// differently: a small fixed jitter removes the exact ties.
func TestKMeansSparseMatchesDense(t *testing.T) {
	X := irisX(t)
	for i := 0; i < 150; i++ {
		for j := 0; j < 4; j++ {
			X.Set(i, j, X.At(i, j)+1e-3*math.Sin(float64(7*i+j)))
		}
	}
	for _, k := range []int{5, 17, 40} {
		init := rowsOf(X, func() []int {
			var idx []int
			for i := 0; i < k; i++ {
				idx = append(idx, (i*37)%150)
			}
			return idx
		}()...)
		dense := &KMeans{K: k, InitialCentroids: init}
		sparseFit := &KMeans{K: k, InitialCentroids: init}
		if err := dense.Fit(context.Background(), X); err != nil {
			t.Fatal(err)
		}
		if err := sparseFit.Fit(context.Background(), toCSR(X)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(dense.Labels(), sparseFit.Labels()) || !closeTo(dense.Inertia(), sparseFit.Inertia(), 1e-9) {
			t.Errorf("K=%d: sparse inertia %v, dense %v", k, sparseFit.Inertia(), dense.Inertia())
		}
	}
}
