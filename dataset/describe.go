package dataset

import "math"

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
// no values, and (std) with a single value. Memory: 24 bytes per row, for
// sorting (a radix sort, linear in the rows).
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
	keys := make([]uint64, 0, f.rows)
	keyBuf := make([]uint64, f.rows)
	values := make([]float64, 0, f.rows)
	for j, c := range f.cols {
		names[j] = c.name
		types[j] = c.typ.String()
		if c.typ == String {
			counts[j] = int64(c.n - c.nulls)
			nulls[j] = int64(c.nulls)
			distinct[j] = int64(keyCodes([]*Column{c}, make([]int32, c.n)))
			continue
		}
		// Sorted order-preserving keys give the distinct count and the
		// quantiles; the sum is taken in row order, as pandas does.
		keys = keys[:0]
		sum := 0.0
		for i := range c.n {
			if c.IsNull(i) {
				continue
			}
			switch c.typ {
			case Float64:
				if v := c.floats[i]; !math.IsNaN(v) {
					keys = append(keys, orderedFloat(v))
					sum += v
				}
			case Int64, Timestamp:
				keys = append(keys, orderedInt(c.ints[i]))
				sum += float64(c.ints[i])
			case Bool:
				if c.bools[i] {
					keys = append(keys, 1)
					sum++
				} else {
					keys = append(keys, 0)
				}
			}
		}
		counts[j] = int64(len(keys))
		nulls[j] = int64(c.n) - counts[j]
		if len(keys) == 0 {
			continue
		}
		sorted, _ := radixSort(keys, keyBuf[:len(keys)], nil, nil)
		distinct[j] = 1
		for p := 1; p < len(sorted); p++ {
			if sorted[p] != sorted[p-1] {
				distinct[j]++
			}
		}
		if c.typ == Timestamp {
			continue // no numeric statistics of instants
		}
		values = values[:len(sorted)]
		for p, k := range sorted {
			switch c.typ {
			case Float64:
				values[p] = floatFromOrdered(k)
			case Int64:
				values[p] = float64(int64(k ^ 1<<63))
			case Bool:
				values[p] = float64(k)
			}
		}
		mean := sum / float64(len(values))
		row := []float64{mean, sampleStd(values, mean), values[0], quantile(values, 0.25), quantile(values, 0.5),
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

// sampleStd returns the sample standard deviation (ddof=1, NaN for a single
// value) about a known mean: the second pass of the two-pass formula.
func sampleStd(x []float64, mean float64) float64 {
	if len(x) < 2 {
		return math.NaN()
	}
	ss := 0.0
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return math.Sqrt(ss / float64(len(x)-1))
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
