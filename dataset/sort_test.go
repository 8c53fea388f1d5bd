package dataset

import (
	"math"
	"reflect"
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
