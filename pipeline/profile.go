package pipeline

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/kiln-ml/kiln/dataset"
)

// InputProfile is the training distribution of one input column, recorded by
// Fit so that a server can tell when live inputs drift away from it (the
// population stability index, PSI).
//
// A numeric column (float64, int64, timestamp) is cut into bins at Edges,
// its training deciles: bin 0 holds values <= Edges[0], bin i values in
// (Edges[i-1], Edges[i]], the last bin values above the last edge. A string
// or bool column has one bin per level of Levels (its most frequent
// training levels) and a last bin for every other value. Fractions holds
// the share of the training rows' non-null values in each bin; Nulls the
// share of null rows. Seen lists every distinct training value of a string
// or bool column, sorted, when there are at most MaxSeen of them, so that a
// server can report a category the model never saw (see Seen method).
type InputProfile struct {
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Nulls      float64   `json:"nulls"`
	Edges      []float64 `json:"edges,omitempty"`
	Levels     []string  `json:"levels,omitempty"`
	Fractions  []float64 `json:"fractions"`
	SeenValues []string  `json:"seen,omitempty"`
}

// MaxSeen bounds the distinct values of a column that its profile lists:
// beyond it, which values were seen in training is not recorded.
const MaxSeen = 10000

// Seen reports whether s is a value the column held in training; checked is
// false when the profile cannot tell (a numeric column, or more than
// MaxSeen distinct values).
func (ip *InputProfile) Seen(s string) (seen, checked bool) {
	if ip.SeenValues == nil {
		return false, false
	}
	_, found := slices.BinarySearch(ip.SeenValues, s)
	return found, true
}

// Profile sizes: deciles for numbers, the 20 most frequent levels for
// categories.
const (
	profileQuantiles = 10
	profileLevels    = 20
)

// NumBins returns the number of bins of the profile.
func (ip *InputProfile) NumBins() int { return len(ip.Fractions) }

// BinNumber returns the bin of a numeric value (NaN counts as missing: -1).
func (ip *InputProfile) BinNumber(x float64) int {
	if math.IsNaN(x) {
		return -1
	}
	return sort.SearchFloat64s(ip.Edges, x)
}

// BinLevel returns the bin of a category (the last bin for levels the
// training data did not rank).
func (ip *InputProfile) BinLevel(s string) int {
	for i, l := range ip.Levels {
		if l == s {
			return i
		}
	}
	return len(ip.Levels)
}

// Bin returns the bin of row i of col, or -1 when it is null.
func (ip *InputProfile) Bin(col *dataset.Column, i int) int {
	if col.IsNull(i) {
		return -1
	}
	switch col.Type() {
	case dataset.String:
		return ip.BinLevel(col.StringAt(i))
	case dataset.Bool:
		return ip.BinLevel(strconv.FormatBool(col.Bools()[i]))
	case dataset.Timestamp:
		return ip.BinNumber(float64(col.Int64s()[i]))
	}
	v, _ := col.FloatAt(i)
	return ip.BinNumber(v)
}

// PSI returns the population stability index of live bin counts against
// the training fractions: the sum over bins of (a - e) ln(a / e), where a
// and e are the live and training shares. Empty bins count as a share of
// 1e-4 on either side, so that the index stays finite. By the usual rule of
// thumb, below 0.1 is stable, 0.1-0.25 a moderate shift, above 0.25 a
// significant one. It returns NaN when counts holds no values.
func (ip *InputProfile) PSI(counts []float64) float64 {
	const floor = 1e-4
	var total float64
	for _, c := range counts {
		total += c
	}
	if total == 0 || len(counts) != len(ip.Fractions) {
		return math.NaN()
	}
	var psi float64
	for i, c := range counts {
		a, e := max(c/total, floor), max(ip.Fractions[i], floor)
		psi += (a - e) * math.Log(a/e)
	}
	return psi
}

// profileOf returns the profile of each input column of data.
func profileOf(data *dataset.Frame, inputs []Field) ([]InputProfile, error) {
	out := make([]InputProfile, 0, len(inputs))
	for _, in := range inputs {
		col, err := data.Column(in.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, profileColumn(col))
	}
	return out, nil
}

