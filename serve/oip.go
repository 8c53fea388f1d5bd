package serve

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/kiln-ml/kiln/dataset"
)

// The Open Inference Protocol (KServe V2) over REST, as its specification
// (open_inference_rest.yaml, inference_rest.md) gives it: an inference
// request holds named input tensors, each with a shape, a datatype and its
// data, flat or nested in row-major order.
//
// A kiln model reads named columns, so the server accepts two layouts:
//
//   - one tensor per input column, named as the column, of shape [N] or
//     [N, 1] (the layout of MLServer's pandas codec);
//   - a single tensor of shape [N, K] whose K columns are the model's inputs
//     in order (the layout of the scikit-learn examples, "input-0").

// oipRequest is a decoded inference request.
type oipRequest struct {
	id      string
	hasID   bool
	outputs []string // requested outputs; nil means all
}

type oipInput struct {
	index    int    // position in "inputs", for messages
	name     []byte // aliases the body, or a copy when the name had escapes
	shape    []uint64
	datatype tensorType
	data     []byte // the raw JSON of "data"
	seen     uint8  // which of the four required keys appeared
}

// where names the input in messages: by name once it has one.
func (in *oipInput) where() string {
	if in.seen&1 != 0 {
		return fmt.Sprintf("input %q", in.name)
	}
	return fmt.Sprintf("inputs[%d]", in.index)
}

// datatypeNamed returns the datatype spelt v (without allocating), or false.
func datatypeNamed(v []byte) (tensorType, bool) {
	switch string(v) {
	case "BOOL":
		return "BOOL", true
	case "UINT8":
		return "UINT8", true
	case "UINT16":
		return "UINT16", true
	case "UINT32":
		return "UINT32", true
	case "UINT64":
		return "UINT64", true
	case "INT8":
		return "INT8", true
	case "INT16":
		return "INT16", true
	case "INT32":
		return "INT32", true
	case "INT64":
		return "INT64", true
	case "FP16":
		return "FP16", true
	case "FP32":
		return "FP32", true
	case "FP64":
		return "FP64", true
	case "BYTES":
		return "BYTES", true
	}
	return "", false
}

// datatypeOf is the datatype a column of type t is described and answered with.
func datatypeOf(t dataset.Type) tensorType {
	switch t {
	case dataset.Float64:
		return "FP64"
	case dataset.Int64:
		return "INT64"
	case dataset.Bool:
		return "BOOL"
	}
	return "BYTES" // strings, and timestamps as RFC 3339 text
}

// accepts reports whether a tensor of datatype dt can fill a column of type t.
func accepts(t dataset.Type, dt tensorType) bool {
	switch t {
	case dataset.Float64:
		return dt.isInt() || dt == "FP16" || dt == "FP32" || dt == "FP64"
	case dataset.Int64:
		return dt.isInt() || dt == "FP16" || dt == "FP32" || dt == "FP64" // whole numbers only, checked per value
	case dataset.Bool:
		return dt == "BOOL"
	}
	return dt == "BYTES"
}

// decodeOIP reads an inference request into c.
func decodeOIP(body []byte, c *columns, lim decodeLimits) (*oipRequest, error) {
	s := &scanner{buf: body}
	req := &oipRequest{}
	d := &c.oip
	*d = oipDecoder{s: s, inputs: c.inputs[:0], shapes: c.shapes[:0]}
	defer func() { c.inputs, c.shapes, c.oip.s = d.inputs, d.shapes, nil }() // kept for the next request
	gotInputs := false
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "id":
			v, err := readString(s, "")
			if err != nil {
				return fmt.Errorf(`"id": %w`, err)
			}
			req.id, req.hasID = string(v), true
		case "parameters":
			return parameters(s, `"parameters"`)
		case "inputs":
			gotInputs = true
			return s.array(d.input)
		case "outputs":
			return s.array(func(i int) error {
				name, err := requestedOutput(s, i)
				req.outputs = append(req.outputs, name)
				return err
			})
		default:
			return fmt.Errorf(`unknown field %q in the inference request (it has "id", "parameters", "inputs" and "outputs")`, key)
		}
		return nil
	})
	if err == nil {
		err = s.end()
	}
	if err != nil {
		return nil, err
	}
	if !gotInputs || len(d.inputs) == 0 {
		return nil, errors.New(`the inference request has no "inputs"`)
	}
	if req.outputs != nil && len(req.outputs) == 0 {
		return nil, errors.New(`"outputs" is empty: leave it out to get every output`)
	}
	return req, fillColumns(d.inputs, c, lim)
}

// oipDecoder reads the input tensors of a request. Their shapes share one
// slice: a shape taken before the slice grows keeps the old array, which
// still holds it.
type oipDecoder struct {
	s      *scanner
	inputs []oipInput
	shapes []uint64
}

