package dfs

import (
	"context"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// The small fixture of the golden tests: customers 1..5 and 12 transactions
// (customer 5 has none; the last transaction's customer 6 does not exist),
// with nulls, a mode tie, a group of one, a constant group and an all-null
// row. The same data is in the pandas script that made the golden values.
func smallFrames(t testing.TB) (customers, transactions *dataset.Frame) {
	t.Helper()
	day := func(s string) int64 {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UnixNano()
	}
	n := math.NaN()
	amount := []float64{10.5, n, 3.25, -7.0, 2.0, 100.0, 2.0, 8.0, 0.125, 2.0, n, 1.0}
	amountValid := make([]bool, len(amount))
	for i, v := range amount {
		amountValid[i] = !math.IsNaN(v)
		if math.IsNaN(v) {
			amount[i] = 0
		}
	}
	product, err := dataset.NewDictString("product", []int32{0, 1, 2, 1, 3, 0, 3, 0, 0, 4, 0, 1},
		[]string{"b", "a", "c", "z", "y"}, []bool{true, true, true, true, true, true, true, false, false, true, false, true})
	if err != nil {
		t.Fatal(err)
	}
	transactions = dataset.MustNew(
		dataset.NewInt64("id", []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, nil),
		dataset.NewInt64("customer", []int64{1, 1, 2, 1, 3, 1, 3, 2, 1, 3, 4, 6}, nil),
		dataset.NewFloat64("amount", amount, amountValid),
		dataset.NewInt64("qty", []int64{1, 2, 0, 2, 5, 1, 5, 3, 2, 5, 0, 1},
			[]bool{true, true, false, true, true, true, true, true, true, true, false, true}),
		product,
		dataset.NewBool("fraud", []bool{true, false, false, true, false, false, false, true, false, false, false, true},
			[]bool{true, true, true, true, true, false, true, true, true, true, false, true}),
		dataset.NewTimestamp("time", []int64{day("2024-01-06 10:00"), day("2024-01-02 00:00"), day("2024-01-03 12:30"),
			day("2024-01-04 00:00"), day("2024-01-01 00:00"), day("2024-01-07 23:59"), day("2024-01-05 00:00"),
			day("2024-01-08 00:00"), day("2024-01-09 00:00"), day("2024-01-09 06:00"), day("2024-01-10 00:00"),
			day("2024-01-10 00:00")}, nil),
	)
	customers = dataset.MustNew(
		dataset.NewInt64("customer", []int64{1, 2, 3, 4, 5}, nil),
		dataset.NewString("region", []string{"north", "south", "north", "east", "south"}, nil),
	)
	return customers, transactions
}

func smallSet(t testing.TB, timeIndex string) *EntitySet {
	t.Helper()
	customers, transactions := smallFrames(t)
	es := NewEntitySet()
	for _, err := range []error{
		es.AddEntity("customers", customers, "customer", ""),
		es.AddEntity("transactions", transactions, "id", timeIndex),
		es.AddRelationship("customers", "transactions", "customer"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return es
}

// Golden values: pandas 1.5.3 (Debian's python3-pandas), groupby over the same
// transactions sorted by time (Featuretools orders child rows by their time
// index): size, sum, mean, min, max, std, skew, median, v.iloc[0], v.iloc[-1],
// v.mode().iloc[0], nunique, fillna(False).mean(), and (2024-01-12 - max
// time).total_seconds(); groups with no rows filled with 0 for count, sum and
// num_unique as Featuretools does. NaN marks null.
var smallGolden = map[string][]any{
	"COUNT(transactions)":                {5.0, 2.0, 3.0, 1.0, 0.0},
	"SUM(transactions.amount)":           {103.625, 11.25, 6.0, 0.0, 0.0},
	"MEAN(transactions.amount)":          {25.90625, 5.625, 2.0, nan, nan},
	"MIN(transactions.amount)":           {-7.0, 3.25, 2.0, nan, nan},
	"MAX(transactions.amount)":           {100.0, 8.0, 2.0, nan, nan},
	"STD(transactions.amount)":           {49.91569715947746, 3.3587572106361008, 0.0, nan, nan},
	"SKEW(transactions.amount)":          {1.8779720527136885, nan, 0.0, nan, nan},
	"MEDIAN(transactions.amount)":        {5.3125, 5.625, 2.0, nan, nan},
	"FIRST(transactions.amount)":         {nan, 3.25, 2.0, nan, nan},
	"LAST(transactions.amount)":          {0.125, 8.0, 2.0, nan, nan},
	"SUM(transactions.qty)":              {8.0, 3.0, 15.0, 0.0, 0.0},
	"MEAN(transactions.qty)":             {1.6, 3.0, 5.0, nan, nan},
	"MIN(transactions.qty)":              {1.0, 3.0, 5.0, nan, nan},
	"MAX(transactions.qty)":              {2.0, 3.0, 5.0, nan, nan},
	"STD(transactions.qty)":              {0.5477225575051661, nan, 0.0, nan, nan},
	"SKEW(transactions.qty)":             {-0.6085806194501855, nan, 0.0, nan, nan},
	"MEDIAN(transactions.qty)":           {2.0, 3.0, 5.0, nan, nan},
	"FIRST(transactions.qty)":            {2.0, nan, 5.0, nan, nan},
	"LAST(transactions.qty)":             {2.0, 3.0, 5.0, nan, nan},
	"MODE(transactions.product)":         {"a", "c", "z", nan, nan},
	"NUM_UNIQUE(transactions.product)":   {2.0, 1.0, 2.0, 0.0, 0.0},
	"PERCENT_TRUE(transactions.fraud)":   {0.4, 0.5, 0.0, 0.0, nan},
	"TIME_SINCE_LAST(transactions.time)": {259200.0, 345600.0, 237600.0, 172800.0, nan},
}

var nan = math.NaN()

var allAggregations = []string{"count", "sum", "mean", "min", "max", "std", "skew", "median", "mode",
	"num_unique", "percent_true", "first", "last", "time_since_last"}

// checkGolden compares the named columns of fm with golden values: floats
// to 1e-12 relative (the golden values are printed with repr), strings exactly.
func checkGolden(t *testing.T, fm *dataset.Frame, golden map[string][]any, rows int) {
	t.Helper()
	for name, want := range golden {
		col, err := fm.Column(name)
		if err != nil {
			t.Errorf("missing: %v", err)
			continue
		}
		for i := 0; i < rows; i++ {
			switch w := want[i].(type) {
			case string:
				if col.StringAt(i) != w || col.IsNull(i) {
					t.Errorf("%s row %d: got %q (null %v), want %q", name, i, col.StringAt(i), col.IsNull(i), w)
				}
			case bool:
				if col.Type() != dataset.Bool || col.IsNull(i) || col.Bools()[i] != w {
					t.Errorf("%s row %d: got %s, want %v", name, i, col.Format(i), w)
				}
			case float64, int:
				wf, ok := w.(float64)
				if !ok {
					wf = float64(w.(int))
				}
				got, ok := col.FloatAt(i)
				if math.IsNaN(wf) {
					if ok || !col.IsNull(i) {
						t.Errorf("%s row %d: got %v, want null", name, i, got)
					}
					continue
				}
				if !ok || math.Abs(got-wf) > 1e-12*math.Abs(wf) {
					t.Errorf("%s row %d: got %v (ok %v), want %v", name, i, got, ok, wf)
				}
			}
		}
	}
}

func TestAggregationsGolden(t *testing.T) {
	es := smallSet(t, "time")
	d := DFS{Target: "customers", MaxDepth: 1, Aggregations: allAggregations, Transforms: []string{}}
	now := time.Date(2024, 1, 12, 0, 0, 0, 0, time.UTC)
	fm, _, err := d.Run(context.Background(), es, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, fm, smallGolden, 5)
	for name, typ := range map[string]dataset.Type{"COUNT(transactions)": dataset.Int64, "SUM(transactions.qty)": dataset.Int64,
		"SUM(transactions.amount)": dataset.Float64, "MIN(transactions.qty)": dataset.Int64, "MODE(transactions.product)": dataset.String} {
		if c, _ := fm.Column(name); c == nil || c.Type() != typ {
			t.Errorf("%s: want type %s", name, typ)
		}
	}
	// Without a cutoff TIME_SINCE_LAST has no reference time: a clear error.
	if _, _, err := d.Run(context.Background(), es, Options{}); err == nil {
		t.Error("TIME_SINCE_LAST without a cutoff: no error")
	}
}

// TestStreamingEqualsPerInstance checks that the one-pass path (used for
// whole-EntitySet computation) gives bit for bit what the per-instance path
// (cutoffs, online scoring) gives.
func TestStreamingEqualsPerInstance(t *testing.T) {
	flights := flightsPlanes(t, withTailnum(loadFlights(t)), "")
	all := []string{"count", "sum", "mean", "min", "max", "std", "skew", "median", "mode", "num_unique",
		"percent_true", "first", "last"}
	for _, c := range []struct {
		es *EntitySet
		d  DFS
	}{
		{smallSet(t, ""), DFS{Target: "customers", Aggregations: all}},
		// Dictionary keys: a null key, a key no customer has, a customer without rows.
		{smallSetStringKeys(t), DFS{Target: "customers", Aggregations: all,
			OneHot: []OneHot{{Entity: "transactions", Column: "product", TopN: 2}}}},
		// All 336,776 flights: 2,512 have no tail number (null keys).
		{flightsPlanes(t, loadFlights(t), ""), DFS{Target: "planes", MaxDepth: 1, Aggregations: all,
			OneHot: []OneHot{{Entity: "flights", Column: "origin"}}}},
		{flights, DFS{Target: "planes", MaxDepth: 1, Aggregations: all, OneHot: []OneHot{{Entity: "flights", Column: "carrier"}}}},
		// Only counts of one-hot columns: the shared level-count path.
		{flights, DFS{Target: "planes", MaxDepth: 1, Aggregations: []string{"count", "sum", "mean", "percent_true"},
			OneHot: []OneHot{{Entity: "flights", Column: "carrier"}, {Entity: "flights", Column: "dest", TopN: 20}}}},
	} {
		defs, err := c.d.Definitions(c.es)
		if err != nil {
			t.Fatal(err)
		}
		streamed, err := defs.Compute(context.Background(), c.es, Options{})
		if err != nil {
			t.Fatal(err)
		}
		far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) // a cutoff after all data forces the per-instance path
		each, err := defs.Compute(context.Background(), c.es, Options{Now: far, Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		assertSameFrame(t, streamed, each)
		t.Logf("%s: %d features agree on %d rows", c.d.Target, len(defs.Features), streamed.NumRows())
	}
}

// assertSameFrame fails unless a and b have the same columns with the same
// values, nulls and NaN bit patterns included.
func assertSameFrame(t *testing.T, a, b *dataset.Frame) {
	t.Helper()
	if a.NumRows() != b.NumRows() || a.NumCols() != b.NumCols() {
		t.Fatalf("shapes differ: %dx%d and %dx%d", a.NumRows(), a.NumCols(), b.NumRows(), b.NumCols())
	}
	for j, ca := range a.Columns() {
		cb := b.Col(j)
		if ca.Name() != cb.Name() || ca.Type() != cb.Type() {
			t.Fatalf("column %d: %s %s vs %s %s", j, ca.Name(), ca.Type(), cb.Name(), cb.Type())
		}
		bad := 0
		for i := 0; i < a.NumRows(); i++ {
			same := ca.IsNull(i) == cb.IsNull(i) && ca.Format(i) == cb.Format(i)
			if va, ok := ca.FloatAt(i); ok && ca.Type() == dataset.Float64 {
				vb, _ := cb.FloatAt(i)
				same = same && math.Float64bits(va) == math.Float64bits(vb)
			}
			if !same {
				if bad++; bad < 4 {
					t.Errorf("%s row %d: %s vs %s", ca.Name(), i, ca.Format(i), cb.Format(i))
				}
			}
		}
	}
}

// Golden values: pandas 1.5.3, Series.dt.year, .month, .day, .dayofweek,
// .hour, .dayofweek >= 5 and .abs() on the first 11 transactions.
var transformGolden = map[string][]any{
	"YEAR(time)":       {2024, 2024, 2024, 2024, 2024, 2024, 2024, 2024, 2024, 2024, 2024},
	"MONTH(time)":      {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
	"DAY(time)":        {6, 2, 3, 4, 1, 7, 5, 8, 9, 9, 10},
	"WEEKDAY(time)":    {5, 1, 2, 3, 0, 6, 4, 0, 1, 1, 2},
	"HOUR(time)":       {10, 0, 12, 0, 0, 23, 0, 0, 0, 6, 0},
	"IS_WEEKEND(time)": {true, false, false, false, false, true, false, false, false, false, false},
	"ABSOLUTE(amount)": {10.5, nan, 3.25, 7.0, 2.0, 100.0, 2.0, 8.0, 0.125, 2.0, nan},
}

func TestTransformsGolden(t *testing.T) {
	es := smallSet(t, "time")
	d := DFS{Target: "transactions", MaxDepth: 1, Aggregations: []string{},
		Transforms: []string{"year", "month", "day", "weekday", "hour", "is_weekend", "absolute"}}
	fm, defs, err := d.Run(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, fm, transformGolden, 11)
	// The parent's columns come down as direct features; the orphan row has none.
	region, err := fm.Column("customers.region")
	if err != nil {
		t.Fatalf("%v (features %v)", err, defs.Names())
	}
	if region.StringAt(0) != "north" || region.StringAt(2) != "south" || !region.IsNull(11) {
		t.Errorf("customers.region: %s, %s, null %v", region.Format(0), region.Format(2), region.IsNull(11))
	}
}

// smallSetStringKeys is smallSet with the customer ids as strings ("c1"),
// a null key in transaction 3 and "c6", which no customer has, kept.
func smallSetStringKeys(t *testing.T) *EntitySet {
	t.Helper()
	customers, transactions := smallFrames(t)
	text := func(f *dataset.Frame, nullAt int) *dataset.Frame {
		c, _ := f.Column("customer")
		ids := make([]string, c.Len())
		valid := make([]bool, c.Len())
		for i, v := range c.Int64s() {
			ids[i], valid[i] = "c"+strconv.FormatInt(v, 10), i != nullAt
		}
		g, err := f.WithColumn(dataset.NewString("customer", ids, valid))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	es := NewEntitySet()
	for _, err := range []error{
		es.AddEntity("customers", text(customers, -1), "customer", ""),
		es.AddEntity("transactions", text(transactions, 3), "id", ""),
		es.AddRelationship("customers", "transactions", "customer"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return es
}

// TestParentRowsOfKeys checks the child-to-parent map of both key kinds, with
// a null key and a key the parent lacks, read whole and a few rows at a time
// (as the streaming path reads it), and the key ids the streaming path keeps
// its running states by.
func TestParentRowsOfKeys(t *testing.T) {
	parentStr := dataset.NewString("k", []string{"a", "b"}, nil)
	strKeys, err := newKeyIndex(parentStr)
	if err != nil {
		t.Fatal(err)
	}
	intKeys, err := newKeyIndex(dataset.NewInt64("k", []int64{10, 20}, nil))
	if err != nil {
		t.Fatal(err)
	}
	dict, err := dataset.NewDictString("k", []int32{0, 1, 2, 1, 0}, []string{"b", "x", "a"},
		[]bool{true, false, true, true, true})
	if err != nil {
		t.Fatal(err)
	}
	want := []int32{1, -1, 0, -1, 1} // b, null, a, x (not a parent), b
	for _, c := range []struct {
		child *dataset.Column
		keys  keyIndex
	}{
		{dict, strKeys},
		{dataset.NewInt64("k", []int64{20, 10, 10, 30, 20}, []bool{true, false, true, true, true}), intKeys},
	} {
		if got := parentRows(c.child, c.keys); !slices.Equal(got, want) {
			t.Errorf("%s keys: parent rows %v, want %v", c.child.Type(), got, want)
		}
		m := newParentMap(c.child, c.keys)
		var got []int32
		for a := 0; a < len(want); a += 2 {
			got = append(got, m.fill(a, min(len(want), a+2), make([]int32, 2))...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s keys, two rows at a time: parent rows %v, want %v", c.child.Type(), got, want)
		}
		// The streaming path's running states: a row's key id is its
		// parent's state, and a row without a parent reaches none.
		ids := m.keyIDs(0, len(want), make([]int32, len(want)))
		for i, p := range want {
			switch {
			case c.child.IsNull(i) && ids[i] != -1:
				t.Errorf("%s keys: null row %d has key id %d", c.child.Type(), i, ids[i])
			case p >= 0 && int(ids[i]) != m.state(int(p)):
				t.Errorf("%s keys: row %d has key id %d, its parent %d state %d", c.child.Type(), i, ids[i], p, m.state(int(p)))
			case p < 0 && ids[i] >= 0 && slices.ContainsFunc([]int{0, 1}, func(q int) bool { return m.state(q) == int(ids[i]) }):
				t.Errorf("%s keys: row %d has no parent but key id %d, a parent's state", c.child.Type(), i, ids[i])
			}
		}
	}
}
