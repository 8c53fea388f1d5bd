package beam

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// Reading and writing rows.
//
// The readers match a glob on any Beam filesystem and read each file on a
// worker with kiln's own readers, not Beam's textio: a CSV record may span
// lines (a quoted field holding a newline), which a line-splitting source
// would cut; each file's header must reach every batch of its records; and
// dead letters can then name the file and line of each bad record. The files
// are spread over the workers, each read by one of them, so split a large
// input into several files (as Beam's and Spark's writers leave it) for
// parallel reading.

// ReadOptions tune the readers.
type ReadOptions struct {
	// BatchRows is the most rows in one Rows element (0: 65,536).
	BatchRows int
	// MaxRecordBytes bounds one CSV record or JSON line (0: 64 MiB); a longer
	// one (an unclosed quote, say) is a dead letter holding its first 4 KiB.
	MaxRecordBytes int
}

// ReadParquet reads the Parquet files that glob matches into batches of rows
// (Rows with frames), with kiln's Parquet reader (dataset/parquet), one file
// at a time in memory. A file that is not readable Parquet is one dead letter
// (Row -1) with the reason; an I/O error fails the bundle, for the runner to
// retry.
func ReadParquet(s beam.Scope, glob string, opts ReadOptions) (rows, dead beam.PCollection) {
	return readFiles(s.Scope("kiln.ReadParquet"), glob, "parquet", opts)
}

// ReadCSV reads the CSV files that glob matches (RFC 4180, comma-separated,
// with a header row; gzip-compressed or not, told by the content) into
// batches of records, which Score parses with the model's input types.
func ReadCSV(s beam.Scope, glob string, opts ReadOptions) (rows, dead beam.PCollection) {
	return readFiles(s.Scope("kiln.ReadCSV"), glob, "csv", opts)
}

// ReadJSONL reads the JSON Lines files that glob matches (one object per
// line, blank lines skipped; gzip-compressed or not, told by the content)
// into batches of records, which Score parses with the model's input types.
func ReadJSONL(s beam.Scope, glob string, opts ReadOptions) (rows, dead beam.PCollection) {
	return readFiles(s.Scope("kiln.ReadJSONL"), glob, "jsonl", opts)
}

func readFiles(s beam.Scope, glob, format string, opts ReadOptions) (rows, dead beam.PCollection) {
	files := fileio.ReadMatches(s, fileio.MatchFiles(s, glob, fileio.MatchEmptyDisallow()), fileio.ReadUncompressed())
	files = beam.Reshuffle(s, files) // the matches come from one element: spread them
	fn := &readFileFn{Format: format, BatchRows: opts.BatchRows, MaxRecordBytes: opts.MaxRecordBytes}
	return beam.ParDo2(s, fn, files)
}

func init() {
	register.DoFn4x1[context.Context, fileio.ReadableFile, func(Rows), func(DeadLetter), error](&readFileFn{})
	register.DoFn3x1[context.Context, Rows, func(string), error](&writeFileFn{})
	register.Function1x2(deadLetterJSON)
	register.Emitter1[string]()
}

type readFileFn struct {
	Format         string
	BatchRows      int
	MaxRecordBytes int
}

func (f *readFileFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(Rows), dead func(DeadLetter)) error {
	name := file.Metadata.Path
	batch := f.BatchRows
	if batch <= 0 {
		batch = defaultBatchRows
	}
	if f.Format == "parquet" {
		data, err := file.Read(ctx)
		if err != nil {
			return fmt.Errorf("kiln/beam: reading %s: %w", name, err)
		}
		return readParquetBatches(name, data, batch, emit, dead)
	}
	rc, err := file.Open(ctx)
	if err != nil {
		return fmt.Errorf("kiln/beam: reading %s: %w", name, err)
	}
	defer rc.Close()
	in, err := decompress(rc)
	if err != nil {
		dead(DeadLetter{Source: name, Row: -1, Reason: err.Error()})
		return nil
	}
	rr := &recordReader{r: bufio.NewReaderSize(in, 1<<20), csv: f.Format == "csv", max: f.MaxRecordBytes}
	if rr.max <= 0 {
		rr.max = 64 << 20
	}
	out := Rows{Source: name, Format: f.Format}
	if rr.csv {
		h, err := rr.next()
		if err == io.EOF {
			return nil // an empty file: no rows
		}
		if err != nil {
			return readError(name, err, dead)
		}
		if h.tooLong {
			dead(DeadLetter{Source: name, Row: -1, Line: h.line, Record: h.text, Reason: fmt.Sprintf("the header is longer than %d bytes", rr.max)})
			return nil
		}
		out.Header = h.text
		rr.fields = countFields(h.text)
	}
	var row int64
	size := 0
	flush := func() {
		if len(out.Records) > 0 {
			emit(out)
			out = Rows{Source: name, Format: out.Format, Header: out.Header, First: row}
			size = 0
		}
	}
	for {
		r, err := rr.next()
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			flush()
			return readError(name, err, dead)
		}
		if r.tooLong {
			flush() // a batch's records are consecutive rows
			dead(DeadLetter{Source: name, Row: row, Line: r.line, Record: r.text,
				Reason: fmt.Sprintf("record longer than %d bytes (an unclosed quote?); its first 4 KiB are kept", rr.max)})
			row++
			out.First = row
			continue
		}
		out.Records = append(out.Records, r.text)
		out.Lines = append(out.Lines, r.line)
		size += len(r.text)
		row++
		if len(out.Records) >= batch || size >= 64<<20 {
			flush()
		}
	}
}

