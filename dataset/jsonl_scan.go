package dataset

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The JSON Lines scanner. Each worker parses whole chunks of lines into
// typed per-chunk columns (jsonlCol), without encoding/json: objects are
// walked byte by byte, values checked against the JSON grammar and stored as
// they come (numbers parsed, strings unescaped into one arena per column).
// Anything the grammar refuses is handed to lineSyntaxError for the message.

// emptyKey is the error for a key "", which cannot name a column.
const emptyKey = "empty key: a column needs a name"

// maxJSONDepth is encoding/json's nesting limit for one value.
const maxJSONDepth = 10000

// jsonKind is the JSON kind of a value: a key's values must all be of one
// kind (strings and nested values count as one, as both become text).
type jsonKind uint8

const (
	kindNone jsonKind = iota
	kindNumber
	kindBool
	kindString
	kindNested
)

func (k jsonKind) String() string {
	return [...]string{"null", "number", "boolean", "string", "object or array"}[k]
}

// sameKind reports whether values of kinds a and b can share a column.
func sameKind(a, b jsonKind) bool {
	text := func(k jsonKind) bool { return k == kindString || k == kindNested }
	return a == b || (text(a) && text(b))
}

// jsonValue is one scanned value: its text and kind, and what the scan
// learned on the way (whether a string has escapes, an integer's value).
type jsonValue struct {
	raw   []byte
	kind  jsonKind // kindNone for null
	esc   bool     // a string with escapes
	isInt bool     // a number of at most 18 digits, without fraction or exponent
	n     int64    // its value
}

// jsonPos is where a value is: its byte offset in the chunk (to order errors),
// its line and its 1-based column in characters.
type jsonPos struct{ off, line, col int }

// jsonlCol holds one key's values in one chunk. Exactly one store is in use:
// ints (int64 numbers, forced Int64 and Timestamp), floats (once a number is
// not an integer, or forced Float64), bools, or spans into arena (text).
type jsonlCol struct {
	chunkColumn // the typed result (finish), and the buffers reused across chunks

	name      string
	plainName bool // no quote, backslash or control character: its literal is exactly "name"
	forced    Type
	kind      jsonKind // kind of the chunk's first value; kindNone while all null
	first     jsonPos  // the first value
	store     Type     // Int64, Float64, Bool or String once kind is known
	n         int      // rows so far
	lastRow   int      // row of the latest value, -1 before any
	spans     []jsonSpan
	arena     []byte
	arenaCap  int // capacity for a new arena, when plain strings took the last one
}

// jsonSpan is the text of one value: arena[start:end].
type jsonSpan struct{ start, end uint32 }

// jsonlChunk is a worker's result for one chunk.
type jsonlChunk struct {
	index, rows, bytes int
	cols               []*jsonlCol // in order of first appearance in the chunk
	used               int         // cols[:used] belong to this chunk; the rest are spare buffers
	byName             map[string]int
	err                *jsonlError
}

// jsonlError is the first error of a chunk.
type jsonlError struct {
	off int // byte offset in the chunk, to order it against kind conflicts found on assembly
	err *ParseError
	// A conflict between a value's kind and the kind of its column's first
	// value: the assembler writes the message, since the column's first value
	// may be in an earlier chunk.
	conflict bool
	kind     jsonKind // the value's
	col      int      // the chunk column
}

func (ch *jsonlChunk) reset(index, size int) {
	ch.index, ch.bytes, ch.rows, ch.used, ch.err = index, size, 0, 0, nil
	if ch.byName == nil {
		ch.byName = make(map[string]int)
	}
	clear(ch.byName)
}

// column returns the chunk column of key, creating it (null in every earlier
// row of the chunk) on its first appearance.
func (ch *jsonlChunk) column(key []byte, forced map[string]Type) int {
	if k, ok := ch.byName[string(key)]; ok {
		return k
	}
	k := ch.used
	if k == len(ch.cols) {
		ch.cols = append(ch.cols, &jsonlCol{})
	}
	ch.used++
	c := ch.cols[k]
	name := string(key)
	ch.byName[name] = k
	c.start(name, forced[name])
	for range ch.rows {
		c.null()
	}
	return k
}

