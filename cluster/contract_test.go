package cluster

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// Both k-means types are the learner contract's clusterers.
var (
	_ kiln.Fitter[mat.Matrix]                  = (*KMeans)(nil)
	_ kiln.Predictor                           = (*KMeans)(nil)
	_ kiln.Transformer[mat.Matrix, *mat.Dense] = (*KMeans)(nil)
	_ kiln.Fitter[mat.Matrix]                  = (*MiniBatchKMeans)(nil)
	_ kiln.Predictor                           = (*MiniBatchKMeans)(nil)
	_ kiln.Transformer[mat.Matrix, *mat.Dense] = (*MiniBatchKMeans)(nil)
)

func TestErrorsWrapSharedSentinels(t *testing.T) {
	X := irisX(t)
	ctx := context.Background()
	errOf := func(_ any, err error) error { return err }
	fitted := &KMeans{K: 3, Seed: 1}
	if err := fitted.Fit(ctx, X); err != nil {
		t.Fatal(err)
	}
	nan := mat.DenseCopyOf(X)
	nan.Set(7, 2, math.NaN())
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"empty", (&KMeans{K: 1}).Fit(ctx, &mat.Dense{}), kiln.ErrEmpty},
		{"nil", (&MiniBatchKMeans{K: 1}).Fit(ctx, nil), kiln.ErrEmpty},
		{"NaN", (&KMeans{K: 2}).Fit(ctx, nan), kiln.ErrNonFinite},
		{"NaN sparse", (&MiniBatchKMeans{K: 2}).Fit(ctx, toCSR(nan)), kiln.ErrNonFinite},
		{"K zero", (&KMeans{}).Fit(ctx, X), kiln.ErrConfig},
		{"K above rows", (&MiniBatchKMeans{K: 151}).Fit(ctx, X), kiln.ErrConfig},
		{"negative NInit", (&KMeans{K: 2, NInit: -1}).Fit(ctx, X), kiln.ErrConfig},
		{"negative BatchSize", (&MiniBatchKMeans{K: 2, BatchSize: -1}).Fit(ctx, X), kiln.ErrConfig},
		{"InitialCentroids shape", (&KMeans{K: 3, InitialCentroids: mat.NewDense(2, 4, nil)}).Fit(ctx, X), kiln.ErrShape},
		{"weights length", (&KMeans{K: 3}).FitWeighted(ctx, X, make([]float64, 3)), kiln.ErrShape},
		{"predict before fit", errOf((&KMeans{K: 3}).Predict(X)), kiln.ErrNotFitted},
		{"mini-batch transform before fit", errOf((&MiniBatchKMeans{K: 3}).Transform(X)), kiln.ErrNotFitted},
		{"state before fit", errOf((&KMeans{K: 3}).State()), kiln.ErrNotFitted},
		{"predict width", errOf(fitted.Predict(mat.NewDense(2, 3, nil))), kiln.ErrShape},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: error %v does not wrap %v", c.name, c.err, c.want)
		}
	}
}

// TestSizesCountLabels: Sizes is the number of training rows per cluster,
// whatever the sample weights.
func TestSizesCountLabels(t *testing.T) {
	X := irisX(t)
	w := make([]float64, 150)
	for i := range w {
		w[i] = float64(1 + i%3)
	}
	km := &KMeans{K: 3, Seed: 4}
	if km.Sizes() != nil {
		t.Error("Sizes before Fit is not nil")
	}
	if err := km.FitWeighted(context.Background(), X, w); err != nil {
		t.Fatal(err)
	}
	if got, want := km.Sizes(), sizes(km.Labels(), 3); !slices.Equal(got, want) {
		t.Errorf("KMeans.Sizes() = %v, want %v", got, want)
	}
	mb := &MiniBatchKMeans{K: 3, Seed: 4, BatchSize: 50}
	if err := mb.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	got := mb.Sizes()
	if want := sizes(mb.Labels(), 3); !slices.Equal(got, want) {
		t.Errorf("MiniBatchKMeans.Sizes() = %v, want %v", got, want)
	}
	total := 0
	for _, s := range got {
		total += s
	}
	if total != 150 {
		t.Errorf("sizes %v sum to %d, want 150 rows", got, total)
	}
}