// readParquetBatches decodes a Parquet file's bytes a batch of rows at a
// time, so that only the file and one batch are in memory. A file that is
// not Parquet, or whose pages turn out corrupt after some batches, is a dead
// letter (Row -1) for the rows not yet emitted.
func readParquetBatches(name string, data []byte, batch int, emit func(Rows), dead func(DeadLetter)) error {
	b, err := parquet.NewBatches(bytes.NewReader(data), int64(len(data)), parquet.BatchOptions{Rows: batch})
	if err != nil {
		dead(DeadLetter{Source: name, Row: -1, Reason: err.Error()})
		return nil
	}
	defer b.Close()
	var first int64
	for {
		fr, err := b.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			dead(DeadLetter{Source: name, Row: -1, Reason: fmt.Sprintf("rows from %d on are unreadable: %v", first, err)})
			return nil
		}
		emit(Rows{Source: name, First: first, Frame: fr})
		first += int64(fr.NumRows())
	}
}

// readError: a failing read after some records is an I/O error for the
// runner to retry, unless it is the content (bad gzip data), which is a dead
// letter for the rest of the file.
func readError(name string, err error, dead func(DeadLetter)) error {
	var corrupt flate.CorruptInputError
	if errors.As(err, &corrupt) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
		dead(DeadLetter{Source: name, Row: -1, Reason: "the rest of the file is unreadable: " + err.Error()})
		return nil
	}
	return fmt.Errorf("kiln/beam: reading %s: %w", name, err)
}

// decompress unwraps gzip data, told by its magic bytes.
func decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}

// record is one CSV record or JSON line and the line it starts on.
type record struct {
	text    string
	line    int64
	tooLong bool // text holds only the record's first 4 KiB
}

// recordReader splits a file into records: JSON Lines at newlines, CSV at
// newlines outside quoted fields, following RFC 4180 as package dataset's
// reader does (a quote opens a quoted field only at the start of a field).
type recordReader struct {
	r      *bufio.Reader
	csv    bool
	fields int // CSV: fields of the header; a blank line is a record only when it is 1
	max    int
	line   int64 // lines read so far
	buf    []byte
}

func (rr *recordReader) next() (record, error) {
	for {
		rec, err := rr.read()
		if err != nil {
			return rec, err
		}
		if !rr.csv && len(bytes.TrimSpace([]byte(rec.text))) == 0 && !rec.tooLong {
			continue // JSON Lines skips blank lines
		}
		if rr.csv && rec.text == "" && rr.fields != 1 {
			continue // so does CSV, unless its one field may be empty
		}
		return rec, nil
	}
}

// CSV scanner states.
const (
	fieldStart = iota
	unquoted
	quoted
	quoteInQuoted // a quote inside a quoted field: its end, or the first of a pair
)

func (rr *recordReader) read() (record, error) {
	rr.buf = rr.buf[:0]
	start := rr.line + 1
	state := fieldStart
	tooLong := false
	for {
		chunk, err := rr.r.ReadSlice('\n')
		if len(chunk) == 0 && err == io.EOF {
			if len(rr.buf) == 0 && !tooLong {
				return record{}, io.EOF
			}
			break // a last record without a newline
		}
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return record{}, err
		}
		if rr.csv {
			for _, c := range chunk {
				switch state {
				case fieldStart:
					switch c {
					case '"':
						state = quoted
					case ',':
					case '\n':
					default:
						state = unquoted
					}
				case unquoted:
					if c == ',' {
						state = fieldStart
					}
				case quoted:
					if c == '"' {
						state = quoteInQuoted
					}
				case quoteInQuoted:
					switch c {
					case '"':
						state = quoted
					case ',':
						state = fieldStart
					default:
						state = unquoted
					}
				}
			}
		}
		if !tooLong {
			if len(rr.buf)+len(chunk) > rr.max {
				tooLong = true
				rr.buf = append(rr.buf, chunk...)
				rr.buf = rr.buf[:min(len(rr.buf), 4096)]
			} else {
				rr.buf = append(rr.buf, chunk...)
			}
		}
		ended := len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		if ended {
			rr.line++
			if !rr.csv || state != quoted {
				break
			}
			// A newline inside a quoted field: the record goes on.
			continue
		}
		if err == io.EOF {
			break
		}
	}
	text := rr.buf
	if !tooLong {
		text = bytes.TrimSuffix(text, []byte("\n"))
		text = bytes.TrimSuffix(text, []byte("\r"))
	}
	return record{text: string(text), line: start, tooLong: tooLong}, nil
}

