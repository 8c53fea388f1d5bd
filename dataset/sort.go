package dataset

import (
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
//
// It radix-sorts one key at a time, from the last to the first, each pass
// stable: time is linear in the rows (a few passes per key), memory 32 bytes
// per row.
func (f *Frame) SortIndex(keys ...SortKey) ([]int, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("dataset: sort: no keys")
	}
	cols := make([]*Column, len(keys))
	for k, key := range keys {
		c, err := f.Column(key.Column)
		if err != nil {
			return nil, fmt.Errorf("dataset: sort: %w", err)
		}
		cols[k] = c
	}
	n := f.rows
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n < 2 {
		return idx, nil
	}
	idxBuf := make([]int, n)
	vals := make([]uint64, n)
	valBuf := make([]uint64, n)
	for k := len(keys) - 1; k >= 0; k-- {
		c := cols[k]
		null := func(i int) bool { return c.IsNull(i) }
		if c.typ == Float64 {
			null = func(i int) bool { return c.IsNull(i) || math.IsNaN(c.floats[i]) }
		}
		// Nulls (and NaN) go to the end, keeping the order of the previous keys.
		valid := n
		if c.nulls > 0 || c.typ == Float64 {
			m := 0
			for _, i := range idx {
				if !null(i) {
					idxBuf[m] = i
					m++
				}
			}
			valid = m
			for _, i := range idx {
				if null(i) {
					idxBuf[m] = i
					m++
				}
			}
			idx, idxBuf = idxBuf, idx
		}
		encodeSortKeys(c, idx[:valid], vals[:valid])
		if keys[k].Descending {
			for p := range vals[:valid] {
				vals[p] = ^vals[p]
			}
		}
		_, sorted := radixSort(vals[:valid], valBuf[:valid], idx[:valid], idxBuf[:valid])
		if valid > 0 && &sorted[0] != &idx[0] {
			copy(idx, sorted)
		}
	}
	return idx, nil
}

// encodeSortKeys writes, for each row of rows (none null), a uint64 whose order
// is the order of the row's value in c.
func encodeSortKeys(c *Column, rows []int, out []uint64) {
	switch c.typ {
	case Float64:
		for p, i := range rows {
			out[p] = orderedFloat(c.floats[i])
		}
	case Int64, Timestamp:
		for p, i := range rows {
			out[p] = orderedInt(c.ints[i])
		}
	case Bool:
		for p, i := range rows {
			out[p] = 0
			if c.bools[i] {
				out[p] = 1
			}
		}
	case String:
		codes, levels := c.codes, c.levels
		if levels == nil {
			codes, levels = codeStrings(c.strs, rows)
		}
		rank := levelRanks(levels)
		for p, i := range rows {
			out[p] = uint64(rank[codes[i]])
		}
	}
}

// codeStrings codes the strings at rows by first appearance; codes has one
// entry per string (rows not listed keep code 0).
func codeStrings(strs []string, rows []int) (codes []int32, levels []string) {
	index := make(map[string]int32)
	codes = make([]int32, len(strs))
	for _, i := range rows {
		k, ok := index[strs[i]]
		if !ok {
			k = int32(len(levels))
			index[strs[i]] = k
			levels = append(levels, strs[i])
		}
		codes[i] = k
	}
	return codes, levels
}

// levelRanks returns the rank of each level in byte-wise string order.
func levelRanks(levels []string) []int32 {
	order := make([]int, len(levels))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(levels[a], levels[b]) })
	rank := make([]int32, len(levels))
	for r, level := range order {
		rank[level] = int32(r)
	}
	return rank
}
