package dataset

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/kiln-ml/kiln/internal/bigmem"
)

// DictMaxLevels is the dictionary rule of the readers: a String column is
// dictionary-encoded when it has at least one value, at most DictMaxLevels
// distinct values and at most one distinct value per two non-null rows (so the codes plus levels are smaller than plain strings, and
// identifiers or free text such as reviews stay plain).
const DictMaxLevels = 1 << 16

// columnBuilder concatenates one column's chunks, in order, into its final
// slices. The slices are allocated once with a capacity estimated from the
// file size when it is known, so they are not copied as they grow.
type columnBuilder struct {
	name     string
	typ      Type // 0 while every value so far is null
	forced   Type // the type to give a column without any value, 0 = String
	n        int
	capHint  int
	conflict bool // a chunk's type cannot join the earlier ones without their text

	ints   []int64
	floats []float64 // after int64 -> float64 widening it aliases the ints' memory
	bools  []bool
	valid  []bool // nil until the first null
	nulls  int

	// inferTimes makes a String column whose chunks all hold only dates or
	// date-times (chunkColumn.times) a Timestamp column (JSON Lines strings);
	// notTimes records a chunk that did not.
	inferTimes, notTimes bool

	dictMode bool
	index    map[string]int32
	levels   []string
	codes    []int32
	strs     []string
	remap    []int32
}

func newColumnBuilder(name string) *columnBuilder {
	return &columnBuilder{name: name, dictMode: true}
}

// extend returns s with n more zero elements, allocating capHint at first.
func extend[T any](s []T, n, capHint int) []T {
	if s == nil {
		s = bigmem.MakeCap[T](0, max(capHint, n)) // advised for huge pages: see bigmem
	}
	l := len(s)
	s = slices.Grow(s, n)[:l+n]
	clear(s[l:])
	return s
}

func (b *columnBuilder) add(cc *chunkColumn, rows int) {
	if b.conflict {
		b.n += rows
		return
	}
	t := joinTypes(b.typ, cc.typ)
	if t == String && ((b.typ != 0 && b.typ != String) || (cc.typ != 0 && cc.typ != String)) {
		// The earlier chunks were converted to numbers, booleans or times
		// and their text is gone: the caller re-reads this column as text.
		b.conflict = true
		b.n += rows
		b.ints, b.floats, b.bools, b.valid, b.codes, b.strs, b.levels, b.index = nil, nil, nil, nil, nil, nil, nil, nil
		return
	}
	if b.typ == 0 && t != 0 {
		// First typed chunk: the rows before it were all null (zeros).
		switch t {
		case Int64, Timestamp:
			b.ints = extend[int64](nil, b.n, b.capHint)
		case Float64:
			b.floats = extend[float64](nil, b.n, b.capHint)
		case Bool:
			b.bools = extend[bool](nil, b.n, b.capHint)
		case String:
			b.codes = extend[int32](nil, b.n, b.capHint)
			b.index = make(map[string]int32)
			b.levels = []string{}
		}
	}
	if b.typ == Int64 && t == Float64 {
		// Widen in place: float64 and int64 have the same size, so the
		// values are rewritten over their own memory.
		ints := b.ints
		floats := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(ints))), cap(ints))[:len(ints)]
		for i, v := range ints {
			floats[i] = float64(v)
		}
		b.floats, b.ints = floats, nil
	}
	b.typ = t
	b.addNulls(cc, rows)
	switch t {
	case Int64, Timestamp:
		if cc.typ == 0 {
			b.ints = extend(b.ints, rows, b.capHint)
		} else {
			b.ints = append(b.ints, cc.ints[:rows]...)
		}
	case Float64:
		switch cc.typ {
		case 0:
			b.floats = extend(b.floats, rows, b.capHint)
		case Int64:
			l := len(b.floats)
			b.floats = extend(b.floats, rows, b.capHint)
			for i, v := range cc.ints[:rows] {
				b.floats[l+i] = float64(v)
			}
		default:
			b.floats = append(b.floats, cc.floats[:rows]...)
		}
	case Bool:
		if cc.typ == 0 {
			b.bools = extend(b.bools, rows, b.capHint)
		} else {
			b.bools = append(b.bools, cc.bools[:rows]...)
		}
	case String:
		if cc.typ == String && !cc.times {
			b.notTimes = true
		}
		b.addStrings(cc, rows)
	}
	b.n += rows
}

func (b *columnBuilder) addNulls(cc *chunkColumn, rows int) {
	switch {
	case cc.typ == 0: // all null
		if b.valid == nil {
			b.valid = extend[bool](nil, b.n, b.capHint)
			fillTrue(b.valid)
		}
		b.valid = extend(b.valid, rows, b.capHint) // false = null
		b.nulls += rows
	case cc.nulls > 0:
		if b.valid == nil {
			b.valid = extend[bool](nil, b.n, b.capHint)
			fillTrue(b.valid)
		}
		b.valid = append(b.valid, cc.valid[:rows]...)
		b.nulls += cc.nulls
	case b.valid != nil:
		l := len(b.valid)
		b.valid = extend(b.valid, rows, b.capHint)
		fillTrue(b.valid[l:])
	}
}

