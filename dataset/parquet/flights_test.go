package parquet_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/apache/arrow/go/v14/parquet/file"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// bareReadTable is the reference and the benchmark anchor: pqarrow's own
// whole-file read, with default properties, into an Arrow table.
func bareReadTable(tb testing.TB, path string) arrow.Table {
	tb.Helper()
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	rdr, err := file.NewParquetReader(fh)
	if err != nil {
		tb.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		tb.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return tbl
}

// TestReadFlights3M checks the 3,000,000-row flights file against
// pqarrow.ReadTable of the same file, value by value, and pins the first row
// and the shape. The golden first row was printed by pqarrow.ReadTable
// (arrow go v14.0.2) on vega-datasets 3.2.1 data/flights-3m.parquet; pyarrow
// is not installed here to cross-check.
func TestReadFlights3M(t *testing.T) {
	path := realdata.Require(t, realdata.Flights3M)
	f, err := parquet.ReadFile(path, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Schema().String(), "date:timestamp, delay:int64, distance:int64, origin:string, destination:string"; got != want {
		t.Fatalf("schema %s, want %s", got, want)
	}
	if f.NumRows() != 3_000_000 {
		t.Fatalf("%d rows, want 3,000,000", f.NumRows())
	}
	for _, name := range []string{"origin", "destination"} {
		if c, _ := f.Column(name); !c.IsDict() {
			t.Errorf("column %q is not dictionary-encoded", name)
		}
	}
	// First row: 2001-01-01 00:01 (978307260000000 us), delay 33, distance 2176, LAS -> PHL.
	first := []string{"2001-01-01T00:01:00Z", "33", "2176", "LAS", "PHL"}
	for k, w := range first {
		if g := f.Col(k).Format(0); g != w {
			t.Errorf("row 0 column %q: %s, want %s", f.Col(k).Name(), g, w)
		}
	}

	tbl := bareReadTable(t, path)
	defer tbl.Release()
	for k := 0; k < int(tbl.NumCols()); k++ {
		c := f.Col(k)
		row := 0
		for _, ch := range tbl.Column(k).Data().Chunks() {
			if ch.NullN() != 0 || c.NullCount() != 0 {
				t.Fatalf("column %q: %d nulls, pqarrow %d in a chunk; the file has none", c.Name(), c.NullCount(), ch.NullN())
			}
			bad := -1
			switch a := ch.(type) {
			case *array.Timestamp:
				got := c.Int64s()[row : row+a.Len()]
				for i, v := range a.TimestampValues() {
					if got[i] != int64(v)*int64(time.Microsecond) {
						bad = i
						break
					}
				}
			case *array.Int64:
				got := c.Int64s()[row : row+a.Len()]
				for i, v := range a.Int64Values() {
					if got[i] != v {
						bad = i
						break
					}
				}
			case *array.LargeString:
				codes, levels, _ := c.Dict()
				for i := 0; i < a.Len(); i++ {
					if levels[codes[row+i]] != a.Value(i) {
						bad = i
						break
					}
				}
			default:
				t.Fatalf("column %q: unexpected reference type %s", c.Name(), ch.DataType())
			}
			if bad >= 0 {
				t.Fatalf("column %q row %d: %s differs from pqarrow's %s", c.Name(), row+bad, c.Format(row+bad), ch.ValueStr(bad))
			}
			row += ch.Len()
		}
		if row != f.NumRows() {
			t.Fatalf("column %q: pqarrow read %d rows", c.Name(), row)
		}
	}
}
