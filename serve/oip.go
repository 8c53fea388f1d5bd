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
	name     string
	shape    []uint64
	datatype tensorType
	data     []byte // the raw JSON of "data"
	seen     uint8  // which of the four required keys appeared
}

var oipDatatypes = map[tensorType]bool{
	"BOOL": true, "UINT8": true, "UINT16": true, "UINT32": true, "UINT64": true,
	"INT8": true, "INT16": true, "INT32": true, "INT64": true,
	"FP16": true, "FP32": true, "FP64": true, "BYTES": true,
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
	var inputs []oipInput
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
			return s.array(func(i int) error {
				in, err := decodeInput(s, i)
				if err == nil {
					inputs = append(inputs, in)
				}
				return err
			})
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
	if !gotInputs || len(inputs) == 0 {
		return nil, errors.New(`the inference request has no "inputs"`)
	}
	if req.outputs != nil && len(req.outputs) == 0 {
		return nil, errors.New(`"outputs" is empty: leave it out to get every output`)
	}
	return req, fillColumns(inputs, c, lim)
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

func decodeInput(s *scanner, i int) (oipInput, error) {
	var in oipInput
	where := fmt.Sprintf("inputs[%d]", i)
	if s.peek() != '{' {
		return in, fmt.Errorf("%s: %w", where, typeError("an input tensor object", s))
	}
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "name":
			v, err := readString(s, "")
			if err != nil {
				return fmt.Errorf("%s.name: %w", where, err)
			}
			in.name, in.seen = string(v), in.seen|1
			where = fmt.Sprintf("input %q", in.name)
		case "shape":
			in.seen |= 2
			return s.array(func(j int) error {
				lit, integer, err := s.number()
				if err != nil {
					return fmt.Errorf("%s: shape: %w", where, err)
				}
				d, err := strconv.ParseUint(string(lit), 10, 64)
				if !integer || err != nil {
					return fmt.Errorf("%s: shape: dimension %s is not an unsigned 64-bit integer", where, lit)
				}
				in.shape = append(in.shape, d)
				return nil
			})
		case "datatype":
			v, err := readString(s, "")
			if err != nil {
				return fmt.Errorf("%s.datatype: %w", where, err)
			}
			in.datatype, in.seen = tensorType(v), in.seen|4
			if !oipDatatypes[in.datatype] {
				return fmt.Errorf("%s: unknown datatype %q (BOOL, UINT8-64, INT8-64, FP16, FP32, FP64 or BYTES)", where, v)
			}
		case "parameters":
			return parameters(s, where+".parameters")
		case "data":
			if s.peek() != '[' {
				return fmt.Errorf("%s: data: %w", where, typeError("an array", s))
			}
			in.seen |= 8
			var err error
			in.data, err = s.span()
			return err
		default:
			return fmt.Errorf(`%s: unknown field %q (an input has "name", "shape", "datatype", "parameters" and "data")`, where, key)
		}
		return nil
	})
	if err != nil {
		return in, err
	}
	for bit, key := range []string{"name", "shape", "datatype", "data"} {
		if in.seen&(1<<bit) == 0 {
			return in, fmt.Errorf("%s: no %q", where, key)
		}
	}
	return in, nil
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
		if _, ok := c.index[in.name]; !ok {
			byName = false
		}
	}
	if !byName && len(inputs) == 1 && (len(inputs[0].shape) == 2 && inputs[0].shape[1] == uint64(k) || k == 1) {
		return fillWide(inputs[0], c, lim)
	}
	seen := make([]bool, k)
	rows := -1
	for _, in := range inputs {
		i, ok := c.index[in.name]
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
		rows = int(n)
		got, err := readTensor(in, func(s *scanner, j int) error {
			if j >= rows {
				return s.skip() // counted, not stored: the count error below says what is wrong
			}
			if err := c.value(s, i, in.datatype); err != nil {
				return fmt.Errorf("input %q, element %d (row %d): %w", in.name, j, j, err)
			}
			return nil
		})
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
func fillWide(in oipInput, c *columns, lim decodeLimits) error {
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
	got, err := readTensor(in, func(s *scanner, j int) error {
		if j >= total {
			return s.skip()
		}
		col := j % k
		if err := c.value(s, col, in.datatype); err != nil {
			return fmt.Errorf("input %q, element %d (row %d, column %q): %w", in.name, j, j/k, c.fields[col].Name, err)
		}
		return nil
	})
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

// readTensor walks tensor data, flat or nested, calling f for each element
// in row-major order, and returns the number of elements.
func readTensor(in oipInput, f func(s *scanner, j int) error) (int, error) {
	s := &scanner{buf: in.data}
	n := 0
	var walk func() error
	walk = func() error {
		return s.array(func(int) error {
			if s.peek() == '[' {
				return walk()
			}
			if n == math.MaxInt32 {
				return fmt.Errorf("input %q: too many values", in.name)
			}
			n++
			return f(s, n-1)
		})
	}
	if err := walk(); err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return 0, fmt.Errorf("input %q: data: %w", in.name, err)
		}
		return 0, err
	}
	return n, nil
}
