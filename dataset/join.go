package dataset

import (
	"fmt"
	"slices"
)

// JoinKind selects which rows a Join keeps.
type JoinKind uint8

const (
	// InnerJoin keeps the left rows that match at least one right row.
	InnerJoin JoinKind = iota
	// LeftJoin keeps every left row; right columns are null where no right
	// row matches.
	LeftJoin
)

// String returns "inner" or "left".
func (k JoinKind) String() string {
	switch k {
	case InnerJoin:
		return "inner"
	case LeftJoin:
		return "left"
	}
	return fmt.Sprintf("JoinKind(%d)", uint8(k))
}

// JoinOptions configures Frame.Join.
type JoinOptions struct {
	// Kind is InnerJoin (the zero value) or LeftJoin.
	Kind JoinKind
	// On names key columns that have the same name on both sides.
	On []string
	// LeftOn and RightOn name the key columns pairwise when the names differ
	// (for example flights.origin and airports.faa). Use either On or these.
	LeftOn, RightOn []string
	// Suffix is appended to the name of a right column that clashes with a
	// left column; "" means "_right".
	Suffix string
}

// Join is a hash join of f (left) with right on key columns.
//
// The result has every column of f, then the right columns other than the
// keys (right key columns are dropped: they equal the left keys, or are null
// for unmatched rows of a left join). Rows come in left order; a left row
// matching several right rows is repeated, once per match, in right order.
//
// Key columns must have the same type on both sides (a string key matches by
// value whether dictionary-encoded or not). Nulls never match, as in SQL: a
// row with a null key (or a NaN float key) matches nothing. pandas' merge
// differs here: it matches NaN keys with each other.
//
// Memory: the key codes (4 bytes per row of both frames), the right rows by
// key (8 bytes per right row), and the output columns.
func (f *Frame) Join(right *Frame, opt JoinOptions) (*Frame, error) {
	if right == nil {
		return nil, fmt.Errorf("dataset: join: right frame is nil")
	}
	leftOn, rightOn := opt.LeftOn, opt.RightOn
	switch {
	case len(opt.On) > 0 && (len(leftOn) > 0 || len(rightOn) > 0):
		return nil, fmt.Errorf("dataset: join: set either On or LeftOn/RightOn, not both")
	case len(opt.On) > 0:
		leftOn, rightOn = opt.On, opt.On
	case len(leftOn) == 0:
		return nil, fmt.Errorf("dataset: join: no key columns")
	case len(leftOn) != len(rightOn):
		return nil, fmt.Errorf("dataset: join: %d left keys but %d right keys", len(leftOn), len(rightOn))
	}
	if opt.Kind != InnerJoin && opt.Kind != LeftJoin {
		return nil, fmt.Errorf("dataset: join: unknown kind %v", opt.Kind)
	}
	keys := make([][]*Column, len(leftOn))
	for k := range leftOn {
		lc, err := f.Column(leftOn[k])
		if err != nil {
			return nil, fmt.Errorf("dataset: join: left key: %w", err)
		}
		rc, err := right.Column(rightOn[k])
		if err != nil {
			return nil, fmt.Errorf("dataset: join: right key: %w", err)
		}
		if lc.typ != rc.typ {
			return nil, fmt.Errorf("dataset: join: key %q is %s on the left but %q is %s on the right",
				lc.name, lc.typ, rc.name, rc.typ)
		}
		keys[k] = []*Column{rc, lc} // right first: right tuples get codes [0, rightGroups)
	}

	// Output columns and their names, checked before the work.
	suffix := opt.Suffix
	if suffix == "" {
		suffix = "_right"
	}
	var rightCols []*Column
	names := make(map[string]bool, f.NumCols()+right.NumCols())
	for _, c := range f.cols {
		names[c.name] = true
	}
	for _, c := range right.cols {
		if slices.Contains(rightOn, c.name) {
			continue
		}
		name := c.name
		if names[name] {
			name += suffix
			if names[name] {
				return nil, fmt.Errorf("dataset: join: right column %q renamed %q still clashes with a column of the result", c.name, name)
			}
			c = c.Rename(name)
		}
		names[name] = true
		rightCols = append(rightCols, c)
	}

	ids, _, err := tupleCodes(keys, false)
	if err != nil {
		return nil, fmt.Errorf("dataset: join: %w", err)
	}
	rightIDs, leftIDs := ids[:right.rows], ids[right.rows:]
	rightGroups := int32(0)
	for _, g := range rightIDs {
		rightGroups = max(rightGroups, g+1)
	}
	offsets, index := groupRows(rightIDs, int(rightGroups))

	// Size the output, then fill the row pairs.
	n := 0
	for _, g := range leftIDs {
		switch {
		case g >= 0 && g < rightGroups:
			n += offsets[g+1] - offsets[g]
		case opt.Kind == LeftJoin:
			n++
		}
	}
	leftRows := make([]int, 0, n)
	rightRows := make([]int, 0, n)
	for i, g := range leftIDs {
		if g >= 0 && g < rightGroups {
			for _, j := range index[offsets[g]:offsets[g+1]] {
				leftRows = append(leftRows, i)
				rightRows = append(rightRows, j)
			}
		} else if opt.Kind == LeftJoin {
			leftRows = append(leftRows, i)
			rightRows = append(rightRows, -1)
		}
	}

	identity := n == f.rows // each left row exactly once, in order: share the left columns
	if identity {
		for k, i := range leftRows {
			if i != k {
				identity = false
				break
			}
		}
	}
	cols := f.cols
	if !identity {
		cols = takeColumns(f.cols, leftRows)
	}
	cols = append(slices.Clip(cols), takeOrNullColumns(rightCols, rightRows)...)
	out, err := New(cols...)
	if err != nil {
		return nil, err
	}
	out.rows = n
	return out, nil
}

// takeOrNullColumns is Column.Take on each column, where index -1 yields a
// null.
func takeOrNullColumns(cols []*Column, idx []int) []*Column {
	var missing []int // output positions of -1
	for k, i := range idx {
		if i < 0 {
			missing = append(missing, k)
		}
	}
	if missing == nil {
		return takeColumns(cols, idx)
	}
	safe := make([]int, len(idx))
	for k, i := range idx {
		safe[k] = max(i, 0)
	}
	return eachColumn(cols, len(idx), func(c *Column) *Column {
		if c.n == 0 { // an empty right frame: every cell is null
			out := c.Take(nil)
			out.n = len(idx)
			switch c.typ {
			case Float64:
				out.floats = make([]float64, len(idx))
			case Int64, Timestamp:
				out.ints = make([]int64, len(idx))
			case Bool:
				out.bools = make([]bool, len(idx))
			case String:
				if c.levels != nil {
					out.codes = make([]int32, len(idx))
				} else {
					out.strs = make([]string, len(idx))
				}
			}
			out.valid = make([]bool, len(idx))
			out.nulls = len(idx)
			return out
		}
		out := c.Take(safe)
		valid := out.valid
		if valid == nil {
			valid = make([]bool, len(idx))
			for k := range valid {
				valid[k] = true
			}
		}
		// Null cells hold the zero value in the backing slice.
		for _, k := range missing {
			valid[k] = false
			switch {
			case out.floats != nil:
				out.floats[k] = 0
			case out.ints != nil:
				out.ints[k] = 0
			case out.bools != nil:
				out.bools[k] = false
			case out.strs != nil:
				out.strs[k] = ""
			case out.codes != nil:
				out.codes[k] = 0
			}
		}
		out.valid = valid
		out.nulls = countNulls(valid)
		return out
	})
}
