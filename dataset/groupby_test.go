package dataset

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestGroupByMTCars(t *testing.T) {
	f := opsLoadCSV(t, "builtin/data/mtcars.csv")
	g, err := f.GroupBy("cyl", "gear")
	if err != nil {
		t.Fatal(err)
	}
	// pandas 1.5.3: m.groupby(["cyl", "gear"], sort=False).size() and .mpg.mean()
	// on pd.read_csv("mtcars.csv"), with /usr/bin/python3.
	wantKeys := "6,4\n4,4\n6,3\n8,3\n4,3\n4,5\n8,5\n6,5\n"
	wantSizes := []int{4, 8, 2, 12, 1, 2, 2, 1}
	wantMeans := []float64{19.75, 26.925, 19.75, 15.049999999999999, 21.5, 28.2, 15.4, 19.7}
	if got := cells(g.Keys); got != wantKeys {
		t.Errorf("keys:\n%s\nwant\n%s", got, wantKeys)
	}
	if got := g.Sizes(); !reflect.DeepEqual(got, wantSizes) {
		t.Errorf("sizes %v, want %v", got, wantSizes)
	}
	mpg, _ := f.Column("mpg")
	for k := range g.NumGroups() {
		sum := 0.0
		for _, i := range g.Rows(k) {
			sum += mpg.Float64s()[i]
			if g.Group[i] != int32(k) {
				t.Errorf("row %d: group %d, listed in %d", i, g.Group[i], k)
			}
		}
		if mean := sum / float64(len(g.Rows(k))); math.Abs(mean-wantMeans[k]) > 1e-12 {
			t.Errorf("group %d: mean mpg %v, want %v", k, mean, wantMeans[k])
		}
	}
}

func TestGroupByTypesAndNulls(t *testing.T) {
	// Hand-checked: groups in order of first appearance, a null key is a group.
	s, _ := NewDictString("s", []int32{1, 0, 1, 0, 2, 1}, []string{"a", "b", "unused-level-c"}, []bool{true, true, true, true, false, true})
	f := MustNew(
		s,
		NewString("p", []string{"b", "a", "b", "a", "", "b"}, []bool{true, true, true, true, false, true}),
		NewInt64("big", []int64{math.MaxInt64, math.MinInt64, math.MaxInt64, 0, 0, 0}, nil),
		NewInt64("small", []int64{7, 3, 7, 3, 9, 3}, []bool{true, true, true, true, true, false}),
		NewFloat64("f", []float64{0.5, math.Copysign(0, -1), 0.5, 0, math.NaN(), 0}, []bool{true, true, true, true, true, false}),
		NewBool("b", []bool{true, false, true, true, false, false}, nil),
		NewTimestamp("t", []int64{1, 2, 1, 2, 1, 2}, nil),
	)
	cases := []struct {
		keys  []string
		group []int32
	}{
		{[]string{"s"}, []int32{0, 1, 0, 1, 2, 0}},
		{[]string{"p"}, []int32{0, 1, 0, 1, 2, 0}},
		{[]string{"big"}, []int32{0, 1, 0, 2, 2, 2}},
		{[]string{"small"}, []int32{0, 1, 0, 1, 2, 3}},
		{[]string{"f"}, []int32{0, 1, 0, 1, 2, 2}}, // -0 == 0; NaN joins the null group
		{[]string{"b"}, []int32{0, 1, 0, 0, 1, 1}},
		{[]string{"s", "b"}, []int32{0, 1, 0, 2, 3, 4}},
		{[]string{"t", "small", "s"}, []int32{0, 1, 0, 1, 2, 3}},
		{[]string{"b", "big", "f"}, []int32{0, 1, 0, 2, 3, 3}},
	}
	for _, c := range cases {
		g, err := f.GroupBy(c.keys...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g.Group, c.group) {
			t.Errorf("group by %v: %v, want %v", c.keys, g.Group, c.group)
		}
		if g.NumGroups() != int(slicesMax(c.group))+1 || g.Keys.NumRows() != g.NumGroups() {
			t.Errorf("group by %v: %d groups, %d key rows", c.keys, g.NumGroups(), g.Keys.NumRows())
		}
	}
	g, _ := f.GroupBy("s")
	if got := cells(g.Keys); got != "b\na\nnull\n" || !g.Keys.Col(0).IsDict() {
		t.Errorf("keys of s:\n%s", got)
	}
	if !reflect.DeepEqual(g.Offsets, []int{0, 3, 5, 6}) || !reflect.DeepEqual(g.Index, []int{0, 2, 5, 1, 3, 4}) {
		t.Errorf("CSR layout: offsets %v index %v", g.Offsets, g.Index)
	}

	for _, keys := range [][]string{nil, {"s", "nope"}} {
		if _, err := f.GroupBy(keys...); err == nil {
			t.Errorf("group by %v: no error", keys)
		} else if len(keys) > 0 && !strings.Contains(err.Error(), `no column "nope"`) {
			t.Errorf("group-by error: %v", err)
		}
	}
	empty, _ := f.Slice(0, 0)
	if g, err := empty.GroupBy("s", "big"); err != nil || g.NumGroups() != 0 || len(g.Index) != 0 {
		t.Errorf("empty frame: %v", err)
	}
}

func slicesMax(s []int32) int32 {
	m := int32(-1)
	for _, v := range s {
		m = max(m, v)
	}
	return m
}
