package dataset

import (
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/apache/arrow/go/v14/parquet"
	"github.com/apache/arrow/go/v14/parquet/compress"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
)

// ParquetCompression is the codec that compresses a written file's pages.
type ParquetCompression uint8

// The codecs WriteParquet offers. The zero value is Snappy, the default of
// pyarrow and Spark: fast to write and read, and readable everywhere.
const (
	ParquetSnappy       ParquetCompression = iota // default
	ParquetZstd                                   // smaller files, slower to write
	ParquetGzip                                   // the most widely readable, slowest
	ParquetUncompressed                           // no compression
)

func (c ParquetCompression) codec() (compress.Compression, error) {
	switch c {
	case ParquetSnappy:
		return compress.Codecs.Snappy, nil
	case ParquetZstd:
		return compress.Codecs.Zstd, nil
	case ParquetGzip:
		return compress.Codecs.Gzip, nil
	case ParquetUncompressed:
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("dataset: unknown Parquet compression %d", c)
}

// ParquetWriteOptions configures WriteParquet. The zero value writes
// Snappy-compressed row groups of DefaultParquetRowGroupRows rows.
type ParquetWriteOptions struct {
	Compression ParquetCompression

	// RowGroupRows is the most rows a row group holds; 0 means
	// DefaultParquetRowGroupRows. Readers decode row groups in parallel, so
	// several row groups per file help them.
	RowGroupRows int
}

// DefaultParquetRowGroupRows is the row group size when none is given.
const DefaultParquetRowGroupRows = 1 << 18

// WriteParquetFile writes the frame to a new Parquet file at path; see
// WriteParquet.
func WriteParquetFile(path string, f *Frame, opts ParquetWriteOptions) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	if err := WriteParquet(fh, f, opts); err != nil {
		fh.Close()
		return inFile(path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

// WriteParquet writes the frame as a Parquet file (format version 2.6) to w,
// which it does not close. Types map as in Frame.ToArrow: Float64 -> double,
// Int64 -> int64, Bool -> boolean, Timestamp -> int64 timestamp(nanoseconds,
// UTC), String -> UTF-8 byte array. Nulls are kept.
//
// Dictionary-encoded String columns are written with a Parquet dictionary
// and plain String columns without one, so ReadParquet gives back the same
// encoding; the Arrow schema is stored in the file's metadata as pyarrow
// does. Other columns use the Parquet writer's defaults (dictionary pages that
// fall back to plain when the dictionary grows past 1 MiB).
//
// Memory: the frame's numbers are not copied; the writer buffers one row
// group's encoded pages, plus an Arrow copy of the strings and null masks.
func WriteParquet(w io.Writer, f *Frame, opts ParquetWriteOptions) (err error) {
	defer recoverAsError(&err, "parquet writer")
	codec, err := opts.Compression.codec()
	if err != nil {
		return err
	}
	rows := opts.RowGroupRows
	if rows <= 0 {
		rows = DefaultParquetRowGroupRows
	}
	mem := memory.DefaultAllocator
	schema, err := f.arrowSchema()
	if err != nil {
		return err
	}
	props := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(int64(rows)),
		// One write batch per row group: arrow v14 mis-slices the indices of a
		// nullable dictionary column in every batch after the first
		// (columnWriter.maybeReplaceValidity slices [offset*4 : len*4]), so
		// dictionary columns longer than a batch (1,024 rows by default) fail.
		// Each column chunk is then one data page.
		parquet.WithBatchSize(int64(rows)),
		parquet.WithCreatedBy("kiln (github.com/kiln-ml/kiln) via parquet-go arrow v14"),
	}
	for _, c := range f.cols {
		if c.typ == String && !c.IsDict() {
			props = append(props, parquet.WithDictionaryFor(c.name, false))
		}
	}
	fw, err := pqarrow.NewFileWriter(schema, noCloser{w}, parquet.NewWriterProperties(props...),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return fmt.Errorf("dataset: parquet writer: %w", err)
	}
	// One record per row group, each converted from a slice of the frame, so
	// that no array reaches the writer with an offset (see WithBatchSize).
	for lo := 0; lo < f.rows || lo == 0; lo += rows {
		part, err := f.Slice(lo, min(lo+rows, f.rows))
		if err != nil {
			return err
		}
		rec, err := part.ToArrow(mem)
		if err != nil {
			return err
		}
		err = fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return fmt.Errorf("dataset: writing Parquet rows %d-%d: %w", lo, min(lo+rows, f.rows), err)
		}
		if f.rows == 0 {
			break
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("dataset: writing Parquet: %w", err)
	}
	return nil
}

// noCloser hides a writer's Close method: the Parquet writer closes its sink
// if it can, and WriteParquet leaves w open for its caller.
type noCloser struct{ io.Writer }
