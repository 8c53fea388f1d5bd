package serve

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// columns accumulates the values of a request into one typed column per
// model input, in the model's input order, so that a request becomes a
// dataset.Frame without an intermediate tree of values.
type columns struct {
	fields []field
	index  map[string]int      // input name -> position
	intern []map[string]string // per input, the categories seen in training: a value read is one of these strings, not a copy
	bufs   []colBuf

	// Working space of the decoders and the encoder, kept here so that a
	// pooled columns value (see loaded.columns) serves a request without
	// allocating.
	rowSeen    []bool
	tensorSeen []bool
	reader     rowReader
	oip        oipDecoder
	inputs     []oipInput
	shapes     []uint64
	tensors    tensorReader
	out        []byte  // the answer
	bins       []int32 // drift bins of the rows (see drift.observe)

	// built is the Frame last made over bufs, and handed the slices it
	// holds: a later request that fills the same slices to the same length
	// without nulls scores that Frame again, its values overwritten in place.
	built  *dataset.Frame
	handed []colBuf
}

type colBuf struct {
	floats []float64
	ints   []int64
	strs   []string
	bools  []bool
	valid  []bool // nil until the first null
	n      int
}

func newColumns(fields []field, index map[string]int, intern []map[string]string) *columns {
	return &columns{fields: fields, index: index, intern: intern, bufs: make([]colBuf, len(fields)),
		rowSeen: make([]bool, len(fields)), tensorSeen: make([]bool, len(fields))}
}

// maxPooledRows bounds the rows of the columns kept for reuse: the
// buffers of a larger request go back to the garbage collector.
const maxPooledRows = 1024

// reset empties the columns for the next request, keeping their buffers,
// and reports whether they are small enough to be pooled.
func (c *columns) reset() bool {
	for i := range c.bufs {
		b := &c.bufs[i]
		if b.capacity() > maxPooledRows {
			return false
		}
		clear(b.strs) // no strings of a past request kept alive
		b.floats, b.ints, b.strs, b.bools = b.floats[:0], b.ints[:0], b.strs[:0], b.bools[:0]
		b.valid, b.n = nil, 0
	}
	clear(c.inputs) // they alias the request's body
	c.inputs, c.shapes = c.inputs[:0], c.shapes[:0]
	c.oip = oipDecoder{}
	c.reader = rowReader{}
	c.tensors = tensorReader{s: scanner{scratch: c.tensors.s.scratch[:0]}}
	if cap(c.out) > pooledBodyBytes || cap(c.tensors.s.scratch) > pooledBodyBytes {
		return false
	}
	c.out = c.out[:0]
	return true
}

func (b *colBuf) capacity() int {
	return cap(b.floats) + cap(b.ints) + cap(b.strs) + cap(b.bools)
}

// reserve makes room for n rows in every column that has no values and
// less room than that yet, in one slice per type shared by the columns of
// that type, so that a request's columns cost a few allocations rather
// than one or more per column.
func (c *columns) reserve(n int) {
	if n <= 0 {
		return
	}
	var count [5]int
	for i, f := range c.fields {
		if c.bufs[i].n == 0 && c.bufs[i].capacity() < n {
			count[slabOf(f.Type)]++
		}
	}
	if count == [5]int{} {
		return
	}
	floats := make([]float64, n*count[1])
	ints := make([]int64, n*count[2])
	strs := make([]string, n*count[3])
	bools := make([]bool, n*count[4])
	var used [5]int
	for i, f := range c.fields {
		b := &c.bufs[i]
		if b.n != 0 || b.capacity() >= n {
			continue
		}
		k := slabOf(f.Type)
		lo, hi := used[k]*n, (used[k]+1)*n
		used[k]++
		switch k {
		case 1:
			b.floats = floats[lo:lo:hi]
		case 2:
			b.ints = ints[lo:lo:hi]
		case 3:
			b.strs = strs[lo:lo:hi]
		case 4:
			b.bools = bools[lo:lo:hi]
		}
	}
}

