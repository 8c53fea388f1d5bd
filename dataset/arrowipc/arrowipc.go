// Package arrowipc reads and writes Arrow IPC data, the file format (magic
// "ARROW1", often named .arrow or .feather v2) and the streaming format, as
// kiln frames. Types map as described for arrowconv.FromRecord and
// arrowconv.ToRecord.
//
// It lives outside package dataset so that programs that only read CSV or
// score frames link no Arrow code.
//
// Every message is checked before the Arrow library decodes it (lengths that
// overrun the message, buffers outside the body), so corrupt input gives an
// error rather than an attempt to allocate what it claims, and never a panic.
package arrowipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/ipc"
	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/arrowcol"
)

// ReadFile reads an Arrow IPC file (the random-access format, magic
// "ARROW1", often named .arrow or .feather v2) into a frame. Types map as
// described for arrowconv.FromRecord; for example the vega flights-200k.arrow
// file's int16 delay and distance become Int64 columns and its float32 time a
// Float64 column (widened exactly: float64(float32) keeps every value).
//
// The file's record batches are read in order (an IPC file holds an IPC
// stream between its magic and its footer) and checked as ReadStream checks
// them. A file of one record batch is converted as by arrowconv.FromRecord
// (fixed-width columns without nulls are viewed, not copied); the batches of
// a file of several are copied into one contiguous column each. Errors name
// the file.
func ReadFile(path string) (*dataset.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("arrowipc: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("arrowipc: %w", err)
	}
	f, err := readFile(fh, st.Size())
	if err != nil {
		return nil, fmt.Errorf("arrowipc: %s: %w", path, err)
	}
	return f, nil
}

var magic = []byte("ARROW1")

// readFile checks the file's framing: magic, padding, stream, footer,
// footer length, magic.
func readFile(r io.ReaderAt, size int64) (*dataset.Frame, error) {
	const head, tail = 8, 10 // "ARROW1" + 2 padding bytes; int32 footer length + "ARROW1"
	if size < head+tail {
		return nil, fmt.Errorf("not a readable Arrow IPC file: %d bytes is too short", size)
	}
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf[:6], 0); err != nil {
		return nil, err
	}
	if !bytes.Equal(buf[:6], magic) {
		return nil, fmt.Errorf("not a readable Arrow IPC file: starts with %q, want magic \"ARROW1\"", buf[:6])
	}
	if _, err := r.ReadAt(buf, size-tail); err != nil {
		return nil, err
	}
	if !bytes.Equal(buf[4:], magic) {
		return nil, fmt.Errorf("not a readable Arrow IPC file: truncated or corrupt, ends with %q, want magic \"ARROW1\"", buf[4:])
	}
	footer := int64(int32(binary.LittleEndian.Uint32(buf)))
	if footer < 0 || footer > size-head-tail {
		return nil, fmt.Errorf("not a readable Arrow IPC file: corrupt footer length %d", footer)
	}
	return readStream(io.NewSectionReader(r, head, size-head-tail-footer))
}

// ReadStream reads an Arrow IPC stream (the streaming format: a schema
// message, then dictionary and record batch messages, as written by
// pyarrow.ipc.new_stream or WriteStream) from r to its end-of-stream marker
// or to the end of r. Conversion is as in ReadFile. A stream cut inside a
// message is an error, not a shorter frame.
func ReadStream(r io.Reader) (*dataset.Frame, error) {
	f, err := readStream(r)
	if err != nil {
		return nil, fmt.Errorf("arrowipc: %w", err)
	}
	return f, nil
}

// sectionLen gives an io.SectionReader the Len method the message reader
// uses to allocate bodies in one piece.
type sectionLen struct{ *io.SectionReader }

func (s sectionLen) Len() int {
	pos, _ := s.Seek(0, io.SeekCurrent)
	return int(s.Size() - pos)
}

func readStream(r io.Reader) (f *dataset.Frame, err error) {
	defer arrowcol.RecoverAsError(&err, "arrow reader")
	if sr, ok := r.(*io.SectionReader); ok {
		r = sectionLen{sr}
	}
	msgs := arrowcol.NewCheckedMessageReader(r)
	rdr, err := ipc.NewReaderFromMessageReader(msgs, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, fmt.Errorf("not a readable Arrow IPC stream: %w", err)
	}
	defer rdr.Release()
	schema := rdr.Schema()
	for _, field := range schema.Fields() {
		// Types a frame cannot hold are refused before any data is read.
		if _, _, err := arrowcol.ArrowType(field.Name, field.Type); err != nil {
			return nil, err
		}
	}
	msgs.Expect(schema)
	var recs []arrow.Record
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	for rdr.Next() {
		rec := rdr.Record()
		rec.Retain() // the reader releases it on the next call to Next
		recs = append(recs, rec)
	}
	if err := rdr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("Arrow stream after %d record batches: %w", len(recs), err)
	}
	return frameFromRecords(schema, recs)
}

// frameFromRecords converts record batches of one schema into one frame.
func frameFromRecords(schema *arrow.Schema, recs []arrow.Record) (*dataset.Frame, error) {
	cols := make([][]arrow.Array, schema.NumFields())
	n := 0
	for b, rec := range recs {
		if !rec.Schema().Equal(schema) {
			return nil, fmt.Errorf("Arrow record batch %d has schema %s, want %s", b, rec.Schema(), schema)
		}
		n += int(rec.NumRows())
		for i := range cols {
			if rec.Column(i).Len() != int(rec.NumRows()) {
				return nil, fmt.Errorf("column %q: record batch %d has %d values for %d rows", schema.Field(i).Name, b, rec.Column(i).Len(), rec.NumRows())
			}
			cols[i] = append(cols[i], rec.Column(i))
		}
	}
	return arrowcol.FromChunks(schema, cols, n)
}

// WriteFile writes the frame as an Arrow IPC file (one record batch, types as
// in arrowconv.ToRecord) that pyarrow.ipc.open_file and ReadFile read.
func WriteFile(path string, f *dataset.Frame) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("arrowipc: %w", err)
	}
	if err := write(fh, f, true); err != nil {
		fh.Close()
		return fmt.Errorf("arrowipc: %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("arrowipc: %w", err)
	}
	return nil
}

// WriteStream writes the frame to w as an Arrow IPC stream of one record
// batch (types as in arrowconv.ToRecord); w is not closed.
func WriteStream(w io.Writer, f *dataset.Frame) error {
	if err := write(w, f, false); err != nil {
		return fmt.Errorf("arrowipc: %w", err)
	}
	return nil
}

func write(w io.Writer, f *dataset.Frame, fileFormat bool) (err error) {
	defer arrowcol.RecoverAsError(&err, "arrow writer")
	rec, err := arrowcol.ToRecord(f, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	defer rec.Release()
	opts := []ipc.Option{ipc.WithSchema(rec.Schema()), ipc.WithAllocator(memory.DefaultAllocator)}
	var wr interface {
		Write(arrow.Record) error
		Close() error
	}
	if fileFormat {
		ws, ok := w.(io.WriteSeeker)
		if !ok {
			return fmt.Errorf("the Arrow file format needs a seekable writer")
		}
		if wr, err = ipc.NewFileWriter(ws, opts...); err != nil {
			return fmt.Errorf("Arrow writer: %w", err)
		}
	} else {
		wr = ipc.NewWriter(w, opts...)
	}
	if err := wr.Write(rec); err != nil {
		wr.Close()
		return fmt.Errorf("writing Arrow: %w", err)
	}
	if err := wr.Close(); err != nil {
		return fmt.Errorf("writing Arrow: %w", err)
	}
	return nil
}
