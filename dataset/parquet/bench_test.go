package parquet_test

import (
	"testing"

	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// The Parquet acceptance benchmarks: run side by side in one invocation,
//
//	flock /tmp/kiln-bench.lock go test ./dataset/parquet -run '^$' -bench 'Flights3M' -count 5 -benchmem
//
// BenchmarkPqarrowReadTableFlights3M is the anchor: a bare pqarrow.ReadTable
// of the same file with default properties, giving an Arrow table (strings as
// large_string, timestamps in microseconds) rather than a typed frame.

func BenchmarkReadFlights3M(b *testing.B) {
	path := realdata.Require(b, realdata.Flights3M)
	for i := 0; i < b.N; i++ {
		f, err := parquet.ReadFile(path, parquet.Options{})
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

// BenchmarkReadFlights3MProjection reads two of the five columns, one
// text and one integer.
func BenchmarkReadFlights3MProjection(b *testing.B) {
	path := realdata.Require(b, realdata.Flights3M)
	for i := 0; i < b.N; i++ {
		f, err := parquet.ReadFile(path, parquet.Options{Columns: []string{"origin", "delay"}})
		if err != nil {
			b.Fatal(err)
		}
		if f.NumRows() != 3_000_000 || f.NumCols() != 2 {
			b.Fatalf("read %d x %d", f.NumRows(), f.NumCols())
		}
	}
}

func BenchmarkReadFlights3MWorkers1(b *testing.B) {
	path := realdata.Require(b, realdata.Flights3M)
	for i := 0; i < b.N; i++ {
		if _, err := parquet.ReadFile(path, parquet.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
