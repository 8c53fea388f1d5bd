package dfs

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
)

// TestCutoffNoLeak gives each plane its own cutoff time (a seeded random day
// of 2013), then scrambles every flight after its plane's cutoff (its values
// replaced by those of random other flights) and appends 50,000 more flights
// after the cutoffs: no feature of any plane may change. It also checks that
// the cutoff matters (features differ from those without cutoffs) and that a
// training window equals dropping the older flights.
func TestCutoffNoLeak(t *testing.T) {
	flights := withTailnum(loadFlights(t))
	es := flightsPlanes(t, flights, "date")
	defs, err := flightsDFS.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	planes, _ := es.Entity("planes")
	np := planes.Frame.NumRows()
	rng := rand.New(rand.NewPCG(7, 13))
	start := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	cut := make([]int64, np)
	for i := range cut {
		cut[i] = start + rng.Int64N(int64(365*24*time.Hour))
	}
	tail, _ := planes.Frame.Column("tailnum")
	cutoffs := dataset.MustNew(tail, dataset.NewTimestamp("cutoff", cut, nil))
	before, err := defs.Compute(context.Background(), es, Options{Cutoffs: cutoffs})
	if err != nil {
		t.Fatal(err)
	}

	// Scramble the future: base[i] keeps each row's plane and date, from[i]
	// says where its other values come from.
	n := flights.NumRows()
	date, _ := flights.Column("date")
	tn, _ := flights.Column("tailnum")
	planeOf := make([]int, n)
	var future []int
	for i := 0; i < n; i++ {
		r, _ := planes.keys.row(tn.StringAt(i))
		planeOf[i] = r
		if date.Int64s()[i] > cut[r] {
			future = append(future, i)
		}
	}
	base := make([]int, n, n+50000)
	from := make([]int, n, n+50000)
	for i := range base {
		base[i], from[i] = i, i
	}
	for _, i := range future {
		from[i] = rng.IntN(n)
	}
	for k := 0; k < 50000; k++ {
		base = append(base, future[rng.IntN(len(future))])
		from = append(from, rng.IntN(n))
	}
	cols := make([]*dataset.Column, flights.NumCols())
	for j, c := range flights.Columns() {
		if c.Name() == "tailnum" || c.Name() == "date" {
			cols[j] = c.Take(base)
		} else {
			cols[j] = c.Take(from)
		}
	}
	after, err := defs.Compute(context.Background(), flightsPlanes(t, dataset.MustNew(cols...), "date"), Options{Cutoffs: cutoffs})
	if err != nil {
		t.Fatal(err)
	}
	assertSameFrame(t, before, after)
	t.Logf("%d of %d flights after their plane's cutoff scrambled, 50,000 appended: %d features of %d planes unchanged",
		len(future), n, len(defs.Features), np)

	// Without cutoffs the scrambled data does change the features.
	all, err := defs.Compute(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	count, _ := all.Column("COUNT(flights)")
	countCut, _ := before.Column("COUNT(flights)")
	changed := 0
	for i := 0; i < np; i++ {
		if count.Int64s()[i] != countCut.Int64s()[i] {
			changed++
		}
	}
	if changed < np/2 {
		t.Errorf("cutoffs changed COUNT(flights) of only %d of %d planes", changed, np)
	}

	// A 30-day training window equals computing on the flights of those 30 days only.
	window := 30 * 24 * time.Hour
	windowed, err := defs.Compute(context.Background(), es, Options{Cutoffs: cutoffs, TrainingWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for i := 0; i < n; i++ {
		d := date.Int64s()[i]
		if c := cut[planeOf[i]]; d <= c && d >= c-int64(window) {
			keep = append(keep, i)
		}
	}
	kept := flightsPlanes(t, flights.Take(keep), "date")
	direct, err := defs.Compute(context.Background(), kept, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Planes with no flights in their window are absent from kept: compare the others.
	rows := rowsByKey(windowed)
	idx := make([]int, direct.NumRows())
	for i := range idx {
		idx[i] = rows[direct.Col(0).Format(i)]
	}
	assertSameFrame(t, direct, windowed.Take(idx))
}

// TestWorkersDeterministic checks that the matrix does not depend on the
// number of workers, on the streaming and on the per-instance path, and that
// progress reaches the total.
func TestWorkersDeterministic(t *testing.T) {
	es := flightsAndParents(t, flightsPlanes(t, withTailnum(loadFlights(t)), "date"))
	defs, err := DFS{Target: "planes", MaxDepth: 2, IgnoreColumns: flightsDFS.IgnoreColumns}.Definitions(es)
	if err != nil {
		t.Fatal(err)
	}
	planes, _ := es.Entity("planes")
	tail, _ := planes.Frame.Column("tailnum")
	cut := make([]int64, tail.Len())
	for i := range cut {
		cut[i] = time.Date(2013, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).UnixNano()
	}
	for _, opt := range []Options{{}, {Cutoffs: dataset.MustNew(tail, dataset.NewTimestamp("cutoff", cut, nil))}} {
		var ref *dataset.Frame
		for _, workers := range []int{1, 4} {
			last, total := 0, 0
			opt.Workers = workers
			opt.Progress = func(p kiln.Progress) { last, total = int(p.Done), int(p.Total) }
			fm, err := defs.Compute(context.Background(), es, opt)
			if err != nil {
				t.Fatal(err)
			}
			if last != total || total != tail.Len() {
				t.Errorf("progress ended at %d of %d", last, total)
			}
			if ref == nil {
				ref = fm
			} else {
				assertSameFrame(t, ref, fm)
			}
		}
	}
}
