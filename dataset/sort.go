package dataset

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// SortKey names a column to sort by and its direction.
type SortKey struct {
	Column     string
	Descending bool
}

// Asc is the SortKey for ascending order of a column.
func Asc(column string) SortKey { return SortKey{Column: column} }

// Desc is the SortKey for descending order of a column.
func Desc(column string) SortKey { return SortKey{Column: column, Descending: true} }

// Sort returns the rows ordered by the keys: by the first key, ties broken by
// the second, and so on; rows equal on every key keep their order (the sort
// is stable). Nulls come last whatever the direction, as in pandas'
// sort_values (na_position="last"); NaN floats count as nulls. Strings sort by
// byte-wise value, dictionary-encoded or not; false sorts before true.
func (f *Frame) Sort(keys ...SortKey) (*Frame, error) {
	idx, err := f.SortIndex(keys...)
	if err != nil {
		return nil, err
	}
	return f.Take(idx), nil
}

// SortIndex returns the row order Sort would produce, without moving data.
func (f *Frame) SortIndex(keys ...SortKey) ([]int, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("dataset: sort: no keys")
	}
	cmps := make([]func(a, b int) int, len(keys))
	for k, key := range keys {
		c, err := f.Column(key.Column)
		if err != nil {
			return nil, fmt.Errorf("dataset: sort: %w", err)
		}
		cmps[k] = rowCompare(c, key.Descending)
	}
	idx := make([]int, f.rows)
	for i := range idx {
		idx[i] = i
	}
	// Breaking the last ties by row number makes the order total, so the
	// faster unstable sort gives the stable result.
	slices.SortFunc(idx, func(a, b int) int {
		for _, compare := range cmps {
			if r := compare(a, b); r != 0 {
				return r
			}
		}
		return cmp.Compare(a, b)
	})
	return idx, nil
}

// rowCompare returns a comparison of two rows of c: values in the requested
// direction, nulls after every value.
func rowCompare(c *Column, descending bool) func(a, b int) int {
	var values func(a, b int) int
	null := c.IsNull
	switch c.typ {
	case Float64:
		v := c.floats
		values = func(a, b int) int { return cmp.Compare(v[a], v[b]) }
		null = func(i int) bool { return c.IsNull(i) || math.IsNaN(v[i]) }
	case Int64, Timestamp:
		v := c.ints
		values = func(a, b int) int { return cmp.Compare(v[a], v[b]) }
	case Bool:
		v := c.bools
		values = func(a, b int) int {
			switch {
			case v[a] == v[b]:
				return 0
			case v[b]:
				return -1
			}
			return 1
		}
	case String:
		if c.levels != nil {
			// Rank the levels once; rows then compare as integers.
			order := make([]int, len(c.levels))
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(a, b int) int { return strings.Compare(c.levels[a], c.levels[b]) })
			rank := make([]int32, len(c.levels))
			for r, level := range order {
				rank[level] = int32(r)
			}
			codes := c.codes
			values = func(a, b int) int { return cmp.Compare(rank[codes[a]], rank[codes[b]]) }
		} else {
			v := c.strs
			values = func(a, b int) int { return strings.Compare(v[a], v[b]) }
		}
	}
	sign := 1
	if descending {
		sign = -1
	}
	if c.nulls == 0 && c.typ != Float64 {
		return func(a, b int) int { return sign * values(a, b) }
	}
	return func(a, b int) int {
		na, nb := null(a), null(b)
		switch {
		case na && nb:
			return 0
		case na:
			return 1
		case nb:
			return -1
		}
		return sign * values(a, b)
	}
}
