package models

import (
	"context"
	"errors"
	"testing"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// The models are the learner contract's matrix learners.
var (
	_ kiln.TargetFitter[mat.Matrix] = (*LinearRegression)(nil)
	_ kiln.Predictor                = (*LinearRegression)(nil)
	_ kiln.TargetFitter[mat.Matrix] = (*LogisticRegression)(nil)
	_ kiln.Classifier               = (*LogisticRegression)(nil)
	_ kiln.TargetFitter[mat.Matrix] = (*GLM)(nil)
	_ kiln.Predictor                = (*GLM)(nil)
)

// TestSentinelsAreShared: the package's sentinels are the root package's,
// so either name matches with errors.Is.
func TestSentinelsAreShared(t *testing.T) {
	X := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 7})
	_, err := (&LinearRegression{}).Predict(X)
	if !errors.Is(err, kiln.ErrNotFitted) || !errors.Is(err, ErrNotFitted) {
		t.Errorf("predict before fit: %v", err)
	}
	err = (&LogisticRegression{}).Fit(context.Background(), X, []float64{0, 1})
	if !errors.Is(err, kiln.ErrShape) || !errors.Is(err, ErrShape) {
		t.Errorf("short y: %v", err)
	}
	err = (&LogisticRegression{C: -1}).Fit(context.Background(), X, []float64{0, 1, 0})
	if !errors.Is(err, kiln.ErrConfig) {
		t.Errorf("negative C: %v", err)
	}
}

func TestLinearFitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	X := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 7})
	y := []float64{1, 2, 4}
	for _, in := range []mat.Matrix{X, toCSR(X)} {
		var m LinearRegression
		if err := m.Fit(ctx, in, y); !errors.Is(err, context.Canceled) {
			t.Errorf("%T: cancelled fit: %v", in, err)
		}
		if m.Coef() != nil {
			t.Errorf("%T: a cancelled fit left a model", in)
		}
	}
}

// TestCoefShapesAgree: both models give Coef as one row per output or
// decision function and Intercept as one value per row of Coef.
func TestCoefShapesAgree(t *testing.T) {
	X := mat.NewDense(6, 2, []float64{1, 2, 2, 1, 3, 5, 4, 3, 5, 8, 6, 5})
	y := []float64{0, 0, 1, 0, 1, 1}
	var lin LinearRegression
	if lin.Coef() != nil || lin.Intercept() != nil {
		t.Error("LinearRegression: Coef or Intercept before Fit is not nil")
	}
	if err := lin.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	var logit LogisticRegression
	if err := logit.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]interface {
		Coef() *mat.Dense
		Intercept() []float64
	}{"LinearRegression": &lin, "LogisticRegression": &logit} {
		r, c := m.Coef().Dims()
		if r != 1 || c != 2 || len(m.Intercept()) != 1 {
			t.Errorf("%s: Coef %dx%d with %d intercepts, want 1x2 with 1", name, r, c, len(m.Intercept()))
		}
	}
	// The accessors agree with the state that persist saves.
	st, err := lin.State()
	if err != nil {
		t.Fatal(err)
	}
	if lin.Intercept()[0] != st.Intercept || lin.Coef().At(0, 0) != st.Coef[0] || lin.Coef().At(0, 1) != st.Coef[1] {
		t.Errorf("accessors %v %v, state %v %v", lin.Intercept(), mat.Formatted(lin.Coef()), st.Intercept, st.Coef)
	}
}
