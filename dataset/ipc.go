package dataset

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
)

// ReadArrowFile reads an Arrow IPC file (the random-access format, magic
// "ARROW1", often named .arrow or .feather v2) into a frame. Types map as
// described for FromArrow; for example the vega flights-200k.arrow file's
// int16 delay and distance become Int64 columns and its float32 time a
// Float64 column (widened exactly: float64(float32) keeps every value).
//
// The file's record batches are read in order (an IPC file holds an IPC
// stream between its magic and its footer) and checked as ReadArrowStream
// checks them. A file of one record batch is converted as by FromArrow
// (fixed-width columns without nulls are viewed, not copied); the batches of
// a file of several are copied into one contiguous column each. Errors name
// the file.
func ReadArrowFile(path string) (*Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	f, err := readArrowFile(fh, st.Size())
	if err != nil {
		return nil, inFile(path, err)
	}
	return f, nil
}

var arrowMagic = []byte("ARROW1")

// readArrowFile checks the file's framing: magic, padding, stream, footer,
// footer length, magic.
func readArrowFile(r io.ReaderAt, size int64) (*Frame, error) {
	const head, tail = 8, 10 // "ARROW1" + 2 padding bytes; int32 footer length + "ARROW1"
	if size < head+tail {
		return nil, fmt.Errorf("dataset: not a readable Arrow IPC file: %d bytes is too short", size)
	}
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf[:6], 0); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if !bytes.Equal(buf[:6], arrowMagic) {
		return nil, fmt.Errorf("dataset: not a readable Arrow IPC file: starts with %q, want magic \"ARROW1\"", buf[:6])
	}
	if _, err := r.ReadAt(buf, size-tail); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if !bytes.Equal(buf[4:], arrowMagic) {
		return nil, fmt.Errorf("dataset: not a readable Arrow IPC file: truncated or corrupt, ends with %q, want magic \"ARROW1\"", buf[4:])
	}
	footer := int64(int32(binary.LittleEndian.Uint32(buf)))
	if footer < 0 || footer > size-head-tail {
		return nil, fmt.Errorf("dataset: not a readable Arrow IPC file: corrupt footer length %d", footer)
	}
	return readArrowStream(io.NewSectionReader(r, head, size-head-tail-footer))
}

// ReadArrowStream reads an Arrow IPC stream (the streaming format: a schema
// message, then dictionary and record batch messages, as written by
// pyarrow.ipc.new_stream or WriteArrowStream) from r to its end-of-stream
// marker or to the end of r. Conversion is as in ReadArrowFile. A stream cut
// inside a message is an error, not a shorter frame.
//
// Each message is checked before the Arrow library decodes it (lengths that
// overrun the message, buffers outside the body), so corrupt input gives an
// error rather than an attempt to allocate what it claims.
func ReadArrowStream(r io.Reader) (*Frame, error) {
	return readArrowStream(r)
}

// sectionLen gives an io.SectionReader the Len method readAvailable uses to
// allocate bodies in one piece.
type sectionLen struct{ *io.SectionReader }

func (s sectionLen) Len() int {
	pos, _ := s.Seek(0, io.SeekCurrent)
	return int(s.Size() - pos)
}

func readArrowStream(r io.Reader) (f *Frame, err error) {
	defer recoverAsError(&err, "arrow reader")
	if sr, ok := r.(*io.SectionReader); ok {
		r = sectionLen{sr}
	}
	msgs := &checkedMessageReader{r: r}
	rdr, err := ipc.NewReaderFromMessageReader(msgs, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, fmt.Errorf("dataset: not a readable Arrow IPC stream: %w", err)
	}
	defer rdr.Release()
	schema := rdr.Schema()
	if err := checkArrowSchema(schema); err != nil {
		return nil, err
	}
	msgs.expect(schema)
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
		return nil, fmt.Errorf("dataset: Arrow stream after %d record batches: %w", len(recs), err)
	}
	return framesFromRecords(schema, recs)
}

// checkArrowSchema rejects types a frame cannot hold before reading data.
func checkArrowSchema(schema *arrow.Schema) error {
	for _, field := range schema.Fields() {
		if _, _, err := arrowType(field.Name, field.Type); err != nil {
			return err
		}
	}
	return nil
}

// framesFromRecords converts record batches of one schema into one frame.
func framesFromRecords(schema *arrow.Schema, recs []arrow.Record) (*Frame, error) {
	cols := make([][]arrow.Array, schema.NumFields())
	n := 0
	for b, rec := range recs {
		if !rec.Schema().Equal(schema) {
			return nil, fmt.Errorf("dataset: Arrow record batch %d has schema %s, want %s", b, rec.Schema(), schema)
		}
		n += int(rec.NumRows())
		for i := range cols {
			if rec.Column(i).Len() != int(rec.NumRows()) {
				return nil, fmt.Errorf("dataset: column %q: record batch %d has %d values for %d rows", schema.Field(i).Name, b, rec.Column(i).Len(), rec.NumRows())
			}
			cols[i] = append(cols[i], rec.Column(i))
		}
	}
	return fromArrowChunks(schema, cols, n)
}

// WriteArrowFile writes the frame as an Arrow IPC file (one record batch,
// types as in Frame.ToArrow) that pyarrow.ipc.open_file and ReadArrowFile read.
func WriteArrowFile(path string, f *Frame) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	if err := writeArrow(fh, f, true); err != nil {
		fh.Close()
		return inFile(path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

// WriteArrowStream writes the frame to w as an Arrow IPC stream of one record
// batch (types as in Frame.ToArrow); w is not closed.
func WriteArrowStream(w io.Writer, f *Frame) error {
	return writeArrow(w, f, false)
}

func writeArrow(w io.Writer, f *Frame, fileFormat bool) (err error) {
	defer recoverAsError(&err, "arrow writer")
	rec, err := f.ToArrow(memory.DefaultAllocator)
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
			return fmt.Errorf("dataset: the Arrow file format needs a seekable writer")
		}
		if wr, err = ipc.NewFileWriter(ws, opts...); err != nil {
			return fmt.Errorf("dataset: Arrow writer: %w", err)
		}
	} else {
		wr = ipc.NewWriter(w, opts...)
	}
	if err := wr.Write(rec); err != nil {
		wr.Close()
		return fmt.Errorf("dataset: writing Arrow: %w", err)
	}
	if err := wr.Close(); err != nil {
		return fmt.Errorf("dataset: writing Arrow: %w", err)
	}
	return nil
}
