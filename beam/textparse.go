package beam

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
)

// parseChunk bounds the records parsed again after a bad one: a batch that
// fails is parsed in chunks of this many records, and a chunk that fails is
// split at its bad record.
const parseChunk = 4096

// textParser turns a batch of CSV records or JSON Lines into typed frames with
// package dataset's readers, the model's inputs forced to their types and
// every other column read as text, setting aside the records that do not
// parse.
type textParser struct {
	in     Rows
	inputs map[string]dataset.Type
	forced map[string]dataset.Type // the types given to the reader
	// present are the JSON keys every frame has, nulls where no line of
	// a part holds them: the model's inputs and the columns to keep.
	present []string
	parts   []textPart
	dead    []DeadLetter
	// headerLines is the number of lines the CSV header spans.
	headerLines int
}

// textPart is records lo ... hi-1 of the batch, parsed.
type textPart struct {
	lo, hi int
	frame  *dataset.Frame
}

func (p *textParser) csv() bool { return p.in.Format == "csv" }

// start reads a CSV header for its column names: the model's inputs get
// their types, the other columns are read as strings.
func (p *textParser) start() error {
	if !p.csv() {
		for name, t := range p.inputs {
			p.forced[name] = t
		}
		return nil
	}
	head, err := dataset.ReadCSV(strings.NewReader(p.in.Header+"\n"), dataset.CSVOptions{Workers: 1})
	if err != nil {
		return fmt.Errorf("the CSV header of %s does not parse: %w", p.in.Source, err)
	}
	for _, name := range head.Names() {
		if t, ok := p.inputs[name]; ok {
			p.forced[name] = t
		} else {
			p.forced[name] = dataset.String
		}
	}
	p.headerLines = 1 + strings.Count(p.in.Header, "\n")
	return nil
}

// read parses records lo ... hi-1.
func (p *textParser) read(lo, hi int) (*dataset.Frame, error) {
	var b strings.Builder
	if p.csv() {
		b.WriteString(p.in.Header)
		b.WriteByte('\n')
	}
	for _, r := range p.in.Records[lo:hi] {
		b.WriteString(r)
		b.WriteByte('\n')
	}
	if p.csv() {
		return dataset.ReadCSV(strings.NewReader(b.String()), dataset.CSVOptions{Types: p.forced, Workers: 1})
	}
	return dataset.ReadJSONL(strings.NewReader(b.String()), dataset.JSONLOptions{Types: p.forced, Workers: 1})
}

// parse parses records lo ... hi-1, keeping the good ones as parts and the
// bad ones as dead letters, in record order.
func (p *textParser) parse(lo, hi int) {
	if lo >= hi {
		return
	}
	fr, err := p.read(lo, hi)
	if err == nil && !p.csv() && p.forceText(fr) {
		fr, err = p.read(lo, hi) // again, with the new keys as text
	}
	if err == nil {
		p.parts = append(p.parts, textPart{lo: lo, hi: hi, frame: fr})
		return
	}
	var pe *dataset.ParseError
	if !errors.As(err, &pe) {
		for k := lo; k < hi; k++ {
			p.kill(k, err.Error())
		}
		return
	}
	if !p.csv() && pe.ColumnName != "" && p.forced[pe.ColumnName] == 0 {
		// A key outside the model's inputs whose values are of different
		// JSON kinds: keep it as text, as any key outside the inputs.
		p.forced[pe.ColumnName] = dataset.String
		p.parse(lo, hi)
		return
	}
	if hi-lo > parseChunk {
		for c := lo; c < hi; c += parseChunk {
			p.parse(c, min(c+parseChunk, hi))
		}
		return
	}
	k, line, ok := p.recordAt(lo, hi, pe.Line)
	if !ok {
		if hi-lo == 1 {
			p.kill(lo, err.Error())
			return
		}
		mid := lo + (hi-lo)/2
		p.parse(lo, mid)
		p.parse(mid, hi)
		return
	}
	where := *pe
	where.File, where.Line = p.in.Source, int(p.in.Lines[k])+line
	p.parse(lo, k)
	p.kill(k, where.Error())
	p.parse(k+1, hi)
}

// forceText marks the frame's columns outside the model's inputs that were
// not read as strings, and reports whether there were any.
func (p *textParser) forceText(fr *dataset.Frame) bool {
	again := false
	for _, c := range fr.Columns() {
		if _, ok := p.forced[c.Name()]; !ok {
			p.forced[c.Name()] = dataset.String
			again = again || c.Type() != dataset.String
		}
	}
	return again
}

// recordAt finds the record of lines lo ... hi-1 on which line (1-based, of
// the text read) falls, and the line's offset within the record.
func (p *textParser) recordAt(lo, hi, line int) (k, offset int, ok bool) {
	if !p.csv() {
		k = lo + line - 1
		return k, 0, k >= lo && k < hi
	}
	start := 1 + p.headerLines
	for k := lo; k < hi; k++ {
		next := start + 1 + strings.Count(p.in.Records[k], "\n")
		if line >= start && line < next {
			return k, line - start, true
		}
		start = next
	}
	return 0, 0, false
}

func (p *textParser) kill(k int, reason string) {
	p.dead = append(p.dead, DeadLetter{Source: p.in.Source, Row: p.in.First + int64(k), Line: p.in.Lines[k], Record: p.in.Records[k], Reason: reason})
}

// join stacks the parts into one frame. A JSON key that some parts lack is
// null on their rows.
func (p *textParser) join() (*dataset.Frame, error) {
	var names []string
	types := map[string]dataset.Type{}
	for _, part := range p.parts {
		for _, c := range part.frame.Columns() {
			if _, ok := types[c.Name()]; !ok {
				names = append(names, c.Name())
				types[c.Name()] = c.Type()
			}
		}
	}
	if !p.csv() {
		for _, name := range p.present {
			if _, ok := types[name]; !ok {
				names = append(names, name)
				types[name] = dataset.String
				if t, ok := p.inputs[name]; ok {
					types[name] = t
				}
			}
		}
	}
	frames := make([]*dataset.Frame, len(p.parts))
	for i, part := range p.parts {
		n := part.frame.NumRows()
		if part.frame.NumCols() == 0 { // lines of empty objects
			n = part.hi - part.lo
		}
		if n != part.hi-part.lo {
			return nil, fmt.Errorf("%d records gave %d rows", part.hi-part.lo, n)
		}
		cols := make([]*dataset.Column, len(names))
		for j, name := range names {
			c, err := part.frame.Column(name)
			if err != nil {
				c = nullColumn(name, types[name], n)
			}
			cols[j] = c
		}
		fr, err := dataset.New(cols...)
		if err != nil {
			return nil, err
		}
		frames[i] = fr
	}
	if len(frames) == 1 {
		return frames[0], nil
	}
	return dataset.Concat(frames...)
}

// nullColumn is a column of n nulls.
func nullColumn(name string, t dataset.Type, n int) *dataset.Column {
	valid := make([]bool, n)
	switch t {
	case dataset.Float64:
		return dataset.NewFloat64(name, make([]float64, n), valid)
	case dataset.Int64:
		return dataset.NewInt64(name, make([]int64, n), valid)
	case dataset.Bool:
		return dataset.NewBool(name, make([]bool, n), valid)
	case dataset.Timestamp:
		return dataset.NewTimestamp(name, make([]int64, n), valid)
	}
	return dataset.NewString(name, make([]string, n), valid)
}
