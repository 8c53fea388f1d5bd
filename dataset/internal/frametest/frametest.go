// Package frametest holds the frames and comparisons that the tests of
// dataset's format packages (arrowconv, arrowipc, parquet) share.
package frametest

import (
	"math"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/dataset/internal/arrowcol"
)

// EveryType returns a small frame with a column of every type, each with
// nulls, plus columns without nulls, edge values and an empty string.
func EveryType(t testing.TB) *dataset.Frame {
	t.Helper()
	ts := func(s string) int64 {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UnixNano()
	}
	dict, err := dataset.NewDictString("carrier", []int32{0, 1, 0, 0, 2}, []string{"UA", "AA", "B6"}, []bool{true, true, false, true, true})
	if err != nil {
		t.Fatal(err)
	}
	return dataset.MustNew(
		dataset.NewFloat64("dep_delay", []float64{1.5, 0, -3.25, math.Inf(1), math.NaN()}, []bool{true, false, true, true, true}),
		dataset.NewFloat64("air_time", []float64{227, 150, 183, 1e-300, -0.0}, nil),
		dataset.NewInt64("distance", []int64{1400, 0, math.MaxInt64, math.MinInt64, -1}, []bool{true, false, true, true, true}),
		dataset.NewInt64("flight", []int64{1545, 1714, 1141, 725, 461}, nil),
		dataset.NewString("tailnum", []string{"N14228", "", "N619AA", "", "日本語"}, []bool{true, true, true, false, true}),
		dataset.NewString("origin", []string{"EWR", "LGA", "JFK", "JFK", "LGA"}, nil),
		dict,
		dataset.NewBool("cancelled", []bool{true, false, false, true, false}, []bool{true, true, false, true, true}),
		dataset.NewBool("late", []bool{false, false, true, true, false}, nil),
		dataset.NewTimestamp("time_hour", []int64{ts("2013-01-01T05:00:00Z"), 0, ts("1970-01-01T00:00:00.000000001Z"), ts("1677-09-22T00:00:00Z"), ts("2262-04-11T00:00:00Z")}, []bool{true, false, true, true, true}),
	)
}

// Equal fails the test unless got has want's names, types, dictionary
// encoding, nulls and values (floats bit for bit: NaN equal to NaN, -0
// distinct from +0). name says which comparison failed.
func Equal(t testing.TB, name string, want, got *dataset.Frame) {
	t.Helper()
	if want.Schema().String() != got.Schema().String() || want.NumRows() != got.NumRows() {
		t.Fatalf("%s: got %d rows (%s), want %d rows (%s)", name, got.NumRows(), got.Schema(), want.NumRows(), want.Schema())
	}
	for k, w := range want.Columns() {
		g := got.Col(k)
		if w.IsDict() != g.IsDict() || w.NullCount() != g.NullCount() {
			t.Errorf("%s: column %q: dictionary-encoded %v with %d nulls, want %v with %d", name, w.Name(), g.IsDict(), g.NullCount(), w.IsDict(), w.NullCount())
		}
		for i := range w.Len() {
			same := w.IsNull(i) == g.IsNull(i)
			if same && !w.IsNull(i) {
				switch w.Type() {
				case dataset.Float64:
					same = math.Float64bits(w.Float64s()[i]) == math.Float64bits(g.Float64s()[i])
				case dataset.Int64, dataset.Timestamp:
					same = w.Int64s()[i] == g.Int64s()[i]
				case dataset.Bool:
					same = w.Bools()[i] == g.Bools()[i]
				case dataset.String:
					same = w.StringAt(i) == g.StringAt(i)
				}
			}
			if !same {
				t.Fatalf("%s: column %q row %d: %q (null %v), want %q (null %v)", name, w.Name(), i, g.Format(i), g.IsNull(i), w.Format(i), w.IsNull(i))
			}
		}
	}
}

// Consistent touches every cell of a frame a reader returned, and converts
// it back to Arrow, so that a malformed frame (bad dictionary code, short
// slice) shows up as a failure under the fuzzers.
func Consistent(t testing.TB, f *dataset.Frame) {
	t.Helper()
	for _, c := range f.Columns() {
		if c.Len() != f.NumRows() {
			t.Fatalf("column %q has %d rows in a frame of %d", c.Name(), c.Len(), f.NumRows())
		}
		for i := 0; i < c.Len(); i++ {
			_ = c.Format(i)
		}
	}
	rec, err := arrowcol.ToRecord(f, nil)
	if err != nil {
		t.Fatalf("converting a frame the reader returned back to Arrow: %v", err)
	}
	rec.Release()
}

// Builtins lists every embedded data set, for the round trips.
var Builtins = []struct {
	Name string
	Load func() (*dataset.Frame, error)
}{
	{"Iris", builtin.Iris}, {"BreastCancer", builtin.BreastCancer}, {"Diabetes", builtin.Diabetes},
	{"CaliforniaHousing", builtin.CaliforniaHousing}, {"IMDBSample", builtin.IMDBSample},
	{"Longley", builtin.Longley}, {"MTCars", builtin.MTCars}, {"Flights", builtin.Flights},
	{"Planes", builtin.Planes}, {"Airports", builtin.Airports}, {"Airlines", builtin.Airlines},
}
