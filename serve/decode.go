package serve

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// requestError is a request the server refuses, with its HTTP status.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// statusOf returns the status an error answers with: 400 unless it says.
func statusOf(err error) int {
	var re *requestError
	if errors.As(err, &re) {
		return re.status
	}
	return http.StatusBadRequest
}

// decodeLimits bound what one request may hold.
type decodeLimits struct {
	maxRows int
}

func (l decodeLimits) tooMany(rows int) error {
	return &requestError{http.StatusRequestEntityTooLarge,
		fmt.Sprintf("more than %d rows in one request (the server's limit); send them in several requests", l.maxRows)}
}

// rowsAtMost bounds the rows a body can hold, for reserving columns: at
// most count (the objects or arrays it holds), and at most one row per
// 2k+1 bytes (a row of k values needs a byte each and a separator), so that
// what is reserved stays within a small multiple of the body's size.
func rowsAtMost(body []byte, count, k int, lim decodeLimits) int {
	return max(0, min(count, len(body)/(2*k+1), lim.maxRows))
}

// rowReader reads rows written as JSON objects keyed by input name, the
// shape of the row endpoint, MLflow's dataframe_records and instances.
type rowReader struct {
	c      *columns
	lim    decodeLimits
	seen   []bool
	inputs string // the model's inputs, listed once for error messages
}

// newRowReader returns the columns' row reader, ready for a body.
func newRowReader(c *columns, lim decodeLimits) *rowReader {
	c.reader = rowReader{c: c, lim: lim, seen: c.rowSeen}
	return &c.reader
}

// objects reads an array of row objects.
func (r *rowReader) objects(s *scanner) error {
	if s.peek() != '[' {
		if err := typeError("an array of rows", s); err != nil {
			return badRequest("%v", err)
		}
	}
	return s.array(func(row int) error {
		if row >= r.lim.maxRows {
			return r.lim.tooMany(row)
		}
		return r.object(s, row)
	})
}

// object reads one row object.
func (r *rowReader) object(s *scanner, row int) error {
	if s.peek() != '{' {
		if err := typeError("an object of column values", s); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
	}
	clear(r.seen)
	err := s.object(func(key []byte) error {
		i, ok := r.c.index[string(key)]
		if !ok {
			return fmt.Errorf("row %d: unknown column %q (the model reads %s)", row, key, r.listInputs())
		}
		if r.seen[i] {
			return fmt.Errorf("row %d: column %q appears twice", row, key)
		}
		r.seen[i] = true
		if err := r.c.value(s, i, ""); err != nil {
			return fmt.Errorf("row %d, column %q: %w", row, r.c.fields[i].Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, ok := range r.seen {
		if !ok {
			return fmt.Errorf("row %d: missing column %q (write null for a missing value)", row, r.c.fields[i].Name)
		}
	}
	return nil
}

// positional reads one row written as an array of values in the model's
// input order.
func (r *rowReader) positional(s *scanner, row int) error {
	if s.peek() != '[' {
		if err := typeError("an array of column values", s); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
	}
	n := 0
	err := s.array(func(i int) error {
		if i >= len(r.c.fields) {
			return fmt.Errorf("row %d: more than the model's %d values (%s)", row, len(r.c.fields), r.listInputs())
		}
		n++
		if err := r.c.value(s, i, ""); err != nil {
			return fmt.Errorf("row %d, column %q: %w", row, r.c.fields[i].Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n != len(r.c.fields) {
		return fmt.Errorf("row %d: %d values, but the model reads %d (%s)", row, n, len(r.c.fields), r.listInputs())
	}
	return nil
}

func (r *rowReader) listInputs() string {
	if r.inputs == "" {
		r.inputs = listFields(r.c.fields)
	}
	return r.inputs
}

func listFields(fields []field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// decodeRows reads the row endpoint's body: {"rows": [{...}, ...]} or a
// bare array of row objects.
func decodeRows(body []byte, c *columns, lim decodeLimits) error {
	s := &scanner{buf: body}
	r := newRowReader(c, lim)
	c.reserve(rowsAtMost(body, bytes.Count(body, []byte{'{'}), len(c.fields), lim))
	var err error
	switch s.peek() {
	case '[':
		err = r.objects(s)
	case '{':
		found := false
		err = s.object(func(key []byte) error {
			if string(key) != "rows" {
				return fmt.Errorf(`unknown field %q: the body is {"rows": [{"column": value, ...}, ...]}`, key)
			}
			found = true
			return r.objects(s)
		})
		if err == nil && !found {
			err = errors.New(`no "rows": the body is {"rows": [{"column": value, ...}, ...]}`)
		}
	default:
		err = s.unexpected(`{"rows": [...]} or an array of rows`)
	}
	if err == nil {
		err = s.end()
	}
	if err == nil && c.rows() == 0 {
		err = errors.New("no rows to score")
	}
	return err
}
