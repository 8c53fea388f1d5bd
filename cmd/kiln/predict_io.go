package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// maxRecordBytes bounds one CSV record or JSON line, as the dataset
// readers' defaults do.
const maxRecordBytes = 64 << 20

// parquetBatches reads a Parquet file in batches.
type parquetBatches struct {
	b     *parquet.Batches
	path  string
	done  int64
	empty bool // a file of no rows yields one empty batch, for its columns
}

func openParquet(path string, rows int) (*parquetBatches, error) {
	b, err := parquet.OpenBatches(path, parquet.BatchOptions{Rows: rows})
	if err != nil {
		return nil, err
	}
	return &parquetBatches{b: b, path: path, empty: b.NumRows() == 0}, nil
}

func (r *parquetBatches) next() (*batch, error) {
	if r.empty {
		r.empty = false
		f, err := parquet.ReadFile(r.path, parquet.Options{})
		if err != nil {
			return nil, err
		}
		return &batch{frame: f, where: r.path}, nil
	}
	f, err := r.b.Next()
	if err != nil {
		return nil, err
	}
	b := &batch{frame: f, where: fmt.Sprintf("%s: rows %d-%d", r.path, r.done, r.done+int64(f.NumRows())-1)}
	r.done += int64(f.NumRows())
	return b, nil
}

func (r *parquetBatches) close() error { return r.b.Close() }

// csvBatches cuts CSV text into batches of whole records, each read by
// dataset.ReadCSV behind the header: a newline ends a record only outside
// quotes (an even count of '"' so far, as RFC 4180 doubles quotes inside
// quoted fields). The model's inputs are read as its types, every other
// column as text, so that every batch has the same columns and types.
type csvBatches struct {
	r      *bufio.Reader
	name   string
	header []byte
	types  map[string]dataset.Type
	rows   int
	line   int // lines read so far
	eof    bool
	first  bool
}

func newCSVBatches(in io.Reader, name string, rows int, model map[string]dataset.Type) (*csvBatches, error) {
	c := &csvBatches{r: bufio.NewReaderSize(in, 1<<16), name: name, rows: rows, first: true}
	header, lines, err := c.record()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(bytes.TrimSpace(header)) == 0 {
		return nil, fmt.Errorf("%s: no header row", name)
	}
	c.header, c.line = header, lines
	if header[len(header)-1] != '\n' {
		c.header = append(header, '\n')
	}
	names, err := csv.NewReader(bytes.NewReader(header)).Read()
	if err != nil {
		return nil, fmt.Errorf("%s: the header row: %w", name, err)
	}
	c.types = map[string]dataset.Type{}
	for _, n := range names {
		c.types[n] = dataset.String
		if t, ok := model[n]; ok {
			c.types[n] = t
		}
	}
	for n := range model {
		if _, ok := c.types[n]; !ok {
			return nil, fmt.Errorf("%s: no column %q, which the model reads", name, n)
		}
	}
	return c, nil
}

// record reads one CSV record, with its newline, and the lines it spans.
func (c *csvBatches) record() ([]byte, int, error) {
	var rec []byte
	lines, quotes := 0, 0
	for {
		part, err := c.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil // a long line: keep reading it
		} else if len(part) > 0 {
			lines++
		}
		rec = append(rec, part...)
		quotes += bytes.Count(part, []byte{'"'})
		if len(rec) > maxRecordBytes {
			return nil, lines, fmt.Errorf("%s: line %d: a record longer than %d bytes (a quote never closed?)", c.name, c.line+1, maxRecordBytes)
		}
		if err != nil {
			return rec, lines, err
		}
		if rec[len(rec)-1] == '\n' && quotes%2 == 0 {
			return rec, lines, nil
		}
	}
}

