package dataset

import (
	"fmt"
	"strings"
)

// Field names a column and its type: one entry of a Schema.
type Field struct {
	Name string
	Type Type
}

// Schema is the ordered list of a Frame's fields.
type Schema []Field

// String renders the schema as "name:type, ...".
func (s Schema) String() string {
	parts := make([]string, len(s))
	for i, f := range s {
		parts[i] = f.Name + ":" + f.Type.String()
	}
	return strings.Join(parts, ", ")
}

// Frame is a table of named, typed columns of equal length.
//
// A Frame is immutable: operations return new frames that share unchanged
// columns with their input, so they are cheap and safe to use from several
// goroutines at once.
type Frame struct {
	cols  []*Column
	index map[string]int
	rows  int
}

// New returns a frame of the given columns. Column names must be unique and
// non-empty, and all columns must have the same length.
func New(cols ...*Column) (*Frame, error) {
	f := &Frame{cols: cols, index: make(map[string]int, len(cols))}
	for i, c := range cols {
		if c == nil {
			return nil, fmt.Errorf("dataset: column %d is nil", i)
		}
		if c.name == "" {
			return nil, fmt.Errorf("dataset: column %d has an empty name", i)
		}
		if _, dup := f.index[c.name]; dup {
			return nil, fmt.Errorf("dataset: duplicate column name %q", c.name)
		}
		if i > 0 && c.n != f.rows {
			return nil, fmt.Errorf("dataset: column %q has %d rows, column %q has %d", c.name, c.n, cols[0].name, f.rows)
		}
		f.index[c.name] = i
		f.rows = c.n
	}
	return f, nil
}

// MustNew is New for frames built from literals in tests and examples; it
// panics on error.
func MustNew(cols ...*Column) *Frame {
	f, err := New(cols...)
	if err != nil {
		panic(err)
	}
	return f
}

// NumRows returns the number of rows.
func (f *Frame) NumRows() int { return f.rows }

// NumCols returns the number of columns.
func (f *Frame) NumCols() int { return len(f.cols) }

// Columns returns the columns in order. The slice must not be modified.
func (f *Frame) Columns() []*Column { return f.cols }

// Col returns column i.
func (f *Frame) Col(i int) *Column { return f.cols[i] }

// Names returns the column names in order.
func (f *Frame) Names() []string {
	out := make([]string, len(f.cols))
	for i, c := range f.cols {
		out[i] = c.name
	}
	return out
}

// Schema returns the names and types of the columns.
func (f *Frame) Schema() Schema {
	out := make(Schema, len(f.cols))
	for i, c := range f.cols {
		out[i] = Field{c.name, c.typ}
	}
	return out
}

// Has reports whether the frame has a column of that name.
func (f *Frame) Has(name string) bool {
	_, ok := f.index[name]
	return ok
}

// Column returns the named column, or an error naming the columns there are.
func (f *Frame) Column(name string) (*Column, error) {
	i, ok := f.index[name]
	if !ok {
		return nil, fmt.Errorf("dataset: no column %q (have %s)", name, strings.Join(f.Names(), ", "))
	}
	return f.cols[i], nil
}

// ColumnIndex returns the position of the named column, or -1.
func (f *Frame) ColumnIndex(name string) int {
	i, ok := f.index[name]
	if !ok {
		return -1
	}
	return i
}

// Take returns a frame of rows idx, in that order. Indices must be in range.
func (f *Frame) Take(idx []int) *Frame {
	return &Frame{cols: takeColumns(f.cols, idx), index: f.index, rows: len(idx)}
}

// Slice returns rows [i, j), sharing memory with f.
func (f *Frame) Slice(i, j int) (*Frame, error) {
	if i < 0 || j > f.rows || i > j {
		return nil, fmt.Errorf("dataset: slice [%d:%d] out of range for %d rows", i, j, f.rows)
	}
	cols := make([]*Column, len(f.cols))
	for k, c := range f.cols {
		cols[k] = c.Slice(i, j)
	}
	return &Frame{cols: cols, index: f.index, rows: j - i}, nil
}

// String renders the shape, the schema and the first rows, for debugging.
func (f *Frame) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Frame %d rows x %d columns (%s)\n", f.rows, len(f.cols), f.Schema())
	show := min(f.rows, 5)
	for i := 0; i < show; i++ {
		for k, c := range f.cols {
			if k > 0 {
				b.WriteString("\t")
			}
			if c.IsNull(i) {
				b.WriteString("null")
			} else {
				b.WriteString(c.Format(i))
			}
		}
		b.WriteString("\n")
	}
	if f.rows > show {
		fmt.Fprintf(&b, "... %d more rows\n", f.rows-show)
	}
	return b.String()
}
