package dataset

import (
	"fmt"
	"math"
	"time"
)

// Type is the logical type of a Column.
type Type uint8

// The column types a Frame holds.
const (
	Float64   Type = iota + 1 // IEEE-754 double
	Int64                     // signed 64-bit integer
	String                    // UTF-8 text, plain or dictionary-encoded
	Bool                      // true / false
	Timestamp                 // instant, stored as nanoseconds since the Unix epoch, UTC
)

// String returns the type's name as used in schemas and error messages.
func (t Type) String() string {
	switch t {
	case Float64:
		return "float64"
	case Int64:
		return "int64"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Timestamp:
		return "timestamp"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// ParseType is the inverse of Type.String.
func ParseType(s string) (Type, error) {
	for t := Float64; t <= Timestamp; t++ {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("dataset: unknown column type %q (want float64, int64, string, bool or timestamp)", s)
}

// Column is one named, typed column of a Frame, with an optional null mask.
//
// Exactly one backing slice is in use, chosen by Type: float64s for Float64,
// int64s for Int64 and Timestamp (nanoseconds since the epoch, UTC), bools for
// Bool, and for String either plain strings or a dictionary (codes into a
// slice of distinct levels). Low-cardinality string columns are dictionary-
// encoded so that one-hot encoding and group-by work on small integer codes.
//
// A Column is immutable once built: the slices returned by its accessors are
// shared with it and must not be modified. Null cells hold the zero value in
// the backing slice.
type Column struct {
	name   string
	typ    Type
	floats []float64
	ints   []int64
	bools  []bool
	strs   []string // plain String
	codes  []int32  // dictionary String: index into levels
	levels []string // dictionary String: distinct values
	valid  []bool   // nil when the column has no nulls; valid[i] == false marks a null
	n      int
	nulls  int
}

func countNulls(valid []bool) int {
	n := 0
	for _, v := range valid {
		if !v {
			n++
		}
	}
	return n
}

func newColumn(name string, typ Type, n int, valid []bool) *Column {
	if valid != nil && len(valid) != n {
		panic(fmt.Sprintf("dataset: column %q: null mask has %d entries for %d values", name, len(valid), n))
	}
	c := &Column{name: name, typ: typ, n: n, valid: valid}
	c.nulls = countNulls(valid)
	if c.nulls == 0 {
		c.valid = nil
	}
	return c
}

// NewFloat64 returns a Float64 column. valid may be nil (no nulls); otherwise it
// must have len(values) entries, false marking a null. NaN values are kept as
// values; readers turn null tokens into nulls, not NaN.
// The slices are used without copying. It panics if the lengths differ, which is
// a programming error rather than a data error.
func NewFloat64(name string, values []float64, valid []bool) *Column {
	c := newColumn(name, Float64, len(values), valid)
	c.floats = values
	return c
}

// NewInt64 returns an Int64 column; see NewFloat64 for valid.
func NewInt64(name string, values []int64, valid []bool) *Column {
	c := newColumn(name, Int64, len(values), valid)
	c.ints = values
	return c
}

// NewBool returns a Bool column; see NewFloat64 for valid.
func NewBool(name string, values []bool, valid []bool) *Column {
	c := newColumn(name, Bool, len(values), valid)
	c.bools = values
	return c
}

// NewTimestamp returns a Timestamp column of nanoseconds since the Unix epoch
// (UTC); see NewFloat64 for valid.
func NewTimestamp(name string, nanos []int64, valid []bool) *Column {
	c := newColumn(name, Timestamp, len(nanos), valid)
	c.ints = nanos
	return c
}

// NewString returns a plain (not dictionary-encoded) String column; see
// NewFloat64 for valid.
func NewString(name string, values []string, valid []bool) *Column {
	c := newColumn(name, String, len(values), valid)
	c.strs = values
	return c
}

// NewDictString returns a dictionary-encoded String column: row i holds
// levels[codes[i]]. Codes of null rows are ignored (use 0). It returns an error
// if a code of a valid row is out of range.
func NewDictString(name string, codes []int32, levels []string, valid []bool) (*Column, error) {
	for i, k := range codes {
		if (valid == nil || valid[i]) && (k < 0 || int(k) >= len(levels)) {
			return nil, fmt.Errorf("dataset: column %q row %d: dictionary code %d out of range [0,%d)", name, i, k, len(levels))
		}
	}
	c := newColumn(name, String, len(codes), valid)
	c.codes = codes
	c.levels = levels
	return c, nil
}

// DictEncode returns a dictionary-encoded copy of a String column, levels in
// order of first appearance. Other columns, and columns already encoded, are
// returned unchanged.
func DictEncode(c *Column) *Column {
	if c.typ != String || c.levels != nil {
		return c
	}
	index := make(map[string]int32)
	codes := make([]int32, c.n)
	var levels []string
	for i, s := range c.strs {
		if c.IsNull(i) {
			continue
		}
		k, ok := index[s]
		if !ok {
			k = int32(len(levels))
			index[s] = k
			levels = append(levels, s)
		}
		codes[i] = k
	}
	if levels == nil {
		levels = []string{}
	}
	out := *c
	out.strs = nil
	out.codes = codes
	out.levels = levels
	return &out
}

// Name returns the column's name.
func (c *Column) Name() string { return c.name }

// Type returns the column's type.
func (c *Column) Type() Type { return c.typ }

// Len returns the number of rows.
func (c *Column) Len() int { return c.n }

// NullCount returns the number of null cells.
func (c *Column) NullCount() int { return c.nulls }

// IsNull reports whether row i is null.
func (c *Column) IsNull(i int) bool { return c.valid != nil && !c.valid[i] }

// Valid returns the null mask (false = null), or nil when there are no nulls.
func (c *Column) Valid() []bool { return c.valid }

// Float64s returns the values of a Float64 column (nil for other types).
func (c *Column) Float64s() []float64 { return c.floats }

// Int64s returns the values of an Int64 or Timestamp column (nil for other types).
func (c *Column) Int64s() []int64 { return c.ints }

// Bools returns the values of a Bool column (nil for other types).
func (c *Column) Bools() []bool { return c.bools }

// IsDict reports whether the column is a dictionary-encoded String column.
func (c *Column) IsDict() bool { return c.levels != nil }

// Dict returns the codes and levels of a dictionary-encoded String column;
// ok is false for any other column.
func (c *Column) Dict() (codes []int32, levels []string, ok bool) {
	return c.codes, c.levels, c.levels != nil
}

// StringAt returns row i of a String column ("" for null rows and other types).
func (c *Column) StringAt(i int) string {
	switch {
	case c.typ != String || c.IsNull(i):
		return ""
	case c.levels != nil:
		return c.levels[c.codes[i]]
	default:
		return c.strs[i]
	}
}

// Strings returns the values of a String column as a slice ("" for nulls).
// For a plain column it is the backing slice; for a dictionary column it is
// materialized, one string header per row.
func (c *Column) Strings() []string {
	if c.typ != String {
		return nil
	}
	if c.levels == nil {
		return c.strs
	}
	out := make([]string, c.n)
	for i := range out {
		out[i] = c.StringAt(i)
	}
	return out
}

// TimeAt returns row i of a Timestamp column as a UTC time (zero time for nulls).
func (c *Column) TimeAt(i int) time.Time {
	if c.typ != Timestamp || c.IsNull(i) {
		return time.Time{}
	}
	return time.Unix(0, c.ints[i]).UTC()
}

// FloatAt returns row i as a float64 for numeric columns: Float64 as is, Int64
// converted, Bool as 0 or 1, Timestamp as nanoseconds. ok is false for null
// cells and for String columns.
func (c *Column) FloatAt(i int) (v float64, ok bool) {
	if c.IsNull(i) {
		return math.NaN(), false
	}
	switch c.typ {
	case Float64:
		return c.floats[i], true
	case Int64, Timestamp:
		return float64(c.ints[i]), true
	case Bool:
		if c.bools[i] {
			return 1, true
		}
		return 0, true
	}
	return math.NaN(), false
}

// Format returns row i as text, the way the CSV writer prints it; null is "".
func (c *Column) Format(i int) string {
	if c.IsNull(i) {
		return ""
	}
	switch c.typ {
	case Float64:
		return formatFloat(c.floats[i])
	case Int64:
		return fmt.Sprint(c.ints[i])
	case Bool:
		if c.bools[i] {
			return "true"
		}
		return "false"
	case Timestamp:
		return c.TimeAt(i).Format(time.RFC3339Nano)
	case String:
		return c.StringAt(i)
	}
	return ""
}

// Rename returns the column under another name, sharing its data.
func (c *Column) Rename(name string) *Column {
	out := *c
	out.name = name
	return &out
}

// Slice returns rows [i, j) sharing the backing arrays.
func (c *Column) Slice(i, j int) *Column {
	if i < 0 || j > c.n || i > j {
		panic(fmt.Sprintf("dataset: column %q: slice [%d:%d] out of range for %d rows", c.name, i, j, c.n))
	}
	out := *c
	out.n = j - i
	if c.floats != nil {
		out.floats = c.floats[i:j]
	}
	if c.ints != nil {
		out.ints = c.ints[i:j]
	}
	if c.bools != nil {
		out.bools = c.bools[i:j]
	}
	if c.strs != nil {
		out.strs = c.strs[i:j]
	}
	if c.codes != nil {
		out.codes = c.codes[i:j]
	}
	if c.valid != nil {
		out.valid = c.valid[i:j]
		out.nulls = countNulls(out.valid)
		if out.nulls == 0 {
			out.valid = nil
		}
	}
	return &out
}

// Take returns a new column holding rows idx, in that order (repeats allowed).
// Dictionary columns keep their levels.
func (c *Column) Take(idx []int) *Column {
	out := &Column{name: c.name, typ: c.typ, n: len(idx), levels: c.levels}
	if c.valid != nil {
		out.valid = make([]bool, len(idx))
		for k, i := range idx {
			out.valid[k] = c.valid[i]
		}
		out.nulls = countNulls(out.valid)
		if out.nulls == 0 {
			out.valid = nil
		}
	}
	switch c.typ {
	case Float64:
		out.floats = takeSlice(c.floats, idx)
	case Int64, Timestamp:
		out.ints = takeSlice(c.ints, idx)
	case Bool:
		out.bools = takeSlice(c.bools, idx)
	case String:
		if c.levels != nil {
			out.codes = takeSlice(c.codes, idx)
		} else {
			out.strs = takeSlice(c.strs, idx)
		}
	}
	return out
}

func takeSlice[T any](src []T, idx []int) []T {
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = src[i]
	}
	return out
}