func fillTrue(v []bool) {
	for i := range v {
		v[i] = true
	}
}

func (b *columnBuilder) isNull(cc *chunkColumn, row int) bool {
	return cc.typ == 0 || (cc.valid != nil && !cc.valid[row])
}

func (b *columnBuilder) addStrings(cc *chunkColumn, rows int) {
	if b.dictMode {
		l := len(b.codes)
		b.codes = extend(b.codes, rows, b.capHint)
		out := b.codes[l:]
		switch {
		case cc.typ == 0:
		case cc.strs == nil: // dictionary chunk: map its codes to global ones
			b.remap = b.remap[:0]
			for _, s := range cc.levels {
				b.remap = append(b.remap, b.code(s))
			}
			for i, c := range cc.codes[:rows] {
				if !b.isNull(cc, i) {
					out[i] = b.remap[c]
				}
			}
		default:
			for i, s := range cc.strs[:rows] {
				if !b.isNull(cc, i) {
					out[i] = b.code(s)
				}
			}
		}
		if len(b.levels) <= DictMaxLevels {
			return
		}
		// Too many distinct values for a dictionary: switch to plain strings.
		b.strs = bigmem.MakeCap[string](len(b.codes), max(b.capHint, len(b.codes)))
		for i, c := range b.codes {
			if b.valid == nil || b.valid[i] {
				b.strs[i] = b.levels[c]
			}
		}
		b.dictMode, b.codes, b.levels, b.index = false, nil, nil, nil
		return
	}
	l := len(b.strs)
	b.strs = extend(b.strs, rows, b.capHint)
	out := b.strs[l:]
	switch {
	case cc.typ == 0:
	case cc.strs == nil:
		// The chunk's levels live in a buffer that is reused for a later
		// chunk: copy them once before sharing them among rows.
		levels := make([]string, len(cc.levels))
		for i, s := range cc.levels {
			levels[i] = strings.Clone(s)
		}
		for i, c := range cc.codes[:rows] {
			if !b.isNull(cc, i) {
				out[i] = levels[c]
			}
		}
	default:
		copy(out, cc.strs[:rows])
	}
}

func (b *columnBuilder) code(s string) int32 {
	c, ok := b.index[s]
	if !ok {
		s = strings.Clone(s) // the chunk's text is reused or would be pinned
		c = int32(len(b.levels))
		b.index[s] = c
		b.levels = append(b.levels, s)
	}
	return c
}

// column returns the finished column. A column with no value at all is a
// String column of nulls.
func (b *columnBuilder) column() *Column {
	valid := b.valid
	if b.nulls == 0 {
		valid = nil
	}
	switch b.typ {
	case Int64:
		return NewInt64(b.name, b.ints, valid)
	case Timestamp:
		return NewTimestamp(b.name, b.ints, valid)
	case Float64:
		return NewFloat64(b.name, b.floats, valid)
	case Bool:
		return NewBool(b.name, b.bools, valid)
	case String:
		if b.inferTimes && !b.notTimes && b.n > b.nulls {
			return b.timestamps(valid)
		}
		if b.dictMode {
			if len(b.levels) > 0 && 2*len(b.levels) <= b.n-b.nulls {
				c, err := NewDictString(b.name, b.codes, b.levels, valid)
				if err == nil {
					return c
				}
			}
			strs := make([]string, len(b.codes))
			for i, c := range b.codes {
				if valid == nil || valid[i] {
					strs[i] = b.levels[c]
				}
			}
			return NewString(b.name, strs, valid)
		}
		return NewString(b.name, b.strs, valid)
	}
	if valid == nil && b.n > 0 {
		valid = make([]bool, b.n)
	}
	switch b.forced {
	case Int64:
		return NewInt64(b.name, make([]int64, b.n), valid)
	case Timestamp:
		return NewTimestamp(b.name, make([]int64, b.n), valid)
	case Float64:
		return NewFloat64(b.name, make([]float64, b.n), valid)
	case Bool:
		return NewBool(b.name, make([]bool, b.n), valid)
	}
	return NewString(b.name, make([]string, b.n), valid)
}

// timestamps converts a String column whose values all parse as dates or
// date-times (JSON Lines strings) to a Timestamp column: each level once in
// dictionary form, else each value, on all cores.
func (b *columnBuilder) timestamps(valid []bool) *Column {
	ints := bigmem.Make[int64](b.n)
	if b.dictMode {
		lv := make([]int64, len(b.levels))
		for i, s := range b.levels {
			lv[i], _ = parseTimestamp([]byte(s))
		}
		for i, c := range b.codes {
			if valid == nil || valid[i] {
				ints[i] = lv[c]
			}
		}
		return NewTimestamp(b.name, ints, valid)
	}
	parallelRanges(b.n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if valid == nil || valid[i] {
				s := b.strs[i]
				ints[i], _ = parseTimestamp(unsafe.Slice(unsafe.StringData(s), len(s)))
			}
		}
	})
	return NewTimestamp(b.name, ints, valid)
}

// parallelRanges calls f on GOMAXPROCS contiguous parts of [0, n) at once.
func parallelRanges(n int, f func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), max(n/4096, 1))
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(p*n/parts, (p+1)*n/parts)
		}()
	}
	wg.Wait()
}
