package dataset

import (
	"math"
	"strings"
	"testing"
)

func TestNewFrameChecks(t *testing.T) {
	a := NewFloat64("a", []float64{1, 2, 3}, nil)
	b := NewInt64("b", []int64{1, 2}, nil)
	cases := []struct {
		name string
		cols []*Column
		want string
	}{
		{"ragged", []*Column{a, b}, `column "b" has 2 rows`},
		{"duplicate", []*Column{a, a}, `duplicate column name "a"`},
		{"empty name", []*Column{NewBool("", nil, nil)}, "empty name"},
		{"nil column", []*Column{a, nil}, "column 1 is nil"},
	}
	for _, c := range cases {
		_, err := New(c.cols...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
	if _, err := New(); err != nil {
		t.Errorf("empty frame: %v", err)
	}
}

func TestColumnAccessAndTake(t *testing.T) {
	s := NewString("s", []string{"x", "y", "x", ""}, []bool{true, true, true, false})
	d := DictEncode(s)
	codes, levels, ok := d.Dict()
	if !ok || len(levels) != 2 || levels[0] != "x" || levels[1] != "y" || codes[2] != 0 {
		t.Fatalf("DictEncode: codes %v levels %v", codes, levels)
	}
	f := MustNew(
		NewFloat64("f", []float64{1.5, math.NaN(), 3, 4}, []bool{true, true, false, true}),
		NewInt64("i", []int64{10, 20, 30, 40}, nil),
		d,
		NewTimestamp("t", []int64{0, 1e9, 2e9, 3e9}, nil),
	)
	if f.NumRows() != 4 || f.NumCols() != 4 {
		t.Fatalf("shape %dx%d", f.NumRows(), f.NumCols())
	}
	g := f.Take([]int{3, 2, 0, 0})
	fc, _ := g.Column("f")
	if fc.NullCount() != 1 || !fc.IsNull(1) || fc.Float64s()[0] != 4 {
		t.Errorf("take floats: %v nulls=%d", fc.Float64s(), fc.NullCount())
	}
	sc, _ := g.Column("s")
	if got := []string{sc.StringAt(0), sc.StringAt(1), sc.StringAt(2)}; got[0] != "" || !sc.IsNull(0) || got[1] != "x" || got[2] != "x" {
		t.Errorf("take dict: %q", got)
	}
	tc, _ := g.Column("t")
	if tc.TimeAt(0).Unix() != 3 {
		t.Errorf("timestamp: %v", tc.TimeAt(0))
	}
	h, err := f.Slice(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := h.Col(0).FloatAt(0); !ok || !math.IsNaN(v) {
		t.Errorf("NaN value (not null) expected, got %v %v", v, ok)
	}
	if _, ok := h.Col(0).FloatAt(1); ok {
		t.Errorf("null expected at sliced row 1")
	}
	if _, err := f.Slice(2, 5); err == nil {
		t.Errorf("out-of-range slice: no error")
	}
	if _, err := f.Column("nope"); err == nil || !strings.Contains(err.Error(), "have f, i, s, t") {
		t.Errorf("missing column error: %v", err)
	}
	empty := f.Take(nil)
	if empty.NumRows() != 0 || empty.Col(0).Float64s() == nil {
		t.Errorf("empty take should keep typed, non-nil slices")
	}
}

func TestNewDictStringRejectsBadCodes(t *testing.T) {
	if _, err := NewDictString("c", []int32{0, 2}, []string{"a", "b"}, nil); err == nil {
		t.Fatal("code 2 with 2 levels: no error")
	}
	if _, err := NewDictString("c", []int32{0, 7}, []string{"a"}, []bool{true, false}); err != nil {
		t.Fatalf("code of a null row must be ignored: %v", err)
	}
}
