package serve

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of a request document, so that a body of
// ten million '[' is an error rather than a deep recursion.
const maxDepth = 64

// scanner reads one JSON document (RFC 8259) from a byte slice, strictly:
// no NaN or Infinity, no trailing commas, no comments, valid UTF-8 strings,
// nothing but white space after the document. The request decoders walk it
// value by value, so a request is typed into columns without building a
// tree of interface values first.
type scanner struct {
	buf     []byte
	pos     int
	depth   int
	scratch []byte // unescaped string bytes
	escaped bool   // the last string read had escapes: str returned scratch
}

// syntaxError is a malformed document; Offset is a byte offset.
type syntaxError struct {
	Offset int
	Msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

func (s *scanner) fail(format string, args ...any) error {
	return &syntaxError{s.pos, fmt.Sprintf(format, args...)}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte that is not white space, or 0 at the end.
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.pos >= len(s.buf) {
		return 0
	}
	return s.buf[s.pos]
}

// describe names the kind of value starting with c, for type errors.
func describe(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "the end of the body"
	}
	if c == '-' || c >= '0' && c <= '9' {
		return "a number"
	}
	return fmt.Sprintf("%q", c)
}

func (s *scanner) unexpected(want string) error {
	c := s.peek()
	if c == 0 {
		return s.fail("the body ends where %s was expected", want)
	}
	if c == 'N' || c == 'I' || c == '-' && s.pos+1 < len(s.buf) && s.buf[s.pos+1] == 'I' {
		return s.fail("NaN and Infinity are not JSON numbers")
	}
	return s.fail("%s where %s was expected", describe(c), want)
}

// end checks that nothing but white space follows the document.
func (s *scanner) end() error {
	if s.peek() != 0 {
		return s.fail("unexpected data after the JSON document")
	}
	return nil
}

// object reads an object, calling f for each key with the scanner at its
// value; f must consume the value. The key slice is valid only during f.
func (s *scanner) object(f func(key []byte) error) error {
	if s.peek() != '{' {
		return s.unexpected("an object")
	}
	if s.depth++; s.depth > maxDepth {
		return s.fail("nested deeper than %d levels", maxDepth)
	}
	s.pos++
	if s.peek() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.unexpected("a key")
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return s.unexpected("':'")
		}
		s.pos++
		if err := f(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return nil
		default:
			return s.unexpected("',' or '}'")
		}
	}
}

// array reads an array, calling f with each element's index and the
// scanner at it; f must consume the element.
func (s *scanner) array(f func(i int) error) error {
	if s.peek() != '[' {
		return s.unexpected("an array")
	}
	if s.depth++; s.depth > maxDepth {
		return s.fail("nested deeper than %d levels", maxDepth)
	}
	s.pos++
	if s.peek() == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for i := 0; ; i++ {
		if err := f(i); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return s.unexpected("',' or ']'")
		}
	}
}

// str reads a string and returns its unescaped bytes, which alias the body
// or the scanner's scratch space: valid until the next call.
func (s *scanner) str() ([]byte, error) {
	if s.peek() != '"' {
		return nil, s.unexpected("a string")
	}
	s.pos++
	start := s.pos
	ascii := true
	s.escaped = false
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			out := s.buf[start:s.pos]
			s.pos++
			if !ascii && !utf8.Valid(out) {
				return nil, &syntaxError{start, "a string is not valid UTF-8"}
			}
			return out, nil
		case c == '\\':
			return s.escapedStr(start)
		case c < 0x20:
			return nil, s.fail("a control character in a string")
		case c >= 0x80:
			ascii = false
		}
		s.pos++
	}
	return nil, s.fail("a string is not closed")
}

// escapedStr finishes a string that holds escapes, from its first byte.
func (s *scanner) escapedStr(start int) ([]byte, error) {
	s.escaped = true
	out := append(s.scratch[:0], s.buf[start:s.pos]...)
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			s.scratch = out
			if !utf8.Valid(out) {
				return nil, &syntaxError{start, "a string is not valid UTF-8"}
			}
			return out, nil
		case c < 0x20:
			return nil, s.fail("a control character in a string")
		case c != '\\':
			out = append(out, c)
			s.pos++
			continue
		}
		if s.pos+1 >= len(s.buf) {
			return nil, s.fail("a string is not closed")
		}
		e := s.buf[s.pos+1]
		s.pos += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, s.fail(`a \u escape needs four hex digits`)
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if s.pos+1 < len(s.buf) && s.buf[s.pos] == '\\' && s.buf[s.pos+1] == 'u' {
					s.pos += 2
					var ok bool
					if r2, ok = s.hex4(); !ok {
						return nil, s.fail(`a \u escape needs four hex digits`)
					}
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return nil, s.fail("a lone UTF-16 surrogate in a string")
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, s.fail("an invalid escape \\%c", e)
		}
	}
	return nil, s.fail("a string is not closed")
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.buf) {
		return 0, false
	}
	var r rune
	for _, c := range s.buf[s.pos : s.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	s.pos += 4
	return r, true
}

// number reads a number literal, checking RFC 8259's grammar, and reports
// whether it is an integer literal (no fraction, no exponent).
func (s *scanner) number() (lit []byte, integer bool, err error) {
	s.skipSpace()
	start := s.pos
	b := s.buf
	i := s.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return nil, false, s.unexpected("a number")
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		integer = false
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.pos = i
			return nil, false, s.fail("a number needs digits after '.'")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integer = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.pos = i
			return nil, false, s.fail("a number needs digits in its exponent")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	s.pos = i
	return b[start:i], integer, nil
}

// word reads true, false or null.
func (s *scanner) word(w string) error {
	s.skipSpace()
	if len(s.buf)-s.pos < len(w) || string(s.buf[s.pos:s.pos+len(w)]) != w {
		return s.unexpected(w)
	}
	s.pos += len(w)
	return nil
}

// skip reads and discards any value.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(func(int) error { return s.skip() })
	case c == '"':
		_, err := s.str()
		return err
	case c == 't':
		return s.word("true")
	case c == 'f':
		return s.word("false")
	case c == 'n':
		return s.word("null")
	default:
		_, _, err := s.number()
		return err
	}
}

// span skips a value and returns its bytes, to be read again later (an
// input tensor's data may come before its datatype).
func (s *scanner) span() ([]byte, error) {
	s.skipSpace()
	start := s.pos
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.buf[start:s.pos], nil
}

// parseFloat converts a number literal; out of the float64 range is an error.
func parseFloat(lit []byte) (float64, error) {
	v, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return 0, fmt.Errorf("%s is outside the range of a 64-bit float", lit)
	}
	return v, nil
}

// maxExactFloat is 2^53: above it not every integer is a float64, so a
// literal such as 9007199254740993.0 cannot be checked to be an integer.
const maxExactFloat = 1 << 53

// parseInt converts a number literal that must be an integer: an integer
// literal in the int64 range, or a literal with a fraction or exponent whose
// value is a whole number of magnitude at most 2^53 (3.0, 1e3).
func parseInt(lit []byte, integer bool) (int64, error) {
	if integer {
		v, err := strconv.ParseInt(string(lit), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s is outside the range of a 64-bit integer", lit)
		}
		return v, nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || f > maxExactFloat || f < -maxExactFloat || f != math.Trunc(f) {
		return 0, fmt.Errorf("%s is not an integer", lit)
	}
	return int64(f), nil
}