func (c *jsonlCol) start(name string, forced Type) {
	c.plainName = !strings.ContainsFunc(name, func(r rune) bool { return r == '"' || r == '\\' || r < 0x20 })
	c.name, c.forced, c.kind, c.store, c.n, c.lastRow, c.first = name, forced, kindNone, 0, 0, -1, jsonPos{}
	c.valid, c.nulls = nil, 0
	c.ints, c.floats, c.bools = c.ints[:0], c.floats[:0], c.bools[:0]
	c.spans, c.arena = c.spans[:0], c.arena[:0]
	if c.arena == nil && c.arenaCap > 0 {
		c.arena = make([]byte, 0, c.arenaCap)
	}
}

// null appends a null row: a zero in the store in use, false in the mask.
func (c *jsonlCol) null() {
	if c.valid == nil {
		c.valid = c.validBuf[:0]
		for range c.n {
			c.valid = append(c.valid, true)
		}
	}
	c.valid = append(c.valid, false)
	c.validBuf = c.valid
	c.nulls++
	switch c.store {
	case Int64:
		c.ints = append(c.ints, 0)
	case Float64:
		c.floats = append(c.floats, 0)
	case Bool:
		c.bools = append(c.bools, false)
	case String:
		c.spans = append(c.spans, jsonSpan{})
	}
	c.n++
}

// setStore starts the store of type t with zeros for the rows so far (all null).
func (c *jsonlCol) setStore(t Type) {
	c.store = t
	switch t {
	case Int64:
		c.ints = append(c.ints[:0], make([]int64, c.n)...)
	case Float64:
		c.floats = append(c.floats[:0], make([]float64, c.n)...)
	case Bool:
		c.bools = append(c.bools[:0], make([]bool, c.n)...)
	case String:
		c.spans = append(c.spans[:0], make([]jsonSpan, c.n)...)
	}
}

// toFloats moves an inferred number column from ints to floats.
func (c *jsonlCol) toFloats() {
	c.floats = c.floats[:0]
	for _, v := range c.ints {
		c.floats = append(c.floats, float64(v))
	}
	c.store = Float64
}

// pushed records one more non-null row.
func (c *jsonlCol) pushed() {
	if c.valid != nil {
		c.valid = append(c.valid, true)
		c.validBuf = c.valid
	}
	c.n++
}

func (c *jsonlCol) pushText(b []byte) {
	start := len(c.arena)
	c.arena = append(c.arena, b...)
	c.spans = append(c.spans, jsonSpan{uint32(start), uint32(len(c.arena))})
	c.pushed()
}

// pushString appends the text of a string literal (esc: it has escapes).
func (c *jsonlCol) pushString(lit []byte, esc bool) {
	start := len(c.arena)
	if !esc {
		c.arena = append(c.arena, lit[1:len(lit)-1]...)
	} else {
		c.arena = appendUnquoted(c.arena, lit)
	}
	c.spans = append(c.spans, jsonSpan{uint32(start), uint32(len(c.arena))})
	c.pushed()
}

