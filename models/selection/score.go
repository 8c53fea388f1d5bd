package selection

import (
	"fmt"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/models/metrics"
	"gonum.org/v1/gonum/mat"
)

// Model is a learner that cross-validation and grid search can fit and score:
// a kiln.TargetFitter on a matrix that is also a kiln.Predictor, as
// models.LinearRegression and models.LogisticRegression are.
type Model interface {
	kiln.TargetFitter[mat.Matrix]
	kiln.Predictor
}

// ProbabilisticModel also returns class probabilities, columns in sorted label order.
type ProbabilisticModel interface {
	Model
	PredictProba(X mat.Matrix) (*mat.Dense, error)
}

// Scorer scores a fitted model on held-out rows; larger is better.
type Scorer func(m Model, X mat.Matrix, y []float64) (float64, error)

// R2 scores regression predictions by the coefficient of determination.
func R2(m Model, X mat.Matrix, y []float64) (float64, error) {
	pred, err := m.Predict(X)
	if err != nil {
		return 0, err
	}
	return metrics.R2(y, pred)
}

// NegRMSE scores regression predictions by minus the root mean squared error.
func NegRMSE(m Model, X mat.Matrix, y []float64) (float64, error) {
	pred, err := m.Predict(X)
	if err != nil {
		return 0, err
	}
	v, err := metrics.RMSE(y, pred)
	return -v, err
}

// Accuracy scores predicted labels by the fraction correct.
func Accuracy(m Model, X mat.Matrix, y []float64) (float64, error) {
	pred, err := m.Predict(X)
	if err != nil {
		return 0, err
	}
	return metrics.Accuracy(y, pred)
}

// ROCAUC scores a two-class ProbabilisticModel by the area under the ROC
// curve of the probability of its second (larger) class.
func ROCAUC(m Model, X mat.Matrix, y []float64) (float64, error) {
	pm, ok := m.(ProbabilisticModel)
	if !ok {
		return 0, fmt.Errorf("selection.ROCAUC: %T has no PredictProba: %w", m, ErrInput)
	}
	p, err := pm.PredictProba(X)
	if err != nil {
		return 0, err
	}
	if _, c := p.Dims(); c != 2 {
		return 0, fmt.Errorf("selection.ROCAUC: the model has %d classes, want 2: %w", c, ErrInput)
	}
	return metrics.ROCAUC(y, mat.Col(nil, 1, p))
}

// NegLogLoss scores a ProbabilisticModel by minus the log-loss; the labels
// are the model's classes when it reports them (a Classes method).
func NegLogLoss(m Model, X mat.Matrix, y []float64) (float64, error) {
	pm, ok := m.(ProbabilisticModel)
	if !ok {
		return 0, fmt.Errorf("selection.NegLogLoss: %T has no PredictProba: %w", m, ErrInput)
	}
	p, err := pm.PredictProba(X)
	if err != nil {
		return 0, err
	}
	var labels []float64
	if c, ok := m.(interface{ Classes() []float64 }); ok {
		labels = c.Classes()
	}
	v, err := metrics.LogLoss(y, p, labels)
	return -v, err
}
