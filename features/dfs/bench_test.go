package dfs

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// anchorFeatures restricts DFS's definitions to the anchor's 40 features.
func anchorFeatures(tb testing.TB, es *EntitySet) *Definitions {
	defs, err := anchorDFS.Definitions(es)
	if err != nil {
		tb.Fatal(err)
	}
	defs.Features = slices.DeleteFunc(defs.Features, func(f *Feature) bool {
		return strings.HasPrefix(f.Name, "MEAN(") && strings.Contains(f.Name, " = ")
	})
	if len(defs.Features) != 40 {
		tb.Fatalf("%d features, want the anchor's 40", len(defs.Features))
	}
	return defs
}

// repeatFrame concatenates r copies of f, as the anchor's --repeat does.
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

// benchmarkAnchor times what the anchor's features= figure times: from the
// loaded flights with a tail number to the feature matrix (building the
// EntitySet, normalizing planes out of tailnum, grouping, and the 40 features).
func benchmarkAnchor(b *testing.B, repeat int) {
	flights := withTailnum(loadFlights(b))
	if repeat > 1 {
		flights = repeatFrame(b, flights, repeat)
	}
	defs := anchorFeatures(b, flightsPlanes(b, flights, ""))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		es := NewEntitySet()
		if err := es.AddEntity("flights", flights, "", ""); err != nil {
			b.Fatal(err)
		}
		if err := es.NormalizeEntity("flights", "planes", "tailnum"); err != nil {
			b.Fatal(err)
		}
		fm, err := defs.Compute(context.Background(), es, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if fm.NumRows() != 4043 {
			b.Fatalf("%d planes", fm.NumRows())
		}
	}
}

func BenchmarkAnchorFeatures(b *testing.B)    { benchmarkAnchor(b, 1) }
func BenchmarkAnchorFeatures10x(b *testing.B) { benchmarkAnchor(b, 10) }

// BenchmarkScorePlane is the online path: all 40 anchor features of one plane
// (cycling over all 4,043), the per-parent index of flights built beforehand.
func BenchmarkScorePlane(b *testing.B) {
	es := flightsPlanes(b, withTailnum(loadFlights(b)), "date")
	s, err := anchorFeatures(b, es).Compile(es)
	if err != nil {
		b.Fatal(err)
	}
	in := s.NewInstance()
	var dst []Value
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if dst, err = in.ScoreRow(i%4043, time.Time{}, dst); err != nil {
			b.Fatal(err)
		}
	}
}
