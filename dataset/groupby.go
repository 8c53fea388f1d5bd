package dataset

import "fmt"

// Groups is the result of GroupBy: the distinct key tuples and, for each, the
// rows that hold it.
//
// The row lists are stored compactly, CSR-style: the rows of group g are
// Index[Offsets[g]:Offsets[g+1]], in ascending row order. Group[i] is the group
// of row i. Memory: 4 bytes per row for Group, 8 for Index, 8 per group for
// Offsets, plus the Keys frame.
type Groups struct {
	// Keys holds one row per group, in order of first appearance, with the
	// key columns (dictionary columns stay dictionary-encoded).
	Keys *Frame
	// Group is the group id of each row of the grouped frame.
	Group []int32
	// Offsets has NumGroups()+1 entries: group g's rows are Index[Offsets[g]:Offsets[g+1]].
	Offsets []int
	// Index lists the rows of every group, group after group.
	Index []int
}

// NumGroups returns the number of distinct key tuples.
func (g *Groups) NumGroups() int { return len(g.Offsets) - 1 }

// Rows returns the rows of group k in ascending order, sharing Index. Use it
// with Frame.Take to get a group's sub-frame.
func (g *Groups) Rows(k int) []int { return g.Index[g.Offsets[k]:g.Offsets[k+1]] }

// Sizes returns the number of rows in each group.
func (g *Groups) Sizes() []int {
	out := make([]int, g.NumGroups())
	for k := range out {
		out[k] = g.Offsets[k+1] - g.Offsets[k]
	}
	return out
}

// GroupBy groups the rows by the values of the key columns, of any type.
// String keys compare by value whether dictionary-encoded or not; float keys
// compare by value with -0 equal to 0.
//
// Unlike pandas' default (dropna=True), a null key is a value of its own: rows
// whose key is null form a group, whose Keys row is null (NaN float keys join
// that group too). Callers that want pandas' behaviour skip those groups.
//
// Time and memory are linear in the rows: dictionary codes, booleans and
// integer keys of small range are grouped through arrays, other keys through
// one hash map; no per-row allocations.
func (f *Frame) GroupBy(keys ...string) (*Groups, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("dataset: group-by: no key columns")
	}
	cols := make([][]*Column, len(keys))
	for k, name := range keys {
		c, err := f.Column(name)
		if err != nil {
			return nil, fmt.Errorf("dataset: group-by: %w", err)
		}
		cols[k] = []*Column{c}
	}
	keyFrame, err := f.Select(keys...)
	if err != nil {
		return nil, fmt.Errorf("dataset: group-by: %w", err)
	}
	ids, groups, err := tupleCodes(cols, true)
	if err != nil {
		return nil, err
	}
	offsets, index := groupRows(ids, groups)
	first := make([]int, groups)
	for g := range first {
		first[g] = index[offsets[g]]
	}
	return &Groups{Keys: keyFrame.Take(first), Group: ids, Offsets: offsets, Index: index}, nil
}

// groupRows lays out the rows of each group (ids in [0, groups); rows with a
// negative id are left out) as CSR offsets and an index.
func groupRows(ids []int32, groups int) (offsets, index []int) {
	offsets = make([]int, groups+1)
	for _, g := range ids {
		if g >= 0 {
			offsets[g+1]++
		}
	}
	for g := range groups {
		offsets[g+1] += offsets[g]
	}
	index = make([]int, offsets[groups])
	next := make([]int, groups)
	copy(next, offsets[:groups])
	for i, g := range ids {
		if g >= 0 {
			index[next[g]] = i
			next[g]++
		}
	}
	return offsets, index
}
