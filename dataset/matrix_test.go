package dataset

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestToDense(t *testing.T) {
	s := DictEncode(NewString("s", []string{"a", "b", "a"}, nil))
	f := MustNew(
		NewFloat64("x", []float64{1.5, math.NaN(), -2}, nil),
		s,
		NewInt64("n", []int64{7, -8, 1 << 53}, nil),
		NewBool("b", []bool{true, false, true}, nil),
		NewTimestamp("t", []int64{1, 2, 3}, nil),
		NewFloat64("holes", []float64{1, 0, 0}, []bool{true, true, false}),
	)
	m, err := f.ToDense("x", "n", "b")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{1.5, 7, 1}, {math.NaN(), -8, 0}, {-2, 1 << 53, 1}}
	for i, row := range want {
		for j, w := range row {
			if got := m.At(i, j); got != w && !(math.IsNaN(got) && math.IsNaN(w)) {
				t.Errorf("cell %d,%d: %v, want %v", i, j, got, w)
			}
		}
	}
	// With no names every column is converted, so the string, timestamp and
	// null-holding columns must go first.
	clean, _ := f.Drop("holes", "s", "t")
	all, err := clean.ToDense()
	if err != nil {
		t.Fatal(err)
	}
	if r, c := all.Dims(); r != 3 || c != 3 || !mat.Equal(all.Slice(0, 3, 1, 3), m.Slice(0, 3, 1, 3)) {
		t.Errorf("all numeric columns: %dx%d", r, c)
	}

	empty, _ := f.Slice(0, 0)
	onlyText := MustNew(s)
	bad := []struct {
		name string
		run  func() error
		want string
	}{
		{"string column", func() error { _, err := f.ToDense("x", "s"); return err }, `column "s" is string, not numeric`},
		{"timestamp column", func() error { _, err := f.ToDense("t"); return err }, `column "t" is timestamp`},
		{"null cell", func() error { _, err := f.ToDense("x", "holes"); return err }, `column "holes" row 2 is null`},
		{"string and timestamp, all columns", func() error { _, err := f.ToDense(); return err }, `columns "s" (string), "t" (timestamp) are not numeric (float64, int64 or bool); name the columns to convert`},
		{"null cell, all columns", func() error { sel, _ := f.Select("x", "holes"); _, err := sel.ToDense(); return err }, `column "holes" row 2 is null`},
		{"missing column", func() error { _, err := f.ToDense("nope"); return err }, `no column "nope"`},
		{"only text", func() error { _, err := onlyText.ToDense(); return err }, `column "s" is string, not numeric (float64, int64 or bool); name the columns`},
		{"no rows", func() error { _, err := empty.ToDense("x"); return err }, "no rows"},
		{"no rows, all columns", func() error { _, err := MustNew(NewFloat64("x", nil, nil)).ToDense(); return err }, "no rows"},
		{"no columns", func() error { _, err := (&Frame{index: map[string]int{}}).ToDense(); return err }, "no columns"},
	}
	for _, c := range bad {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
}

func TestFromDense(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	f, err := FromDense(m, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cells(f); got != "1,2,3\n4,5,6\n" {
		t.Errorf("from dense:\n%s", got)
	}
	back, err := f.ToDense()
	if err != nil || !mat.Equal(back, m) {
		t.Errorf("round trip: %v", err)
	}
	g, err := FromDense(m.T(), nil)
	if err != nil || strings.Join(g.Names(), ",") != "x0,x1" || cells(g) != "1,4\n2,5\n3,6\n" {
		t.Errorf("transposed, default names: %v\n%s", err, cells(g))
	}
	if _, err := FromDense(m, []string{"a"}); err == nil || !strings.Contains(err.Error(), "1 names (a) for 3 matrix columns") {
		t.Errorf("name count: %v", err)
	}
	if _, err := FromDense(m, []string{"a", "a", "b"}); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate names: %v", err)
	}
	if _, err := FromDense(nil, nil); err == nil {
		t.Errorf("nil matrix: no error")
	}
}