// add appends one value of the given kind (v its JSON text). It returns the
// message of a value that does not fit, and whether the misfit is a kind
// conflict (whose message the assembler writes).
func (c *jsonlCol) add(val *jsonValue) (msg string, conflict bool) {
	v, kind := val.raw, val.kind
	if kind == kindNone {
		c.null()
		return "", false
	}
	if c.forced != 0 {
		return c.addForced(v, kind), false
	}
	if c.kind == kindNone {
		c.kind = kind
		switch kind {
		case kindNumber:
			c.setStore(Int64)
		case kindBool:
			c.setStore(Bool)
		default:
			c.setStore(String)
		}
	} else if !sameKind(c.kind, kind) {
		return "", true
	}
	switch kind {
	case kindNumber:
		if c.store == Int64 {
			x, ok := val.n, val.isInt
			if !ok {
				x, ok = parseInt(v) // 19 or 20 digits may still fit
			}
			if ok {
				c.ints = append(c.ints, x)
				c.pushed()
				return "", false
			}
			c.toFloats()
		}
		f, ok := parseFloat(v)
		if !ok {
			return fmt.Sprintf("number %s out of range", v), false
		}
		if f == 0 && len(v) == 2 {
			f = 0 // "-0" is an integer: 0 in a float64 column too, wherever the column widened
		}
		c.floats = append(c.floats, f)
		c.pushed()
	case kindBool:
		c.bools = append(c.bools, v[0] == 't')
		c.pushed()
	case kindString:
		c.pushString(v, val.esc)
	case kindNested:
		start := len(c.arena)
		c.arena = appendCompact(c.arena, v)
		c.spans = append(c.spans, jsonSpan{uint32(start), uint32(len(c.arena))})
		c.pushed()
	}
	return "", false
}

// addForced appends a value to a column of a forced type: Int64 and Float64
// take numbers, Bool booleans, Timestamp date strings, String anything (a
// non-string as its JSON text).
func (c *jsonlCol) addForced(v []byte, kind jsonKind) string {
	if c.kind == kindNone {
		c.kind = kind
		store := c.forced
		if store == Timestamp {
			store = Int64
		}
		c.setStore(store)
	}
	if c.forced == String {
		if kind == kindString {
			c.pushString(v, bytes.IndexByte(v, '\\') >= 0)
		} else {
			c.pushText(v)
		}
		return ""
	}
	want := map[Type]jsonKind{Int64: kindNumber, Float64: kindNumber, Bool: kindBool, Timestamp: kindString}[c.forced]
	if kind != want {
		return fmt.Sprintf("%s value does not fit the forced type %v", kind, c.forced)
	}
	switch c.forced {
	case Int64:
		x, isInt := parseInt(v)
		if _, ok := parseFloat(v); !ok {
			return fmt.Sprintf("number %s out of range", v)
		}
		if !isInt {
			return fmt.Sprintf("number %s is not an int64", v)
		}
		c.ints = append(c.ints, x)
	case Float64:
		f, ok := parseFloat(v)
		if !ok {
			return fmt.Sprintf("number %s out of range", v)
		}
		c.floats = append(c.floats, f)
	case Bool:
		c.bools = append(c.bools, v[0] == 't')
	case Timestamp:
		s := appendUnquoted(nil, v)
		t, ok := parseTimestamp(s)
		if !ok {
			return fmt.Sprintf("cannot parse %q as timestamp", s)
		}
		c.ints = append(c.ints, t)
	}
	c.pushed()
	return ""
}

// appendCompact appends a valid JSON value without the white space outside
// its strings, as json.Compact does.
func appendCompact(dst, v []byte) []byte {
	inString := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inString:
			if c == '\\' {
				dst = append(dst, c, v[i+1])
				i++
				continue
			}
			inString = c != '"'
		case c == '"':
			inString = true
		case isJSONSpace(c):
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// jsonlWorker parses chunks; each goroutine has its own.
type jsonlWorker struct {
	file    string
	forced  map[string]Type
	maxLine int
	prev    []int // chunk columns of the previous line's keys, in order: the likely columns of this line's
	cur     []int
	key     []byte // an unescaped key
	val     jsonValue
	stack   []byte // open brackets of a nested value
	levels  chunkLevels
}

// parse parses the lines of c into ch, stopping at the first error.
func (w *jsonlWorker) parse(c *chunk, ch *jsonlChunk) {
	data := c.data
	ch.reset(c.index, len(data))
	w.prev = w.prev[:0]
	bad := -1
	if !utf8.Valid(data) {
		bad = invalidUTF8At(data)
	}
	line := c.line
	for off := 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		next := 0
		if end < 0 {
			end, next = len(data), len(data)
		} else {
			end += off
			next = end + 1
		}
		if next-off > w.maxLine {
			ch.err = &jsonlError{off: off, err: &ParseError{File: w.file, Line: line, Msg: fmt.Sprintf("line longer than %d bytes", w.maxLine)}}
			return
		}
		if bad >= off && bad < next {
			ch.err = &jsonlError{off: bad, err: &ParseError{File: w.file, Line: line, Column: utf8.RuneCount(data[off:bad]) + 1, Msg: "invalid UTF-8"}}
			return
		}
		if !blankLine(data[off:next]) {
			if e := w.parseLine(ch, data[off:next], off, line); e != nil {
				ch.err = e
				return
			}
		}
		off = next
	}
	w.finish(ch)
}