func (c *csvBatches) next() (*batch, error) {
	if c.eof {
		return nil, io.EOF
	}
	buf := bytes.NewBuffer(append([]byte(nil), c.header...))
	firstLine := c.line + 1
	n := 0
	for n < c.rows {
		rec, lines, err := c.record()
		if len(bytes.TrimSpace(rec)) > 0 {
			buf.Write(rec)
			n++
		}
		c.line += lines
		if errors.Is(err, io.EOF) {
			c.eof = true
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if n == 0 && !c.first {
		return nil, io.EOF
	}
	c.first = false
	f, err := dataset.ReadCSV(buf, dataset.CSVOptions{Types: c.types})
	if err != nil {
		var pe *dataset.ParseError
		if errors.As(err, &pe) { // lines of the batch -> lines of the input
			pe.File, pe.Line = c.name, pe.Line+firstLine-2
			return nil, pe
		}
		return nil, fmt.Errorf("%s: lines %d-%d: %w", c.name, firstLine, c.line, err)
	}
	return &batch{frame: f, where: fmt.Sprintf("%s: lines %d-%d", c.name, firstLine, c.line)}, nil
}

// jsonlBatches reads JSON Lines a batch at a time; a batch also ends when
// the input has nothing more ready, so that a stream is answered as it
// comes. With fixed, the columns and types of the first batch are required
// of every later one (CSV and Parquet output need them).
type jsonlBatches struct {
	r     *bufio.Reader
	name  string
	rows  int
	types map[string]dataset.Type
	fixed bool
	names []string // of the first batch, with fixed
	line  int
	eof   bool
}

func newJSONLBatches(in io.Reader, name string, rows int, model map[string]dataset.Type, fixed bool) *jsonlBatches {
	types := make(map[string]dataset.Type, len(model))
	for k, v := range model {
		types[k] = v
	}
	return &jsonlBatches{r: bufio.NewReaderSize(in, 1<<16), name: name, rows: rows, types: types, fixed: fixed}
}

func (j *jsonlBatches) next() (*batch, error) {
	var lines [][]byte
	first := j.line + 1
	for !j.eof && len(lines) < j.rows {
		l, err := j.r.ReadBytes('\n')
		if len(l) > 0 {
			j.line++
		}
		if t := bytes.TrimSpace(l); len(t) > 0 {
			if t[0] != '{' || t[len(t)-1] != '}' {
				return nil, fmt.Errorf("%s: line %d: not a JSON object", j.name, j.line)
			}
			if len(t) > maxRecordBytes {
				return nil, fmt.Errorf("%s: line %d: longer than %d bytes", j.name, j.line, maxRecordBytes)
			}
			lines = append(lines, t)
		} else if len(lines) == 0 {
			first = j.line + 1
		}
		if errors.Is(err, io.EOF) {
			j.eof = true
		} else if err != nil {
			return nil, err
		}
		if len(lines) > 0 && j.r.Buffered() == 0 { // nothing more ready: answer what came
			break
		}
	}
	if len(lines) == 0 {
		return nil, io.EOF
	}
	where := fmt.Sprintf("%s: lines %d-%d", j.name, first, j.line)
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	f, err := dataset.ReadJSONL(&buf, dataset.JSONLOptions{Types: j.types})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if j.fixed {
		if j.names == nil {
			j.names = f.Names()
			for _, c := range f.Columns() {
				j.types[c.Name()] = c.Type()
			}
		} else if got := f.Names(); !equalStrings(got, j.names) {
			return nil, fmt.Errorf("%s: the keys %v differ from the first lines' %v; CSV and Parquet output need the same columns throughout", where, got, j.names)
		}
	}
	return &batch{frame: f, lines: lines, where: where}, nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// csvWriter writes scored batches as CSV, the header once.
type csvWriter struct {
	w       *bufio.Writer
	version string
	started bool
}

func (c *csvWriter) write(b *batch, added []*dataset.Column) error {
	f, err := scored(b.frame, added, c.version)
	if err != nil {
		return err
	}
	err = dataset.WriteCSV(c.w, f, dataset.CSVOptions{NoHeader: c.started})
	c.started = true
	return err
}

func (c *csvWriter) close() error { return nil }

// parquetWriter writes scored batches as the row groups of a Parquet file.
type parquetWriter struct {
	w       *parquet.Writer
	version string
}

func newParquetWriter(w io.Writer, version string) *parquetWriter {
	return &parquetWriter{w: parquet.NewWriter(w, parquet.WriteOptions{}), version: version}
}

func (p *parquetWriter) write(b *batch, added []*dataset.Column) error {
	f, err := scored(b.frame, added, p.version)
	if err != nil {
		return err
	}
	return p.w.Write(f)
}

func (p *parquetWriter) close() error { return p.w.Close() }

// jsonlWriter writes scored batches as JSON Lines: an input line with the
// prediction and version added before its closing brace, or a row of
// another format as an object of its columns.
type jsonlWriter struct {
	w       *bufio.Writer
	version string
	flush   bool // after every batch, for streams
	buf     []byte
}

func (j *jsonlWriter) write(b *batch, added []*dataset.Column) error {
	keys := make([][]byte, len(added))
	for k, c := range added {
		keys[k] = appendJSONString(nil, c.Name())
	}
	version := appendJSONString(nil, j.version)
	for i := 0; i < b.frame.NumRows(); i++ {
		out := j.buf[:0]
		if b.lines != nil {
			l := b.lines[i]
			out = append(out, l[:len(l)-1]...)
			if len(bytes.TrimSpace(l[1:len(l)-1])) > 0 {
				out = append(out, ',')
			}
		} else {
			out = append(out, '{')
			for _, c := range b.frame.Columns() {
				out = appendJSONString(out, c.Name())
				out = append(out, ':')
				out = appendJSONCell(out, c, i)
				out = append(out, ',')
			}
		}
		for k, c := range added {
			out = append(out, keys[k]...)
			out = append(out, ':')
			out = appendJSONCell(out, c, i)
			out = append(out, ',')
		}
		out = append(out, `"`+versionColumn+`":`...)
		out = append(out, version...)
		out = append(out, "}\n"...)
		j.buf = out
		if _, err := j.w.Write(out); err != nil {
			return err
		}
	}
	if j.flush {
		return j.w.Flush()
	}
	return nil
}

func (j *jsonlWriter) close() error { return nil }

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // escapes as JSON requires; invalid UTF-8 becomes U+FFFD
	return append(b, q...)
}

// appendJSONCell appends row i of a column as a JSON value: null for a null
// and for a float JSON cannot hold (NaN, infinities).
func appendJSONCell(b []byte, c *dataset.Column, i int) []byte {
	if c.IsNull(i) {
		return append(b, "null"...)
	}
	switch c.Type() {
	case dataset.Float64:
		v := c.Float64s()[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case dataset.Int64:
		return strconv.AppendInt(b, c.Int64s()[i], 10)
	case dataset.Bool:
		return strconv.AppendBool(b, c.Bools()[i])
	}
	return appendJSONString(b, c.Format(i)) // strings; timestamps in RFC 3339
}
