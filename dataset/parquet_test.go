package dataset

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func parquetBytes(t testing.TB, f *Frame, opts ParquetWriteOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteParquet(&buf, f, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParquetRoundTrip(t *testing.T) {
	want := everyTypeFrame(t)
	for _, comp := range []ParquetCompression{ParquetSnappy, ParquetZstd, ParquetGzip, ParquetUncompressed} {
		for _, rowGroup := range []int{0, 2} { // one row group; three (2+2+1 rows)
			for _, workers := range []int{1, 4} {
				name := fmt.Sprintf("codec%d/rowgroup%d/workers%d", comp, rowGroup, workers)
				t.Run(name, func(t *testing.T) {
					data := parquetBytes(t, want, ParquetWriteOptions{Compression: comp, RowGroupRows: rowGroup})
					got, err := ReadParquet(bytes.NewReader(data), int64(len(data)), ParquetOptions{Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					compareFramesExact(t, want, got)
				})
			}
		}
	}
}

func TestParquetFileAndProjection(t *testing.T) {
	want := everyTypeFrame(t)
	path := filepath.Join(t.TempDir(), "every.parquet")
	if err := WriteParquetFile(path, want, ParquetWriteOptions{RowGroupRows: 2}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadParquetFile(path, ParquetOptions{Columns: []string{"time_hour", "carrier", "dep_delay"}})
	if err != nil {
		t.Fatal(err)
	}
	compareFramesExact(t, MustNew(want.Col(9), want.Col(6), want.Col(0)), got)

	_, err = ReadParquetFile(path, ParquetOptions{Columns: []string{"dep_delay", "arr_delay"}})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `column "arr_delay" is not in the file`) {
		t.Errorf("projection on a missing column: got %v, want an error naming the file and the column", err)
	}
}

func TestParquetEmptyFrame(t *testing.T) {
	want := MustNew(NewFloat64("x", []float64{}, nil), NewString("s", []string{}, nil))
	data := parquetBytes(t, want, ParquetWriteOptions{})
	got, err := ReadParquet(bytes.NewReader(data), int64(len(data)), ParquetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	compareFramesExact(t, want, got)
}