// input reads inputs[i].
func (d *oipDecoder) input(i int) error {
	s := d.s
	in := oipInput{index: i}
	if s.peek() != '{' {
		return fmt.Errorf("%s: %w", in.where(), typeError("an input tensor object", s))
	}
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "name":
			v, err := readString(s, "")
			if err != nil {
				return fmt.Errorf("%s.name: %w", in.where(), err)
			}
			if s.escaped { // v is the scanner's scratch space, reused by the next string
				v = append([]byte(nil), v...)
			}
			in.name, in.seen = v, in.seen|1
		case "shape":
			in.seen |= 2
			start := len(d.shapes)
			err := s.array(func(j int) error {
				lit, integer, err := s.number()
				if err != nil {
					return fmt.Errorf("%s: shape: %w", in.where(), err)
				}
				dim, err := strconv.ParseUint(string(lit), 10, 64)
				if !integer || err != nil {
					return fmt.Errorf("%s: shape: dimension %s is not an unsigned 64-bit integer", in.where(), lit)
				}
				d.shapes = append(d.shapes, dim)
				return nil
			})
			in.shape = d.shapes[start:len(d.shapes):len(d.shapes)]
			return err
		case "datatype":
			v, err := readString(s, "")
			if err != nil {
				return fmt.Errorf("%s.datatype: %w", in.where(), err)
			}
			dt, ok := datatypeNamed(v)
			if !ok {
				return fmt.Errorf("%s: unknown datatype %q (BOOL, UINT8-64, INT8-64, FP16, FP32, FP64 or BYTES)", in.where(), v)
			}
			in.datatype, in.seen = dt, in.seen|4
		case "parameters":
			return parameters(s, in.where()+".parameters")
		case "data":
			if s.peek() != '[' {
				return fmt.Errorf("%s: data: %w", in.where(), typeError("an array", s))
			}
			in.seen |= 8
			var err error
			in.data, err = s.span()
			return err
		default:
			return fmt.Errorf(`%s: unknown field %q (an input has "name", "shape", "datatype", "parameters" and "data")`, in.where(), key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for bit, key := range []string{"name", "shape", "datatype", "data"} {
		if in.seen&(1<<bit) == 0 {
			return fmt.Errorf("%s: no %q", in.where(), key)
		}
	}
	d.inputs = append(d.inputs, in)
	return nil
}

// parameters checks a $parameters object: names to strings, numbers or
// booleans. kiln defines no parameters, so their values are not used.
func parameters(s *scanner, where string) error {
	if s.peek() != '{' {
		return fmt.Errorf("%s: %w", where, typeError("an object", s))
	}
	return s.object(func(key []byte) error {
		switch c := s.peek(); {
		case c == '{' || c == '[' || c == 'n':
			return fmt.Errorf("%s: parameter %q: a parameter is a string, a number or a boolean, not %s", where, key, describe(c))
		case string(key) == "binary_data" && c == 't':
			return fmt.Errorf("%s: binary tensor data is not supported: send JSON data", where)
		}
		return s.skip()
	})
}

func requestedOutput(s *scanner, i int) (string, error) {
	var name string
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "name":
			v, err := readString(s, "")
			if err != nil {
				return fmt.Errorf("outputs[%d].name: %w", i, err)
			}
			name = string(v)
		case "parameters":
			return parameters(s, fmt.Sprintf("outputs[%d].parameters", i))
		default:
			return fmt.Errorf(`outputs[%d]: unknown field %q (a requested output has "name" and "parameters")`, i, key)
		}
		return nil
	})
	if err == nil && name == "" {
		err = fmt.Errorf("outputs[%d]: no name", i)
	}
	return name, err
}

