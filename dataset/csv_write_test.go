package dataset_test

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
)

// sameFrame compares two frames cell by cell, types, nulls and dictionary
// encoding included (floats bit for bit).
func sameFrame(t *testing.T, name string, a, b *dataset.Frame) {
	t.Helper()
	if a.Schema().String() != b.Schema().String() || a.NumRows() != b.NumRows() {
		t.Fatalf("%s: %d rows (%s) became %d rows (%s)", name, a.NumRows(), a.Schema(), b.NumRows(), b.Schema())
	}
	for k, ca := range a.Columns() {
		cb := b.Col(k)
		if ca.IsDict() != cb.IsDict() || ca.NullCount() != cb.NullCount() {
			t.Errorf("%s: column %q: dict %v nulls %d became dict %v nulls %d", name, ca.Name(), ca.IsDict(), ca.NullCount(), cb.IsDict(), cb.NullCount())
		}
		for i := range ca.Len() {
			same := ca.IsNull(i) == cb.IsNull(i)
			switch ca.Type() {
			case dataset.Float64:
				same = same && math.Float64bits(ca.Float64s()[i]) == math.Float64bits(cb.Float64s()[i])
			case dataset.Int64, dataset.Timestamp:
				same = same && ca.Int64s()[i] == cb.Int64s()[i]
			case dataset.Bool:
				same = same && ca.Bools()[i] == cb.Bools()[i]
			case dataset.String:
				same = same && ca.StringAt(i) == cb.StringAt(i)
			}
			if !same {
				t.Fatalf("%s: column %q row %d: %q (null %v) became %q (null %v)", name, ca.Name(), i, ca.Format(i), ca.IsNull(i), cb.Format(i), cb.IsNull(i))
			}
		}
	}
}

func TestCSVRoundTripBuiltins(t *testing.T) {
	sets := map[string]func() (*dataset.Frame, error){
		"Iris": builtin.Iris, "BreastCancer": builtin.BreastCancer, "Diabetes": builtin.Diabetes,
		"CaliforniaHousing": builtin.CaliforniaHousing, "IMDBSample": builtin.IMDBSample,
		"Longley": builtin.Longley, "MTCars": builtin.MTCars, "Flights": builtin.Flights,
		"Planes": builtin.Planes, "Airports": builtin.Airports, "Airlines": builtin.Airlines,
	}
	dir := t.TempDir()
	for name, load := range sets {
		f, err := load()
		if err != nil {
			t.Fatal(err)
		}
		if name == "Flights" {
			// The first 60,000 flights hold nulls in every nullable column;
			// the whole set would make this test slow under -race.
			f, _ = f.Slice(0, 60000)
		}
		var buf bytes.Buffer
		if err := dataset.WriteCSV(&buf, f, dataset.CSVOptions{}); err != nil {
			t.Fatal(err)
		}
		back, err := dataset.ReadCSV(&buf, dataset.CSVOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameFrame(t, name, f, back)
		if name == "Planes" { // through a gzip file too
			path := filepath.Join(dir, "planes.csv.gz")
			if err := dataset.WriteCSVFile(path, f, dataset.CSVOptions{}); err != nil {
				t.Fatal(err)
			}
			back, err := dataset.ReadCSVFile(path, dataset.CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sameFrame(t, name+" gzip", f, back)
		}
	}
}

func TestCSVRoundTripEdgeValues(t *testing.T) {
	valid := []bool{true, true, true, true, true, true, false}
	ts := []int64{0, time.Date(2013, 1, 1, 5, 0, 0, 500, time.UTC).UnixNano(), -1, 1, 2, 3, 0}
	f := dataset.MustNew(
		dataset.NewString("text, \"quoted\"", []string{"", "NA", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""}, valid),
		dataset.NewFloat64("x", []float64{0.1, 1e300, -2, 3, math.Inf(1), 5e-324, 0}, valid),
		dataset.NewInt64("n", []int64{math.MinInt64, math.MaxInt64, 0, -1, 1, 2, 0}, valid),
		dataset.NewBool("b", []bool{true, false, true, false, true, false, false}, valid),
		dataset.NewTimestamp("t", ts, valid),
		dataset.NewString("one", []string{" lead", "trail ", "null", "x", "y", "z", ""}, nil),
	)
	for _, delim := range []byte{',', ';', '\t'} {
		var buf bytes.Buffer
		opts := dataset.CSVOptions{Delimiter: delim}
		if err := dataset.WriteCSV(&buf, f, opts); err != nil {
			t.Fatal(err)
		}
		back, err := dataset.ReadCSV(bytes.NewReader(buf.Bytes()), opts)
		if err != nil {
			t.Fatalf("%q: %v\n%s", delim, err, buf.String())
		}
		sameFrame(t, "edge values "+string(delim), f, back)
	}
	// A one-column frame with nulls and empty strings: blank lines are nulls.
	one := dataset.MustNew(dataset.NewString("s", []string{"", "x", "", "y"}, []bool{true, true, false, false}))
	var buf bytes.Buffer
	dataset.WriteCSV(&buf, one, dataset.CSVOptions{})
	if got := buf.String(); got != "s\n\"\"\nx\n\n\n" {
		t.Errorf("one column written as %q", got)
	}
	back, err := dataset.ReadCSV(&buf, dataset.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameFrame(t, "one column", one, back)
}

func TestWriteCSVFormat(t *testing.T) {
	f := dataset.MustNew(
		dataset.NewFloat64("x", []float64{1, 0.1, math.NaN()}, []bool{true, true, true}),
		dataset.NewString("s", []string{"a", "", "b"}, []bool{true, true, false}),
	)
	var b strings.Builder
	if err := dataset.WriteCSV(&b, f, dataset.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "x,s\n1.0,a\n0.1,\"\"\nNaN,\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
