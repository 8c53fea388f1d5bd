package dfs

import (
	"context"
	"testing"

	"github.com/kiln-ml/kiln/dataset/builtin"
)

// flightsAndParents adds nycflights13's airlines and airports as the other
// parents of flights: flights.carrier -> airlines, flights.origin and
// flights.dest -> airports.
func flightsAndParents(t testing.TB, es *EntitySet) *EntitySet {
	t.Helper()
	airlines, err := builtin.Airlines()
	if err != nil {
		t.Fatal(err)
	}
	airports, err := builtin.Airports()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		es.AddEntity("airlines", airlines, "carrier", ""),
		es.AddEntity("airports", airports, "faa", ""),
		es.AddRelationship("airlines", "flights", "carrier"),
		es.AddRelationship("airports", "flights", "origin"),
		es.AddRelationship("airports", "flights", "dest"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return es
}

// TestDFSFeatureCount runs DFS with MaxDepth 2 and the default primitives on
// flights -> planes, then with airlines and airports as flights' other
// parents, and computes every feature (the counts are the figures reported in
// BENCHMARKS.md, as the book reports 212 features for hockey games).
func TestDFSFeatureCount(t *testing.T) {
	flights := withTailnum(loadFlights(t))
	for _, withParents := range []bool{false, true} {
		es := flightsPlanes(t, flights, "date")
		if withParents {
			es = flightsAndParents(t, es)
		}
		fm, defs, err := DFS{Target: "planes", MaxDepth: 2}.Run(context.Background(), es, Options{})
		if err != nil {
			t.Fatal(err)
		}
		depth := map[int]int{}
		for _, f := range defs.Features {
			depth[f.Depth()]++
		}
		if fm.NumCols() != len(defs.Features)+1 || depth[1] == 0 || depth[2] == 0 || depth[3] != 0 {
			t.Errorf("%d columns for %d features, by depth %v", fm.NumCols(), len(defs.Features), depth)
		}
		t.Logf("other parents %v: %d features (depth 1: %d, depth 2: %d) for %d planes", withParents,
			len(defs.Features), depth[1], depth[2], fm.NumRows())
		if testing.Verbose() {
			t.Log(defs.Names())
		}
	}
}
