package dfs

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// flightsDFS is DFS with the default primitives on flights -> planes, with
// carrier and origin one-hot encoded.
var flightsDFS = DFS{
	Target: "planes",
	IgnoreColumns: map[string][]string{"flights": {"year", "month", "day", "dep_time", "arr_time", "flight",
		"hour", "minute"}},
	OneHot: []OneHot{{Entity: "flights", Column: "carrier"}, {Entity: "flights", Column: "origin"}},
}

// roundTrip marshals definitions to JSON and parses them back.
func roundTrip(t *testing.T, defs *Definitions) *Definitions {
	t.Helper()
	data, err := json.Marshal(defs)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseDefinitions(data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Names(), defs.Names()) {
		t.Fatal("names changed in the JSON round trip")
	}
	return back
}

// TestBucketsEqualAllAtOnce computes the saved definitions bucket by bucket
// (7 buckets by plane) and checks each bucket's rows against the all-at-once
// matrix.
func TestBucketsEqualAllAtOnce(t *testing.T) {
	es := flightsPlanes(t, withTailnum(loadFlights(t)), "date")
	fm, defs, err := flightsDFS.Run(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defs = roundTrip(t, defs)
	buckets, err := es.Partition("planes", 7)
	if err != nil {
		t.Fatal(err)
	}
	all := rowsByKey(fm)
	seen := 0
	for k, b := range buckets {
		part, err := defs.Compute(context.Background(), b, Options{Workers: 1 + k%2})
		if err != nil {
			t.Fatal(err)
		}
		if part.NumRows() == 0 {
			t.Fatalf("bucket %d is empty", k)
		}
		idx := part.Col(0)
		rows := make([]int, part.NumRows())
		for i := range rows {
			rows[i] = all[idx.Format(i)]
		}
		assertSameFrame(t, part, fm.Take(rows))
		seen += part.NumRows()
	}
	if seen != fm.NumRows() {
		t.Errorf("buckets hold %d planes, all at once %d", seen, fm.NumRows())
	}
}

func rowsByKey(fm *dataset.Frame) map[string]int {
	m := map[string]int{}
	for i := 0; i < fm.NumRows(); i++ {
		m[fm.Col(0).Format(i)] = i
	}
	return m
}

// TestHeldOutMonth synthesizes definitions on January to November, saves them
// as JSON and applies them to December's flights alone; the result must equal
// computing the same definitions on the whole year with each plane's cutoff at
// the end of December and a training window of December, and DFS run directly
// on December for every feature the two share.
func TestHeldOutMonth(t *testing.T) {
	flights := withTailnum(loadFlights(t))
	dec := time.Date(2013, 12, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	date, _ := flights.Column("date")
	var train, test []int
	for i, ns := range date.Int64s() {
		if ns < dec.UnixNano() {
			train = append(train, i)
		} else {
			test = append(test, i)
		}
	}
	defs, err := flightsDFS.Definitions(flightsPlanes(t, flights.Take(train), "date"))
	if err != nil {
		t.Fatal(err)
	}
	defs = roundTrip(t, defs)
	decES := flightsPlanes(t, flights.Take(test), "date")
	held, err := defs.Compute(context.Background(), decES, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The same definitions on the whole year, windowed to December.
	year := flightsPlanes(t, flights, "date")
	cut := time.Duration(end.UnixNano()-dec.UnixNano()) - 1
	cutoffs := dataset.MustNew(held.Col(0), dataset.NewTimestamp("time", repeatInt64(end.UnixNano()-1, held.NumRows()), nil))
	windowed, err := defs.Compute(context.Background(), year, Options{Cutoffs: cutoffs, TrainingWindow: cut})
	if err != nil {
		t.Fatal(err)
	}
	assertSameFrame(t, held, windowed)
	// DFS run directly on December: its one-hot values may differ (top 10 of
	// December), every other feature must agree.
	direct, ddefs, err := flightsDFS.Run(context.Background(), decES, Options{})
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	for _, name := range defs.Names() {
		if !direct.Has(name) {
			continue
		}
		a, _ := held.Column(name)
		b, _ := direct.Column(name)
		assertSameFrame(t, dataset.MustNew(a), dataset.MustNew(b))
		shared++
	}
	if shared < len(ddefs.Features)-30 {
		t.Errorf("only %d of %d features shared with DFS on December", shared, len(ddefs.Features))
	}
	t.Logf("%d planes in December; %d features, %d shared with DFS run on December", held.NumRows(), len(defs.Features), shared)
}

func repeatInt64(v int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestScoreRowEqualsCompute checks the online path against the matrix for every plane.
func TestScoreRowEqualsCompute(t *testing.T) {
	es := flightsPlanes(t, withTailnum(loadFlights(t)), "date")
	defs, err := flightsDFS.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	s, err := defs.Compile(es)
	if err != nil {
		t.Fatal(err)
	}
	fm, err := s.Compute(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := s.NewInstance()
	var vals []Value
	for _, plane := range []string{"N14228", "N0EGMQ", "D942DN", "N9EAMQ", "N725MQ"} {
		r, ok := s.Row(plane)
		if !ok {
			t.Fatalf("no plane %s", plane)
		}
		if vals, err = in.ScoreRow(r, time.Time{}, vals); err != nil {
			t.Fatal(err)
		}
		for j, v := range vals {
			col := fm.Col(j + 1)
			switch {
			case v.Null != col.IsNull(r):
				t.Errorf("%s %s: null %v vs %v", plane, col.Name(), v.Null, col.IsNull(r))
			case col.Type() == dataset.String:
				if v.Str != col.StringAt(r) {
					t.Errorf("%s %s: %q vs %q", plane, col.Name(), v.Str, col.StringAt(r))
				}
			case !v.Null:
				if f, _ := col.FloatAt(r); f != v.Float {
					t.Errorf("%s %s: %v vs %v", plane, col.Name(), v.Float, f)
				}
			}
		}
	}
}

// TestScoreRowWindowEqualsCompute checks the online path with cutoffs and a
// training window against Compute with the same cutoffs and window.
func TestScoreRowWindowEqualsCompute(t *testing.T) {
	es := flightsPlanes(t, withTailnum(loadFlights(t)), "date")
	defs, err := flightsDFS.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	s, err := defs.Compile(es)
	if err != nil {
		t.Fatal(err)
	}
	planes := []string{"N14228", "N0EGMQ", "D942DN", "N9EAMQ", "N725MQ", "N14228"}
	cut := make([]int64, len(planes))
	for i := range cut {
		cut[i] = time.Date(2013, time.Month(3+2*i), 10+i, 12, 0, 0, 0, time.UTC).UnixNano()
	}
	window := 45 * 24 * time.Hour
	cutoffs := dataset.MustNew(dataset.NewString("tailnum", planes, nil), dataset.NewTimestamp("cutoff", cut, nil))
	fm, err := s.Compute(context.Background(), Options{Cutoffs: cutoffs, TrainingWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	in := s.NewInstance()
	var vals []Value
	for i, plane := range planes {
		r, _ := s.Row(plane)
		if vals, err = in.ScoreRowWindow(r, time.Unix(0, cut[i]), window, vals); err != nil {
			t.Fatal(err)
		}
		for j, v := range vals {
			col := fm.Col(j + 1)
			switch {
			case v.Null != col.IsNull(i):
				t.Errorf("%s %s: null %v vs %v", plane, col.Name(), v.Null, col.IsNull(i))
			case col.Type() == dataset.String:
				if v.Str != col.StringAt(i) {
					t.Errorf("%s %s: %q vs %q", plane, col.Name(), v.Str, col.StringAt(i))
				}
			case !v.Null:
				if f, _ := col.FloatAt(i); f != v.Float {
					t.Errorf("%s %s: %v vs %v", plane, col.Name(), v.Float, f)
				}
			}
		}
	}
	if _, err := in.ScoreRowWindow(0, time.Time{}, window, vals); err == nil {
		t.Error("a window without a cutoff was accepted")
	}
}
