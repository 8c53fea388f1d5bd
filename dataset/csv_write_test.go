package dataset_test

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
)

func TestCSVRoundTripBuiltins(t *testing.T) {
	dir := t.TempDir()
	for _, set := range frametest.Builtins {
		name := set.Name
		f, err := set.Load()
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
		frametest.Equal(t, name, f, back)
		if name == "Planes" { // through a gzip file too
			path := filepath.Join(dir, "planes.csv.gz")
			if err := dataset.WriteCSVFile(path, f, dataset.CSVOptions{}); err != nil {
				t.Fatal(err)
			}
			back, err := dataset.ReadCSVFile(path, dataset.CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			frametest.Equal(t, name+" gzip", f, back)
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
		frametest.Equal(t, "edge values "+string(delim), f, back)
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
	frametest.Equal(t, "one column", one, back)
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
