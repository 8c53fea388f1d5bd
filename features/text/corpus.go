package text

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Corpus yields documents one at a time, for the *Corpus methods of the
// vectorizers, which read a corpus once and never hold all of its text.
// Next returns io.EOF after the last document; other errors should name the
// place (file and line).
type Corpus interface {
	Next() (string, error)
}

// locator is implemented by corpora that can say where document i came
// from, so that errors about a document (invalid UTF-8) name the file line.
type locator interface {
	locate(doc int) string
}

// Documents returns a Corpus over a slice of documents.
func Documents(docs []string) Corpus { return &sliceCorpus{docs: docs} }

type sliceCorpus struct {
	docs []string
	i    int
}

func (s *sliceCorpus) Next() (string, error) {
	if s.i >= len(s.docs) {
		return "", io.EOF
	}
	s.i++
	return s.docs[s.i-1], nil
}

// Lines returns a Corpus with one document per line of r, without its line
// ending ("\n" or "\r\n"); a last line without a newline is a document too.
// name (a file name) is used in errors.
func Lines(r io.Reader, name string) Corpus {
	return &lineCorpus{r: bufio.NewReaderSize(r, 1<<16), name: name}
}

type lineCorpus struct {
	r    *bufio.Reader
	name string
	line int
	buf  []byte
}

func (c *lineCorpus) Next() (string, error) {
	c.buf = c.buf[:0]
	for {
		chunk, err := c.r.ReadSlice('\n')
		c.buf = append(c.buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue // a line longer than the buffer
		}
		if err == io.EOF && len(c.buf) == 0 {
			return "", io.EOF
		}
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("text: %s: line %d: %w", c.name, c.line+1, err)
		}
		c.line++
		b := c.buf
		if n := len(b); n > 0 && b[n-1] == '\n' {
			b = b[:n-1]
			if n := len(b); n > 0 && b[n-1] == '\r' {
				b = b[:n-1]
			}
		}
		return string(b), nil
	}
}

func (c *lineCorpus) locate(doc int) string { return fmt.Sprintf("%s:%d", c.name, doc+1) }

// CSVColumn returns a Corpus of the values of one column of a CSV stream
// whose first record is a header (RFC 4180, as encoding/csv reads it: quoted
// fields may hold commas, quotes and newlines). name (a file name) is used in
// errors, which give the line.
func CSVColumn(r io.Reader, name, column string) (Corpus, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("text: %s: empty CSV, no header", name)
		}
		return nil, fmt.Errorf("text: %s: %w", name, err)
	}
	col := -1
	for i, h := range header {
		if h == column || (i == 0 && strings.TrimPrefix(h, "\ufeff") == column) {
			col = i
			break
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("text: %s: no column %q in the header %q", name, column, header)
	}
	return &csvCorpus{r: cr, name: name, column: column, col: col}, nil
}

type csvCorpus struct {
	r      *csv.Reader
	name   string
	column string
	col    int
	lines  []int32 // first line of each document read
}

func (c *csvCorpus) Next() (string, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return "", io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("text: %s: line %d, column %d: %w", c.name, pe.StartLine, pe.Column, pe.Err)
		}
		return "", fmt.Errorf("text: %s: %w", c.name, err)
	}
	line, _ := c.r.FieldPos(c.col)
	c.lines = append(c.lines, int32(line))
	return strings.Clone(rec[c.col]), nil
}

func (c *csvCorpus) locate(doc int) string {
	if doc < len(c.lines) {
		return fmt.Sprintf("%s:%d (column %q)", c.name, c.lines[doc], c.column)
	}
	return c.name
}

// FileCorpus is a Corpus read from a file, gzip-compressed or not; Close
// closes the file.
type FileCorpus struct {
	Corpus
	f  *os.File
	gz *gzip.Reader
}

// Close closes the file.
func (c *FileCorpus) Close() error {
	if c.gz != nil {
		c.gz.Close()
	}
	return c.f.Close()
}

func (c *FileCorpus) locate(doc int) string {
	if l, ok := c.Corpus.(locator); ok {
		return l.locate(doc)
	}
	return c.f.Name()
}

// OpenLines opens a text file with one document per line (see Lines),
// decompressing it if it is gzip (detected from its first bytes, whatever
// the name).
func OpenLines(path string) (*FileCorpus, error) {
	fc, r, err := openMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	fc.Corpus = Lines(r, path)
	return fc, nil
}

// OpenCSVColumn opens a CSV file with a header row and reads one column of it
// (see CSVColumn), decompressing it if it is gzip.
func OpenCSVColumn(path, column string) (*FileCorpus, error) {
	fc, r, err := openMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	c, err := CSVColumn(r, path, column)
	if err != nil {
		fc.Close()
		return nil, err
	}
	fc.Corpus = c
	return fc, nil
}

func openMaybeGzip(path string) (*FileCorpus, io.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("text: %w", err)
	}
	fc := &FileCorpus{f: f}
	br := bufio.NewReaderSize(f, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("text: %s: %w", path, err)
		}
		fc.gz = gz
		return fc, bufio.NewReaderSize(gz, 1<<16), nil
	}
	return fc, br, nil
}
