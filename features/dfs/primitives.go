package dfs

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// DefaultAggregations are the aggregation primitives DFS uses when none are
// given: Featuretools' defaults.
var DefaultAggregations = []string{"sum", "std", "max", "skew", "min", "mean", "count", "percent_true", "num_unique", "mode"}

// DefaultTransforms are the transform primitives DFS uses when none are
// given: Featuretools' defaults that apply to tables (day, year, month, weekday).
var DefaultTransforms = []string{"day", "year", "month", "weekday"}

// transform is a row-wise primitive.
type transform struct {
	output func(in ValueType) (ValueType, bool) // result type, false if in is not accepted
	apply  func(b *buffer, in *buffer)          // fills b from in (same length)
}

// aggregation is a primitive that reduces a child's rows to one value.
type aggregation struct {
	output func(in ValueType) (ValueType, bool) // in is "" for count
}

func datetimeTo(out ValueType) func(ValueType) (ValueType, bool) {
	return func(in ValueType) (ValueType, bool) { return out, in == Datetime }
}

// timePart returns a transform of a datetime to an integer part of its UTC calendar date.
func timePart(part func(t time.Time) int64) transform {
	return transform{
		output: datetimeTo(Integer),
		apply: func(b *buffer, in *buffer) {
			b.f = grow(b.f, len(in.t))
			for i, ns := range in.t {
				if ns == nullTime {
					b.f[i] = math.NaN()
				} else {
					b.f[i] = float64(part(time.Unix(0, ns).UTC()))
				}
			}
		},
	}
}

var transforms = map[string]transform{
	"year":  timePart(func(t time.Time) int64 { return int64(t.Year()) }),
	"month": timePart(func(t time.Time) int64 { return int64(t.Month()) }),
	"day":   timePart(func(t time.Time) int64 { return int64(t.Day()) }),
	"hour":  timePart(func(t time.Time) int64 { return int64(t.Hour()) }),
	// weekday counts from Monday = 0 to Sunday = 6, as pandas' dayofweek.
	"weekday": timePart(func(t time.Time) int64 { return int64((t.Weekday() + 6) % 7) }),
	"is_weekend": {
		output: datetimeTo(Boolean),
		apply: func(b *buffer, in *buffer) {
			b.f = grow(b.f, len(in.t))
			for i, ns := range in.t {
				switch {
				case ns == nullTime:
					b.f[i] = math.NaN()
				default:
					wd := time.Unix(0, ns).UTC().Weekday()
					b.f[i] = b2f(wd == time.Saturday || wd == time.Sunday)
				}
			}
		},
	},
	"absolute": {
		output: func(in ValueType) (ValueType, bool) { return in, in.numeric() },
		apply: func(b *buffer, in *buffer) {
			b.f = grow(b.f, len(in.f))
			for i, v := range in.f {
				b.f[i] = math.Abs(v)
			}
		},
	},
	// equal and is_unknown are the one-hot encoding; their apply is bound to
	// level codes at compile time (see compile.go).
	"equal":      {output: func(in ValueType) (ValueType, bool) { return Boolean, in == Categorical }},
	"is_unknown": {output: func(in ValueType) (ValueType, bool) { return Boolean, in == Categorical }},
}

func numericTo(out ValueType) func(ValueType) (ValueType, bool) {
	return func(in ValueType) (ValueType, bool) { return out, in.numeric() }
}

var aggregations = map[string]aggregation{
	"count": {output: func(in ValueType) (ValueType, bool) { return Integer, in == "" }},
	"sum": {output: func(in ValueType) (ValueType, bool) {
		switch in {
		case Integer, Boolean:
			return Integer, true
		case Float:
			return Float, true
		}
		return "", false
	}},
	"mean": {output: func(in ValueType) (ValueType, bool) { return Float, in.numeric() || in == Boolean }},
	"min":  {output: func(in ValueType) (ValueType, bool) { return in, in.numeric() }},
	"max":  {output: func(in ValueType) (ValueType, bool) { return in, in.numeric() }},
	"std":  {output: numericTo(Float)},
	"skew": {output: numericTo(Float)},
	"median": {output: func(in ValueType) (ValueType, bool) {
		return Float, in.numeric()
	}},
	// mode and num_unique take categories, and ids stored as integers.
	"mode":         {output: func(in ValueType) (ValueType, bool) { return in, in == Categorical || in == Integer }},
	"num_unique":   {output: func(in ValueType) (ValueType, bool) { return Integer, in == Categorical || in == Integer }},
	"percent_true": {output: func(in ValueType) (ValueType, bool) { return Float, in == Boolean }},
	"first":        {output: func(in ValueType) (ValueType, bool) { return in, in != "" && in != Datetime }},
	"last":         {output: func(in ValueType) (ValueType, bool) { return in, in != "" && in != Datetime }},
	// time_since_last is the seconds from the last child row's time to the cutoff.
	"time_since_last": {output: func(in ValueType) (ValueType, bool) { return Float, in == Datetime }},
}