// TestProgressStages: KMeans reports every iteration of every start and the
// inertia of each start; MiniBatchKMeans every step with its batch inertia.
func TestProgressStages(t *testing.T) {
	X := irisX(t)
	var starts []kiln.Progress
	iterations := 0
	km := &KMeans{K: 3, NInit: 4, Seed: 2, Progress: func(p kiln.Progress) {
		switch p.Stage {
		case "iteration":
			iterations++
			if p.Done < 1 || p.Total != 300 || p.Value < 0 {
				t.Errorf("iteration report %+v", p)
			}
		case "start":
			starts = append(starts, p)
		default:
			t.Errorf("unknown stage in %+v", p)
		}
	}}
	if err := km.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	if len(starts) != 4 || iterations < 4 {
		t.Fatalf("%d start reports and %d iteration reports for 4 starts", len(starts), iterations)
	}
	best := math.Inf(1)
	for i, p := range starts {
		if p.Done != int64(i+1) || p.Total != 4 {
			t.Errorf("start report %d: %+v", i, p)
		}
		best = min(best, p.Value)
	}
	if best != km.Inertia() {
		t.Errorf("lowest reported start inertia %v, kept model's %v", best, km.Inertia())
	}

	steps := 0
	mb := &MiniBatchKMeans{K: 3, BatchSize: 30, Seed: 2, Progress: func(p kiln.Progress) {
		steps++
		if p.Stage != "step" || p.Done != int64(steps) || p.Total != 100*150/30 || !(p.Value >= 0) {
			t.Errorf("step report %+v after %d", p, steps-1)
		}
	}}
	if err := mb.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	if steps != mb.Steps() {
		t.Errorf("%d step reports, Steps() = %d", steps, mb.Steps())
	}
}

// TestDefaultStartsAreScikitLearns: the zero NInit is scikit-learn 1.2.1's
// default, n_init=10 for KMeans (k-means++ and random) and n_init=3 for
// MiniBatchKMeans, so KMeans{K: 3} on iris finds the optimum that
// scikit-learn 1.2.1's KMeans(3, random_state=0) reports, 78.85144143.
func TestDefaultStartsAreScikitLearns(t *testing.T) {
	X := irisX(t)
	ctx := context.Background()
	for _, init := range []Init{KMeansPlusPlus, RandomRows} {
		starts := 0
		def := &KMeans{K: 3, Seed: 5, Init: init, Progress: func(p kiln.Progress) {
			if p.Stage == "start" {
				starts++
			}
		}}
		ten := &KMeans{K: 3, Seed: 5, Init: init, NInit: 10}
		if err := def.Fit(ctx, X); err != nil {
			t.Fatal(err)
		}
		if err := ten.Fit(ctx, X); err != nil {
			t.Fatal(err)
		}
		if starts != 10 || def.Inertia() != ten.Inertia() || !slices.Equal(def.Labels(), ten.Labels()) {
			t.Errorf("init %d: zero NInit made %d starts, inertia %v; NInit 10: %v", init, starts, def.Inertia(), ten.Inertia())
		}
		if !closeTo(def.Inertia(), 78.85144143, 1e-9) {
			t.Errorf("init %d: default inertia %.10g, scikit-learn 1.2.1's 78.85144143", init, def.Inertia())
		}
		if st, _ := def.State(); st.NInit != 10 {
			t.Errorf("init %d: State().NInit = %d, want the 10 starts made", init, st.NInit)
		}
	}
	for _, init := range []Init{KMeansPlusPlus, RandomRows} {
		def := &MiniBatchKMeans{K: 3, Seed: 5, Init: init, BatchSize: 30}
		three := &MiniBatchKMeans{K: 3, Seed: 5, Init: init, BatchSize: 30, NInit: 3}
		one := &MiniBatchKMeans{K: 3, Seed: 5, Init: init, BatchSize: 30, NInit: 1}
		for _, mb := range []*MiniBatchKMeans{def, three, one} {
			if err := mb.Fit(ctx, X); err != nil {
				t.Fatal(err)
			}
		}
		if !mat.Equal(def.Centroids(), three.Centroids()) {
			t.Errorf("init %d: zero NInit differs from NInit 3", init)
		}
		if mat.Equal(def.Centroids(), one.Centroids()) {
			t.Errorf("init %d: zero NInit gives NInit 1's centres", init)
		}
	}
}
