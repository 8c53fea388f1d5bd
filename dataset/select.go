package dataset

import (
	"fmt"
	"math"
	"strings"
)

// Select returns a frame of the named columns, in the order given. The
// columns are shared, not copied. A missing or repeated name is an error.
func (f *Frame) Select(names ...string) (*Frame, error) {
	cols, err := f.columnsNamed(names)
	if err != nil {
		return nil, err
	}
	out, err := New(cols...)
	if err != nil {
		return nil, err
	}
	out.rows = f.rows // a frame of no columns keeps its row count
	return out, nil
}

// Drop returns a frame without the named columns, sharing the others. A
// missing name is an error, so that a typo does not pass silently.
func (f *Frame) Drop(names ...string) (*Frame, error) {
	drop := make(map[string]bool, len(names))
	for _, name := range names {
		if !f.Has(name) {
			return nil, fmt.Errorf("dataset: drop: no column %q (have %s)", name, strings.Join(f.Names(), ", "))
		}
		drop[name] = true
	}
	cols := make([]*Column, 0, len(f.cols))
	for _, c := range f.cols {
		if !drop[c.name] {
			cols = append(cols, c)
		}
	}
	out, err := New(cols...)
	if err != nil {
		return nil, err
	}
	out.rows = f.rows
	return out, nil
}

// WithColumn returns a frame with c added at the end, or, when a column of the
// same name exists, with that column replaced in place. c must have as many
// rows as the frame (any length is accepted when the frame has no columns).
func (f *Frame) WithColumn(c *Column) (*Frame, error) {
	if c == nil {
		return nil, fmt.Errorf("dataset: WithColumn: nil column")
	}
	if len(f.cols) > 0 && c.n != f.rows {
		return nil, fmt.Errorf("dataset: WithColumn: column %q has %d rows, the frame has %d", c.name, c.n, f.rows)
	}
	cols := make([]*Column, len(f.cols), len(f.cols)+1)
	copy(cols, f.cols)
	if i, ok := f.index[c.name]; ok {
		cols[i] = c
	} else {
		cols = append(cols, c)
	}
	return New(cols...)
}

// Filter returns the rows where mask is true, in order. mask must have one
// entry per row.
func (f *Frame) Filter(mask []bool) (*Frame, error) {
	if len(mask) != f.rows {
		return nil, fmt.Errorf("dataset: filter: mask has %d entries for %d rows", len(mask), f.rows)
	}
	n := 0
	for _, m := range mask {
		if m {
			n++
		}
	}
	idx := make([]int, 0, n)
	for i, m := range mask {
		if m {
			idx = append(idx, i)
		}
	}
	return f.Take(idx), nil
}

// DropNulls returns the rows with no missing cell in the named columns (in
// any column when none are named), in order, as pandas' dropna(subset=cols)
// does. A cell is missing when it is null or, in a Float64 column, NaN:
// pandas counts NaN as missing, and a Float64 view (ToFloat64) shows nulls as
// NaN. A name the frame does not have is an error. When no row is dropped the
// result shares f's columns.
func (f *Frame) DropNulls(cols ...string) (*Frame, error) {
	check, err := f.namedOrAll(cols)
	if err != nil {
		return nil, fmt.Errorf("dataset: drop nulls: %w", err)
	}
	var keep []bool // nil until a row is dropped
	for _, c := range check {
		for i := 0; i < c.n; i++ {
			if c.IsNull(i) || (c.typ == Float64 && math.IsNaN(c.floats[i])) {
				if keep == nil {
					keep = make([]bool, f.rows)
					for r := range keep {
						keep[r] = true
					}
				}
				keep[i] = false
			}
		}
	}
	if keep == nil {
		return &Frame{cols: f.cols, index: f.index, rows: f.rows}, nil
	}
	return f.Filter(keep)
}

