package parquet_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// readBatches reads every batch, keeping each frame to check afterwards that
// later batches did not overwrite earlier ones.
func readBatches(t testing.TB, b *parquet.Batches) []*dataset.Frame {
	t.Helper()
	var out []*dataset.Frame
	for {
		f, err := b.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
}

// Batches of any size, across row groups of any size, put together equal
// the frame written.
func TestBatchesEqualTheWholeFile(t *testing.T) {
	every := frametest.EveryType(t)
	want, err := dataset.Concat(every, every, every) // 15 rows
	if err != nil {
		t.Fatal(err)
	}
	for _, rowGroup := range []int{0, 2, 4} {
		data := parquetBytes(t, want, parquet.WriteOptions{RowGroupRows: rowGroup})
		for _, rows := range []int{1, 3, 4, 15, 100} {
			name := fmt.Sprintf("rowgroup%d/batch%d", rowGroup, rows)
			b, err := parquet.NewBatches(bytes.NewReader(data), int64(len(data)), parquet.BatchOptions{Rows: rows})
			if err != nil {
				t.Fatal(err)
			}
			if b.NumRows() != 15 {
				t.Fatalf("%s: NumRows %d", name, b.NumRows())
			}
			batches := readBatches(t, b)
			for i, f := range batches {
				if f.NumRows() > rows || i < len(batches)-1 && f.NumRows() != rows {
					t.Fatalf("%s: batch %d has %d rows", name, i, f.NumRows())
				}
			}
			got, err := dataset.Concat(batches...)
			if err != nil {
				t.Fatal(err)
			}
			// Each batch has its own dictionary; Concat merges them.
			frametest.Equal(t, name, want, got)
			if _, err := b.Next(); !errors.Is(err, io.EOF) {
				t.Fatalf("%s: Next after the end: %v", name, err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestBatchesProjectionAndErrors(t *testing.T) {
	want := frametest.EveryType(t)
	path := filepath.Join(t.TempDir(), "every.parquet")
	if err := parquet.WriteFile(path, want, parquet.WriteOptions{RowGroupRows: 2}); err != nil {
		t.Fatal(err)
	}
	b, err := parquet.OpenBatches(path, parquet.BatchOptions{Columns: []string{"time_hour", "carrier", "dep_delay"}, Rows: 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := dataset.Concat(readBatches(t, b)...)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	frametest.Equal(t, "projection", dataset.MustNew(want.Col(9), want.Col(6), want.Col(0)), got)

	for _, c := range []struct {
		opts parquet.BatchOptions
		want string
	}{
		{parquet.BatchOptions{Columns: []string{"arr_delay"}}, `column "arr_delay" is not in the file`},
		{parquet.BatchOptions{Rows: -1}, "BatchOptions.Rows is -1"},
	} {
		if _, err := parquet.OpenBatches(path, c.opts); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%+v: %v, want an error naming the file and %q", c.opts, err, c.want)
		}
	}
	if _, err := parquet.OpenBatches(filepath.Join(t.TempDir(), "nope.parquet"), parquet.BatchOptions{}); err == nil {
		t.Error("a missing file opened")
	}
	data := parquetBytes(t, want, parquet.WriteOptions{})
	if _, err := parquet.NewBatches(bytes.NewReader(data[:len(data)-3]), int64(len(data)-3), parquet.BatchOptions{}); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
}

// A Writer given frames one at a time writes the file Write writes for
// them together; later frames' String columns take the first frame's
// encoding, and a frame of other columns is refused.
func TestWriterWritesFramesInTurn(t *testing.T) {
	every := frametest.EveryType(t)
	plainCarrier := dataset.NewString("carrier", every.Col(6).Strings(), every.Col(6).Valid())
	cols := every.Columns()
	cols[6] = plainCarrier
	cols[5] = dataset.DictEncode(cols[5]) // origin, plain in the first frame
	second := dataset.MustNew(cols...)
	empty, _ := every.Slice(0, 0)
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, parquet.WriteOptions{RowGroupRows: 3})
	for _, f := range []*dataset.Frame{every, second, empty} {
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := dataset.Concat(every, every)
	frametest.Equal(t, "two frames", want, got)

	w = parquet.NewWriter(io.Discard, parquet.WriteOptions{})
	if err := w.Write(every); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(dataset.MustNew(every.Col(0))); err == nil || !strings.Contains(err.Error(), "a frame of 1 columns") {
		t.Errorf("a frame of other columns: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed Write succeeded")
	}
	renamed := dataset.MustNew(append([]*dataset.Column{every.Col(0).Rename("x")}, every.Columns()[1:]...)...)
	w = parquet.NewWriter(io.Discard, parquet.WriteOptions{})
	w.Write(every)
	if err := w.Write(renamed); err == nil || !strings.Contains(err.Error(), "column 0 is x:float64, but the file's is dep_delay:float64") {
		t.Errorf("a renamed column: %v", err)
	}
	if err := parquet.NewWriter(io.Discard, parquet.WriteOptions{}).Close(); err == nil || !strings.Contains(err.Error(), "no frame was written") {
		t.Errorf("Close of an unused writer: %v", err)
	}
}

// The 3,000,000 flights read in batches of 65,536 rows (11 row groups of
// 272,727) equal the file read whole.
func TestBatchesFlights3M(t *testing.T) {
	path := realdata.Require(t, realdata.Flights3M)
	whole, err := parquet.ReadFile(path, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := parquet.OpenBatches(path, parquet.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	row := 0
	for {
		f, err := b.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want, _ := whole.Slice(row, row+f.NumRows())
		frametest.Equal(t, fmt.Sprintf("rows from %d", row), want, f)
		row += f.NumRows()
	}
	if row != 3_000_000 {
		t.Fatalf("%d rows", row)
	}
}
