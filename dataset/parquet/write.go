package parquet

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v14/arrow/memory"
	pq "github.com/apache/arrow/go/v14/parquet"
	"github.com/apache/arrow/go/v14/parquet/compress"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/arrowcol"
)

// Compression is the codec that compresses a written file's pages.
type Compression uint8

// The codecs Write offers. The zero value is Snappy, the default of pyarrow
// and Spark: fast to write and read, and readable everywhere.
const (
	Snappy       Compression = iota // default
	Zstd                            // smaller files, slower to write
	Gzip                            // the most widely readable, slowest
	Uncompressed                    // no compression
)

func (c Compression) codec() (compress.Compression, error) {
	switch c {
	case Snappy:
		return compress.Codecs.Snappy, nil
	case Zstd:
		return compress.Codecs.Zstd, nil
	case Gzip:
		return compress.Codecs.Gzip, nil
	case Uncompressed:
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("unknown compression %d", c)
}

// WriteOptions configures Write. The zero value writes Snappy-compressed row
// groups of DefaultRowGroupRows rows.
type WriteOptions struct {
	Compression Compression

	// RowGroupRows is the most rows a row group holds; 0 means
	// DefaultRowGroupRows. Readers decode row groups in parallel, so several
	// row groups per file help them.
	RowGroupRows int
}

// DefaultRowGroupRows is the row group size when none is given.
const DefaultRowGroupRows = 1 << 18

// WriteFile writes the frame to a new Parquet file at path; see Write.
func WriteFile(path string, f *dataset.Frame, opts WriteOptions) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := write(fh, f, opts); err != nil {
		fh.Close()
		return fmt.Errorf("parquet: %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// Write writes the frame as a Parquet file (format version 2.6) to w,
// which it does not close. Types map as in arrowconv.ToRecord: Float64 -> double,
// Int64 -> int64, Bool -> boolean, Timestamp -> int64 timestamp(nanoseconds,
// UTC), String -> UTF-8 byte array. Nulls are kept.
//
// Dictionary-encoded String columns are written with a Parquet dictionary
// and plain String columns without one, so Read gives back the same
// encoding; the Arrow schema is stored in the file's metadata as pyarrow
// does. Other columns use the Parquet writer's defaults (dictionary pages that
// fall back to plain when the dictionary grows past 1 MiB).
//
// Memory: the frame's numbers are not copied; the writer buffers one row
// group's encoded pages, plus an Arrow copy of the strings and null masks.
func Write(w io.Writer, f *dataset.Frame, opts WriteOptions) error {
	if err := write(w, f, opts); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

func write(w io.Writer, f *dataset.Frame, opts WriteOptions) error {
	fw := NewWriter(w, opts)
	if err := fw.write(f, true); err != nil {
		fw.abort()
		return err
	}
	return fw.close()
}

// Writer writes a Parquet file a frame at a time, for data produced in
// batches: each Write adds the frame's rows as row groups of at most
// WriteOptions.RowGroupRows rows, and Close writes the footer. The first
// frame sets the file's columns (names, types, and which String columns are
// dictionary-encoded, as for Write); every later frame must have the same
// names and types, and its String columns are encoded as the first frame's.
//
// Memory: one frame's row groups being encoded, as for Write.
type Writer struct {
	w      io.Writer
	opts   WriteOptions
	fw     *pqarrow.FileWriter
	schema dataset.Schema
	dict   []bool
	err    error
}

// NewWriter returns a Writer to w, which it does not close.
func NewWriter(w io.Writer, opts WriteOptions) *Writer {
	return &Writer{w: w, opts: opts}
}

// Write adds the rows of f to the file.
func (w *Writer) Write(f *dataset.Frame) error {
	if err := w.write(f, false); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// Close writes the file's footer. A Writer that was given no frame writes
// no file and says so.
func (w *Writer) Close() error {
	if err := w.close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

func (w *Writer) close() error {
	if w.err != nil {
		return w.err
	}
	if w.fw == nil {
		w.err = errors.New("no frame was written, so the file has no columns")
		return w.err
	}
	w.err = errors.New("the writer is closed")
	if err := w.fw.Close(); err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	return nil
}

// abort stops a failed write without a footer.
func (w *Writer) abort() {
	if w.fw != nil {
		w.fw.Close()
	}
}

// start creates the file writer from the first frame's columns.
func (w *Writer) start(f *dataset.Frame) error {
	codec, err := w.opts.Compression.codec()
	if err != nil {
		return err
	}
	rows := w.rowGroupRows()
	mem := memory.DefaultAllocator
	schema, err := arrowcol.Schema(f)
	if err != nil {
		return err
	}
	props := []pq.WriterProperty{
		pq.WithAllocator(mem),
		pq.WithCompression(codec),
		pq.WithMaxRowGroupLength(int64(rows)),
		// One write batch per row group: arrow v14 mis-slices the indices of a
		// nullable dictionary column in every batch after the first
		// (columnWriter.maybeReplaceValidity slices [offset*4 : len*4]), so
		// dictionary columns longer than a batch (1,024 rows by default) fail.
		// Each column chunk is then one data page.
		pq.WithBatchSize(int64(rows)),
		pq.WithCreatedBy("kiln (github.com/kiln-ml/kiln) via parquet-go arrow v14"),
	}
	for _, c := range f.Columns() {
		w.dict = append(w.dict, c.IsDict())
		if c.Type() == dataset.String && !c.IsDict() {
			props = append(props, pq.WithDictionaryFor(c.Name(), false))
		}
	}
	w.schema = f.Schema()
	w.fw, err = pqarrow.NewFileWriter(schema, noCloser{w.w}, pq.NewWriterProperties(props...),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return fmt.Errorf("parquet writer: %w", err)
	}
	return nil
}

func (w *Writer) rowGroupRows() int {
	if w.opts.RowGroupRows <= 0 {
		return DefaultRowGroupRows
	}
	return w.opts.RowGroupRows
}

// conform checks a later frame against the file's columns and encodes its
// String columns as the first frame's were.
func (w *Writer) conform(f *dataset.Frame) (*dataset.Frame, error) {
	got := f.Schema()
	if len(got) != len(w.schema) {
		return nil, fmt.Errorf("a frame of %d columns (%s) for a file of %d (%s)", len(got), got, len(w.schema), w.schema)
	}
	cols := f.Columns()
	for i, want := range w.schema {
		if got[i] != want {
			return nil, fmt.Errorf("column %d is %s:%s, but the file's is %s:%s", i, got[i].Name, got[i].Type, want.Name, want.Type)
		}
		c := cols[i]
		switch {
		case c.Type() != dataset.String || c.IsDict() == w.dict[i]:
		case w.dict[i]:
			cols[i] = dataset.DictEncode(c)
		default:
			cols[i] = dataset.NewString(c.Name(), c.Strings(), c.Valid())
		}
	}
	return dataset.New(cols...)
}

// write adds a frame's rows; whole is a frame written alone (Write), which
// writes one empty row group for an empty frame so that the file has its
// columns.
func (w *Writer) write(f *dataset.Frame, whole bool) (err error) {
	defer arrowcol.RecoverAsError(&err, "parquet writer")
	if w.err != nil {
		return w.err
	}
	defer func() {
		if err != nil {
			w.err = err
		}
	}()
	if w.fw == nil {
		if err := w.start(f); err != nil {
			return err
		}
	} else if f, err = w.conform(f); err != nil {
		return err
	}
	if f.NumRows() == 0 && !whole {
		return nil
	}
	// One record per row group, each converted from a slice of the frame, so
	// that no array reaches the writer with an offset (see WithBatchSize).
	rows := w.rowGroupRows()
	for lo := 0; lo < f.NumRows() || lo == 0; lo += rows {
		part, err := f.Slice(lo, min(lo+rows, f.NumRows()))
		if err != nil {
			return err
		}
		rec, err := arrowcol.ToRecord(part, memory.DefaultAllocator)
		if err != nil {
			return err
		}
		err = w.fw.Write(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("writing Parquet rows %d-%d: %w", lo, min(lo+rows, f.NumRows()), err)
		}
		if f.NumRows() == 0 {
			break
		}
	}
	return nil
}

// noCloser hides a writer's Close method: the Parquet writer closes its sink
// if it can, and Write leaves w open for its caller.
type noCloser struct{ io.Writer }