// countFields counts the fields of a CSV record.
func countFields(rec string) int {
	n, inQuotes := 1, false
	for i := 0; i < len(rec); i++ {
		switch c := rec[i]; {
		case c == '"':
			inQuotes = !inQuotes
		case c == ',' && !inQuotes:
			n++
		}
	}
	return n
}

// WriteParquet writes each batch of rows (Score's output) to a Parquet file
// of its own, named PREFIX-SOURCE-FIRST.parquet, where SOURCE is a hash of the
// batch's source and FIRST its first row: a retried bundle rewrites the same
// files. It returns the names of the files written.
func WriteParquet(s beam.Scope, prefix string, rows beam.PCollection) beam.PCollection {
	return beam.ParDo(s.Scope("kiln.WriteParquet"), &writeFileFn{Prefix: prefix, Format: "parquet"}, rows)
}

// WriteCSV writes each batch of rows to a CSV file of its own (header row,
// dataset.WriteCSV's format, which dataset.ReadCSV reads back unchanged),
// named as WriteParquet names them. It returns the names of the files.
func WriteCSV(s beam.Scope, prefix string, rows beam.PCollection) beam.PCollection {
	return beam.ParDo(s.Scope("kiln.WriteCSV"), &writeFileFn{Prefix: prefix, Format: "csv"}, rows)
}

// WriteJSONL writes each batch of rows to a JSON Lines file of its own, one
// object per row with the columns in order: numbers in the shortest form that
// parses back to the same float64, timestamps in RFC 3339 (UTC), nulls and
// non-finite floats as null. Files are named as WriteParquet names them; it
// returns their names.
func WriteJSONL(s beam.Scope, prefix string, rows beam.PCollection) beam.PCollection {
	return beam.ParDo(s.Scope("kiln.WriteJSONL"), &writeFileFn{Prefix: prefix, Format: "jsonl"}, rows)
}

// WriteDeadLetters writes dead letters to one JSON Lines file (through Beam's
// textio), one object per row: source, row, line, record and reason. No file
// is written when there are none.
func WriteDeadLetters(s beam.Scope, filename string, dead beam.PCollection) {
	s = s.Scope("kiln.WriteDeadLetters")
	textio.Write(s, filename, beam.ParDo(s, deadLetterJSON, dead))
}

func deadLetterJSON(d DeadLetter) (string, error) {
	b, err := json.Marshal(d)
	return string(b), err
}

type writeFileFn struct {
	Prefix, Format string
}

// shardName names the file of a batch.
func shardName(prefix, source string, first int64, format string) string {
	h := fnv.New64a()
	h.Write([]byte(source))
	return fmt.Sprintf("%s-%016x-%09d.%s", prefix, h.Sum64(), first, format)
}

func (f *writeFileFn) ProcessElement(ctx context.Context, r Rows, emit func(string)) (err error) {
	if r.Frame == nil {
		return fmt.Errorf("kiln/beam: writing %s rows from %d: the writers take frames (Score's output), not text records", r.Source, r.First)
	}
	name := shardName(f.Prefix, r.Source, r.First, f.Format)
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, name)
	if err != nil {
		return fmt.Errorf("kiln/beam: writing %s: %w", name, err)
	}
	defer func() {
		if cerr := w.Close(); err == nil && cerr != nil { // closing commits the file
			err = fmt.Errorf("kiln/beam: writing %s: %w", name, cerr)
		}
	}()
	switch f.Format {
	case "parquet":
		err = parquet.Write(w, r.Frame, parquet.WriteOptions{})
	case "csv":
		err = dataset.WriteCSV(w, r.Frame, dataset.CSVOptions{})
	case "jsonl":
		bw := bufio.NewWriterSize(w, 1<<20)
		var line []byte
		for i := range r.Frame.NumRows() {
			line = append(appendJSONRow(line[:0], r.Frame, i), '\n')
			if _, err = bw.Write(line); err != nil {
				break
			}
		}
		if err == nil {
			err = bw.Flush()
		}
	default:
		err = fmt.Errorf("unknown format %q", f.Format)
	}
	if err != nil {
		return fmt.Errorf("kiln/beam: writing %s: %w", name, err)
	}
	emit(name)
	return nil
}

// appendJSONRow appends row i of f as a JSON object.
func appendJSONRow(b []byte, f *dataset.Frame, i int) []byte {
	b = append(b, '{')
	for k, c := range f.Columns() {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, c.Name())
		b = append(b, ':')
		if c.IsNull(i) {
			b = append(b, "null"...)
			continue
		}
		switch c.Type() {
		case dataset.Float64:
			v := c.Float64s()[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendFloat(b, v, 'g', -1, 64)
			}
		case dataset.Int64:
			b = strconv.AppendInt(b, c.Int64s()[i], 10)
		case dataset.Bool:
			b = strconv.AppendBool(b, c.Bools()[i])
		case dataset.Timestamp:
			b = append(b, '"')
			b = time.Unix(0, c.Int64s()[i]).UTC().AppendFormat(b, time.RFC3339Nano)
			b = append(b, '"')
		default:
			b = appendJSONString(b, c.StringAt(i))
		}
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, as encoding/json writes it
// (invalid UTF-8 as U+FFFD), without escaping HTML characters.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
