package metrics

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// LogLoss is the mean cross-entropy of class probabilities against true
// labels, as scikit-learn 1.2.1's log_loss: proba has one column per label
// in labels (nil means the sorted distinct values of yTrue, which must then
// number at least two), or a single column holding the probability of the
// larger of two labels. Probabilities are clipped to [eps, 1-eps], eps =
// 2.22e-16, and each row renormalized to sum to one.
func LogLoss(yTrue []float64, proba mat.Matrix, labels []float64) (float64, error) {
	const who = "metrics.LogLoss"
	if len(yTrue) == 0 {
		return 0, fmt.Errorf("%s: yTrue is empty: %w", who, ErrInput)
	}
	if proba == nil {
		return 0, fmt.Errorf("%s: proba is nil: %w", who, ErrInput)
	}
	if labels == nil {
		labels = slices.Compact(slices.Sorted(slices.Values(slices.Clone(yTrue))))
	} else {
		labels = slices.Compact(slices.Sorted(slices.Values(slices.Clone(labels))))
	}
	if len(labels) < 2 {
		return 0, fmt.Errorf("%s: only one label %v; pass the labels explicitly: %w", who, labels, ErrInput)
	}
	n, c := proba.Dims()
	if n != len(yTrue) {
		return 0, fmt.Errorf("%s: proba has %d rows for %d labels: %w", who, n, len(yTrue), ErrInput)
	}
	binary := c == 1
	if binary && len(labels) != 2 || !binary && c != len(labels) {
		return 0, fmt.Errorf("%s: proba has %d columns for %d labels %v: %w", who, c, len(labels), labels, ErrInput)
	}
	const eps = 0x1p-52
	row := make([]float64, len(labels))
	total := 0.0
	for i, y := range yTrue {
		k, ok := slices.BinarySearch(labels, y)
		if !ok {
			return 0, fmt.Errorf("%s: yTrue[%d] = %v is not among the labels %v: %w", who, i, y, labels, ErrInput)
		}
		if binary {
			p := proba.At(i, 0)
			row[0], row[1] = 1-p, p
		} else {
			for j := range row {
				row[j] = proba.At(i, j)
			}
		}
		sum := 0.0
		for j, p := range row {
			if math.IsNaN(p) {
				return 0, fmt.Errorf("%s: proba row %d, column %d is NaN: %w", who, i, j, ErrInput)
			}
			row[j] = math.Min(math.Max(p, eps), 1-eps)
			sum += row[j]
		}
		total -= math.Log(row[k] / sum)
	}
	return total / float64(len(yTrue)), nil
}

// BinaryLogLoss is LogLoss for two-class labels and the probability of the larger label.
func BinaryLogLoss(yTrue, p1 []float64) (float64, error) {
	if err := checkPair("metrics.BinaryLogLoss", "yTrue", yTrue, "p1", p1); err != nil {
		return 0, err
	}
	return LogLoss(yTrue, mat.NewVecDense(len(p1), slices.Clone(p1)), nil)
}