// slabOf is the slice a column of type t keeps its values in: 1 floats,
// 2 ints, 3 strings, 4 booleans.
func slabOf(t dataset.Type) int {
	switch t {
	case dataset.Float64:
		return 1
	case dataset.Int64, dataset.Timestamp:
		return 2
	case dataset.String:
		return 3
	case dataset.Bool:
		return 4
	}
	return 0
}

// rows is the number of rows of column 0 (callers keep columns level).
func (c *columns) rows() int {
	if len(c.bufs) == 0 {
		return 0
	}
	return c.bufs[0].n
}

// tensorType is an Open Inference Protocol datatype; the zero value means
// a plain JSON value with no declared datatype.
type tensorType string

// value reads one JSON value into input i. dt, when set, is the datatype the
// client declared for the value, checked as well as the column's type.
func (c *columns) value(s *scanner, i int, dt tensorType) error {
	b := &c.bufs[i]
	if s.peek() == 'n' {
		if err := s.word("null"); err != nil {
			return err
		}
		if b.valid == nil {
			b.valid = make([]bool, b.n, b.capacity()+1)
			for j := range b.valid {
				b.valid[j] = true
			}
		}
		b.valid = append(b.valid, false)
		c.appendZero(i)
		return nil
	}
	var err error
	switch c.fields[i].Type {
	case dataset.Float64:
		var v float64
		if v, err = readFloat(s, dt); err == nil {
			b.floats = append(b.floats, v)
		}
	case dataset.Int64:
		var v int64
		if v, err = readInt(s, dt); err == nil {
			b.ints = append(b.ints, v)
		}
	case dataset.Bool:
		var v bool
		if v, err = readBool(s, dt); err == nil {
			b.bools = append(b.bools, v)
		}
	case dataset.String:
		var v []byte
		if v, err = readString(s, dt); err == nil {
			var str string
			known := false
			if i < len(c.intern) {
				str, known = c.intern[i][string(v)]
			}
			if !known {
				str = string(v)
			}
			b.strs = append(b.strs, str)
		}
	case dataset.Timestamp:
		var v []byte
		if v, err = readString(s, dt); err == nil {
			var t time.Time
			if t, err = time.Parse(time.RFC3339Nano, string(v)); err != nil {
				err = fmt.Errorf("%q is not an RFC 3339 time such as 2006-01-02T15:04:05Z", v)
			} else {
				b.ints = append(b.ints, t.UnixNano())
			}
		}
	default:
		err = fmt.Errorf("the model's input type %s cannot be read from JSON", c.fields[i].Type)
	}
	if err != nil {
		return err
	}
	if b.valid != nil {
		b.valid = append(b.valid, true)
	}
	b.n++
	return nil
}

func (c *columns) appendZero(i int) {
	b := &c.bufs[i]
	switch c.fields[i].Type {
	case dataset.Float64:
		b.floats = append(b.floats, 0)
	case dataset.Int64, dataset.Timestamp:
		b.ints = append(b.ints, 0)
	case dataset.String:
		b.strs = append(b.strs, "")
	case dataset.Bool:
		b.bools = append(b.bools, false)
	}
	b.n++
}

func readFloat(s *scanner, dt tensorType) (float64, error) {
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, typeError("a number", s)
	}
	lit, integer, err := s.number()
	if err != nil {
		return 0, err
	}
	if dt.isInt() {
		v, err := parseInt(lit, integer)
		if err != nil {
			return 0, err
		}
		if err := dt.checkRange(v, lit); err != nil {
			return 0, err
		}
		return float64(v), nil
	}
	v, err := parseFloat(lit)
	if err != nil {
		return 0, err
	}
	if dt == "FP32" && math.Abs(v) > math.MaxFloat32 {
		return 0, fmt.Errorf("%s is outside the range of FP32", lit)
	}
	if dt == "FP16" && math.Abs(v) > 65504 {
		return 0, fmt.Errorf("%s is outside the range of FP16", lit)
	}
	return v, nil
}

func readInt(s *scanner, dt tensorType) (int64, error) {
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, typeError("an integer", s)
	}
	lit, integer, err := s.number()
	if err != nil {
		return 0, err
	}
	v, err := parseInt(lit, integer)
	if err != nil {
		return 0, err
	}
	return v, dt.checkRange(v, lit)
}