func profileColumn(col *dataset.Column) InputProfile {
	ip := InputProfile{Name: col.Name(), Type: col.Type().String()}
	n := col.Len()
	if n == 0 {
		return ip
	}
	ip.Nulls = float64(col.NullCount()) / float64(n)
	switch col.Type() {
	case dataset.String, dataset.Bool:
		counts := map[string]int{}
		for i := 0; i < n; i++ {
			if col.IsNull(i) {
				continue
			}
			if col.Type() == dataset.Bool {
				counts[strconv.FormatBool(col.Bools()[i])]++
			} else {
				counts[col.StringAt(i)]++
			}
		}
		levels := make([]string, 0, len(counts))
		for l := range counts {
			levels = append(levels, l)
		}
		slices.SortFunc(levels, func(a, b string) int {
			return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
		})
		if len(levels) <= MaxSeen {
			ip.SeenValues = slices.Sorted(maps.Keys(counts))
		}
		if len(levels) > profileLevels {
			levels = levels[:profileLevels]
		}
		ip.Levels = levels
		ip.Fractions = make([]float64, len(levels)+1)
	default:
		vals := make([]float64, 0, n)
		for i := 0; i < n; i++ {
			if col.IsNull(i) {
				continue
			}
			var v float64
			if col.Type() == dataset.Timestamp {
				v = float64(col.Int64s()[i])
			} else {
				v, _ = col.FloatAt(i)
			}
			if !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		if len(vals) > 0 {
			for q := 1; q < profileQuantiles; q++ {
				e := vals[(q*len(vals))/profileQuantiles]
				if len(ip.Edges) == 0 || e > ip.Edges[len(ip.Edges)-1] {
					ip.Edges = append(ip.Edges, e)
				}
			}
		}
		ip.Fractions = make([]float64, len(ip.Edges)+1)
	}
	var nonNull float64
	for i := 0; i < n; i++ {
		if b := ip.Bin(col, i); b >= 0 {
			ip.Fractions[b]++
			nonNull++
		}
	}
	if nonNull > 0 {
		for i := range ip.Fractions {
			ip.Fractions[i] /= nonNull
		}
	}
	return ip
}

// fingerprint returns "sha256:" and the digest of the input and target
// columns of data: for each column in order (inputs, then the target), its
// name, type and row count, then each row's null flag and value
// (little-endian float64 bits or int64, length-prefixed UTF-8, one byte
// for a bool), so that the same training rows always give the same value.
func fingerprint(data *dataset.Frame, inputs []Field, target string) string {
	names := make([]string, 0, len(inputs)+1)
	for _, in := range inputs {
		names = append(names, in.Name)
	}
	if target != "" {
		names = append(names, target)
	}
	h := sha256.New()
	buf := make([]byte, 0, 64<<10)
	flush := func() {
		h.Write(buf)
		buf = buf[:0]
	}
	for _, name := range names {
		col, err := data.Column(name)
		if err != nil {
			continue
		}
		buf = binary.AppendUvarint(buf, uint64(len(name)))
		buf = append(buf, name...)
		buf = append(buf, byte(col.Type()))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(col.Len()))
		for i := 0; i < col.Len(); i++ {
			if len(buf) > 60<<10 {
				flush()
			}
			if col.IsNull(i) {
				buf = append(buf, 0)
				continue
			}
			buf = append(buf, 1)
			switch col.Type() {
			case dataset.Float64:
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(col.Float64s()[i]))
			case dataset.Int64, dataset.Timestamp:
				buf = binary.LittleEndian.AppendUint64(buf, uint64(col.Int64s()[i]))
			case dataset.Bool:
				if col.Bools()[i] {
					buf = append(buf, 1)
				} else {
					buf = append(buf, 0)
				}
			case dataset.String:
				s := col.StringAt(i)
				if len(s) > 32<<10 {
					flush()
					buf = binary.AppendUvarint(buf, uint64(len(s)))
					flush()
					h.Write([]byte(s))
					continue
				}
				buf = binary.AppendUvarint(buf, uint64(len(s)))
				buf = append(buf, s...)
			}
		}
	}
	flush()
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