// Concat stacks frames vertically. All frames must have the same columns, by
// name and type, in the same order. Dictionary-encoded string columns are
// merged into one set of levels (those of the first frame, then new levels in
// the order later frames list them); when some parts of a string column are
// dictionary-encoded and others are not, the result is dictionary-encoded.
func Concat(frames ...*Frame) (*Frame, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("dataset: concat: no frames")
	}
	first := frames[0]
	for k, f := range frames {
		if f == nil {
			return nil, fmt.Errorf("dataset: concat: frame %d is nil", k)
		}
		if k == 0 {
			continue
		}
		if len(f.cols) != len(first.cols) {
			return nil, fmt.Errorf("dataset: concat: frame %d has %d columns (%s), frame 0 has %d (%s)",
				k, len(f.cols), f.Schema(), len(first.cols), first.Schema())
		}
		for i, c := range f.cols {
			want := first.cols[i]
			if c.name != want.name || c.typ != want.typ {
				return nil, fmt.Errorf("dataset: concat: frame %d column %d is %s:%s, frame 0 has %s:%s",
					k, i, c.name, c.typ, want.name, want.typ)
			}
		}
	}
	cols := make([]*Column, len(first.cols))
	parts := make([]*Column, len(frames))
	for i := range first.cols {
		for k, f := range frames {
			parts[k] = f.cols[i]
		}
		cols[i] = concatColumns(parts)
	}
	out, err := New(cols...)
	if err != nil {
		return nil, err
	}
	out.rows = 0
	for _, f := range frames {
		out.rows += f.rows
	}
	return out, nil
}

// concatColumns joins parts that share a name and a type.
func concatColumns(parts []*Column) *Column {
	n, nulls := 0, 0
	dict := false
	for _, p := range parts {
		n += p.n
		nulls += p.nulls
		dict = dict || p.levels != nil
	}
	out := &Column{name: parts[0].name, typ: parts[0].typ, n: n, nulls: nulls}
	if nulls > 0 {
		out.valid = make([]bool, 0, n)
		for _, p := range parts {
			if p.valid != nil {
				out.valid = append(out.valid, p.valid...)
			} else {
				for range p.n {
					out.valid = append(out.valid, true)
				}
			}
		}
	}
	switch out.typ {
	case Float64:
		out.floats = make([]float64, 0, n)
		for _, p := range parts {
			out.floats = append(out.floats, p.floats...)
		}
	case Int64, Timestamp:
		out.ints = make([]int64, 0, n)
		for _, p := range parts {
			out.ints = append(out.ints, p.ints...)
		}
	case Bool:
		out.bools = make([]bool, 0, n)
		for _, p := range parts {
			out.bools = append(out.bools, p.bools...)
		}
	case String:
		if dict {
			out.codes, out.levels = concatDict(parts, n)
		} else {
			out.strs = make([]string, 0, n)
			for _, p := range parts {
				out.strs = append(out.strs, p.strs...)
			}
		}
	}
	return out
}

// concatDict merges the levels of string parts and remaps their codes; plain
// parts are encoded on the way.
func concatDict(parts []*Column, n int) (codes []int32, levels []string) {
	index := make(map[string]int32)
	levels = []string{}
	level := func(s string) int32 {
		k, ok := index[s]
		if !ok {
			k = int32(len(levels))
			index[s] = k
			levels = append(levels, s)
		}
		return k
	}
	codes = make([]int32, 0, n)
	for _, p := range parts {
		if p.levels != nil {
			remap := make([]int32, len(p.levels))
			for j, s := range p.levels {
				remap[j] = level(s)
			}
			for i, k := range p.codes {
				if p.IsNull(i) {
					codes = append(codes, 0)
				} else {
					codes = append(codes, remap[k])
				}
			}
			continue
		}
		for i, s := range p.strs {
			if p.IsNull(i) {
				codes = append(codes, 0)
			} else {
				codes = append(codes, level(s))
			}
		}
	}
	return codes, levels
}

// namedOrAll returns the named columns, in the order given, or every column
// when no name is given.
func (f *Frame) namedOrAll(names []string) ([]*Column, error) {
	if len(names) == 0 {
		return f.cols, nil
	}
	return f.columnsNamed(names)
}

// columnsNamed returns the named columns, in the order given.
func (f *Frame) columnsNamed(names []string) ([]*Column, error) {
	cols := make([]*Column, len(names))
	for i, name := range names {
		c, err := f.Column(name)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return cols, nil
}
