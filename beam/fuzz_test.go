package beam

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
)

// FuzzDecoders: the coders' decoders read what crosses the runner; arbitrary
// bytes give an error or a value, never a panic, and what they accept
// encodes back to a value that decodes the same.
func FuzzDecoders(f *testing.F) {
	f.Add(encodeRowBlock(RowBlock{Start: 3, Rows: 2, Features: 3, Indptr: []int64{0, 1, 2}, Columns: []int32{0, 2}, Values: []float64{1, 2}}))
	f.Add(encodeRowBlock(RowBlock{Rows: 1, Features: 2, Values: []float64{1.5, -2}}))
	row, _ := encodeCooccurrenceRow(CooccurrenceRow{Term: 4, Columns: []int32{1, 4, 9}, Counts: []int64{2, 5, 1}})
	f.Add(row)
	f.Add(encodeDocBatch(docBatch{Docs: []docTerms{{Terms: []string{"cat", "sat"}, Counts: []int32{1, 2}}}}))
	f.Add(encodeDocumentFrequencies(documentFrequencies{Docs: 2, DF: map[string]int{"cat": 2}}))
	f.Add(encodeDFSAcc(dfsAcc{Parent: "N14228", Cutoff: 5, HasCutoff: true, Instances: 1, Rows: 3, Inputs: []inputAcc{
		{N: 3, S1: []float64{1e-17, 7}, S2: []float64{21}, Min: 1, Max: 4, Values: map[float64]int64{1: 2, 4: 1}},
		{N: 2, Trues: 1, Levels: map[string]int64{"UA": 2}}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := decodeDFSAcc(b); err == nil {
			// Maps encode in any order (and NaN never equals itself): the
			// round trip keeps the length.
			enc := encodeDFSAcc(v)
			if again, err := decodeDFSAcc(enc); err != nil || len(encodeDFSAcc(again)) != len(enc) {
				t.Fatalf("dfsAcc %+v does not survive a round trip: %v", v, err)
			}
		}
		if v, err := decodeRowBlock(b); err == nil {
			// Compared encoded: a NaN value never equals itself.
			again, err := decodeRowBlock(encodeRowBlock(v))
			if err != nil || !bytes.Equal(encodeRowBlock(again), encodeRowBlock(v)) {
				t.Fatalf("RowBlock %+v does not survive a round trip: %v", v, err)
			}
			_ = v.check() // validation of any decoded block must not panic either
		}
		if v, err := decodeCooccurrenceRow(b); err == nil {
			if enc, err := encodeCooccurrenceRow(v); err == nil {
				if again, err := decodeCooccurrenceRow(enc); err != nil || !reflect.DeepEqual(again, v) {
					t.Fatalf("CooccurrenceRow %+v does not survive a round trip: %v", v, err)
				}
			}
		}
		if v, err := decodeDocBatch(b); err == nil {
			if again, err := decodeDocBatch(encodeDocBatch(v)); err != nil || !reflect.DeepEqual(again, v) {
				t.Fatalf("docBatch %+v does not survive a round trip: %v", v, err)
			}
		}
		if v, err := decodeDocumentFrequencies(b); err == nil {
			if again, err := decodeDocumentFrequencies(encodeDocumentFrequencies(v)); err != nil || !reflect.DeepEqual(again, v) {
				t.Fatalf("documentFrequencies %+v does not survive a round trip: %v", v, err)
			}
		}
	})
}

// FuzzParseRecords: arbitrary CSV or JSON Lines text is cut into records by
// the readers' record splitter and parsed with a model's input types as
// Score parses a batch; no input panics, and every record is either a row
// of the batch's frame or a dead letter, never both, never neither.
func FuzzParseRecords(f *testing.F) {
	f.Add([]byte("x,label,note\n1.5,a,hi\n2,b,\"two\nlines\"\nnope,c,x\n"), true)
	f.Add([]byte("x,label\n1,a\n2\n\n3,b,extra\n"), true)
	f.Add([]byte("x\n\n1\n"), true)
	f.Add([]byte(`{"x": 1.5, "label": "a", "note": 3}`+"\n"+`{"x": "bad"}`+"\n\n"+`{"label": "b", "note": "text"}`+"\n{\n"), false)
	f.Add([]byte(`{"x": 1, "y": [1, 2]}`+"\n"+`{"x": 2, "y": {"a": 1}}`+"\n"), false)
	inputs := map[string]dataset.Type{"x": dataset.Float64, "label": dataset.String}
	fn := &scoreFn{KeepAll: true, m: &model{inputs: inputs, order: []string{"x", "label"}}}
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		format := "jsonl"
		if csv {
			format = "csv"
		}
		rr := &recordReader{r: bufio.NewReader(bytes.NewReader(data)), csv: csv, max: 1 << 10}
		in := Rows{Source: "fuzz", Format: format}
		if csv {
			h, err := rr.next()
			if err != nil || h.tooLong {
				return
			}
			in.Header = h.text
			rr.fields = countFields(h.text)
		}
		lastLine := int64(0)
		for {
			r, err := rr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("reading from memory: %v", err)
			}
			if r.line <= lastLine {
				t.Fatalf("record at line %d after one at line %d", r.line, lastLine)
			}
			lastLine = r.line
			if r.tooLong {
				continue
			}
			in.Records = append(in.Records, r.text)
			in.Lines = append(in.Lines, r.line)
		}
		b, err := fn.parse(in)
		if err != nil {
			return // an error for the whole batch fails the job with its message
		}
		rows := 0
		if b.frame != nil {
			rows = b.frame.NumRows()
			if len(b.record) != rows {
				t.Fatalf("%d frame rows and %d record indices", rows, len(b.record))
			}
		}
		seen := map[int64]bool{}
		for _, k := range b.record {
			seen[in.First+int64(k)] = true
		}
		for _, d := range b.dead {
			if seen[d.Row] {
				t.Fatalf("row %d is both scored and dead (%s)", d.Row, d.Reason)
			}
			seen[d.Row] = true
		}
		if rows+len(b.dead) != len(in.Records) || len(seen) != len(in.Records) {
			t.Fatalf("%d records gave %d rows and %d dead letters", len(in.Records), rows, len(b.dead))
		}
		if b.frame != nil && rows > 0 {
			if reason := fn.checkBatch(b.frame); reason == "" {
				c, _ := b.frame.Column("x")
				if c.Type() != dataset.Float64 {
					t.Fatalf("x is %s, want float64", c.Type())
				}
			}
		}
	})
}

