package cluster

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSilhouetteIris: scikit-learn 1.2.1 silhouette_score(X, labels) on R's
// iris with the labels of KMeans(K, n_init=10, random_state=0): 0.552819012356
// for K=3 and 0.681046169212 for K=2 (the same partitions as R's optimum).
func TestSilhouetteIris(t *testing.T) {
	X := irisX(t)
	for _, tc := range []struct {
		k    int
		want float64
	}{{3, 0.552819012356}, {2, 0.681046169212}} {
		km := &KMeans{K: tc.k, NInit: 10, Seed: 1}
		if err := km.Fit(context.Background(), X); err != nil {
			t.Fatal(err)
		}
		for _, in := range []mat.Matrix{X, toCSR(X)} {
			for _, workers := range []int{1, 3} {
				got, err := Silhouette(in, km.Labels(), 0, 0, workers)
				if err != nil {
					t.Fatal(err)
				}
				if !closeTo(got, tc.want, 1e-10) {
					t.Errorf("K=%d %T: silhouette %.12g, want %.12g", tc.k, in, got, tc.want)
				}
			}
		}
	}
}

// TestSilhouetteSample: a sampled score is the full score of the sampled
// rows, and the same seed draws the same rows.
func TestSilhouetteSample(t *testing.T) {
	X := irisX(t)
	km := &KMeans{K: 3, Seed: 1, NInit: 3}
	if err := km.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	a, err := Silhouette(X, km.Labels(), 40, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Silhouette(toCSR(X), km.Labels(), 40, 5, 2)
	if !closeTo(a, b, 1e-12) {
		t.Errorf("same seed, dense %v vs sparse %v", a, b)
	}
	if c, _ := Silhouette(X, km.Labels(), 40, 6, 1); c == a {
		t.Errorf("another seed gave the same score %v", c)
	}
	if _, err := Silhouette(X, make([]int, 150), 0, 0, 1); err == nil || !strings.Contains(err.Error(), "distinct labels") {
		t.Errorf("one cluster: %v", err)
	}
	if _, err := Silhouette(X, make([]int, 10), 0, 0, 1); err == nil || !strings.Contains(err.Error(), "10 labels for 150 rows") {
		t.Errorf("length: %v", err)
	}
}

// TestSweepMatchesSingleFits: every sweep result is the fit one would get
// alone with the same K and seed, whatever the concurrency.
func TestSweepMatchesSingleFits(t *testing.T) {
	X := irisX(t)
	var first []SweepResult
	for _, conc := range []int{1, 3} {
		calls := 0
		sw := &Sweep{Ks: []int{1, 2, 3, 4, 5}, Seeds: []uint64{0, 1}, Concurrency: conc,
			SilhouetteSample: 100, SilhouetteSeed: 3, Done: func(SweepResult) { calls++ }}
		res, err := sw.Run(t.Context(), X)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 10 || calls != 10 {
			t.Fatalf("%d results, %d Done calls; want 10", len(res), calls)
		}
		for n, r := range res {
			if r.K != 1+n/2 || r.Seed != uint64(n%2) {
				t.Fatalf("result %d is K=%d seed=%d", n, r.K, r.Seed)
			}
			alone := &KMeans{K: r.K, Seed: r.Seed, NInit: 1} // a sweep makes one start per seed
			if err := alone.Fit(context.Background(), X); err != nil {
				t.Fatal(err)
			}
			if alone.Inertia() != r.Inertia || !slices.Equal(alone.Labels(), r.Model.Labels()) {
				t.Errorf("K=%d seed=%d: sweep inertia %v, alone %v", r.K, r.Seed, r.Inertia, alone.Inertia())
			}
			if r.K == 1 != math.IsNaN(r.Silhouette) {
				t.Errorf("K=%d: silhouette %v", r.K, r.Silhouette)
			}
			if r.K > 1 {
				want, _ := Silhouette(X, r.Model.Labels(), 100, 3, 1)
				if r.Silhouette != want {
					t.Errorf("K=%d: silhouette %v, want %v", r.K, r.Silhouette, want)
				}
			}
		}
		if first == nil {
			first = res
		}
	}
	if _, err := (&Sweep{Ks: []int{2, 151}}).Run(t.Context(), X); err == nil || !strings.Contains(err.Error(), "151") {
		t.Errorf("K too large: %v", err)
	}
}

func TestTopTerms(t *testing.T) {
	c := mat.NewDense(2, 4, []float64{
		0.5, 3, 0, 3,
		2, 0, 1, 0.25})
	got, err := TopTerms(c, []string{"film", "plot", "actor", "music"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]Term{
		{{"plot", 3}, {"music", 3}, {"film", 0.5}},
		{{"film", 2}, {"actor", 1}, {"music", 0.25}},
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("cluster %d: %v, want %v", i, got[i], want[i])
		}
	}
	if _, err := TopTerms(c, []string{"a"}, 2); err == nil || !strings.Contains(err.Error(), "1 terms") {
		t.Errorf("vocabulary size: %v", err)
	}
}