// blankLine reports whether a line is only white space (as bytes.TrimSpace
// sees it), which the reader skips.
func blankLine(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			continue
		}
		if c >= utf8.RuneSelf {
			return len(bytes.TrimSpace(b)) == 0
		}
		return false
	}
	return true
}

func skipSpace(b []byte, i int) int {
	if i < len(b) && b[i] > ' ' { // compact JSON: no space at all
		return i
	}
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	return i
}

// parseLine parses one line (without its newline), which starts at byte
// base of the chunk, as the next row of ch.
func (w *jsonlWorker) parseLine(ch *jsonlChunk, b []byte, base, line int) *jsonlError {
	row := ch.rows
	w.cur = w.cur[:0]
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return w.syntaxError(b, base, line)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for pos := 0; ; pos++ {
			if i == len(b) || b[i] != '"' {
				return w.syntaxError(b, base, line)
			}
			// Lines mostly repeat the previous line's keys in its order: the
			// key at this position is compared with that column's name first.
			k, ke := -1, 0
			if pos < len(w.prev) {
				p := w.prev[pos]
				if c := ch.cols[p]; c.plainName {
					if e := i + 1 + len(c.name); e < len(b) && b[e] == '"' && string(b[i+1:e]) == c.name {
						k, ke = p, e+1
					}
				}
			}
			if k < 0 {
				var esc bool
				if ke, esc = scanString(b, i); ke < 0 {
					return w.syntaxError(b, base, line)
				}
				key := b[i+1 : ke-1]
				if esc {
					w.key = appendUnquoted(w.key[:0], b[i:ke])
					key = w.key
				}
				if len(key) == 0 {
					return &jsonlError{off: base + i, err: &ParseError{File: w.file, Line: line, Column: utf8.RuneCount(b[:i]) + 1, Msg: emptyKey}}
				}
				if pos < len(w.prev) && ch.cols[w.prev[pos]].name == string(key) {
					k = w.prev[pos]
				} else {
					k = ch.column(key, w.forced)
				}
			}
			i = skipSpace(b, ke)
			if i == len(b) || b[i] != ':' {
				return w.syntaxError(b, base, line)
			}
			i = skipSpace(b, i+1)
			c := ch.cols[k]
			if c.lastRow == row { // a key that appears twice
				return w.syntaxError(b, base, line)
			}
			vs := i
			if i = w.scanValue(b, i); i < 0 {
				return w.syntaxError(b, base, line)
			}
			w.val.raw = b[vs:i]
			if msg, conflict := c.add(&w.val); msg != "" || conflict {
				pe := &ParseError{File: w.file, Line: line, Column: utf8.RuneCount(b[:vs]) + 1, ColumnName: c.name, Msg: msg}
				return &jsonlError{off: base + vs, err: pe, conflict: conflict, kind: w.val.kind, col: k}
			}
			if c.kind != kindNone && c.first.line == 0 {
				c.first = jsonPos{base + vs, line, utf8.RuneCount(b[:vs]) + 1}
			}
			c.lastRow = row
			w.cur = append(w.cur, k)
			i = skipSpace(b, i)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return w.syntaxError(b, base, line)
		}
	}
	if skipSpace(b, i) != len(b) {
		return w.syntaxError(b, base, line)
	}
	if len(w.cur) < ch.used { // keys absent from this line are null
		for _, c := range ch.cols[:ch.used] {
			if c.lastRow != row {
				c.null()
			}
		}
	}
	ch.rows++
	w.prev, w.cur = w.cur, w.prev
	return nil
}

