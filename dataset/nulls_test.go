package dataset

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// nullsFrame has a missing cell of each kind: a null and a NaN in a Float64
// column, and nulls in Int64, String, Bool and Timestamp columns.
func nullsFrame() *Frame {
	day := int64(86400e9)
	return MustNew(
		NewFloat64("x", []float64{1.5, 0, 3, math.NaN(), 5, 6}, []bool{true, false, true, true, true, true}),
		NewInt64("n", []int64{1, 2, 0, 4, 5, 6}, []bool{true, true, false, true, true, true}),
		NewString("s", []string{"a", "b", "c", "", "e", "f"}, []bool{true, true, true, false, true, true}),
		NewBool("b", []bool{true, false, false, true, false, true}, []bool{true, false, true, true, true, true}),
		NewTimestamp("t", []int64{18262 * day, 18263 * day, 18264 * day, 18265 * day, 0, 18267 * day}, []bool{true, true, true, true, false, true}),
	)
}

// TestDropNullsMatchesPandas: the rows kept are those of pandas 1.5.3's
// df.dropna(subset=...) on the same frame (float64 x with None and np.nan,
// nullable Int64 n, object s, nullable boolean b, datetime64 t with NaT).
func TestDropNullsMatchesPandas(t *testing.T) {
	f := nullsFrame()
	rowID := NewInt64("id", []int64{0, 1, 2, 3, 4, 5}, nil)
	f, _ = f.WithColumn(rowID)
	for _, tc := range []struct {
		cols []string
		keep []int64
	}{
		{nil, []int64{0, 5}},
		{[]string{"x"}, []int64{0, 2, 4, 5}},
		{[]string{"n", "s"}, []int64{0, 1, 4, 5}},
		{[]string{"t"}, []int64{0, 1, 2, 3, 5}},
		{[]string{"s", "b"}, []int64{0, 2, 4, 5}},
		{[]string{"id"}, []int64{0, 1, 2, 3, 4, 5}},
		{[]string{"x", "x"}, []int64{0, 2, 4, 5}},
	} {
		got, err := f.DropNulls(tc.cols...)
		if err != nil {
			t.Fatalf("%q: %v", tc.cols, err)
		}
		id, _ := got.Column("id")
		if !slices.Equal(id.Int64s(), tc.keep) {
			t.Errorf("DropNulls(%q) kept rows %v, pandas keeps %v", tc.cols, id.Int64s(), tc.keep)
		}
		if got.NumCols() != f.NumCols() || got.NumRows() != len(tc.keep) {
			t.Errorf("DropNulls(%q): %d x %d", tc.cols, got.NumRows(), got.NumCols())
		}
		for _, c := range tc.cols {
			col, _ := got.Column(c)
			if col.NullCount() != 0 {
				t.Errorf("DropNulls(%q): column %q still has %d nulls", tc.cols, c, col.NullCount())
			}
		}
	}
}

func TestDropNullsEdges(t *testing.T) {
	f := nullsFrame()
	clean := MustNew(NewInt64("a", []int64{3, 1, 2}, nil), NewString("b", []string{"x", "y", "z"}, nil))
	empty, _ := f.Slice(0, 0)
	noCols := &Frame{index: map[string]int{}, rows: 4}
	for _, tc := range []struct {
		name string
		f    *Frame
		cols []string
		rows int
		want string // error text, "" for none
	}{
		{"no nulls keeps every row", clean, nil, 3, ""},
		{"empty frame", empty, nil, 0, ""},
		{"empty frame, named column", empty, []string{"x"}, 0, ""},
		{"every row dropped", f, []string{"x", "n", "s", "b", "t"}, 2, ""},
		{"no columns", noCols, nil, 4, ""},
		{"unknown column", f, []string{"x", "nope"}, 0, `drop nulls: dataset: no column "nope"`},
	} {
		got, err := tc.f.DropNulls(tc.cols...)
		switch {
		case tc.want != "":
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case got.NumRows() != tc.rows || got.NumCols() != tc.f.NumCols():
			t.Errorf("%s: %d x %d, want %d x %d", tc.name, got.NumRows(), got.NumCols(), tc.rows, tc.f.NumCols())
		}
	}
	// Nothing dropped: the columns are shared, not copied.
	same, _ := clean.DropNulls()
	if same.Col(0) != clean.Col(0) || cells(same) != cells(clean) {
		t.Error("DropNulls without nulls copied or changed the frame")
	}
	// A dropped frame keeps dictionary encoding and types.
	dict := MustNew(DictEncode(NewString("d", []string{"u", "v", "u"}, []bool{true, false, true})))
	got, _ := dict.DropNulls()
	if c := got.Col(0); !c.IsDict() || cells(got) != "u\nu\n" {
		t.Errorf("dictionary column after DropNulls: dict %v, cells %q", c.IsDict(), cells(got))
	}
}

func TestToFloat64(t *testing.T) {
	f := nullsFrame()
	nan := math.NaN()
	for _, tc := range []struct {
		col  string
		want []float64
		err  string
	}{
		{"x", []float64{1.5, nan, 3, nan, 5, 6}, ""},
		{"n", []float64{1, 2, nan, 4, 5, 6}, ""},
		{"b", []float64{1, nan, 0, 1, 0, 1}, ""},
		{"s", nil, `column "s" is string, not numeric`},
		{"t", nil, `column "t" is timestamp, not numeric`},
	} {
		c, _ := f.Column(tc.col)
		got, err := c.ToFloat64()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one containing %q", tc.col, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.col, err)
		}
		if !slices.EqualFunc(got, tc.want, func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }) {
			t.Errorf("%s: %v, want %v", tc.col, got, tc.want)
		}
	}
	// Large int64 values convert as float64 does (exact up to 2^53), and the
	// result is the caller's: changing it leaves the column alone.
	big := NewInt64("big", []int64{1 << 53, -(1 << 53) - 1, math.MaxInt64}, nil)
	got, err := big.ToFloat64()
	if err != nil || got[0] != 1<<53 || got[1] != float64(-(1<<53)-1) || got[2] != float64(math.MaxInt64) {
		t.Errorf("large ints: %v, %v", got, err)
	}
	x := NewFloat64("x", []float64{1, 2}, nil)
	view, _ := x.ToFloat64()
	view[0] = 99
	if x.Float64s()[0] != 1 {
		t.Error("ToFloat64 returned the column's own slice")
	}
	if got, err := NewFloat64("e", nil, nil).ToFloat64(); err != nil || len(got) != 0 {
		t.Errorf("empty column: %v, %v", got, err)
	}
}
