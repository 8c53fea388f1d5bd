package parquet

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/parquet/file"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/arrowcol"
)

// DefaultBatchRows is the rows of a batch when BatchOptions.Rows is 0.
const DefaultBatchRows = 1 << 16

// BatchOptions configures OpenBatches and NewBatches.
type BatchOptions struct {
	// Columns lists the columns to read, in the order wanted in each frame;
	// nil reads all of them in file order.
	Columns []string
	// Rows is the most rows of one batch; 0 means DefaultBatchRows.
	Rows int
}

// Batches reads a Parquet file a batch of rows at a time, for files larger
// than memory: each call to Next decodes the next rows of the selected
// columns, across row group boundaries, into a frame of its own. Types map
// as for Read, and a column stored dictionary-encoded gives
// dictionary-encoded String columns, each batch with the levels it holds.
//
// Memory: one batch of the selected columns (as for Read, per row) and the
// Parquet reader's buffers, which hold one column chunk's compressed pages
// per column; a frame returned by Next stays valid after later calls.
type Batches struct {
	src    io.Closer // the file of OpenBatches, or nil
	rdr    *file.Reader
	cols   []*pqarrow.ColumnReader // one per selected column, over every row group
	schema *arrow.Schema           // of the selected columns
	batch  int
	rows   int64
	done   int64
	err    error
}

// OpenBatches opens a Parquet file for reading in batches; see Batches.
// Close it when done. Errors name the file.
func OpenBatches(path string, opts BatchOptions) (*Batches, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("parquet: %w", err)
	}
	b, err := newBatches(fh, st.Size(), opts)
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("parquet: %s: %w", path, err)
	}
	b.src = fh
	return b, nil
}

// NewBatches reads the Parquet data held in r (size bytes) in batches; see
// Batches. Corrupt input is an error, never a panic, as for Read.
func NewBatches(r io.ReaderAt, size int64, opts BatchOptions) (*Batches, error) {
	b, err := newBatches(r, size, opts)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return b, nil
}

func newBatches(r io.ReaderAt, size int64, opts BatchOptions) (b *Batches, err error) {
	defer arrowcol.RecoverAsError(&err, "parquet reader")
	if opts.Rows < 0 {
		return nil, fmt.Errorf("BatchOptions.Rows is %d: want 0 (the default) or more", opts.Rows)
	}
	batch := opts.Rows
	if batch == 0 {
		batch = DefaultBatchRows
	}
	rdr, fr, start, err := open(r, size)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			rdr.Close()
		}
	}()
	fields, err := selectParquetFields(fr, opts.Columns)
	if err != nil {
		return nil, err
	}
	b = &Batches{rdr: rdr, rows: int64(start[len(start)-1]), batch: batch}
	defer func() {
		if err != nil {
			b.release()
		}
	}()
	groups := make([]int, len(start)-1)
	for rg := range groups {
		groups[rg] = rg
	}
	var arrowFields []arrow.Field
	for _, fi := range fields {
		sf := fr.Manifest.Fields[fi]
		if !sf.IsLeaf() {
			return nil, fmt.Errorf("column %q: nested Parquet type %s is not supported", sf.Field.Name, sf.Field.Type)
		}
		arrowFields = append(arrowFields, *sf.Field)
		// A column reader decodes pages as it goes, across row groups.
		cr, err := fr.GetFieldReader(context.Background(), fi, map[int]bool{sf.ColIndex: true}, groups)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", sf.Field.Name, err)
		}
		b.cols = append(b.cols, cr)
	}
	b.schema = arrow.NewSchema(arrowFields, nil)
	return b, nil
}

// NumRows returns the rows of the file.
func (b *Batches) NumRows() int64 { return b.rows }

// Next returns the next batch of rows, or io.EOF after the last one.
func (b *Batches) Next() (f *dataset.Frame, err error) {
	if b.err != nil {
		return nil, b.err
	}
	defer func() {
		if err != nil {
			b.err = err
		}
	}()
	if len(b.cols) == 0 || b.done >= b.rows {
		return nil, io.EOF
	}
	defer arrowcol.RecoverAsError(&err, "parquet reader")
	want := int(min(int64(b.batch), b.rows-b.done))
	chunks := make([][]arrow.Array, len(b.cols))
	for i, cr := range b.cols {
		data, err := cr.NextBatch(int64(want))
		if err != nil {
			return nil, fmt.Errorf("parquet: column %q, rows from %d: %w", b.schema.Field(i).Name, b.done, err)
		}
		defer data.Release()
		if data.Len() != want {
			return nil, fmt.Errorf("parquet: column %q: %d rows from row %d, the footer promises %d", b.schema.Field(i).Name, data.Len(), b.done, want)
		}
		chunks[i] = data.Chunks()
	}
	f, err = arrowcol.FromChunks(b.schema, chunks, want)
	if err != nil {
		return nil, fmt.Errorf("parquet: rows %d-%d: %w", b.done, b.done+int64(want)-1, err)
	}
	b.done += int64(want)
	return f, nil
}

func (b *Batches) release() {
	for _, cr := range b.cols {
		cr.Release()
	}
	b.cols = nil
}

// Close releases the reader and closes the file of OpenBatches.
func (b *Batches) Close() error {
	b.release()
	err := b.rdr.Close()
	if b.src != nil {
		if cerr := b.src.Close(); err == nil {
			err = cerr
		}
		b.src = nil
	}
	return err
}
