package dataset

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// ToDense copies the named columns (every column, in frame order, when none
// are named) into a rows x columns gonum matrix. Int64 becomes float64 (exact
// up to 2^53) and Bool becomes 0 or 1. A String or Timestamp column, named or
// not, is an error naming every such column, and so is a null cell (naming
// its column and row: DropNulls or impute first). NaN values in Float64
// columns are copied as NaN. Memory: the matrix, 8 bytes per cell.
func (f *Frame) ToDense(cols ...string) (*mat.Dense, error) {
	picked, err := f.namedOrAll(cols)
	if err != nil {
		return nil, fmt.Errorf("dataset: to dense: %w", err)
	}
	if len(picked) == 0 {
		return nil, fmt.Errorf("dataset: to dense: the frame has no columns")
	}
	var bad []*Column
	for _, c := range picked {
		if !c.typ.numeric() {
			bad = append(bad, c)
		}
	}
	if len(bad) > 0 {
		what := fmt.Sprintf("column %q is %s,", bad[0].name, bad[0].typ)
		if len(bad) > 1 {
			names := make([]string, len(bad))
			for i, c := range bad {
				names[i] = fmt.Sprintf("%q (%s)", c.name, c.typ)
			}
			what = "columns " + strings.Join(names, ", ") + " are"
		}
		hint := ""
		if len(cols) == 0 {
			hint = "; name the columns to convert, or encode these first"
		}
		return nil, fmt.Errorf("dataset: to dense: %s not numeric (float64, int64 or bool)%s", what, hint)
	}
	if f.rows == 0 {
		return nil, fmt.Errorf("dataset: to dense: the frame has no rows")
	}
	for _, c := range picked {
		if c.nulls > 0 {
			return nil, fmt.Errorf("dataset: to dense: column %q row %d is null (%d null cells); drop (DropNulls) or impute first", c.name, c.firstNull(), c.nulls)
		}
	}
	p := len(picked)
	data := make([]float64, f.rows*p)
	for j, c := range picked {
		c.floatsInto(data[j:], p)
	}
	return mat.NewDense(f.rows, p, data), nil
}

// ToFloat64 returns a new slice with the column's values as float64: Float64
// as is, Int64 converted (exact up to 2^53), Bool as 0 or 1, and null cells as
// NaN. String and Timestamp columns are an error naming the column. The
// caller owns the result; Float64s gives a Float64 column's own values
// without copying.
func (c *Column) ToFloat64() ([]float64, error) {
	if !c.typ.numeric() {
		return nil, fmt.Errorf("dataset: column %q is %s, not numeric (float64, int64 or bool)", c.name, c.typ)
	}
	out := make([]float64, c.n)
	c.floatsInto(out, 1)
	for i, ok := range c.valid {
		if !ok {
			out[i] = math.NaN()
		}
	}
	return out, nil
}

// numeric reports whether a column of the type converts to float64.
func (t Type) numeric() bool { return t == Float64 || t == Int64 || t == Bool }

// floatsInto writes the numeric column's values as float64 to dst[0],
// dst[stride], dst[2*stride], ... (null cells as their zero value).
func (c *Column) floatsInto(dst []float64, stride int) {
	switch c.typ {
	case Float64:
		for i, v := range c.floats {
			dst[i*stride] = v
		}
	case Int64:
		for i, v := range c.ints {
			dst[i*stride] = float64(v)
		}
	case Bool:
		for i, v := range c.bools {
			if v {
				dst[i*stride] = 1
			}
		}
	}
}

// firstNull returns the row of the first null cell, or -1.
func (c *Column) firstNull() int {
	for i, ok := range c.valid {
		if !ok {
			return i
		}
	}
	return -1
}

// FromDense copies a matrix into a frame of Float64 columns with the given
// names (one per matrix column; nil names them x0, x1, ...).
func FromDense(m mat.Matrix, names []string) (*Frame, error) {
	if m == nil {
		return nil, fmt.Errorf("dataset: from dense: nil matrix")
	}
	r, c := m.Dims()
	if names == nil {
		names = make([]string, c)
		for j := range names {
			names[j] = fmt.Sprintf("x%d", j)
		}
	}
	if len(names) != c {
		return nil, fmt.Errorf("dataset: from dense: %d names (%s) for %d matrix columns", len(names), strings.Join(names, ", "), c)
	}
	cols := make([]*Column, c)
	for j := range cols {
		v := make([]float64, r)
		mat.Col(v, j, m)
		cols[j] = NewFloat64(names[j], v, nil)
	}
	out, err := New(cols...)
	if err != nil {
		return nil, fmt.Errorf("dataset: from dense: %w", err)
	}
	out.rows = r
	return out, nil
}
