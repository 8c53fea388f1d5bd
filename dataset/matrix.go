package dataset

import (
	"fmt"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// ToDense copies the named columns (all Float64, Int64 and Bool columns, in
// order, when none are named) into a rows x columns gonum matrix. Int64
// becomes float64 (exact up to 2^53) and Bool becomes 0 or 1. A null cell, or
// a named String or Timestamp column, is an error naming the column (and the
// row). NaN values in Float64 columns are copied as NaN. Memory: the matrix,
// 8 bytes per cell.
func (f *Frame) ToDense(cols ...string) (*mat.Dense, error) {
	var picked []*Column
	if len(cols) == 0 {
		for _, c := range f.cols {
			if c.typ == Float64 || c.typ == Int64 || c.typ == Bool {
				picked = append(picked, c)
			}
		}
		if len(picked) == 0 {
			return nil, fmt.Errorf("dataset: to dense: no numeric columns (have %s)", f.Schema())
		}
	} else {
		for _, name := range cols {
			c, err := f.Column(name)
			if err != nil {
				return nil, fmt.Errorf("dataset: to dense: %w", err)
			}
			if c.typ != Float64 && c.typ != Int64 && c.typ != Bool {
				return nil, fmt.Errorf("dataset: to dense: column %q is %s, not numeric (float64, int64 or bool)", name, c.typ)
			}
			picked = append(picked, c)
		}
	}
	if f.rows == 0 {
		return nil, fmt.Errorf("dataset: to dense: the frame has no rows")
	}
	for _, c := range picked {
		if c.nulls > 0 {
			i := 0
			for !c.IsNull(i) {
				i++
			}
			return nil, fmt.Errorf("dataset: to dense: column %q row %d is null (%d null cells); impute or filter first", c.name, i, c.nulls)
		}
	}
	p := len(picked)
	data := make([]float64, f.rows*p)
	for j, c := range picked {
		switch c.typ {
		case Float64:
			for i, v := range c.floats {
				data[i*p+j] = v
			}
		case Int64:
			for i, v := range c.ints {
				data[i*p+j] = float64(v)
			}
		case Bool:
			for i, v := range c.bools {
				if v {
					data[i*p+j] = 1
				}
			}
		}
	}
	return mat.NewDense(f.rows, p, data), nil
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