// FuzzDecodeRows: the coder of Rows, the element Score reads and writes,
// decodes arbitrary bytes to an error or a value that encodes back to the
// same bytes' meaning.
func FuzzDecodeRows(f *testing.F) {
	fr := dataset.MustNew(
		dataset.NewFloat64("x", []float64{1.5, math.NaN(), -2}, []bool{true, false, true}),
		dataset.NewInt64("n", []int64{1, 2, 3}, nil),
		dataset.NewBool("b", []bool{true, false, true}, nil),
		dataset.NewString("s", []string{"a", "", "c"}, nil),
		dataset.NewTimestamp("t", []int64{0, 1e9, 2e9}, []bool{true, true, false}),
	)
	for _, r := range []Rows{
		{Source: "f.parquet", First: 7, Frame: fr},
		{Source: "f.csv", First: 2, Format: "csv", Header: "x,s", Records: []string{"1,a", "2,\"b\nc\""}, Lines: []int64{2, 3}},
	} {
		b, err := encodeRows(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRows(b)
		if err != nil {
			return
		}
		enc, err := encodeRows(r)
		if err != nil {
			t.Fatalf("a decoded %+v does not encode: %v", r, err)
		}
		again, err := decodeRows(enc)
		if err != nil {
			t.Fatalf("re-encoded Rows do not decode: %v", err)
		}
		if again.Source != r.Source || again.First != r.First || again.Len() != r.Len() || !reflect.DeepEqual(again.Records, r.Records) ||
			(r.Frame == nil) != (again.Frame == nil) || r.Frame != nil && !slices.Equal(r.Frame.Names(), again.Frame.Names()) {
			t.Fatalf("Rows %+v does not survive a round trip: %+v", r, again)
		}
	})
}
