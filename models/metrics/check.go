package metrics

import (
	"errors"
	"fmt"
	"math"
)

// ErrInput is wrapped by every error about the arguments (errors.Is).
var ErrInput = errors.New("metrics: invalid input")

// checkPair checks that a and b are non-empty, of equal length and finite.
func checkPair(who, aName string, a []float64, bName string, b []float64) error {
	if len(a) == 0 {
		return fmt.Errorf("%s: %s is empty: %w", who, aName, ErrInput)
	}
	if len(a) != len(b) {
		return fmt.Errorf("%s: %s has %d values, %s has %d: %w", who, aName, len(a), bName, len(b), ErrInput)
	}
	for i := range a {
		if math.IsNaN(a[i]) || math.IsInf(a[i], 0) {
			return fmt.Errorf("%s: %s[%d] is %v: %w", who, aName, i, a[i], ErrInput)
		}
		if math.IsNaN(b[i]) || math.IsInf(b[i], 0) {
			return fmt.Errorf("%s: %s[%d] is %v: %w", who, bName, i, b[i], ErrInput)
		}
	}
	return nil
}
