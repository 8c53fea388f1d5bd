package dataset

import (
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestSortMTCars(t *testing.T) {
	f := opsLoadCSV(t, "builtin/data/mtcars.csv")
	g, err := f.Sort(Asc("cyl"), Desc("mpg"))
	if err != nil {
		t.Fatal(err)
	}
	// pandas 1.5.3: pd.read_csv("mtcars.csv").sort_values(["cyl", "mpg"],
	// ascending=[True, False], kind="stable").model, with /usr/bin/python3.
	want := []string{"Toyota Corolla", "Fiat 128", "Honda Civic", "Lotus Europa", "Fiat X1-9", "Porsche 914-2",
		"Merc 240D", "Datsun 710", "Merc 230", "Toyota Corona", "Volvo 142E", "Hornet 4 Drive", "Mazda RX4",
		"Mazda RX4 Wag", "Ferrari Dino", "Merc 280", "Valiant", "Merc 280C", "Pontiac Firebird",
		"Hornet Sportabout", "Merc 450SL", "Merc 450SE", "Ford Pantera L", "Dodge Challenger", "Merc 450SLC",
		"AMC Javelin", "Maserati Bora", "Chrysler Imperial", "Duster 360", "Camaro Z28", "Cadillac Fleetwood",
		"Lincoln Continental"}
	model, _ := g.Column("model")
	if got := model.Strings(); !reflect.DeepEqual(got, want) {
		t.Errorf("sorted models:\n%q\nwant\n%q", got, want)
	}
}

func TestSortTypesAndNulls(t *testing.T) {
	// Hand-checked orders. Ties keep row order; nulls (and NaN) come last in
	// both directions.
	s, _ := NewDictString("s", []int32{2, 0, 1, 0, 2, 1}, []string{"pear", "apple", "fig"}, []bool{true, true, false, true, true, true})
	f := MustNew(
		NewFloat64("f", []float64{3, math.NaN(), 1, 0, 3, -2}, []bool{true, true, true, false, true, true}),
		NewInt64("i", []int64{5, 1, 5, 2, 1, 5}, nil),
		s,
		NewString("p", []string{"b", "a", "", "a", "c", "b"}, []bool{true, true, false, true, true, true}),
		NewBool("b", []bool{true, false, true, false, true, false}, nil),
		NewTimestamp("t", []int64{30, 10, 20, 10, 0, 40}, []bool{true, true, true, true, true, false}),
	)
	cases := []struct {
		keys []SortKey
		want []int
	}{
		{[]SortKey{Asc("f")}, []int{5, 2, 0, 4, 1, 3}},
		{[]SortKey{Desc("f")}, []int{0, 4, 2, 5, 1, 3}},
		{[]SortKey{Asc("i")}, []int{1, 4, 3, 0, 2, 5}},
		{[]SortKey{Desc("i"), Asc("f")}, []int{5, 2, 0, 3, 4, 1}},
		// s is fig, pear, null, pear, fig, apple.
		{[]SortKey{Asc("s")}, []int{5, 0, 4, 1, 3, 2}},
		{[]SortKey{Desc("s"), Desc("i")}, []int{3, 1, 0, 4, 5, 2}},
		{[]SortKey{Asc("p")}, []int{1, 3, 0, 5, 4, 2}},
		{[]SortKey{Desc("p")}, []int{4, 0, 5, 1, 3, 2}},
		{[]SortKey{Asc("b"), Asc("t")}, []int{1, 3, 5, 4, 2, 0}},
		{[]SortKey{Desc("t")}, []int{0, 2, 1, 3, 4, 5}},
	}
	for _, c := range cases {
		got, err := f.SortIndex(c.keys...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("sort by %v: %v, want %v", c.keys, got, c.want)
		}
	}
	g, _ := f.Sort(Asc("s"))
	if sc, _ := g.Column("s"); !sc.IsDict() || sc.StringAt(0) != "apple" || !sc.IsNull(5) {
		t.Errorf("sorted dictionary column: %q", sc.Strings())
	}
	for _, keys := range [][]SortKey{nil, {Asc("nope")}} {
		if _, err := f.Sort(keys...); err == nil {
			t.Errorf("sort by %v: no error", keys)
		} else if len(keys) > 0 && !strings.Contains(err.Error(), `no column "nope"`) {
			t.Errorf("sort error: %v", err)
		}
	}
}

func TestRadixSortMatchesComparisonSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	floats := []float64{math.Inf(-1), -1e300, -2.5, -1, math.Copysign(0, -1), 0, 5e-324, 1, 2.5, 1e300, math.Inf(1)}
	for _, v := range floats {
		if got := floatFromOrdered(orderedFloat(v)); got != v {
			t.Errorf("float round trip %v -> %v", v, got)
		}
	}
	for a := range floats[:len(floats)-1] {
		if orderedFloat(floats[a]) > orderedFloat(floats[a+1]) {
			t.Errorf("orderedFloat(%v) > orderedFloat(%v)", floats[a], floats[a+1])
		}
	}
	// Random frames, with nulls and many ties, against a stable comparison
	// sort of the same keys.
	n := 2000
	fv, iv, sv := make([]float64, n), make([]int64, n), make([]string, n)
	fvalid, ivalid := make([]bool, n), make([]bool, n)
	for i := range n {
		fv[i] = float64(r.IntN(50)) - 25 + r.Float64()*float64(r.IntN(2))
		if r.IntN(50) == 0 {
			fv[i] = math.NaN()
		}
		iv[i] = r.Int64() >> uint(r.IntN(64))
		if r.IntN(2) == 0 {
			iv[i] = -iv[i]
		}
		sv[i] = string(rune('a' + r.IntN(20)))
		fvalid[i], ivalid[i] = r.IntN(10) != 0, r.IntN(10) != 0
	}
	f := MustNew(NewFloat64("f", fv, fvalid), NewInt64("i", iv, ivalid), NewString("s", sv, nil), DictEncode(NewString("d", sv, nil)))
	for _, keys := range [][]SortKey{{Asc("f")}, {Desc("f")}, {Asc("i")}, {Desc("i")}, {Asc("s"), Desc("f")}, {Desc("d"), Asc("i"), Desc("f")}} {
		got, err := f.SortIndex(keys...)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		slices.SortStableFunc(want, func(a, b int) int {
			for _, k := range keys {
				c, _ := f.Column(k.Column)
				if r := compareCells(c, a, b, k.Descending); r != 0 {
					return r
				}
			}
			return 0
		})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("sort by %v differs from the comparison sort", keys)
		}
	}
}

// compareCells is the reference order: values in the given direction, nulls
// and NaN last.
func compareCells(c *Column, a, b int, desc bool) int {
	na := c.IsNull(a) || (c.Type() == Float64 && math.IsNaN(c.Float64s()[a]))
	nb := c.IsNull(b) || (c.Type() == Float64 && math.IsNaN(c.Float64s()[b]))
	switch {
	case na && nb:
		return 0
	case na:
		return 1
	case nb:
		return -1
	}
	var r int
	switch c.Type() {
	case Float64:
		r = cmp.Compare(c.Float64s()[a], c.Float64s()[b])
	case Int64:
		r = cmp.Compare(c.Int64s()[a], c.Int64s()[b])
	case String:
		r = strings.Compare(c.StringAt(a), c.StringAt(b))
	}
	if desc {
		return -r
	}
	return r
}
