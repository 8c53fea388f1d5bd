package dataset

import (
	"context"
	"fmt"
	"github.com/kiln-ml/kiln"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ReadCSV reads delimited text with a header row (unless opts.NoHeader) into
// a Frame. See ReadCSVFile for the format and the rules it follows; errors
// name the input "<input>".
//
// If r is an io.Seeker it is read where it stands and may be read twice (see
// ReadCSVFile); any other reader is first read into memory, compressed as it
// comes, so that it can be re-read.
func ReadCSV(r io.Reader, opts CSVOptions) (*Frame, error) {
	return ReadCSVContext(context.Background(), r, opts)
}

// ReadCSVContext is ReadCSV that stops early, returning ctx.Err(), when ctx
// is cancelled.
func ReadCSVContext(ctx context.Context, r io.Reader, opts CSVOptions) (*Frame, error) {
	src, err := newReaderSource(r)
	if err != nil {
		return nil, &ParseError{File: "<input>", Msg: "read error: " + err.Error()}
	}
	return readCSV(ctx, "<input>", src, opts)
}

// ReadCSVFile reads a CSV file (gzip-compressed or not: detected from the
// content, not the name) into a Frame.
//
// Format: RFC 4180. Fields are separated by opts.Delimiter, records by "\n" or
// "\r\n"; a quoted field may hold delimiters, newlines and doubled quotes. A
// UTF-8 byte order mark is skipped. Text must be UTF-8 without NUL bytes.
// Blank lines are skipped, except in a one-column file where a blank line is
// a null. An empty header name becomes "Unnamed: i" (0-based, as pandas does);
// duplicate names are an error. A header without data rows gives a frame of
// zero rows whose columns are String (nothing to infer from) unless forced.
//
// Nulls: an unquoted field equal to one of opts.NullTokens (default
// DefaultNullTokens, including the empty field) is null; a quoted field never
// is, so `""` is the empty string. WriteCSV follows the same rule, so
// Frame -> CSV -> Frame keeps nulls and empty strings apart.
//
// Types: unless forced by opts.Types, each column's type is inferred from
// every value (not a sample): int64 if all values are integers, float64 if
// they are all numbers, bool for true/false (any case as True, TRUE), timestamp
// for ISO 8601 / RFC 3339 dates and date-times (UTC when no zone is given),
// else string. Nulls do not widen a type: an integer column with missing
// values stays int64 with a null mask. Integers beyond int64 make a float64
// column. A column with no value at all is a String column of nulls. String
// columns follow the dictionary rule of DictMaxLevels.
//
// Speed and memory: the text is read in chunks of whole records that all
// cores parse (opts.Workers) and that are joined in file order, so the result
// does not depend on the number of workers. Each chunk infers its own types;
// when a later chunk holds text in a column that earlier chunks held as
// numbers (for example "n/a" in an integer column), the input is read a
// second time with that column read as text, since the earlier text is no
// longer in memory. Memory is the frame itself plus a few chunks per worker:
// about 8 bytes per numeric cell, 4 per dictionary cell, 16 plus the text per
// plain string cell and 1 per cell of a column with nulls.
//
// Errors are *ParseError values of the form "file:line:column: column "name":
// message".
func ReadCSVFile(path string, opts CSVOptions) (*Frame, error) {
	return ReadCSVFileContext(context.Background(), path, opts)
}

// ReadCSVFileContext is ReadCSVFile that stops early, returning ctx.Err(),
// when ctx is cancelled.
func ReadCSVFileContext(ctx context.Context, path string, opts CSVOptions) (*Frame, error) {
	return readCSV(ctx, path, fileSource(path), opts)
}

func readCSV(ctx context.Context, file string, src source, opts CSVOptions) (*Frame, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	forced := maps.Clone(opts.Types)
	for range 64 { // each pass re-reads at least one more column as text
		f, conflicts, err := readCSVPass(ctx, file, src, &opts, forced)
		if err != nil || len(conflicts) == 0 {
			return f, err
		}
		if forced == nil {
			forced = make(map[string]Type)
		}
		for _, name := range conflicts {
			forced[name] = String
		}
	}
	return nil, &ParseError{File: file, Msg: "types keep changing between passes"}
}

// csvHeader resolves the column names, the projection and the forced types.
type csvHeader struct {
	fileNames []string // one per field of the file
	names     []string // output columns
	keep      []int    // field -> output column or -1
	forced    []Type
}

func makeHeader(file string, fields []string, opts *CSVOptions, forced map[string]Type) (*csvHeader, error) {
	h := &csvHeader{fileNames: make([]string, len(fields))}
	seen := make(map[string]int, len(fields))
	for i, f := range fields {
		name := f
		if opts.NoHeader {
			name = "column" + strconv.Itoa(i+1)
		} else if name == "" {
			name = "Unnamed: " + strconv.Itoa(i)
		}
		if j, dup := seen[name]; dup {
			return nil, &ParseError{File: file, Line: 1, ColumnName: name,
				Msg: fmt.Sprintf("duplicate header name (fields %d and %d)", j+1, i+1)}
		}
		seen[name] = i
		h.fileNames[i] = name
	}
	h.keep = make([]int, len(fields))
	if len(opts.Columns) == 0 {
		for i := range h.keep {
			h.keep[i] = i
		}
		h.names = h.fileNames
	} else {
		for i := range h.keep {
			h.keep[i] = -1
		}
		for k, name := range opts.Columns {
			i, ok := seen[name]
			if !ok {
				return nil, &ParseError{File: file, Line: 1, ColumnName: name,
					Msg: "selected column not in the file (have " + strings.Join(h.fileNames, ", ") + ")"}
			}
			if h.keep[i] >= 0 {
				return nil, &ParseError{File: file, ColumnName: name, Msg: "selected twice in Columns"}
			}
			h.keep[i] = k
			h.names = append(h.names, name)
		}
	}
	h.forced = make([]Type, len(h.names))
	for _, name := range slices.Sorted(maps.Keys(forced)) {
		if _, ok := seen[name]; !ok {
			return nil, &ParseError{File: file, ColumnName: name,
				Msg: "type given in Types for a column not in the file (have " + strings.Join(h.fileNames, ", ") + ")"}
		}
		if k := slices.Index(h.names, name); k >= 0 {
			h.forced[k] = forced[name]
		}
	}
	return h, nil
}

// readCSVPass reads the input once. It returns the names of the columns
// whose chunks disagreed in a way that needs another pass.
func readCSVPass(parent context.Context, file string, src source, opts *CSVOptions, forced map[string]Type) (*Frame, []string, error) {
	raw, size, closeSrc, err := src.open()
	if err != nil {
		return nil, nil, &ParseError{File: file, Msg: err.Error()}
	}
	defer closeSrc()
	r, size, err := decompress(raw, size)
	if err != nil {
		return nil, nil, &ParseError{File: file, Msg: err.Error()}
	}
	cr := &chunkReader{r: r, file: file, line: 1, maxRecord: opts.maxRecordBytes(), free: make(chan []byte, 64), size: size}
	rec, ok, err := cr.header(!opts.NoHeader)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, &ParseError{File: file, Line: 1, Msg: "empty input: no header and no data"}
	}
	fields, _, terr := firstRecord(rec, opts.delimiter())
	if terr != nil {
		return nil, nil, chunkError(file, &chunk{data: rec, line: 1}, terr.off, -1, nil, terr.msg)
	}
	h, err := makeHeader(file, fields, opts, forced)
	if err != nil {
		return nil, nil, err
	}

	builders := make([]*columnBuilder, len(h.names))
	for k, name := range h.names {
		builders[k] = newColumnBuilder(name)
		builders[k].forced = h.forced[k]
	}
	var done int64 // text bytes assembled, for opts.Progress
	newParser := func() func(*chunk, *chunkResult) {
		w := &csvWorker{file: file, names: h.names, forced: h.forced, nulls: newNullSet(opts.NullTokens),
			tok: newTokenizer(opts.delimiter(), len(h.fileNames), h.keep, len(h.names))}
		return w.parse
	}
	newResult := func() *chunkResult { return &chunkResult{cols: make([]chunkColumn, len(h.names))} }
	join := func(r *chunkResult) error {
		if r.err != nil {
			return r.err
		}
		if r.index == 0 && size > 0 && r.bytes > 0 {
			hint := int(float64(r.rows)*float64(size)/float64(r.bytes)*1.05) + 1024
			for _, b := range builders {
				b.capHint = hint
			}
		}
		for k, b := range builders {
			b.add(&r.cols[k], r.rows)
		}
		done += int64(r.bytes)
		if opts.Progress != nil {
			opts.Progress(kiln.Progress{Stage: "read", Done: done, Total: max(size, 0)})
		}
		return nil
	}
	err = readChunks(parent, cr, opts.workers(), newParser, newResult, func(r *chunkResult) int { return r.index }, join)
	if err != nil {
		return nil, nil, err
	}
	var conflicts []string
	cols := make([]*Column, len(builders))
	for k, b := range builders {
		if b.conflict {
			conflicts = append(conflicts, b.name)
			continue
		}
		cols[k] = b.column()
	}
	if len(conflicts) > 0 {
		return nil, conflicts, nil
	}
	f, err := New(cols...)
	if err != nil {
		return nil, nil, &ParseError{File: file, Msg: err.Error()}
	}
	return f, nil, nil
}
