package parquet_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

func parquetBytes(t testing.TB, f *dataset.Frame, opts parquet.WriteOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := parquet.Write(&buf, f, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParquetRoundTrip(t *testing.T) {
	want := frametest.EveryType(t)
	for _, comp := range []parquet.Compression{parquet.Snappy, parquet.Zstd, parquet.Gzip, parquet.Uncompressed} {
		for _, rowGroup := range []int{0, 2} { // one row group; three (2+2+1 rows)
			for _, workers := range []int{1, 4} {
				name := fmt.Sprintf("codec%d/rowgroup%d/workers%d", comp, rowGroup, workers)
				t.Run(name, func(t *testing.T) {
					data := parquetBytes(t, want, parquet.WriteOptions{Compression: comp, RowGroupRows: rowGroup})
					got, err := parquet.Read(bytes.NewReader(data), int64(len(data)), parquet.Options{Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					frametest.Equal(t, name, want, got)
				})
			}
		}
	}
}

func TestParquetFileAndProjection(t *testing.T) {
	want := frametest.EveryType(t)
	path := filepath.Join(t.TempDir(), "every.parquet")
	if err := parquet.WriteFile(path, want, parquet.WriteOptions{RowGroupRows: 2}); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.ReadFile(path, parquet.Options{Columns: []string{"time_hour", "carrier", "dep_delay"}})
	if err != nil {
		t.Fatal(err)
	}
	frametest.Equal(t, "projection", dataset.MustNew(want.Col(9), want.Col(6), want.Col(0)), got)

	_, err = parquet.ReadFile(path, parquet.Options{Columns: []string{"dep_delay", "arr_delay"}})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `column "arr_delay" is not in the file`) {
		t.Errorf("projection on a missing column: got %v, want an error naming the file and the column", err)
	}
}

func TestParquetEmptyFrame(t *testing.T) {
	want := dataset.MustNew(dataset.NewFloat64("x", []float64{}, nil), dataset.NewString("s", []string{}, nil))
	data := parquetBytes(t, want, parquet.WriteOptions{})
	got, err := parquet.Read(bytes.NewReader(data), int64(len(data)), parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	frametest.Equal(t, "empty frame", want, got)
}
