package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// The reference JSON Lines reader of the tests: the sequential reader the
// package had before the parallel one, built on encoding/json (Decoder.Token,
// json.RawMessage, json.Unmarshal, json.Compact) and one column of Go values
// per key. FuzzReadJSONLMatchesReference checks that ReadJSONL returns what it
// returns, or the same error, on any input.

type refColumn struct {
	name     string
	kind     jsonKind
	forced   Type
	allInts  bool
	ints     []int64
	floats   []float64
	bools    []bool
	strs     []string
	valid    []bool
	nulls    int
	n        int
	firstHit int // line of the first non-null value, for error messages
}

func readJSONLReference(file string, r io.Reader, opts JSONLOptions) (*Frame, error) {
	for name, t := range opts.Types {
		if t < Float64 || t > Timestamp {
			return nil, fmt.Errorf("dataset: column %q: invalid forced type %v", name, t)
		}
	}
	maxLine := opts.MaxLineBytes
	if maxLine <= 0 {
		maxLine = defaultMaxRecordBytes
	}
	dr, _, err := decompress(r, -1)
	if err != nil {
		return nil, &ParseError{File: file, Msg: err.Error()}
	}
	size := 256 << 10
	if _, plain := dr.(*bufio.Reader); plain {
		// A plain short input is wholly buffered by decompress's reader,
		// which NewReaderSize then returns as it is. (A compressed one may
		// expand past its length, so it keeps the full buffer.)
		size = bufferFor(r, size)
	}
	br := bufio.NewReaderSize(dr, size)
	var cols []*refColumn
	index := make(map[string]int)
	seen := make(map[string]bool) // keys of the current line, for duplicates
	rows := 0
	var long []byte
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				if len(long) > maxLine {
					return nil, &ParseError{File: file, Line: lineNo, Msg: fmt.Sprintf("line longer than %d bytes", maxLine)}
				}
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return nil, &ParseError{File: file, Line: lineNo, Msg: gzipError(err)}
		}
		if len(line) > maxLine {
			return nil, &ParseError{File: file, Line: lineNo, Msg: fmt.Sprintf("line longer than %d bytes", maxLine)}
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if !utf8.Valid(line) {
				return nil, &ParseError{File: file, Line: lineNo, Column: utf8.RuneCount(line[:invalidUTF8At(line)]) + 1, Msg: "invalid UTF-8"}
			}
			clear(seen)
			if err := refParseLine(file, lineNo, line, rows, &cols, index, seen, opts.Types); err != nil {
				return nil, err
			}
			rows++
			for _, c := range cols { // keys absent from this line are null
				if c.n < rows {
					c.appendNull()
				}
			}
		}
		if err == io.EOF {
			break
		}
	}
	out := make([]*Column, len(cols))
	for i, c := range cols {
		col, err := c.column()
		if err != nil {
			return nil, &ParseError{File: file, ColumnName: c.name, Msg: err.Error()}
		}
		out[i] = col
	}
	return New(out...)
}

func refParseLine(file string, lineNo int, line []byte, rows int, cols *[]*refColumn, index map[string]int, seen map[string]bool, forced map[string]Type) error {
	fail := func(off int64, key, msg string) error {
		off = min(max(off, 0), int64(len(line)))
		return &ParseError{File: file, Line: lineNo, Column: utf8.RuneCount(line[:off]) + 1, ColumnName: key, Msg: msg}
	}
	syntax := func(err error, dec *json.Decoder) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(se.Offset, "", "invalid JSON: "+se.Error())
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(int64(len(line)), "", "invalid JSON: object is not closed")
		}
		return fail(dec.InputOffset(), "", "invalid JSON: "+err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return syntax(err, dec)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fail(0, "", fmt.Sprintf("line is a JSON %s, not an object", describeToken(tok)))
	}
	for dec.More() {
		keyOff := skipJSONSpace(line, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return syntax(err, dec)
		}
		key := tok.(string) // object keys are always strings
		if key == "" {
			return fail(keyOff, "", emptyKey)
		}
		if seen[key] {
			return fail(keyOff, key, "key appears twice in the object")
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(err, dec)
		}
		valOff := dec.InputOffset() - int64(len(raw))
		k, ok := index[key]
		if !ok {
			k = len(*cols)
			index[key] = k
			c := &refColumn{name: key, forced: forced[key], allInts: true}
			for range rows {
				c.appendNull()
			}
			*cols = append(*cols, c)
		}
		if err := (*cols)[k].add(raw, lineNo); err != nil {
			return fail(valOff, key, err.Error())
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntax(err, dec)
	}
	end := dec.InputOffset()
	for end < int64(len(line)) && isJSONSpace(line[end]) {
		end++
	}
	if end < int64(len(line)) {
		return fail(end, "", "text after the JSON object (one object per line)")
	}
	return nil
}

// appendNull adds a null row. Only the slices of the column's kind hold one
// entry per row; they are padded when the kind becomes known.
func (c *refColumn) appendNull() {
	if c.valid == nil {
		c.valid = make([]bool, c.n, max(c.n+1, 16))
		fillTrue(c.valid)
	}
	c.valid = append(c.valid, false)
	c.nulls++
	switch c.kind {
	case kindNumber:
		c.ints = append(c.ints, 0)
		c.floats = append(c.floats, 0)
	case kindBool:
		c.bools = append(c.bools, false)
	case kindString, kindNested:
		c.strs = append(c.strs, "")
	}
	c.n++
}