// elements multiplies a shape's dimensions, or fails past max.
func elements(shape []uint64, max uint64) (uint64, bool) {
	n := uint64(1)
	for _, d := range shape {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > max {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// fillColumns maps the input tensors onto the model's columns and reads
// their data.
func fillColumns(inputs []oipInput, c *columns, lim decodeLimits) error {
	k := len(c.fields)
	byName := true
	for _, in := range inputs {
		if _, ok := c.index[string(in.name)]; !ok {
			byName = false
		}
	}
	t := &c.tensors
	t.c = c
	if !byName && len(inputs) == 1 && (len(inputs[0].shape) == 2 && inputs[0].shape[1] == uint64(k) || k == 1) {
		return fillWide(t, &inputs[0], lim)
	}
	// Every row needs a value and a separator in each of the k columns'
	// data, so the data of all tensors bounds the rows worth reserving:
	// a tensor that announces many rows while the others bring none
	// reserves no more than the body can fill.
	dataBytes := 0
	for _, in := range inputs {
		dataBytes += len(in.data)
	}
	seen := c.tensorSeen
	clear(seen)
	rows := -1
	for x := range inputs {
		in := &inputs[x]
		i, ok := c.index[string(in.name)]
		if !ok {
			return fmt.Errorf("input %q is not an input of the model (it reads %s; or send one tensor of shape [N, %d] with the columns in that order)",
				in.name, listFields(c.fields), k)
		}
		if seen[i] {
			return fmt.Errorf("input %q appears twice", in.name)
		}
		seen[i] = true
		f := c.fields[i]
		if !accepts(f.Type, in.datatype) {
			return fmt.Errorf("input %q: datatype %s does not fit the model's %s column (send %s)", in.name, in.datatype, f.Type, datatypeOf(f.Type))
		}
		if len(in.shape) == 0 || len(in.shape) > 2 || len(in.shape) == 2 && in.shape[1] != 1 {
			return fmt.Errorf("input %q: shape %v: a column is a tensor of shape [N] or [N, 1]", in.name, in.shape)
		}
		n, ok := elements(in.shape, uint64(lim.maxRows))
		if !ok {
			return lim.tooMany(0)
		}
		if rows >= 0 && int(n) != rows {
			return fmt.Errorf("input %q: %d rows, but the other inputs have %d", in.name, n, rows)
		}
		if rows < 0 {
			c.reserve(min(int(n), dataBytes/(2*k)))
		}
		rows = int(n)
		got, err := t.read(in, i, rows)
		if err != nil {
			return err
		}
		if got != rows {
			return fmt.Errorf("input %q: shape %v holds %d values, but data has %d", in.name, in.shape, rows, got)
		}
	}
	for i, ok := range seen {
		if !ok {
			return fmt.Errorf("no input tensor for the model's column %q (it reads %s)", c.fields[i].Name, listFields(c.fields))
		}
	}
	if rows == 0 {
		return errors.New("no rows to score")
	}
	return nil
}

// fillWide reads one [N, K] tensor whose columns are the model's inputs.
func fillWide(t *tensorReader, in *oipInput, lim decodeLimits) error {
	c := t.c
	k := len(c.fields)
	for _, f := range c.fields {
		if !accepts(f.Type, in.datatype) {
			return fmt.Errorf("input %q: datatype %s does not fit the model's %s column %q: send one tensor per column",
				in.name, in.datatype, f.Type, f.Name)
		}
	}
	if len(in.shape) == 0 || len(in.shape) > 2 {
		return fmt.Errorf("input %q: shape %v: one tensor holding every column has shape [N, %d]", in.name, in.shape, k)
	}
	n, ok := elements(in.shape, uint64(lim.maxRows)*uint64(k))
	if !ok {
		return lim.tooMany(0)
	}
	total := int(n)
	c.reserve(min(total, len(in.data)/2) / k)
	got, err := t.read(in, -1, total)
	if err != nil {
		return err
	}
	if got != total {
		return fmt.Errorf("input %q: shape %v holds %d values, but data has %d", in.name, in.shape, total, got)
	}
	if total == 0 {
		return errors.New("no rows to score")
	}
	return nil
}

// tensorReader reads the data of input tensors, flat or nested, into the
// request's columns, element by element in row-major order. One serves
// every tensor of a request.
type tensorReader struct {
	s     scanner
	c     *columns
	in    *oipInput
	col   int // the column a column tensor fills, or -1 for a [N, K] tensor of every column
	limit int // elements stored; those beyond are counted, not stored
	n     int // elements seen
}

// read reads in's data into column col (-1: every column in turn) and
// returns the number of elements.
func (t *tensorReader) read(in *oipInput, col, limit int) (int, error) {
	t.s = scanner{buf: in.data, scratch: t.s.scratch}
	t.in, t.col, t.limit, t.n = in, col, limit, 0
	if err := t.walk(); err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return 0, fmt.Errorf("input %q: data: %w", in.name, err)
		}
		return 0, err
	}
	return t.n, nil
}

func (t *tensorReader) walk() error { return t.s.array(t.element) }

func (t *tensorReader) element(int) error {
	if t.s.peek() == '[' {
		return t.walk()
	}
	if t.n == math.MaxInt32 {
		return fmt.Errorf("input %q: too many values", t.in.name)
	}
	j := t.n
	t.n++
	if j >= t.limit {
		return t.s.skip() // counted, not stored: the caller's count check says what is wrong
	}
	if t.col >= 0 {
		if err := t.c.value(&t.s, t.col, t.in.datatype); err != nil {
			return fmt.Errorf("input %q, element %d (row %d): %w", t.in.name, j, j, err)
		}
		return nil
	}
	k := len(t.c.fields)
	if err := t.c.value(&t.s, j%k, t.in.datatype); err != nil {
		return fmt.Errorf("input %q, element %d (row %d, column %q): %w", t.in.name, j, j/k, t.c.fields[j%k].Name, err)
	}
	return nil
}
