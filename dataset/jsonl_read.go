package dataset

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
)

// JSONLOptions configures ReadJSONL. The zero value infers every type.
type JSONLOptions struct {
	// Types forces the type of the named keys (see ReadJSONL for what each
	// type accepts). A value that does not fit is an error naming the line.
	Types map[string]Type

	// MaxLineBytes bounds one line; 0 means 64 MiB.
	MaxLineBytes int

	// Workers is the number of goroutines parsing chunks of lines; 0 means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
}

// ReadJSONL reads JSON Lines (one JSON object per line, gzip-compressed or not,
// detected from the content) into a Frame. Errors name the input "<input>".
// See ReadJSONLFile.
func ReadJSONL(r io.Reader, opts JSONLOptions) (*Frame, error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok { // bytes.Buffer, bytes.Reader, strings.Reader
		size = int64(l.Len())
	}
	return readJSONL("<input>", r, size, opts, 0)
}

// ReadJSONLFile reads a JSON Lines file into a Frame.
//
// Columns are the objects' keys in order of first appearance; a key missing
// from a line, or null, is a null cell. A key may not appear twice in an
// object, nor be "". Blank lines are skipped; an input without objects gives
// an empty frame. Types are inferred over all lines: JSON numbers give int64
// when every number of the key is an integer that fits, else float64 (where
// the integers become their float64 value, as in ReadCSVFile); true/false give bool; strings give timestamp when every
// one is an ISO 8601 / RFC 3339 date or date-time, else string (dictionary-
// encoded by the rule of DictMaxLevels); nested objects and arrays are kept as
// their JSON text in a string column. A key whose values are of different JSON
// kinds (a number in one line, a string in another) is an error naming the
// line. Forced types: Int64 and Float64 take numbers, Bool takes booleans,
// Timestamp takes date strings, String takes anything (non-strings as their
// JSON text).
//
// Speed and memory: as ReadCSVFile, the text is read in chunks of whole lines
// that all cores parse (opts.Workers) and that are joined in file order, so
// the result does not depend on the number of workers; memory is the frame
// plus a few chunks per worker. Each line is scanned once, by a scanner that
// accepts exactly the JSON that encoding/json accepts and reports errors with
// its messages.
//
// Errors are *ParseError values naming the file, line, column (in
// characters) and key, as "file:line:column: column "key": message".
func ReadJSONLFile(path string, opts JSONLOptions) (*Frame, error) {
	r, size, closeFile, err := fileSource(path).open()
	if err != nil {
		return nil, &ParseError{File: path, Msg: err.Error()}
	}
	defer closeFile()
	return readJSONL(path, r, size, opts, 0)
}

// lastLineEnd returns the offset just past the last newline of b, or -1.
func lastLineEnd(b []byte) int {
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		return -1
	}
	return i + 1
}

// readJSONL reads size bytes (-1: unknown) of r in chunks of chunkBytes
// (0: chunkSize), parsed by opts.Workers goroutines and joined in order.
func readJSONL(file string, r io.Reader, size int64, opts JSONLOptions, chunkBytes int) (*Frame, error) {
	for name, t := range opts.Types {
		if t < Float64 || t > Timestamp {
			return nil, fmt.Errorf("dataset: column %q: invalid forced type %v", name, t)
		}
	}
	maxLine := opts.MaxLineBytes
	if maxLine <= 0 {
		maxLine = defaultMaxRecordBytes
	}
	dr, size, err := decompress(r, size)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error()}
	}
	cr := &chunkReader{r: dr, file: file, line: 1, maxRecord: maxLine, size: size,
		chunkBytes: chunkBytes, lastEnd: lastLineEnd,
		tooLong: func(line int) error {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("line longer than %d bytes", maxLine)}
		}}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	a := &jsonlAssembler{file: file, forced: opts.Types, index: make(map[string]int), size: size}
	newWorker := func() *jsonlWorker { return &jsonlWorker{file: file, forced: opts.Types, maxLine: maxLine} }

	per := int64(chunkBytes)
	if per <= 0 {
		per = chunkSize
	}
	if size >= 0 && size < per {
		// One chunk (a service's request, a small file): read, parse and
		// join it on this goroutine.
		chunks := make(chan *chunk, 1)
		_, producerErr := cr.run(context.Background(), chunks, make(chan struct{}, 1))
		close(chunks)
		for c := range chunks {
			res := &jsonlChunk{}
			newWorker().parse(c, res)
			if err := a.add(res); err != nil {
				return nil, err
			}
		}
		if producerErr != nil {
			return nil, producerErr
		}
		return a.frame()
	}

	cr.free = make(chan []byte, 64)
	newParser := func() func(*chunk, *jsonlChunk) { return newWorker().parse }
	newResult := func() *jsonlChunk { return &jsonlChunk{} }
	err = readChunks(context.Background(), cr, workers, newParser, newResult, func(r *jsonlChunk) int { return r.index }, a.add)
	if err != nil {
		return nil, err
	}
	return a.frame()
}

