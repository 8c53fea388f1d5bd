package beam

import (
	"fmt"
	"math"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/kiln-ml/kiln/dataset"
)

// Rows is a batch of rows from one source, the element that Score reads and
// writes and that the readers and writers of this package exchange with it.
// A batch holds either typed rows (Frame: Parquet input, Score's output, or
// frames of one's own, see RowsOf) or text records that Score parses with the
// model's input types (Format "csv" or "jsonl": Records, Lines and, for CSV,
// Header).
//
// Source and First say where the rows come from: the file, and the index
// among that file's rows (0-based, header and blank lines not counted) of the
// batch's first row. Dead letters name rows by them, and the writers name
// their files after them, so that a retried bundle rewrites the same file.
type Rows struct {
	Source string
	First  int64
	// Frame holds typed rows; nil for text records.
	Frame *dataset.Frame
	// Format is "csv" or "jsonl" for text records, "" for a Frame.
	Format string
	// Header is a CSV file's header record.
	Header string
	// Records are the raw CSV records (without their line end; a quoted
	// field may hold newlines) or JSON Lines, one per row.
	Records []string
	// Lines holds the line of its file (1-based) on which each record
	// starts.
	Lines []int64
}

// Len returns the number of rows in the batch.
func (r Rows) Len() int {
	if r.Frame != nil {
		return r.Frame.NumRows()
	}
	return len(r.Records)
}

// RowsOf cuts an in-memory frame into batches of up to size rows (0: 65,536)
// named after source, for beam.CreateList: a way into Score for rows that
// are not in files.
func RowsOf(source string, f *dataset.Frame, size int) []Rows {
	if size <= 0 {
		size = defaultBatchRows
	}
	var out []Rows
	for lo := 0; lo < f.NumRows(); lo += size {
		part, _ := f.Slice(lo, min(lo+size, f.NumRows())) // in range by construction
		out = append(out, Rows{Source: source, First: int64(lo), Frame: part})
	}
	return out
}

// DeadLetter is a row that could not be scored, and why: a record that does
// not parse as the model's input types, a row without a column the model
// needs, a value the model refuses. Nothing is dropped without one.
type DeadLetter struct {
	Source string `json:"source"`
	// Row is the row's index among its source's rows (0-based, as
	// Rows.First); -1 when the whole source failed (a file that is not
	// Parquet, for example).
	Row int64 `json:"row"`
	// Line is the line (1-based) on which a CSV or JSON Lines record starts;
	// 0 for Parquet rows and frames.
	Line int64 `json:"line,omitempty"`
	// Record is the row as it came: the CSV record or JSON line, or a
	// frame's row written as a JSON object.
	Record string `json:"record"`
	Reason string `json:"reason"`
}

const defaultBatchRows = 1 << 16

func init() {
	beam.RegisterCoder(reflect.TypeOf(Rows{}), encodeRows, decodeRows)
}

// Column kinds of the frame coding: the dataset types, and a dictionary
// String column apart.
const (
	codeDict = 100
)

func encodeRows(r Rows) ([]byte, error) {
	var e encoder
	e.string(r.Source)
	e.int(r.First)
	if r.Frame != nil {
		e.uint(1)
		if err := e.frame(r.Frame); err != nil {
			return nil, err
		}
	} else {
		e.uint(0)
	}
	e.string(r.Format)
	e.string(r.Header)
	if len(r.Lines) != len(r.Records) {
		return nil, fmt.Errorf("kiln/beam: Rows from %s: %d records and %d line numbers", r.Source, len(r.Records), len(r.Lines))
	}
	e.uint(uint64(len(r.Records)))
	prev := int64(0)
	for i, s := range r.Records {
		e.string(s)
		e.int(r.Lines[i] - prev)
		prev = r.Lines[i]
	}
	return e.b, nil
}

func decodeRows(b []byte) (Rows, error) {
	d := decoder{b: b}
	r := Rows{Source: d.string(), First: d.int()}
	if d.uint() == 1 {
		r.Frame = d.frame()
	}
	r.Format = d.string()
	r.Header = d.string()
	if n := d.length(2); n > 0 {
		r.Records, r.Lines = make([]string, n), make([]int64, n)
		prev := int64(0)
		for i := range n {
			r.Records[i] = d.string()
			prev += d.int()
			r.Lines[i] = prev
		}
	}
	return r, d.done()
}

