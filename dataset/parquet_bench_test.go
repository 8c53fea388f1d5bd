package dataset

import (
	"testing"

	"github.com/kiln-ml/kiln/internal/realdata"
)

// The Parquet acceptance benchmarks: run side by side in one invocation,
//
//	flock /tmp/kiln-bench.lock go test ./dataset -run '^$' -bench 'Flights3M' -count 5 -benchmem
//
// BenchmarkPqarrowReadTableFlights3M is the anchor: a bare pqarrow.ReadTable
// of the same file with default properties, giving an Arrow table (strings as
// large_string, timestamps in microseconds) rather than a typed frame.

func BenchmarkReadParquetFlights3M(b *testing.B) {
	path := realdata.Require(b, realdata.Flights3M)
	for i := 0; i < b.N; i++ {
		f, err := ReadParquetFile(path, ParquetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if f.NumRows() != 3_000_000 || f.NumCols() != 5 {
			b.Fatalf("read %d x %d", f.NumRows(), f.NumCols())
		}
	}
}

func BenchmarkPqarrowReadTableFlights3M(b *testing.B) {
	path := realdata.Require(b, realdata.Flights3M)
	for i := 0; i < b.N; i++ {
		tbl := bareReadTable(b, path)
		if tbl.NumRows() != 3_000_000 || tbl.NumCols() != 5 {
			b.Fatalf("read %d x %d", tbl.NumRows(), tbl.NumCols())
		}
		tbl.Release()
	}
}

// BenchmarkReadParquetFlights3MProjection reads two of the five columns, one
// text and one integer.
func BenchmarkReadParquetFlights3MProjection(b *testing.B) {
	path := realdata.Require(b, realdata.Flights3M)
	for i := 0; i < b.N; i++ {
		f, err := ReadParquetFile(path, ParquetOptions{Columns: []string{"origin", "delay"}})
		if err != nil {
			b.Fatal(err)
		}
		if f.NumRows() != 3_000_000 || f.NumCols() != 2 {
			b.Fatalf("read %d x %d", f.NumRows(), f.NumCols())
		}
	}
}

func BenchmarkReadParquetFlights3MWorkers1(b *testing.B) {
	path := realdata.Require(b, realdata.Flights3M)
	for i := 0; i < b.N; i++ {
		if _, err := ReadParquetFile(path, ParquetOptions{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
