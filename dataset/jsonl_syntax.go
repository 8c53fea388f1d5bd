package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON Lines reader scans lines with its own scanner (jsonl_scan.go),
// which accepts exactly the JSON that encoding/json accepts. When it meets
// anything else in a line it asks lineSyntaxError, which walks the line with
// encoding/json's decoder, for the error to report: the messages and their
// positions are encoding/json's, whatever the scanner saw.

// lineSyntaxError returns the first syntax or structure error of one line
// (a JSON object, its keys unique, nothing after it): the byte offset it
// points at, the key it concerns ("" for none) and the message. ok is false
// when the line is a valid object.
func lineSyntaxError(line []byte) (off int, key, msg string, ok bool) {
	fail := func(o int64, key, msg string) (int, string, string, bool) {
		return int(min(max(o, 0), int64(len(line)))), key, msg, true
	}
	syntax := func(err error, dec *json.Decoder) (int, string, string, bool) {
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
	if d, isDelim := tok.(json.Delim); !isDelim || d != '{' {
		return fail(0, "", fmt.Sprintf("line is a JSON %s, not an object", describeToken(tok)))
	}
	seen := make(map[string]bool)
	for dec.More() {
		keyOff := skipJSONSpace(line, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return syntax(err, dec)
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return fail(keyOff, key, "key appears twice in the object")
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(err, dec)
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
	return 0, "", "", false
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// skipJSONSpace returns the offset of the first byte at or after off that is
// neither white space nor a comma: where the next key starts.
func skipJSONSpace(line []byte, off int64) int64 {
	for off < int64(len(line)) && (isJSONSpace(line[off]) || line[off] == ',') {
		off++
	}
	return off
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// appendUnquoted appends the text of a JSON string literal (quotes included,
// already validated) to dst, decoding its escapes as encoding/json does: a
// \u escape of an unpaired surrogate becomes U+FFFD.
func appendUnquoted(dst, lit []byte) []byte {
	s := lit[1 : len(lit)-1]
	for i := 0; i < len(s); {
		j := bytes.IndexByte(s[i:], '\\')
		if j < 0 {
			return append(dst, s[i:]...)
		}
		dst = append(dst, s[i:i+j]...)
		i += j + 1
		c := s[i]
		i++
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					i += 6
					r = d
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
	return dst
}

// hex4 decodes the four hex digits of a \u escape (validated by the scanner).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
