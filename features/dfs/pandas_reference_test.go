package dfs

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
)

// TestPandasReferenceParity compares kiln's features of the 4,043 planes
// with pandas 1.5.3's (testdata/pandas_features.csv.gz, written by
// testdata/pandas_reference.py): exact for counts, sums, min, max, modes,
// num_unique and one-hot sums, 1e-9 relative for mean, std and skew.
func TestPandasReferenceParity(t *testing.T) {
	es := flightsPlanes(t, withTailnum(loadFlights(t)), "")
	dfsMatrix, defs, err := referenceDFS.Run(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d features: %s", len(defs.Features), strings.Join(defs.Names(), ", "))
	// Exactly the reference's 40 (as benchmarked: the one-hot sums take the
	// shared level-count path), and DFS's 53, which include them.
	exact, err := referenceFeatures(t, es).Compute(context.Background(), es, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fm := range []*dataset.Frame{exact, dfsMatrix} {
		compareWithPandas(t, fm)
	}
}

func compareWithPandas(t *testing.T, fm *dataset.Frame) {
	fh, err := os.Open("testdata/pandas_features.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head, recs := recs[0], recs[1:]
	if fm.NumRows() != len(recs) || len(head) != 41 {
		t.Fatalf("kiln has %d planes, pandas %d (%d columns)", fm.NumRows(), len(recs), len(head))
	}
	idx, _ := fm.Column("tailnum")
	for i, rec := range recs {
		if idx.StringAt(i) != rec[0] {
			t.Fatalf("row %d: plane %q, pandas %q", i, idx.StringAt(i), rec[0])
		}
	}
	for j := 1; j < len(head); j++ {
		name := head[j]
		col, err := fm.Column(name)
		if err != nil {
			t.Errorf("pandas' feature missing: %v", err)
			continue
		}
		relative := strings.HasPrefix(name, "MEAN(") || strings.HasPrefix(name, "STD(") || strings.HasPrefix(name, "SKEW(")
		bad := 0
		for i, rec := range recs {
			want := rec[j]
			if strings.HasPrefix(name, "MODE(") {
				if got := col.StringAt(i); got != want || col.IsNull(i) != (want == "") {
					bad++
					if bad < 4 {
						t.Errorf("%s plane %s: got %q, pandas %q", name, rec[0], got, want)
					}
				}
				continue
			}
			got, ok := col.FloatAt(i)
			if want == "" {
				if ok && !math.IsNaN(got) {
					bad++
					t.Errorf("%s plane %s: got %v, pandas NaN", name, rec[0], got)
				}
				continue
			}
			w, err := strconv.ParseFloat(want, 64)
			if err != nil {
				t.Fatal(err)
			}
			same := got == w
			if relative && !same {
				same = math.Abs(got-w) <= 1e-9*math.Abs(w)
			}
			if !ok || !same {
				bad++
				if bad < 4 {
					t.Errorf("%s plane %s: got %v (ok %v), pandas %v", name, rec[0], got, ok, w)
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d planes differ", name, bad, len(recs))
		}
	}
}
