package dataset

import (
	"bytes"
	"fmt"
)

// cell locates one field inside a chunk's bytes: the text between start and
// end (without the surrounding quotes of a quoted field). Two flag bits of end
// say whether the field was quoted and whether it holds doubled quotes that
// must be unescaped before use.
type cell struct {
	start, end uint32
}

const (
	cellQuoted  = 1 << 31
	cellEscaped = 1 << 30
	cellEndMask = 1<<30 - 1
)

func (c cell) quoted() bool  { return c.end&cellQuoted != 0 }
func (c cell) escaped() bool { return c.end&cellEscaped != 0 }

// bytes returns the raw field text (still escaped if c.escaped()).
func (c cell) bytes(data []byte) []byte { return data[c.start : c.end&cellEndMask] }

// unescape appends the field text with doubled quotes collapsed.
func (c cell) unescape(dst, data []byte) []byte {
	b := c.bytes(data)
	if !c.escaped() {
		return append(dst, b...)
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '"')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i+1]...)
		b = b[i+2:] // skip the second quote of the pair
	}
	return dst
}

// tokenError is a syntax error at a byte offset of a chunk.
type tokenError struct {
	off   int
	field int // 0-based field index in the record, -1 when unknown
	msg   string
}

// tokenizer splits chunks into records following RFC 4180: fields separated
// by the delimiter, records by "\n" or "\r\n", quoted fields may contain the
// delimiter, newlines and doubled quotes. A quote inside an unquoted field is
// an error, as is text after a closing quote.
type tokenizer struct {
	delim   byte
	nfields int   // fields per record, from the header
	keep    []int // field index -> output column, or -1 when not kept
	nout    int
	stop    [256]bool // bytes that end or break an unquoted field
}

func newTokenizer(delim byte, nfields int, keep []int, nout int) *tokenizer {
	t := &tokenizer{delim: delim, nfields: nfields, keep: keep, nout: nout}
	t.stop[delim] = true
	t.stop['\n'] = true
	t.stop['"'] = true
	return t
}

// tokenize appends the cells of the kept fields of every record in data, row
// after row, and returns them with the number of records. Blank lines are
// skipped unless the file has a single column, where a blank line is one
// empty (null) field.
func (t *tokenizer) tokenize(data []byte, cells []cell) ([]cell, int, *tokenError) {
	n := len(data)
	rows := 0
	i := 0
	skipBlank := t.nfields > 1
	for i < n {
		if skipBlank {
			if data[i] == '\n' {
				i++
				continue
			}
			if data[i] == '\r' && i+1 < n && data[i+1] == '\n' {
				i += 2
				continue
			}
		}
		recordStart := i
		base := len(cells)
		if cap(cells)-base < t.nout {
			cells = append(cells[:cap(cells)], make([]cell, cap(cells)+t.nout)...)[:base]
		}
		cells = cells[:base+t.nout]
		field := 0
		for {
			var start, end int
			var flags uint32
			if i < n && data[i] == '"' {
				quoteAt := i
				i++
				start = i
				for {
					j := bytes.IndexByte(data[i:], '"')
					if j < 0 {
						return cells, rows, &tokenError{quoteAt, field, "quoted field is never closed (unterminated quote)"}
					}
					i += j + 1
					if i < n && data[i] == '"' {
						flags |= cellEscaped
						i++
						continue
					}
					break
				}
				end = i - 1
				flags |= cellQuoted
				if i < n && data[i] != t.delim && data[i] != '\n' {
					if data[i] == '\r' && (i+1 == n || data[i+1] == '\n') {
						i++
					} else {
						return cells, rows, &tokenError{i, field, fmt.Sprintf("unexpected %q after closing quote", data[i])}
					}
				}
			} else {
				start = i
				for i < n && !t.stop[data[i]] {
					i++
				}
				if i < n && data[i] == '"' {
					return cells, rows, &tokenError{i, field, `bare quote in unquoted field (quote the whole field and double the quote)`}
				}
				end = i
				if end > start && data[end-1] == '\r' && (i == n || data[i] == '\n') {
					end-- // CRLF line ending
				}
			}
			if field >= t.nfields {
				return cells, rows, &tokenError{recordStart, -1, fmt.Sprintf("record has more than %d fields", t.nfields)}
			}
			if k := t.keep[field]; k >= 0 {
				cells[base+k] = cell{uint32(start), uint32(end) | flags}
			}
			field++
			if i < n && data[i] == t.delim {
				i++
				if i == n { // trailing delimiter at end of input: one more empty field
					if field >= t.nfields {
						return cells, rows, &tokenError{recordStart, -1, fmt.Sprintf("record has more than %d fields", t.nfields)}
					}
					if k := t.keep[field]; k >= 0 {
						cells[base+k] = cell{uint32(i), uint32(i)}
					}
					field++
					break
				}
				continue
			}
			if i < n { // data[i] == '\n'
				i++
			}
			break
		}
		if field != t.nfields {
			return cells, rows, &tokenError{recordStart, -1, fmt.Sprintf("record has %d fields, want %d", field, t.nfields)}
		}
		rows++
	}
	return cells, rows, nil
}

