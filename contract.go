package kiln

import (
	"context"

	"gonum.org/v1/gonum/mat"
)

// Fitter learns from inputs alone: encoders, vectorizers, k-means.
// X is the input type: *dataset.Frame, []string or mat.Matrix.
type Fitter[X any] interface {
	Fit(ctx context.Context, x X) error
}

// TargetFitter learns from inputs and a numeric target, one value per row:
// the regression and classification models.
type TargetFitter[X any] interface {
	Fit(ctx context.Context, x X, y []float64) error
}

// Transformer turns inputs into features. M is *mat.Dense, *sparse.CSR or
// mat.Matrix.
type Transformer[X, M any] interface {
	Transform(x X) (M, error)
}

// Predictor predicts one number per row of x: a value, a class label or a
// cluster id (a whole number stored exactly as a float64).
type Predictor interface {
	Predict(x mat.Matrix) ([]float64, error)
}

// Classifier is a Predictor that also gives class probabilities: one column
// per class, in Classes order.
type Classifier interface {
	Predictor
	Classes() []float64
	PredictProba(x mat.Matrix) (*mat.Dense, error)
}
