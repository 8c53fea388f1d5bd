package dataset

import (
	"math"
	"strconv"
)

// formatFloat prints the shortest decimal that parses back to the same float64,
// so that a CSV round trip is lossless.
func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