// setKind records the kind of the first value and pads its slices with the
// zeros of the null rows before it.
func (c *refColumn) setKind(kind jsonKind, lineNo int) {
	c.firstHit = lineNo
	c.kind = kind
	switch kind {
	case kindNumber:
		c.ints = make([]int64, c.n)
		c.floats = make([]float64, c.n)
	case kindBool:
		c.bools = make([]bool, c.n)
	case kindString, kindNested:
		c.strs = make([]string, c.n)
	}
}

func (c *refColumn) appendValid() {
	if c.valid != nil {
		c.valid = append(c.valid, true)
	}
	c.n++
}

// add appends one raw JSON value.
func (c *refColumn) add(raw []byte, lineNo int) error {
	var kind jsonKind
	switch raw[0] {
	case 'n':
		c.appendNull()
		return nil
	case 't', 'f':
		kind = kindBool
	case '"':
		kind = kindString
	case '{', '[':
		kind = kindNested
	default:
		kind = kindNumber
	}
	if c.forced == String {
		s := string(raw)
		if kind == kindString {
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
		}
		if c.kind == kindNone {
			c.setKind(kindString, lineNo)
		}
		c.pushString(s)
		return nil
	}
	if c.forced != 0 {
		want := map[Type]jsonKind{Int64: kindNumber, Float64: kindNumber, Bool: kindBool, Timestamp: kindString}[c.forced]
		if kind != want {
			return fmt.Errorf("%s value does not fit the forced type %v", kind, c.forced)
		}
	} else if c.kind != kindNone && c.kind != kind && !(c.kind == kindString && kind == kindNested) && !(c.kind == kindNested && kind == kindString) {
		return fmt.Errorf("%s value in a column of %s values (first on line %d)", kind, c.kind, c.firstHit)
	}
	if c.kind == kindNone {
		c.setKind(kind, lineNo)
	}
	switch kind {
	case kindBool:
		c.pushBool(raw[0] == 't')
	case kindNumber:
		v, isInt := parseInt(raw)
		f, ok := parseFloat(raw)
		if !ok {
			return fmt.Errorf("number %s out of range", raw)
		}
		if !isInt {
			c.allInts = false
			if c.forced == Int64 {
				return fmt.Errorf("number %s is not an int64", raw)
			}
		}
		if isInt && c.forced == 0 {
			// The one change from the old reader: an integer of an inferred
			// column widens to float64 from its int64 value, as in ReadCSV, so
			// that "-0" among integers is 0 in a float64 column too.
			f = float64(v)
		}
		c.pushNumber(v, f)
	case kindString:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if c.forced == Timestamp {
			if _, ok := parseTimestamp([]byte(s)); !ok {
				return fmt.Errorf("cannot parse %q as timestamp", s)
			}
		}
		c.pushString(s)
	case kindNested:
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return err
		}
		c.pushString(b.String())
	}
	return nil
}

func (c *refColumn) pushBool(v bool) {
	c.bools = append(c.bools, v)
	c.appendValid()
}

func (c *refColumn) pushNumber(v int64, f float64) {
	c.ints = append(c.ints, v)
	c.floats = append(c.floats, f)
	c.appendValid()
}

func (c *refColumn) pushString(s string) {
	c.strs = append(c.strs, s)
	c.appendValid()
}

// column builds the typed column from the slices of its kind.
func (c *refColumn) column() (*Column, error) {
	if c.kind == kindNone { // no value at all: give the slices their zeros
		c.setKind(map[Type]jsonKind{0: kindString, String: kindString, Timestamp: kindString,
			Int64: kindNumber, Float64: kindNumber, Bool: kindBool}[c.forced], 0)
		c.kind = kindNone
	}
	valid := c.valid
	kind, typ := c.kind, c.forced
	if typ == 0 {
		switch kind {
		case kindNumber:
			typ = Float64
			if c.allInts {
				typ = Int64
			}
		case kindBool:
			typ = Bool
		case kindString, kindNested:
			typ = String
			if kind == kindString && c.n > c.nulls {
				typ = Timestamp
				for i, s := range c.strs {
					if valid == nil || valid[i] {
						if _, ok := parseTimestamp([]byte(s)); !ok {
							typ = String
							break
						}
					}
				}
			}
		default:
			typ = String
		}
	}
	switch typ {
	case Int64:
		return NewInt64(c.name, c.ints, valid), nil
	case Float64:
		return NewFloat64(c.name, c.floats, valid), nil
	case Bool:
		return NewBool(c.name, c.bools, valid), nil
	case Timestamp:
		ts := make([]int64, c.n)
		for i, s := range c.strs {
			if valid == nil || valid[i] {
				ts[i], _ = parseTimestamp([]byte(s))
			}
		}
		return NewTimestamp(c.name, ts, valid), nil
	}
	col := NewString(c.name, c.strs, valid)
	if distinct := countDistinct(col, DictMaxLevels); distinct > 0 && distinct <= DictMaxLevels && 2*distinct <= c.n-c.nulls {
		col = DictEncode(col)
	}
	return col, nil
}

// countDistinct counts the distinct non-null strings, stopping past limit.
func countDistinct(c *Column, limit int) int {
	set := make(map[string]struct{})
	for i, s := range c.strs {
		if c.IsNull(i) {
			continue
		}
		set[s] = struct{}{}
		if len(set) > limit {
			break
		}
	}
	return len(set)
}
