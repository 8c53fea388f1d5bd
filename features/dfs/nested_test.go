package dfs

import (
	"context"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// nestedSet is customers <- sessions <- transactions: the small fixture's
// transactions grouped into sessions (session 6 has no transactions, the last
// transaction's session 99 does not exist).
func nestedSet(t *testing.T) *EntitySet {
	t.Helper()
	customers, tx := smallFrames(t)
	amount, _ := tx.Column("amount")
	product, _ := tx.Column("product")
	tm, _ := tx.Column("time")
	id, _ := tx.Column("id")
	transactions := dataset.MustNew(id, dataset.NewInt64("session", []int64{1, 1, 3, 2, 4, 2, 4, 3, 2, 4, 5, 99}, nil),
		amount, product, tm)
	day := func(d int) int64 { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC).UnixNano() }
	sessions := dataset.MustNew(
		dataset.NewInt64("session", []int64{1, 2, 3, 4, 5, 6}, nil),
		dataset.NewInt64("customer", []int64{1, 1, 2, 3, 4, 1}, nil),
		dataset.NewTimestamp("time", []int64{day(1), day(3), day(2), day(1), day(9), day(8)}, nil))
	es := NewEntitySet()
	for _, err := range []error{
		es.AddEntity("customers", customers, "customer", ""),
		es.AddEntity("sessions", sessions, "session", "time"),
		es.AddEntity("transactions", transactions, "id", "time"),
		es.AddRelationship("customers", "sessions", "customer"),
		es.AddRelationship("sessions", "transactions", "session"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return es
}

// Golden values: pandas 1.5.3, two-level groupby over the same tables
// (transactions by session, then sessions by customer; sums of no rows 0,
// modes v.mode().iloc[0]); with the cutoff, both tables first filtered to
// time <= 2024-01-07.
var nestedGolden = map[string][]any{
	"MEAN(sessions.SUM(transactions.amount))":         {34.541666666666664, 11.25, 6.0, 0.0, nan},
	"MAX(sessions.COUNT(transactions))":               {3.0, 2.0, 3.0, 1.0, nan},
	"STD(sessions.MEAN(transactions.amount))":         {14.525151796873663, nan, nan, nan, nan},
	"MODE(sessions.MODE(transactions.product))":       {"a", "c", "z", nan, nan},
	"NUM_UNIQUE(sessions.MODE(transactions.product))": {1.0, 1.0, 1.0, 0.0, 0.0},
}

var nestedGoldenCutoff = map[string][]any{
	"MEAN(sessions.SUM(transactions.amount))":         {1.75, 3.25, 4.0, nan, nan},
	"MAX(sessions.COUNT(transactions))":               {2.0, 1.0, 2.0, nan, nan},
	"STD(sessions.MEAN(transactions.amount))":         {12.374368670764582, nan, nan, nan, nan},
	"MODE(sessions.MODE(transactions.product))":       {"a", "c", "z", nan, nan},
	"NUM_UNIQUE(sessions.MODE(transactions.product))": {1.0, 1.0, 1.0, 0.0, 0.0},
}

func TestStackedAggregationsGolden(t *testing.T) {
	es := nestedSet(t)
	must := func(f *Feature, err error) *Feature {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	amount := must(es.NewIdentity("transactions", "amount"))
	product := must(es.NewIdentity("transactions", "product"))
	sum := must(es.NewAggregate("sum", "transactions", "session", amount))
	mean := must(es.NewAggregate("mean", "transactions", "session", amount))
	count := must(es.NewAggregate("count", "transactions", "session", nil))
	mode := must(es.NewAggregate("mode", "transactions", "session", product))
	defs := &Definitions{Target: "customers", Index: "customer", Features: []*Feature{
		must(es.NewAggregate("mean", "sessions", "customer", sum)),
		must(es.NewAggregate("max", "sessions", "customer", count)),
		must(es.NewAggregate("std", "sessions", "customer", mean)),
		must(es.NewAggregate("mode", "sessions", "customer", mode)),
		must(es.NewAggregate("num_unique", "sessions", "customer", mode)),
	}}
	defs = roundTrip(t, defs)
	fm, err := defs.Compute(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, fm, nestedGolden, 5)
	cut := dataset.MustNew(dataset.NewInt64("customer", []int64{1, 2, 3, 4, 5}, nil),
		dataset.NewTimestamp("at", repeatInt64(time.Date(2024, 1, 7, 0, 0, 0, 0, time.UTC).UnixNano(), 5), nil))
	fm, err = defs.Compute(context.Background(), es, Options{Cutoffs: cut})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, fm, nestedGoldenCutoff, 5)
}

// TestDFSStacksGrandchildren checks that DFS reaches grandchildren within
// MaxDepth and not beyond.
func TestDFSStacksGrandchildren(t *testing.T) {
	es := nestedSet(t)
	d2, err := DFS{Target: "customers"}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	d1, err := DFS{Target: "customers", MaxDepth: 1}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, n := range d2.Names() {
		names[n] = true
	}
	for _, want := range []string{"COUNT(sessions)", "MEAN(sessions.SUM(transactions.amount))",
		"MAX(sessions.COUNT(transactions))", "NUM_UNIQUE(sessions.MODE(transactions.product))", "MODE(sessions.DAY(time))"} {
		if !names[want] {
			t.Errorf("MaxDepth 2 lacks %s", want)
		}
	}
	// A day of the month is an ordinal, not a quantity (Featuretools' Day
	// returns Ordinal): counted, never averaged.
	if names["MEAN(sessions.DAY(time))"] {
		t.Error("MaxDepth 2 averages DAY(time)")
	}
	for _, f := range d1.Features {
		if f.Depth() > 1 {
			t.Errorf("MaxDepth 1 gave %s of depth %d", f.Name, f.Depth())
		}
	}
	if _, err := d2.Compute(context.Background(), es, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("customers <- sessions <- transactions: %d features at depth 1, %d at depth 2", len(d1.Features), len(d2.Features))
}

// TestNormalizeEntityCopies checks that NormalizeEntity makes one parent row
// per distinct key, in ascending order, copies columns from each key's first
// row, and links the child to it.
func TestNormalizeEntityCopies(t *testing.T) {
	flights := withTailnum(loadFlights(t))
	es := NewEntitySet()
	if err := es.AddEntity("flights", flights, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := es.NormalizeEntity("flights", "planes", "tailnum", "carrier", "year"); err != nil {
		t.Fatal(err)
	}
	planes, err := es.Entity("planes")
	if err != nil {
		t.Fatal(err)
	}
	if got := es.Relationships(); len(got) != 1 || got[0] != (Relationship{Parent: "planes", Child: "flights", ChildKey: "tailnum"}) {
		t.Fatalf("relationships %v", got)
	}
	tail, _ := flights.Column("tailnum")
	carrier, _ := flights.Column("carrier")
	first := map[string]string{}
	for i := 0; i < flights.NumRows(); i++ {
		if _, ok := first[tail.StringAt(i)]; !ok {
			first[tail.StringAt(i)] = carrier.StringAt(i)
		}
	}
	keys, _ := planes.Frame.Column("tailnum")
	copied, _ := planes.Frame.Column("carrier")
	if keys.Len() != len(first) || keys.Len() != 4043 {
		t.Fatalf("%d planes, %d distinct tail numbers", keys.Len(), len(first))
	}
	for i := 0; i < keys.Len(); i++ {
		if i > 0 && keys.StringAt(i-1) >= keys.StringAt(i) {
			t.Fatalf("planes not in ascending order at %d", i)
		}
		if copied.StringAt(i) != first[keys.StringAt(i)] {
			t.Errorf("plane %s: carrier %s, first flight's %s", keys.StringAt(i), copied.StringAt(i), first[keys.StringAt(i)])
		}
	}
	if err := es.NormalizeEntity("flights", "planes2", "tailnum", "nope"); err == nil {
		t.Error("copying a missing column: no error")
	}
}
