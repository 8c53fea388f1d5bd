package dfs

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// referenceFeatures restricts DFS's definitions to the 40 features of
// testdata/pandas_reference.py.
func referenceFeatures(tb testing.TB, es *EntitySet) *Definitions {
	defs, err := referenceDFS.Definitions(es)
	if err != nil {
		tb.Fatal(err)
	}
	defs.Features = slices.DeleteFunc(defs.Features, func(f *Feature) bool {
		return strings.HasPrefix(f.Name, "MEAN(") && strings.Contains(f.Name, " = ")
	})
	if len(defs.Features) != 40 {
		tb.Fatalf("%d features, want the reference's 40", len(defs.Features))
	}
	return defs
}

// repeatFrame concatenates r copies of f (the 10x data of the benchmarks).
func repeatFrame(tb testing.TB, f *dataset.Frame, r int) *dataset.Frame {
	n := f.NumRows()
	idx := make([]int, 0, n*r)
	for k := 0; k < r; k++ {
		for i := 0; i < n; i++ {
			idx = append(idx, i)
		}
	}
	return f.Take(idx)
}

// benchmarkReferenceFeatures times what the references' side of the
// benchmark times (bench/js/engines.js and bench/py/references.py, dfs): from
// the loaded flights with a tail number to the feature matrix, that is
// building the EntitySet, normalizing planes out of tailnum, the definitions
// (the top 10 carriers and origins for the one-hot columns among them) and
// the 40 features of testdata/pandas_reference.py. It reports the minor page
// faults of the timed step (on virtual machines fresh memory can cost more
// than the work) and its CPU time on all threads.
func benchmarkReferenceFeatures(b *testing.B, repeat int) {
	flights := withTailnum(loadFlights(b))
	if repeat > 1 {
		flights = repeatFrame(b, flights, repeat)
	}
	runtime.GC()
	faults := minorFaults()
	cpu0 := cpuNanos()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		es := NewEntitySet()
		if err := es.AddEntity("flights", flights, "", ""); err != nil {
			b.Fatal(err)
		}
		if err := es.NormalizeEntity("flights", "planes", "tailnum"); err != nil {
			b.Fatal(err)
		}
		fm, err := referenceFeatures(b, es).Compute(context.Background(), es, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if fm.NumRows() != 4043 {
			b.Fatalf("%d planes", fm.NumRows())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(minorFaults()-faults)/float64(b.N), "page-faults/op")
	b.ReportMetric(float64(cpuNanos()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
}

// BenchmarkAnchorFeatures and its 10x variant keep the names that
// scripts/bench.sh runs them by.
func BenchmarkAnchorFeatures(b *testing.B)    { benchmarkReferenceFeatures(b, 1) }
func BenchmarkAnchorFeatures10x(b *testing.B) { benchmarkReferenceFeatures(b, 10) }

// BenchmarkScorePlane is the online path: all 40 reference features of one plane
// (cycling over all 4,043), the per-parent index of flights built beforehand.
func BenchmarkScorePlane(b *testing.B) {
	es := flightsPlanes(b, withTailnum(loadFlights(b)), "date")
	s, err := referenceFeatures(b, es).Compile(es)
	if err != nil {
		b.Fatal(err)
	}
	scorePlanes(b, s)
}

// scorePlanes scores plane i % 4043 in iteration i and reports the median
// and 99th percentile latency of one plane besides the mean (ns/op).
func scorePlanes(b *testing.B, s *Scorer) {
	in := s.NewInstance()
	var dst []Value
	var err error
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if dst, err = in.ScoreRow(i%4043, time.Time{}, dst); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns/plane")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns/plane")
}

// BenchmarkScorePlaneDFS is the online path for all 149 features of DFS with
// MaxDepth 2 and the default primitives on flights -> planes with airlines and
// airports as flights' other parents.
func BenchmarkScorePlaneDFS(b *testing.B) {
	es := flightsAndParents(b, flightsPlanes(b, withTailnum(loadFlights(b)), "date"))
	defs, err := DFS{Target: "planes", MaxDepth: 2}.Definitions(es)
	if err != nil {
		b.Fatal(err)
	}
	s, err := defs.Compile(es)
	if err != nil {
		b.Fatal(err)
	}
	scorePlanes(b, s)
	b.ReportMetric(float64(len(defs.Features)), "features") // after scorePlanes' ResetTimer, which drops metrics
}

// BenchmarkDFSWithParents runs DFS (MaxDepth 2, default primitives) on
// flights -> planes with airlines and airports as flights' other parents:
// synthesis and the 149 features of all 4,043 planes.
func BenchmarkDFSWithParents(b *testing.B) {
	es := flightsAndParents(b, flightsPlanes(b, withTailnum(loadFlights(b)), "date"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fm, _, err := DFS{Target: "planes", MaxDepth: 2}.Run(context.Background(), es, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if fm.NumCols() != 150 {
			b.Fatalf("%d columns", fm.NumCols())
		}
	}
}

// BenchmarkCutoffs computes the 96 features of flightsDFS for 4,043 planes,
// each with its own cutoff time (the per-instance path).
func BenchmarkCutoffs(b *testing.B) {
	es := flightsPlanes(b, withTailnum(loadFlights(b)), "date")
	s, err := func() (*Scorer, error) {
		defs, err := flightsDFS.Definitions(es)
		if err != nil {
			return nil, err
		}
		return defs.Compile(es)
	}()
	if err != nil {
		b.Fatal(err)
	}
	planes, _ := es.Entity("planes")
	tail, _ := planes.Frame.Column("tailnum")
	cut := make([]int64, tail.Len())
	for i := range cut {
		cut[i] = time.Date(2013, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).UnixNano()
	}
	cutoffs := dataset.MustNew(tail, dataset.NewTimestamp("cutoff", cut, nil))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Compute(context.Background(), Options{Cutoffs: cutoffs}); err != nil {
			b.Fatal(err)
		}
	}
}
