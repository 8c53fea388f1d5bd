package dataset

import (
	"fmt"
	"github.com/kiln-ml/kiln"
	"runtime"
	"strings"
)

// DefaultNullTokens are the unquoted field values that CSVOptions treats as
// null when NullTokens is nil: the empty field and the common spellings of
// "missing" that pandas.read_csv also recognises ("NA", "N/A", "NaN", "nan",
// "null", "NULL", "None", "#N/A", "-NaN", "-nan", "<NA>"). A quoted field is
// never null: `""` is the empty string and `"NA"` the two letters.
var DefaultNullTokens = []string{"", "NA", "N/A", "#N/A", "NaN", "-NaN", "nan", "-nan", "null", "NULL", "None", "<NA>"}

// defaultMaxRecordBytes bounds one CSV record (one line, or several when a
// quoted field holds newlines) so that a missing closing quote in a huge file
// is reported instead of swallowing the rest of it into memory.
const defaultMaxRecordBytes = 64 << 20

// maxRecordLimit keeps cell offsets within the 30 bits a cell stores.
const maxRecordLimit = 1<<30 - 1

// CSVOptions configures ReadCSV and WriteCSV. The zero value reads standard
// comma-separated text with a header row and infers every column's type.
type CSVOptions struct {
	// Delimiter separates fields; 0 means ','. It must not be '"', '\r' or '\n'.
	Delimiter byte

	// NoHeader means the first record is data; columns are then named
	// "column1", "column2", ... .
	NoHeader bool

	// Types forces the type of the named columns instead of inferring it. A
	// value that does not parse as the forced type is an error naming the
	// file, line and column. Names must exist in the file.
	Types map[string]Type

	// NullTokens lists the unquoted field values read as null; nil means
	// DefaultNullTokens. Use []string{""} to treat only empty fields as null.
	// The writer prints nulls as an empty unquoted field and quotes any string
	// equal to a null token so that it reads back as that string.
	NullTokens []string

	// Columns, when not empty, selects and orders the columns to keep (by
	// header name, or "columnN" with NoHeader). The other columns are
	// tokenized for validation but not converted.
	Columns []string

	// Workers is the number of goroutines parsing chunks; 0 means GOMAXPROCS.
	// The result does not depend on it.
	Workers int

	// MaxRecordBytes bounds the size of one record; 0 means 64 MiB. A record
	// longer than this (typically a quote that is never closed) is an error.
	MaxRecordBytes int

	// Progress, when set, is called from one goroutine after each chunk
	// (Stage "read") with Done the number of (decompressed) text bytes read
	// so far, header excluded, and Total the input's size when it is known
	// (an uncompressed file or in-memory reader; 0 for compressed input).
	// When a type conflict makes the reader read the input again, Done
	// starts again from 0.
	Progress kiln.ProgressFunc
}

func (o *CSVOptions) delimiter() byte {
	if o.Delimiter == 0 {
		return ','
	}
	return o.Delimiter
}

func (o *CSVOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (o *CSVOptions) maxRecordBytes() int {
	if o.MaxRecordBytes <= 0 {
		return defaultMaxRecordBytes
	}
	return min(o.MaxRecordBytes, maxRecordLimit)
}

func (o *CSVOptions) validate() error {
	switch d := o.delimiter(); d {
	case '"', '\r', '\n':
		return fmt.Errorf("dataset: invalid CSV delimiter %q", d)
	}
	for name, t := range o.Types {
		if t < Float64 || t > Timestamp {
			return fmt.Errorf("dataset: column %q: invalid forced type %v", name, t)
		}
	}
	return nil
}

// nullSet answers "is this unquoted field a null token" without allocating:
// a field can only match if its length and first byte match some token.
type nullSet struct {
	tokens    []string
	empty     bool      // "" is a token
	firstByte [256]bool // first bytes of the non-empty tokens
	maxLen    int
	typed     bool // some token parses as an int64, a (non-NaN) float64, a bool or a time
}

func newNullSet(tokens []string) *nullSet {
	if tokens == nil {
		tokens = DefaultNullTokens
	}
	s := &nullSet{}
	for _, t := range tokens {
		if t == "" {
			s.empty = true
			continue
		}
		s.tokens = append(s.tokens, t)
		s.firstByte[t[0]] = true
		s.maxLen = max(s.maxLen, len(t))
		if c := classify([]byte(t)); c != String {
			if v, _ := parseFloat([]byte(t)); c != Float64 || v == v {
				s.typed = true
			}
		}
	}
	return s
}

func (s *nullSet) isNull(b []byte) bool {
	if len(b) == 0 {
		return s.empty
	}
	if len(b) > s.maxLen || !s.firstByte[b[0]] {
		return false
	}
	for _, t := range s.tokens {
		if string(b) == t {
			return true
		}
	}
	return false
}

// isNullString is isNull for the writer, which must quote such strings.
func (s *nullSet) isNullString(v string) bool {
	if v == "" {
		return s.empty
	}
	if len(v) > s.maxLen || !s.firstByte[v[0]] {
		return false
	}
	for _, t := range s.tokens {
		if v == t {
			return true
		}
	}
	return false
}

// ParseError reports bad CSV or JSON Lines input. Its message has the form
// "file:line:column: column "name": message"; Line and Column are 1-based
// (Column counts characters), and ColumnName is empty when the error is not
// about one column.
type ParseError struct {
	File       string
	Line       int
	Column     int
	ColumnName string
	Msg        string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.ColumnName != "" {
		fmt.Fprintf(&b, "column %q: ", e.ColumnName)
	}
	b.WriteString(e.Msg)
	return b.String()
}