// jsonlAssembler joins the chunks, in order, into the frame's columns.
type jsonlAssembler struct {
	file     string
	forced   map[string]Type
	size     int64 // text bytes, -1 when unknown
	builders []*columnBuilder
	index    map[string]int
	kinds    []jsonKind // kind of each column's first value, kindNone while all null
	lines    []int      // line of that first value
	present  []bool     // scratch: columns of the current chunk
	rows     int
	capHint  int
}

// add joins one chunk, or returns the first error of the input if it is in
// this chunk: the chunk's own, or a column whose first value in the chunk is
// of another kind than the column's first value in earlier chunks.
func (a *jsonlAssembler) add(ch *jsonlChunk) error {
	cols := ch.cols[:ch.used]
	first, firstOff := ch.err, -1
	if first != nil {
		firstOff = first.off
	}
	for k, c := range cols {
		g, ok := a.index[c.name]
		if ok && c.forced == 0 && c.kind != kindNone && a.kinds[g] != kindNone && !sameKind(a.kinds[g], c.kind) &&
			(first == nil || c.first.off <= firstOff) {
			first = &jsonlError{off: c.first.off, conflict: true, kind: c.kind, col: k,
				err: &ParseError{File: a.file, Line: c.first.line, Column: c.first.col, ColumnName: c.name}}
			firstOff = c.first.off
		}
	}
	if first != nil {
		if first.conflict {
			c := cols[first.col]
			kind, line := c.kind, c.first.line
			if g, ok := a.index[c.name]; ok && a.kinds[g] != kindNone {
				kind, line = a.kinds[g], a.lines[g]
			}
			first.err.Msg = fmt.Sprintf("%s value in a column of %s values (first on line %d)", first.kind, kind, line)
		}
		return first.err
	}
	if a.capHint == 0 && a.size > 0 && ch.bytes > 0 {
		a.capHint = int(float64(ch.rows)*float64(a.size)/float64(ch.bytes)*1.05) + 16
		for _, b := range a.builders {
			b.capHint = a.capHint
		}
	}
	a.present = append(a.present[:0], make([]bool, len(a.builders))...)
	for _, c := range cols {
		g, ok := a.index[c.name]
		if !ok { // a new key: null in every earlier row
			g = len(a.builders)
			a.index[c.name] = g
			b := newColumnBuilder(c.name)
			b.forced, b.inferTimes, b.capHint = c.forced, c.forced == 0, a.capHint
			if a.rows > 0 {
				b.add(&chunkColumn{}, a.rows)
			}
			a.builders = append(a.builders, b)
			a.kinds = append(a.kinds, kindNone)
			a.lines = append(a.lines, 0)
			a.present = append(a.present, false)
		}
		if a.kinds[g] == kindNone && c.kind != kindNone {
			a.kinds[g], a.lines[g] = c.kind, c.first.line
		}
		a.present[g] = true
		a.builders[g].add(&c.chunkColumn, ch.rows)
	}
	for g, b := range a.builders {
		if !a.present[g] {
			b.add(&chunkColumn{}, ch.rows)
		}
	}
	a.rows += ch.rows
	return nil
}

func (a *jsonlAssembler) frame() (*Frame, error) {
	cols := make([]*Column, len(a.builders))
	for i, b := range a.builders {
		cols[i] = b.column()
	}
	f, err := New(cols...)
	if err != nil {
		return nil, &ParseError{File: a.file, Msg: err.Error()}
	}
	return f, nil
}
