package text

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// DecodeErrors says what the tokenizer does with bytes that are not valid
// UTF-8. Go strings may hold any bytes, whereas scikit-learn receives Python
// str; its decode_error parameter plays the same role when it decodes bytes.
type DecodeErrors int

const (
	// Strict rejects a document that is not valid UTF-8 with an error naming
	// the document and the byte offset (scikit-learn's decode_error="strict",
	// its default).
	Strict DecodeErrors = iota
	// Replace reads each invalid byte as U+FFFD, which separates tokens
	// (decode_error="replace").
	Replace
	// Ignore drops invalid bytes, so the characters around them join
	// (decode_error="ignore").
	Ignore
)

func (d DecodeErrors) String() string {
	switch d {
	case Strict:
		return "strict"
	case Replace:
		return "replace"
	case Ignore:
		return "ignore"
	}
	return fmt.Sprintf("DecodeErrors(%d)", int(d))
}

// InvalidUTF8Error reports a byte that is not valid UTF-8 in strict mode.
type InvalidUTF8Error struct {
	Offset int // byte offset in the (preprocessed) text
}

func (e *InvalidUTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8 at byte %d", e.Offset)
}

// Tokenizer splits text into the tokens of scikit-learn's default
// token_pattern, (?u)\b\w\w+\b, applied after str.lower(): the maximal runs
// of two or more word characters, where a word character is a Unicode letter
// or number or '_' exactly as Python 3.11 defines \w (combining marks are not
// word characters, so "cafe\u0301" gives "cafe"). Lowercasing follows Python's
// str.lower, including its two context and length rules: 'İ' (U+0130) becomes
// "i\u0307", whose combining dot splits the word, and a capital sigma that
// ends a word becomes 'ς'.
//
// It reads the text once, with a table for ASCII, and does not allocate per
// token. The zero value is scikit-learn's default.
type Tokenizer struct {
	KeepCase     bool         // do not lowercase (scikit-learn's lowercase=False)
	DecodeErrors DecodeErrors // invalid UTF-8: Strict (default), Replace or Ignore
}

// Tokens returns the tokens of text.
func (t Tokenizer) Tokens(text string) ([]string, error) {
	var out []string
	_, err := t.scan(text, nil, func(tok []byte) { out = append(out, string(tok)) })
	return out, err
}

// Scan calls emit with each token of text, in order. The slice passed to emit
// is reused: copy it to keep it.
func (t Tokenizer) Scan(text string, emit func(token []byte)) error {
	_, err := t.scan(text, nil, emit)
	return err
}

// Tokenize returns scikit-learn's default tokens of text (Tokenizer{}.Tokens).
func Tokenize(text string) ([]string, error) { return Tokenizer{}.Tokens(text) }

// scan is the tokenizer's loop. buf is scratch space for the current token,
// returned (perhaps grown) for reuse.
func (t Tokenizer) scan(text string, buf []byte, emit func([]byte)) ([]byte, error) {
	table := &asciiLower
	if t.KeepCase {
		table = &asciiKeep
	}
	buf = buf[:0]
	runes := 0 // code points in buf
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf { // the fast path: one table look-up per byte
			if w := table[c]; w != 0 {
				buf = append(buf, w)
				runes++
			} else if runes > 0 {
				if runes >= 2 {
					emit(buf)
				}
				buf, runes = buf[:0], 0
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			switch t.DecodeErrors {
			case Replace: // U+FFFD is not a word character
			case Ignore:
				continue
			default:
				return buf, &InvalidUTF8Error{Offset: i - 1}
			}
		} else if !t.KeepCase {
			switch r {
			case 0x130: // str.lower: 'İ' -> 'i' + U+0307 COMBINING DOT ABOVE, which ends the word
				buf = append(buf, 'i')
				runes++
				r = 0x307
			case 0x3A3: // capital sigma: 'ς' at the end of a word, else 'σ'
				r = 0x3C3
				if finalSigma(text, i-size, size, t.DecodeErrors) {
					r = 0x3C2
				}
			default:
				r = unicode.ToLower(r) // equals Python's lowercase for every other code point
			}
		}
		if isWordRune(r) {
			buf = utf8.AppendRune(buf, r)
			runes++
		} else if runes > 0 {
			if runes >= 2 {
				emit(buf)
			}
			buf, runes = buf[:0], 0
		}
	}
	if runes >= 2 {
		emit(buf)
	}
	return buf, nil
}

// asciiLower maps an ASCII word character to its lowercase and any other
// ASCII byte to 0; asciiKeep maps word characters to themselves.
var asciiLower, asciiKeep = func() (lower, keep [128]byte) {
	for c := byte(0); c < 128; c++ {
		if asciiWord[c] {
			lower[c], keep[c] = c, c
			if c >= 'A' && c <= 'Z' {
				lower[c] = c + 'a' - 'A'
			}
		}
	}
	return lower, keep
}()

// finalSigma reports whether the capital sigma at text[i:i+size] is in the
// Final_Sigma context, as CPython's handle_capital_sigma decides it: preceded
// by a cased letter (skipping case-ignorable characters) and not followed by
// one (skipping case-ignorable characters).
func finalSigma(text string, i, size int, mode DecodeErrors) bool {
	j := i
	found := false
	for j > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:j])
		j -= n
		if r == utf8.RuneError && n == 1 {
			if mode == Ignore {
				continue
			}
			return false // U+FFFD: neither cased nor case-ignorable
		}
		if !isCaseIgnorable(r) {
			if !isCased(r) {
				return false
			}
			found = true
			break
		}
	}
	if !found {
		return false
	}
	for j = i + size; j < len(text); {
		r, n := utf8.DecodeRuneInString(text[j:])
		j += n
		if r == utf8.RuneError && n == 1 {
			if mode == Ignore {
				continue
			}
			return true
		}
		if !isCaseIgnorable(r) {
			return !isCased(r)
		}
	}
	return true
}