// firstRecord parses the first record of data, which must hold all of it
// (see firstRecordEnd), into unescaped field texts, and returns the offset
// just past it.
func firstRecord(data []byte, delim byte) (fields []string, next int, terr *tokenError) {
	i, n := 0, len(data)
	for {
		if i < n && data[i] == '"' {
			quoteAt := i
			i++
			var buf []byte
			for {
				j := bytes.IndexByte(data[i:], '"')
				if j < 0 {
					return nil, 0, &tokenError{quoteAt, len(fields), "quoted field is never closed (unterminated quote)"}
				}
				buf = append(buf, data[i:i+j]...)
				i += j + 1
				if i < n && data[i] == '"' {
					buf = append(buf, '"')
					i++
					continue
				}
				break
			}
			fields = append(fields, string(buf))
			if i < n && data[i] != delim && data[i] != '\n' {
				if data[i] == '\r' && (i+1 == n || data[i+1] == '\n') {
					i++
				} else {
					return nil, 0, &tokenError{i, len(fields) - 1, fmt.Sprintf("unexpected %q after closing quote", data[i])}
				}
			}
		} else {
			start := i
			for i < n && data[i] != delim && data[i] != '\n' && data[i] != '"' {
				i++
			}
			if i < n && data[i] == '"' {
				return nil, 0, &tokenError{i, len(fields), `bare quote in unquoted field (quote the whole field and double the quote)`}
			}
			end := i
			if end > start && data[end-1] == '\r' && (i == n || data[i] == '\n') {
				end--
			}
			fields = append(fields, string(data[start:end]))
		}
		if i < n && data[i] == delim {
			i++
			if i == n {
				fields = append(fields, "")
				return fields, i, nil
			}
			continue
		}
		if i < n {
			i++ // the newline
		}
		return fields, i, nil
	}
}

// firstRecordEnd returns the offset just past the first newline of data that
// is outside quotes, or -1 when there is none yet.
func firstRecordEnd(data []byte) int {
	odd := false
	from := 0
	for {
		j := bytes.IndexByte(data[from:], '\n')
		if j < 0 {
			return -1
		}
		if bytes.Count(data[from:from+j], []byte{'"'})&1 == 1 {
			odd = !odd
		}
		if !odd {
			return from + j + 1
		}
		from += j + 1
	}
}

// lastRecordEnd returns the offset just past the last newline of data that
// ends a record (is outside quotes), or -1. data must start at a record
// boundary. Quote parity decides: a newline is inside a quoted field exactly
// when an odd number of quotes precede it, since escaped quotes come in pairs.
func lastRecordEnd(data []byte) int {
	pos := bytes.LastIndexByte(data, '\n')
	if pos < 0 {
		return -1
	}
	odd := bytes.Count(data[:pos], []byte{'"'})&1 == 1
	for odd {
		prev := bytes.LastIndexByte(data[:pos], '\n')
		if prev < 0 {
			return -1
		}
		if bytes.Count(data[prev:pos], []byte{'"'})&1 == 1 {
			odd = !odd
		}
		pos = prev
	}
	return pos + 1
}