// Primitives lists the names of the available aggregation and transform primitives.
func Primitives() (aggregation, transform []string) {
	for k := range aggregations {
		aggregation = append(aggregation, k)
	}
	for k := range transforms {
		transform = append(transform, k)
	}
	slices.Sort(aggregation)
	slices.Sort(transform)
	return aggregation, transform
}

func unknownPrimitive(name, kind string) error {
	var have []string
	if kind == "transform" {
		_, have = Primitives()
	} else {
		have, _ = Primitives()
	}
	return fmt.Errorf("unknown %s primitive %q (have %s)", kind, name, strings.Join(have, ", "))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// nullTime marks a null datetime in a buffer.
const nullTime = math.MinInt64

// buffer holds one feature's values over a set of rows: f for numeric,
// boolean (0/1) and categorical (level code) values with NaN for null, t for
// datetimes in nanoseconds with nullTime for null.
type buffer struct {
	f []float64
	t []int64
}

// aggState is a worker's scratch space for the aggregation kernels.
type aggState struct {
	sorted []float64
	counts []int32 // per level code

	// The Kahan sum and count of the current input, shared by sum, mean and skew.
	haveSum bool
	sum     float64
	n       int
}

// reset forgets the memoized sum: a new input follows.
func (s *aggState) reset() { s.haveSum = false }

func (s *aggState) kahan(vals []float64) (float64, int) {
	if !s.haveSum {
		s.sum, s.n = kahanSum(vals)
		s.haveSum = true
	}
	return s.sum, s.n
}

// aggregate reduces values (NaN = null) with primitive p. n is the number of
// child rows (nulls included); cutoff is the instance's cutoff time in
// nanoseconds (for time_since_last). Categorical values are level codes and
// rank[code] orders the levels as strings. Empty and all-null inputs give what
// pandas gives: 0 for count, sum and num_unique, NaN (null) otherwise.
func (s *aggState) aggregate(p string, b *buffer, n int, rank []int32, cutoff int64) float64 {
	switch p {
	case "count":
		return float64(n)
	case "sum":
		sum, _ := s.kahan(b.f)
		return sum
	case "mean":
		sum, k := s.kahan(b.f)
		if k == 0 {
			return math.NaN()
		}
		return sum / float64(k)
	case "min":
		m, seen := math.Inf(1), false
		for _, v := range b.f {
			if v == v && v < m || !seen && v == v {
				m, seen = v, true
			}
		}
		if !seen {
			return math.NaN()
		}
		return m
	case "max":
		m, seen := math.Inf(-1), false
		for _, v := range b.f {
			if v == v && v > m || !seen && v == v {
				m, seen = v, true
			}
		}
		if !seen {
			return math.NaN()
		}
		return m
	case "std":
		return welfordStd(b.f)
	case "skew":
		sum, k := s.kahan(b.f)
		return pandasSkew(b.f, sum, k)
	case "median":
		s.sorted = s.sorted[:0]
		for _, v := range b.f {
			if v == v {
				s.sorted = append(s.sorted, v)
			}
		}
		k := len(s.sorted)
		if k == 0 {
			return math.NaN()
		}
		sort.Float64s(s.sorted)
		if k%2 == 1 {
			return s.sorted[k/2]
		}
		return (s.sorted[k/2-1] + s.sorted[k/2]) / 2
	case "mode", "num_unique":
		if rank == nil { // whole numbers (ids), not level codes
			return s.countValues(p, b.f)
		}
		return s.countCodes(p, b.f, rank)
	case "percent_true":
		// Featuretools counts null as false: true / all rows.
		if len(b.f) == 0 {
			return math.NaN()
		}
		t := 0
		for _, v := range b.f {
			if v == 1 {
				t++
			}
		}
		return float64(t) / float64(len(b.f))
	case "first":
		if len(b.f) == 0 {
			return math.NaN()
		}
		return b.f[0]
	case "last":
		if len(b.f) == 0 {
			return math.NaN()
		}
		return b.f[len(b.f)-1]
	case "time_since_last":
		last := int64(nullTime)
		for _, t := range b.t {
			if t != nullTime && t > last {
				last = t
			}
		}
		if last == nullTime {
			return math.NaN()
		}
		return float64(cutoff-last) / 1e9
	}
	return math.NaN()
}

// countCodes computes mode (the most frequent level, ties to the smallest
// string, as pandas' mode().iloc[0]) or num_unique (distinct non-null levels).
func (s *aggState) countCodes(p string, codes []float64, rank []int32) float64 {
	if cap(s.counts) < len(rank) {
		s.counts = make([]int32, len(rank))
	}
	counts := s.counts[:len(rank)]
	distinct := 0
	for _, v := range codes {
		if v == v {
			k := int(v)
			if counts[k] == 0 {
				distinct++
			}
			counts[k]++
		}
	}
	best, bestN := -1, int32(0)
	for _, v := range codes {
		if v != v {
			continue
		}
		k := int(v)
		if c := counts[k]; c > 0 {
			if c > bestN || c == bestN && rank[k] < rank[best] {
				best, bestN = k, c
			}
		}
	}
	for _, v := range codes { // reset only what was touched
		if v == v {
			counts[int(v)] = 0
		}
	}
	if p == "num_unique" {
		return float64(distinct)
	}
	if best < 0 {
		return math.NaN()
	}
	return float64(best)
}

// countValues computes mode (the most frequent value, ties to the smallest,
// as pandas' mode().iloc[0]) or num_unique (distinct non-null values) of
// numbers, such as integer ids.
func (s *aggState) countValues(p string, vals []float64) float64 {
	s.sorted = s.sorted[:0]
	for _, v := range vals {
		if v == v {
			s.sorted = append(s.sorted, v)
		}
	}
	sort.Float64s(s.sorted)
	distinct, best, bestN := 0, math.NaN(), 0
	for i := 0; i < len(s.sorted); {
		j := i + 1
		for j < len(s.sorted) && s.sorted[j] == s.sorted[i] {
			j++
		}
		distinct++
		if j-i > bestN { // strictly more: among equal counts the smallest value stays
			best, bestN = s.sorted[i], j-i
		}
		i = j
	}
	if p == "num_unique" {
		return float64(distinct)
	}
	return best
}

// kahanSum sums the non-NaN values with Kahan compensation, as pandas'
// group_sum and group_mean do; it returns the sum and the count.
func kahanSum(vals []float64) (float64, int) {
	var sum, comp float64
	n := 0
	for _, v := range vals {
		if v != v {
			continue
		}
		n++
		y := v - comp
		t := sum + y
		comp = t - sum - y
		sum = t
	}
	return sum, n
}

// welfordStd is the sample standard deviation (ddof = 1) by Welford's
// updates, the algorithm of pandas' group_var; NaN for fewer than 2 values.
func welfordStd(vals []float64) float64 {
	var mean, m2 float64
	n := 0
	for _, v := range vals {
		if v != v {
			continue
		}
		n++
		old := mean
		mean += (v - old) / float64(n)
		m2 += (v - mean) * (v - old)
	}
	if n < 2 {
		return math.NaN()
	}
	return math.Sqrt(m2 / float64(n-1))
}

// pandasSkew (given the values' Kahan sum and count) is the bias-corrected sample skewness G1 as pandas' nanskew
// computes it: central moments m2, m3 from the mean, sums below 1e-14 taken as
// zero, 0 when m2 is zero, NaN for fewer than 3 values.
func pandasSkew(vals []float64, sum float64, n int) float64 {
	mean := sum / float64(n)
	var m2, m3 float64
	for _, v := range vals {
		if v != v {
			continue
		}
		d := v - mean
		d2 := d * d
		m2 += d2
		m3 += d2 * d
	}
	return SkewFromMoments(n, m2, m3)
}

// SkewFromMoments finishes pandas' nanskew from the count n and the sums m2
// and m3 of squared and cubed deviations from the mean: NaN below 3 values,
// sums below 1e-14 taken as zero, 0 without variance, otherwise the
// bias-corrected G1. It is exported for engines that gather the moments
// themselves (the beam module's DFS), so that their skew is finished alike.
func SkewFromMoments(n int, m2, m3 float64) float64 {
	if n < 3 {
		return math.NaN()
	}
	count := float64(n)
	if math.Abs(m2) < 1e-14 {
		m2 = 0
	}
	if math.Abs(m3) < 1e-14 {
		m3 = 0
	}
	if m2 == 0 {
		return 0
	}
	return count * math.Sqrt(count-1) / (count - 2) * (m3 / math.Pow(m2, 1.5))
}