func readBool(s *scanner, dt tensorType) (bool, error) {
	switch s.peek() {
	case 't':
		return true, s.word("true")
	case 'f':
		return false, s.word("false")
	}
	return false, typeError("true or false", s)
}

func readString(s *scanner, dt tensorType) ([]byte, error) {
	if s.peek() != '"' {
		return nil, typeError("a string", s)
	}
	return s.str()
}

// typeError reports a value of the wrong JSON type, without consuming it.
func typeError(want string, s *scanner) error {
	c := s.peek()
	if c == 'N' || c == 'I' || c == '-' && s.pos+1 < len(s.buf) && s.buf[s.pos+1] == 'I' {
		return s.fail("NaN and Infinity are not JSON numbers")
	}
	if c != '{' && c != '[' && c != '"' && c != 't' && c != 'f' && c != 'n' && c != '-' && (c < '0' || c > '9') {
		return s.unexpected(want)
	}
	return fmt.Errorf("expected %s, got %s", want, describe(c))
}

// isInt reports an integer datatype.
func (t tensorType) isInt() bool {
	return strings.HasPrefix(string(t), "INT") || strings.HasPrefix(string(t), "UINT")
}

// checkRange checks that v fits the declared integer datatype.
func (t tensorType) checkRange(v int64, lit []byte) error {
	var lo, hi int64
	switch t {
	case "INT8":
		lo, hi = math.MinInt8, math.MaxInt8
	case "INT16":
		lo, hi = math.MinInt16, math.MaxInt16
	case "INT32":
		lo, hi = math.MinInt32, math.MaxInt32
	case "UINT8":
		lo, hi = 0, math.MaxUint8
	case "UINT16":
		lo, hi = 0, math.MaxUint16
	case "UINT32":
		lo, hi = 0, math.MaxUint32
	case "UINT64":
		lo, hi = 0, math.MaxInt64 // a column holds int64: larger values do not fit it
	default:
		return nil
	}
	if v < lo || v > hi {
		return fmt.Errorf("%s is outside the range of %s", lit, t)
	}
	return nil
}

// frame builds the request's Frame. The slices are handed over, not
// copied: the Frame is valid until the columns are reset.
func (c *columns) frame() (*dataset.Frame, error) {
	if c.built != nil && c.sameAsBuilt() {
		return c.built, nil
	}
	c.built = nil
	cols := make([]*dataset.Column, len(c.fields))
	for i, f := range c.fields {
		b := &c.bufs[i]
		switch f.Type {
		case dataset.Float64:
			cols[i] = dataset.NewFloat64(f.Name, b.floats, b.valid)
		case dataset.Int64:
			cols[i] = dataset.NewInt64(f.Name, b.ints, b.valid)
		case dataset.Timestamp:
			cols[i] = dataset.NewTimestamp(f.Name, b.ints, b.valid)
		case dataset.String:
			cols[i] = dataset.NewString(f.Name, b.strs, b.valid)
		case dataset.Bool:
			cols[i] = dataset.NewBool(f.Name, b.bools, b.valid)
		}
	}
	f, err := dataset.New(cols...)
	if err == nil && c.noNulls() {
		c.built = f
		c.handed = append(c.handed[:0], c.bufs...)
	}
	return f, err
}

// sameAsBuilt reports whether the columns hold the slices of c.built, at
// its length, and no nulls (a Column's nulls are counted when it is made).
func (c *columns) sameAsBuilt() bool {
	for i := range c.bufs {
		b, h := &c.bufs[i], &c.handed[i]
		if b.valid != nil || !sameSlice(b.floats, h.floats) || !sameSlice(b.ints, h.ints) ||
			!sameSlice(b.strs, h.strs) || !sameSlice(b.bools, h.bools) {
			return false
		}
	}
	return true
}

func (c *columns) noNulls() bool {
	for i := range c.bufs {
		if c.bufs[i].valid != nil {
			return false
		}
	}
	return true
}

// sameSlice reports whether a and b are the same elements of one array.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
