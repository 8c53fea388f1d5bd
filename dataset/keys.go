package dataset

import (
	"fmt"
	"math"
)

// This file turns key columns into dense int32 codes, the common ground of
// GroupBy and Join. A key column may come in several parts (Join codes the
// right and then the left key column as one sequence, so that equal values
// get equal codes). Codes run from 0 in order of first appearance; null cells
// get -1. Dictionary columns are coded through their levels (one map lookup per
// level, then an array lookup per row); integer columns of small range through
// a table; everything else through one hash map.

// maxKeyRows bounds the rows a group-by or join handles: codes are int32.
const maxKeyRows = math.MaxInt32 - 1

// tableLimit returns the largest value range coded by a table rather than a
// map for n rows: tables cost 4 bytes per slot, about as much as the rows.
func tableLimit(n int) uint64 { return uint64(4*n + 1024) }

// keyCodes writes the code of every row of the concatenated parts into out
// and returns the number of distinct non-null values. Floats are compared by
// value (-0 equals 0); NaN counts as null.
func keyCodes(parts []*Column, out []int32) int {
	switch parts[0].typ {
	case Int64, Timestamp:
		return intCodes(parts, out)
	case Float64:
		return floatCodes(parts, out)
	case Bool:
		return boolCodes(parts, out)
	default:
		return stringCodes(parts, out)
	}
}

func intCodes(parts []*Column, out []int32) int {
	var lo, hi int64
	seen := false
	for _, p := range parts {
		for i, v := range p.ints {
			if p.IsNull(i) {
				continue
			}
			if !seen {
				lo, hi, seen = v, v, true
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	card := int32(0)
	pos := 0
	// hi-lo computed in uint64 is exact even when it overflows int64.
	if seen && uint64(hi)-uint64(lo) < tableLimit(len(out)) {
		table := make([]int32, uint64(hi)-uint64(lo)+1)
		for i := range table {
			table[i] = -1
		}
		for _, p := range parts {
			for i, v := range p.ints {
				if p.IsNull(i) {
					out[pos] = -1
				} else {
					slot := &table[v-lo]
					if *slot < 0 {
						*slot = card
						card++
					}
					out[pos] = *slot
				}
				pos++
			}
		}
		return int(card)
	}
	index := make(map[int64]int32)
	for _, p := range parts {
		for i, v := range p.ints {
			if p.IsNull(i) {
				out[pos] = -1
			} else {
				k, ok := index[v]
				if !ok {
					k = card
					index[v] = k
					card++
				}
				out[pos] = k
			}
			pos++
		}
	}
	return int(card)
}

func floatCodes(parts []*Column, out []int32) int {
	index := make(map[uint64]int32)
	card := int32(0)
	pos := 0
	for _, p := range parts {
		for i, v := range p.floats {
			if p.IsNull(i) || math.IsNaN(v) {
				out[pos] = -1
				pos++
				continue
			}
			if v == 0 {
				v = 0 // -0 and +0 are one key
			}
			bits := math.Float64bits(v)
			k, ok := index[bits]
			if !ok {
				k = card
				index[bits] = k
				card++
			}
			out[pos] = k
			pos++
		}
	}
	return int(card)
}

func boolCodes(parts []*Column, out []int32) int {
	table := [2]int32{-1, -1}
	card := int32(0)
	pos := 0
	for _, p := range parts {
		for i, v := range p.bools {
			if p.IsNull(i) {
				out[pos] = -1
				pos++
				continue
			}
			b := 0
			if v {
				b = 1
			}
			if table[b] < 0 {
				table[b] = card
				card++
			}
			out[pos] = table[b]
			pos++
		}
	}
	return int(card)
}

func stringCodes(parts []*Column, out []int32) int {
	index := make(map[string]int32)
	card := int32(0)
	code := func(s string) int32 {
		k, ok := index[s]
		if !ok {
			k = card
			index[s] = k
			card++
		}
		return k
	}
	pos := 0
	for _, p := range parts {
		if p.levels == nil {
			for i, s := range p.strs {
				if p.IsNull(i) {
					out[pos] = -1
				} else {
					out[pos] = code(s)
				}
				pos++
			}
			continue
		}
		// Levels are coded when first used, so that codes follow row order.
		remap := make([]int32, len(p.levels))
		for i := range remap {
			remap[i] = -1
		}
		for i, c := range p.codes {
			if p.IsNull(i) {
				out[pos] = -1
			} else {
				if remap[c] < 0 {
					remap[c] = code(p.levels[c])
				}
				out[pos] = remap[c]
			}
			pos++
		}
	}
	return int(card)
}

// tupleCodes codes rows by the tuple of their key columns: keys[k] holds the
// parts of key column k, and all keys have parts of the same lengths. With
// nullGroup, a null is a value like any other (GroupBy); without it, a row
// with a null in any key gets -1 (Join: nulls never match).
func tupleCodes(keys [][]*Column, nullGroup bool) (ids []int32, groups int, err error) {
	n := 0
	for _, p := range keys[0] {
		n += p.n
	}
	if n > maxKeyRows {
		return nil, 0, fmt.Errorf("dataset: %d rows are more than the %d a group-by or join handles", n, maxKeyRows)
	}
	ids = make([]int32, n)
	groups = keyCodes(keys[0], ids)
	if len(keys) == 1 && !nullGroup {
		return ids, groups, nil
	}
	combined := make([]int64, n)
	if len(keys) == 1 {
		// Only to give the null group its place in first-appearance order.
		for i, a := range ids {
			combined[i] = int64(a) + 1
		}
		groups = refactor(combined, int64(groups)+1, ids)
		return ids, groups, nil
	}
	codes := make([]int32, n)
	for _, parts := range keys[1:] {
		card := keyCodes(parts, codes)
		var bound int64
		if nullGroup {
			bound = (int64(groups) + 1) * (int64(card) + 1)
			for i, a := range ids {
				combined[i] = (int64(a)+1)*(int64(card)+1) + int64(codes[i]) + 1
			}
		} else {
			bound = int64(groups) * int64(card)
			for i, a := range ids {
				if a < 0 || codes[i] < 0 {
					combined[i] = -1
				} else {
					combined[i] = int64(a)*int64(card) + int64(codes[i])
				}
			}
		}
		groups = refactor(combined, bound, ids)
	}
	return ids, groups, nil
}

// refactor codes values in [-1, bound) (-1 = null) by first appearance.
func refactor(values []int64, bound int64, out []int32) int {
	card := int32(0)
	if uint64(bound) < tableLimit(len(values)) {
		table := make([]int32, bound)
		for i := range table {
			table[i] = -1
		}
		for i, v := range values {
			if v < 0 {
				out[i] = -1
				continue
			}
			if table[v] < 0 {
				table[v] = card
				card++
			}
			out[i] = table[v]
		}
		return int(card)
	}
	index := make(map[int64]int32)
	for i, v := range values {
		if v < 0 {
			out[i] = -1
			continue
		}
		k, ok := index[v]
		if !ok {
			k = card
			index[v] = k
			card++
		}
		out[i] = k
	}
	return int(card)
}
