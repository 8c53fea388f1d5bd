package dataset

import (
	"bytes"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// chunkColumn is one column of one chunk, converted to its own inferred (or
// forced) type. The assembler joins the chunks' types.
type chunkColumn struct {
	typ    Type // 0 when every value is null
	ints   []int64
	floats []float64
	bools  []bool
	valid  []bool // nil when no value is null
	nulls  int
	codes  []int32 // String, dictionary form
	levels []string
	strs   []string // String, plain form (nil in dictionary form)
	times  bool     // String (JSON Lines): every value is a date or date-time

	validBuf   []bool   // reused backing of valid
	levelBuf   []string // reused backing of levels
	levelArena []byte   // text of the levels, reused
}

type chunkResult struct {
	index int
	rows  int
	bytes int
	cols  []chunkColumn
	err   error
}

// Chunk-level dictionary: give up (and store plain strings) once there are
// at least chunkDictMinLevels distinct values and one per two rows of the
// chunk. The assembler applies the final rule (see DictMaxLevels).
const chunkDictMinLevels = 64

// csvWorker parses chunks; each goroutine has its own, so its scratch space
// is reused across chunks without locking.
type csvWorker struct {
	file   string
	names  []string // output column names
	forced []Type   // forced type per output column, 0 = infer
	tok    *tokenizer
	nulls  *nullSet
	cells  []cell
	levels chunkLevels
	remap  []int32
	rows   int
	data   []byte
	chunk  *chunk
}

func (w *csvWorker) parse(c *chunk, res *chunkResult) {
	res.index = c.index
	res.bytes = len(c.data)
	res.err = nil
	w.chunk = c
	w.data = c.data
	if i := bytes.IndexByte(c.data, 0); i >= 0 {
		res.err = w.errorAt(i, -1, "NUL byte in text (binary file, or UTF-16 text?)")
		return
	}
	if !utf8.Valid(c.data) {
		res.err = w.errorAt(invalidUTF8At(c.data), -1, "invalid UTF-8")
		return
	}
	var terr *tokenError
	w.cells, w.rows, terr = w.tok.tokenize(c.data, w.cells[:0])
	if terr != nil {
		k := -1
		if terr.field >= 0 && terr.field < len(w.tok.keep) {
			k = w.tok.keep[terr.field]
		}
		res.err = w.errorAt(terr.off, k, terr.msg)
		return
	}
	res.rows = w.rows
	for k := range res.cols {
		col := &res.cols[k]
		col.reset()
		if t := w.forced[k]; t != 0 {
			if err := w.convertForced(k, t, col); err != nil {
				res.err = err
				return
			}
			continue
		}
		w.convertInferred(k, col)
	}
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// errorAt makes a ParseError for a byte offset of the current chunk; k is the
// output column, or -1.
func (w *csvWorker) errorAt(off, k int, msg string) error {
	return chunkError(w.file, w.chunk, off, k, w.names, msg)
}

func chunkError(file string, c *chunk, off, k int, names []string, msg string) error {
	off = min(max(off, 0), len(c.data))
	line := c.line + bytes.Count(c.data[:off], []byte{'\n'})
	ls := bytes.LastIndexByte(c.data[:off], '\n') + 1
	e := &ParseError{File: file, Line: line, Column: utf8.RuneCount(c.data[ls:off]) + 1, Msg: msg}
	if k >= 0 && k < len(names) {
		e.ColumnName = names[k]
	}
	return e
}

func (col *chunkColumn) reset() {
	col.typ = 0
	col.valid = nil
	col.nulls = 0
	col.strs = nil
	col.levels = nil
}

func (col *chunkColumn) setNull(row, rows int) {
	if col.valid == nil {
		col.validBuf = grow(col.validBuf, rows)
		col.valid = col.validBuf
		for i := range col.valid {
			col.valid[i] = true
		}
	}
	col.valid[row] = false
	col.nulls++
}

// setNullValue marks row null and zeroes its slot in the backing slice of
// type t: buffers are reused across chunks, and null cells hold the zero value.
func (col *chunkColumn) setNullValue(row, rows int, t Type) {
	col.setNull(row, rows)
	switch t {
	case Int64, Timestamp:
		col.ints[row] = 0
	case Float64:
		col.floats[row] = 0
	case Bool:
		col.bools[row] = false
	}
}

// grow returns s resized to n elements, all zero.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	s = s[:n]
	clear(s)
	return s
}

// growNoClear returns s resized to n elements whose values are left over
// from earlier chunks: the caller writes every one.
func growNoClear[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// cellAt returns the cell of output column k in row.
func (w *csvWorker) cellAt(row, k int) cell {
	return w.cells[row*w.tok.nout+k]
}

// convertInferred converts column k, inferring its type from all of the
// chunk's values: it starts with the type of the first value and widens
// (int64 -> float64, or anything -> string) as later values require.
func (w *csvWorker) convertInferred(k int, col *chunkColumn) {
	rows := w.rows
	data := w.data
	cells := w.cells
	stride := w.tok.nout
	fast := !w.nulls.typed // no null token parses as a value: try the value first
	state := Type(0)
	for row := 0; row < rows; row++ {
		c := cells[row*stride+k]
		b := data[c.start : c.end&cellEndMask]
		if fast {
			switch state {
			case Int64:
				if v, ok := parseInt(b); ok {
					col.ints[row] = v
					continue
				}
			case Float64:
				if v, ok := parseFloat(b); ok && v == v { // NaN may be a null token
					col.floats[row] = v
					continue
				}
			}
		}
		if !c.quoted() && w.nulls.isNull(b) {
			col.setNullValue(row, rows, state)
			continue
		}
		if c.escaped() { // holds a quote, so it can only be text
			w.convertString(k, col)
			return
		}
		switch state {
		case Int64:
			if v, ok := parseInt(b); ok {
				col.ints[row] = v
				continue
			}
		case Float64:
			if v, ok := parseFloat(b); ok {
				col.floats[row] = v
				continue
			}
		case Bool:
			if v, ok := parseBool(b); ok {
				col.bools[row] = v
				continue
			}
		case Timestamp:
			if v, ok := parseTimestamp(b); ok {
				col.ints[row] = v
				continue
			}
		}
		next := joinTypes(state, classify(b))
		switch {
		case next == String:
			w.convertString(k, col)
			return
		case state == Int64 && next == Float64:
			col.floats = growNoClear(col.floats, rows)
			for i, v := range col.ints[:row] {
				col.floats[i] = float64(v)
			}
		case state == 0:
			// The rows before are all null: their values must be zero.
			switch next {
			case Int64, Timestamp:
				col.ints = growNoClear(col.ints, rows)
				clear(col.ints[:row])
			case Float64:
				col.floats = growNoClear(col.floats, rows)
				clear(col.floats[:row])
			case Bool:
				col.bools = growNoClear(col.bools, rows)
				clear(col.bools[:row])
			}
		}
		state = next
		switch state {
		case Int64:
			col.ints[row], _ = parseInt(b)
		case Float64:
			col.floats[row], _ = parseFloat(b)
		case Bool:
			col.bools[row], _ = parseBool(b)
		case Timestamp:
			col.ints[row], _ = parseTimestamp(b)
		}
	}
	col.typ = state
}

// convertForced converts column k to type t, failing on the first value that
// does not parse.
func (w *csvWorker) convertForced(k int, t Type, col *chunkColumn) error {
	if t == String {
		w.convertString(k, col)
		return nil
	}
	rows := w.rows
	col.typ = t
	switch t {
	case Int64, Timestamp:
		col.ints = growNoClear(col.ints, rows)
	case Float64:
		col.floats = growNoClear(col.floats, rows)
	case Bool:
		col.bools = growNoClear(col.bools, rows)
	}
	for row := 0; row < rows; row++ {
		c := w.cellAt(row, k)
		b := c.bytes(w.data)
		if !c.quoted() && w.nulls.isNull(b) {
			col.setNullValue(row, rows, t)
			continue
		}
		ok := false
		switch t {
		case Int64:
			col.ints[row], ok = parseInt(b)
		case Float64:
			col.floats[row], ok = parseFloat(b)
		case Bool:
			col.bools[row], ok = parseBool(b)
		case Timestamp:
			col.ints[row], ok = parseTimestamp(b)
		}
		if !ok {
			off := int(c.start)
			if c.quoted() {
				off--
			}
			text := string(c.unescape(nil, w.data))
			if len(text) > 40 {
				text = text[:40] + "..."
			}
			return w.errorAt(off, k, fmt.Sprintf("cannot parse %q as %v", text, t))
		}
	}
	return nil
}

// convertString stores column k as text: as a dictionary while the chunk has
// few distinct values, else as plain strings copied into one arena per chunk
// (no allocation per row).
func (w *csvWorker) convertString(k int, col *chunkColumn) {
	rows := w.rows
	col.typ = String
	col.valid = nil
	col.nulls = 0
	col.strs = nil
	w.levels.reset()
	col.codes = growNoClear(col.codes, rows)
	levels := col.levelBuf[:0]
	arena := col.levelArena[:0]
	var scratch []byte
	dict := true
	for row := 0; row < rows && dict; row++ {
		c := w.cellAt(row, k)
		b := c.bytes(w.data)
		if !c.quoted() && w.nulls.isNull(b) {
			col.setNull(row, rows)
			col.codes[row] = 0
			continue
		}
		if c.escaped() {
			scratch = c.unescape(scratch[:0], w.data)
			b = scratch
		}
		code, ok, key := w.levels.find(b)
		if !ok {
			if len(levels) >= chunkDictMinLevels && 2*len(levels) >= rows {
				dict = false
				break
			}
			// The level is copied into the column's reused arena; when the
			// arena grows, earlier levels keep pointing at the old array,
			// which is never written again. The assembler clones the
			// levels it keeps, so the arena can be reused for the next chunk.
			var s string
			if len(b) > 0 {
				start := len(arena)
				arena = append(arena, b...)
				s = unsafe.String(&arena[start], len(b))
			}
			code = int32(len(levels))
			w.levels.add(key, s, code)
			levels = append(levels, s)
		}
		col.codes[row] = code
	}
	col.levelArena = arena
	col.levelBuf = levels
	if dict {
		col.levels = levels
		return
	}
	col.levels = nil
	col.codes = col.codes[:0]
	col.valid = nil
	col.nulls = 0
	total := 0
	for row := 0; row < rows; row++ {
		c := w.cellAt(row, k)
		total += int(c.end&cellEndMask) - int(c.start)
	}
	arena = make([]byte, 0, total)
	col.strs = make([]string, rows)
	for row := 0; row < rows; row++ {
		c := w.cellAt(row, k)
		if !c.quoted() && w.nulls.isNull(c.bytes(w.data)) {
			col.setNull(row, rows)
			continue
		}
		start := len(arena)
		arena = c.unescape(arena, w.data) // never reallocates: total bounds it
		if len(arena) > start {
			col.strs[row] = unsafe.String(&arena[start], len(arena)-start)
		}
	}
}