// syntaxError reports the line's first error as encoding/json finds it.
func (w *jsonlWorker) syntaxError(b []byte, base, line int) *jsonlError {
	off, key, msg, ok := lineSyntaxError(b)
	if !ok { // cannot happen while the scanner accepts exactly what encoding/json accepts
		msg = "invalid JSON"
	}
	return &jsonlError{off: base + off, err: &ParseError{File: w.file, Line: line, Column: utf8.RuneCount(b[:off]) + 1, ColumnName: key, Msg: msg}}
}

// stringByte classifies the bytes of a string literal: 0 ordinary, 1 the
// closing quote, 2 a backslash, 3 a control character (not allowed).
var stringByte = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = 3
	}
	t['"'] = 1
	t['\\'] = 2
	return t
}()

var hexDigit = func() (t [256]bool) {
	for _, c := range "0123456789abcdefABCDEF" {
		t[c] = true
	}
	return t
}()

// scanString returns the offset just past the string literal starting at
// b[i] (a quote), or -1 if it is not a valid one, and whether it has escapes.
func scanString(b []byte, i int) (int, bool) {
	esc := false
	for i++; i < len(b); {
		switch stringByte[b[i]] {
		case 0:
			i++
		case 1:
			return i + 1, esc
		case 2:
			esc = true
			if i+1 == len(b) {
				return -1, esc
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !hexDigit[b[i+2]] || !hexDigit[b[i+3]] || !hexDigit[b[i+4]] || !hexDigit[b[i+5]] {
					return -1, esc
				}
				i += 6
			default:
				return -1, esc
			}
		default:
			return -1, esc
		}
	}
	return -1, esc
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber returns the offset just past the number starting at b[i], or
// -1, and sets v.isInt and v.n for an integer of at most 18 digits.
func scanNumber(b []byte, i int, v *jsonValue) int {
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	from := i
	var n int64
	switch {
	case i == len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for ; i < len(b) && isDigit(b[i]); i++ {
			n = n*10 + int64(b[i]-'0') // wraps past 18 digits, which are not kept
		}
	default:
		return -1
	}
	if neg {
		n = -n
	}
	v.n, v.isInt = n, i-from <= 18
	if i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
		v.isInt = false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i == len(b) || !isDigit(b[i]) {
			return -1
		}
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i == len(b) || !isDigit(b[i]) {
			return -1
		}
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	return i
}

// scanLiteral returns the offset past lit at b[i], or -1.
func scanLiteral(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// scanValue returns the offset just past the value starting at b[i] and its
// kind (kindNone for null), or -1.
func (w *jsonlWorker) scanValue(b []byte, i int) int {
	v := &w.val
	if i == len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		v.kind = kindString
		i, v.esc = scanString(b, i)
		return i
	case c == 't':
		v.kind = kindBool
		return scanLiteral(b, i, "true")
	case c == 'f':
		v.kind = kindBool
		return scanLiteral(b, i, "false")
	case c == 'n':
		v.kind = kindNone
		return scanLiteral(b, i, "null")
	case c == '{' || c == '[':
		i = w.scanNested(b, i)
		v.kind = kindNested // after scanNested, whose inner values reuse v
		return i
	}
	v.kind = kindNumber
	return scanNumber(b, i, v)
}

// scanNested returns the offset just past the object or array starting at
// b[i], or -1; it refuses nesting deeper than encoding/json's limit.
func (w *jsonlWorker) scanNested(b []byte, i int) int {
	stack := w.stack[:0]
	defer func() { w.stack = stack }()
	for {
		// i is at the start of a value.
		if i == len(b) {
			return -1
		}
		switch b[i] {
		case '{', '[':
			stack = append(stack, b[i])
			if len(stack) > maxJSONDepth {
				return -1
			}
			i = skipSpace(b, i+1)
			if i < len(b) && (b[i] == '}' || b[i] == ']') {
				if b[i] != stack[len(stack)-1]+2 { // '{'+2 == '}', '['+2 == ']'
					return -1
				}
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if stack[len(stack)-1] == '{' {
				if i = objectKey(b, i); i < 0 {
					return -1
				}
			}
			continue
		default:
			if i = w.scanValue(b, i); i < 0 {
				return -1
			}
		}
		// i is just past a value: close brackets until a comma or the end.
		for {
			if len(stack) == 0 {
				return i
			}
			i = skipSpace(b, i)
			if i == len(b) {
				return -1
			}
			top := stack[len(stack)-1]
			if b[i] == top+2 {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if b[i] != ',' {
				return -1
			}
			i = skipSpace(b, i+1)
			if top == '{' {
				if i = objectKey(b, i); i < 0 {
					return -1
				}
			}
			break
		}
	}
}

// objectKey scans `"key" :` and the space after it, returning where the
// value starts, or -1.
func objectKey(b []byte, i int) int {
	if i == len(b) || b[i] != '"' {
		return -1
	}
	if i, _ = scanString(b, i); i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i == len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

// finish turns the chunk's columns into typed chunkColumns for the assembler.
func (w *jsonlWorker) finish(ch *jsonlChunk) {
	for _, c := range ch.cols[:ch.used] {
		out := &c.chunkColumn
		out.typ, out.strs, out.levels, out.times = 0, nil, nil, false
		if c.nulls == 0 {
			out.valid = nil
		}
		if c.kind == kindNone {
			continue // all null
		}
		switch c.store {
		case Int64:
			out.typ = Int64
			if c.forced == Timestamp {
				out.typ = Timestamp
			}
		case Float64:
			out.typ = Float64
		case Bool:
			out.typ = Bool
		case String:
			out.typ = String
			w.finishText(c, ch.rows)
		}
	}
}

// finishText stores a text column as a dictionary while the chunk has few
// distinct values (the CSV reader's rule), else as plain strings into the
// column's arena, which then belongs to them.
func (w *jsonlWorker) finishText(c *jsonlCol, rows int) {
	out := &c.chunkColumn
	dict := rows > chunkDictMinLevels // a short chunk is left to the assembler's dictionary
	if dict {
		w.levels.reset()
		out.codes = growNoClear(out.codes, rows)
	}
	levels := out.levelBuf[:0]
	for row, sp := range c.spans[:rows] {
		if !dict {
			break
		}
		if c.valid != nil && !c.valid[row] {
			out.codes[row] = 0
			continue
		}
		b := c.arena[sp.start:sp.end]
		code, ok, key := w.levels.find(b)
		if !ok {
			if len(levels) >= chunkDictMinLevels && 2*len(levels) >= rows {
				dict = false
				break
			}
			code = int32(len(levels))
			s := bytesString(b) // the assembler clones the levels it keeps
			w.levels.add(key, s, code)
			levels = append(levels, s)
		}
		out.codes[row] = code
	}
	out.levelBuf = levels
	if dict {
		out.levels = levels
		out.times = c.forced == 0 && allTimestamps(levels, nil)
		return
	}
	out.codes = out.codes[:0]
	out.strs = make([]string, rows)
	for row, sp := range c.spans[:rows] {
		if sp.end > sp.start {
			out.strs[row] = unsafe.String(&c.arena[sp.start], int(sp.end-sp.start))
		}
	}
	out.times = c.forced == 0 && allTimestamps(out.strs, c.valid)
	c.arena, c.arenaCap = nil, cap(c.arena) // the strings keep this one
}

// allTimestamps reports whether every non-null string (valid nil: all)
// parses as a timestamp.
func allTimestamps(strs []string, valid []bool) bool {
	for i, s := range strs {
		if valid != nil && !valid[i] {
			continue
		}
		if _, ok := parseTimestamp(unsafe.Slice(unsafe.StringData(s), len(s))); !ok {
			return false
		}
	}
	return true
}
