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
