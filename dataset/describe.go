package dataset

import (
	"math"
	"slices"
)

// Describe summarizes every column, like pandas' DataFrame.describe but with
// one row per column of f (pandas' describe().T), so that columns of every
// type fit in one typed frame. Its columns are:
//
//	column, type   the column's name and type
//	count          cells that are neither null nor NaN (pandas' count)
//	nulls          the other cells: nulls, and NaN in float columns (pandas' isna().sum())
//	mean, std      mean and sample standard deviation (ddof=1, as pandas)
//	min, 25%, 50%, 75%, max
//	               quantiles with linear interpolation between order
//	               statistics (pandas' and numpy's default)
//	distinct       distinct non-null values (pandas' nunique)
//
// The numeric statistics are computed for Float64, Int64 and Bool (as 0 and
// 1) columns and are null for String and Timestamp columns, for columns with
// no values, and (std) with a single value. Memory: one float64 per row of
// the largest column, for the quantiles.
func (f *Frame) Describe() *Frame {
	p := len(f.cols)
	names := make([]string, p)
	types := make([]string, p)
	counts := make([]int64, p)
	nulls := make([]int64, p)
	distinct := make([]int64, p)
	stats := make([][]float64, 7) // mean, std, min, 25%, 50%, 75%, max
	valid := make([][]bool, 7)
	for s := range stats {
		stats[s] = make([]float64, p)
		valid[s] = make([]bool, p)
	}
	codes := make([]int32, f.rows)
	var values []float64
	for j, c := range f.cols {
		names[j] = c.name
		types[j] = c.typ.String()
		distinct[j] = int64(keyCodes([]*Column{c}, codes))
		values = values[:0]
		switch c.typ {
		case Float64, Int64, Bool:
			for i := range c.n {
				if v, ok := c.FloatAt(i); ok && !math.IsNaN(v) {
					values = append(values, v)
				}
			}
			counts[j] = int64(len(values))
		default:
			counts[j] = int64(c.n - c.nulls)
		}
		nulls[j] = int64(c.n) - counts[j]
		if len(values) == 0 {
			continue
		}
		mean, std := meanStd(values)
		slices.Sort(values)
		row := []float64{mean, std, values[0], quantile(values, 0.25), quantile(values, 0.5),
			quantile(values, 0.75), values[len(values)-1]}
		for s, v := range row {
			stats[s][j] = v
			valid[s][j] = !math.IsNaN(v)
		}
	}
	cols := []*Column{NewString("column", names, nil), NewString("type", types, nil),
		NewInt64("count", counts, nil), NewInt64("nulls", nulls, nil)}
	for s, name := range []string{"mean", "std", "min", "25%", "50%", "75%", "max"} {
		cols = append(cols, NewFloat64(name, stats[s], valid[s]))
	}
	cols = append(cols, NewInt64("distinct", distinct, nil))
	return MustNew(cols...)
}

// meanStd returns the mean and the sample standard deviation (ddof=1, NaN for
// a single value), in two passes for accuracy.
func meanStd(x []float64) (mean, std float64) {
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	mean = sum / float64(len(x))
	if len(x) < 2 {
		return mean, math.NaN()
	}
	ss := 0.0
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / float64(len(x)-1))
}

// quantile returns the q-quantile of sorted values by linear interpolation
// between the order statistics at floor and ceil of q*(n-1), the definition
// numpy.percentile and pandas use by default ("linear", type 7 of Hyndman and
// Fan).
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	t := pos - float64(lo)
	a, b := sorted[lo], sorted[hi]
	// numpy's _lerp: from the nearer end, so that t = 1 gives b exactly.
	if t >= 0.5 {
		return b - (b-a)*(1-t)
	}
	return a + (b-a)*t
}