// frame appends a frame: rows, columns, and per column its name, type, null
// mask (bits, when it has nulls) and values (floats raw, integers and
// dictionary codes as varints, booleans as bits, strings with their length).
func (e *encoder) frame(f *dataset.Frame) error {
	n := f.NumRows()
	e.uint(uint64(n))
	e.uint(uint64(f.NumCols()))
	for _, c := range f.Columns() {
		e.string(c.Name())
		kind := uint64(c.Type())
		codes, levels, dict := c.Dict()
		if dict {
			kind = codeDict
		}
		e.uint(kind)
		if c.NullCount() > 0 {
			e.uint(1)
			e.bits(c.Valid())
		} else {
			e.uint(0)
		}
		switch {
		case dict:
			e.uint(uint64(len(levels)))
			for _, s := range levels {
				e.string(s)
			}
			for _, k := range codes {
				e.uint(uint64(max(k, 0)))
			}
		case c.Type() == dataset.Float64:
			for _, v := range c.Float64s() {
				e.float(v)
			}
		case c.Type() == dataset.Int64 || c.Type() == dataset.Timestamp:
			for _, v := range c.Int64s() {
				e.int(v)
			}
		case c.Type() == dataset.Bool:
			e.bits(c.Bools())
		case c.Type() == dataset.String:
			for _, s := range c.Strings() {
				e.string(s)
			}
		default:
			return fmt.Errorf("kiln/beam: column %q has type %s, which Rows cannot carry", c.Name(), c.Type())
		}
	}
	return nil
}

func (e *encoder) bits(v []bool) {
	var cur byte
	for i, b := range v {
		if b {
			cur |= 1 << (i % 8)
		}
		if i%8 == 7 {
			e.b = append(e.b, cur)
			cur = 0
		}
	}
	if len(v)%8 != 0 {
		e.b = append(e.b, cur)
	}
}

func (d *decoder) bits(n int) []bool {
	size := (n + 7) / 8
	if size > len(d.b) {
		d.fail("bits")
		d.b = nil
		return nil
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = d.b[i/8]&(1<<(i%8)) != 0
	}
	d.b = d.b[size:]
	return out
}

func (d *decoder) frame() *dataset.Frame {
	n := d.uint()
	ncols := d.length(3)
	if n > math.MaxInt32 || ncols > 0 && n > uint64(len(d.b))*8 {
		d.fail("rows")
		return nil
	}
	rows := int(n)
	cols := make([]*dataset.Column, 0, ncols)
	for range ncols {
		name := d.string()
		kind := d.uint()
		var valid []bool
		if d.uint() == 1 {
			valid = d.bits(rows)
		}
		if d.err != nil {
			return nil
		}
		var c *dataset.Column
		switch kind {
		case codeDict:
			levels := make([]string, d.length(1))
			for i := range levels {
				levels[i] = d.string()
			}
			if rows > len(d.b) {
				d.fail("codes")
				return nil
			}
			codes := make([]int32, rows)
			for i := range codes {
				codes[i] = int32(min(d.uint(), math.MaxInt32))
			}
			var err error
			if c, err = dataset.NewDictString(name, codes, levels, valid); err != nil {
				d.fail("dictionary code")
				return nil
			}
		case uint64(dataset.Float64):
			if rows > len(d.b)/8 {
				d.fail("floats")
				return nil
			}
			v := make([]float64, rows)
			for i := range v {
				v[i] = d.float()
			}
			c = dataset.NewFloat64(name, v, valid)
		case uint64(dataset.Int64), uint64(dataset.Timestamp):
			if rows > len(d.b) {
				d.fail("integers")
				return nil
			}
			v := make([]int64, rows)
			for i := range v {
				v[i] = d.int()
			}
			if kind == uint64(dataset.Int64) {
				c = dataset.NewInt64(name, v, valid)
			} else {
				c = dataset.NewTimestamp(name, v, valid)
			}
		case uint64(dataset.Bool):
			v := d.bits(rows)
			if d.err != nil {
				return nil
			}
			c = dataset.NewBool(name, v, valid)
		case uint64(dataset.String):
			if rows > len(d.b) {
				d.fail("strings")
				return nil
			}
			v := make([]string, rows)
			for i := range v {
				v[i] = d.string()
			}
			c = dataset.NewString(name, v, valid)
		default:
			d.fail("column type")
			return nil
		}
		if d.err != nil {
			return nil
		}
		cols = append(cols, c)
	}
	if ncols == 0 {
		if rows != 0 {
			d.fail("rows")
		}
		return dataset.MustNew()
	}
	f, err := dataset.New(cols...)
	if err != nil {
		d.fail("frame (" + err.Error() + ")")
		return nil
	}
	return f
}
