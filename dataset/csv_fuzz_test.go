package dataset

import (
	"bytes"
	"math"
	"testing"
)

// fuzzSeeds are inputs that reach every branch of the tokenizer and of the
// inference: quoting, CRLF, BOM, nulls, each type, ragged rows, bad quotes.
var fuzzSeeds = []string{
	"a,b\n1,2\n3,4\n",
	"a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",z\n",
	"\xEF\xBB\xBFid,name\r\n1,\"a\"\r\n2,b\r\n",
	"s,n\n\"\",1\n,2\nNA,\n\"NA\",3\nnull,NaN\n",
	"v,w,x,y\n1,2.5,true,2013-01-01\n,1e3,False,2013-01-01T05:00:00Z\n7,Inf,,2013-01-01 05:00:00.5\n",
	"v\n1\nx\n007\n",
	"a\n1\n\n3\n",
	",x,\n1,2,3\n",
	"a,b\n1,2\n3\n",
	"a,b\n1,\"x\n",
	"a,b\n1,x\"y\n",
	"a,a\n1,2\n",
	"a\n99999999999999999999\n-0\n",
	"a;b\n1,5;x\n",
}

// FuzzReadCSV checks that no input panics the reader and that whatever it
// reads survives WriteCSV -> ReadCSV (with the types it inferred) unchanged.
// The first byte chooses the options (delimiter, header) so that the fuzzer
// explores them too.
func FuzzReadCSV(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(append([]byte{byte(i)}, s...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		opts := CSVOptions{Delimiter: []byte{',', ';', '\t', '|'}[data[0]&3], NoHeader: data[0]&4 != 0, Workers: 1 + int(data[0]>>3&1)}
		frame, err := ReadCSV(bytes.NewReader(data[1:]), opts)
		if err != nil {
			if _, ok := err.(*ParseError); !ok && err.Error() == "" {
				t.Fatalf("empty error")
			}
			return
		}
		for _, c := range frame.Columns() {
			if c.Len() != frame.NumRows() {
				t.Fatalf("column %q has %d rows of %d", c.Name(), c.Len(), frame.NumRows())
			}
			if c.Type() == Float64 {
				for _, v := range c.Float64s() {
					if math.IsNaN(v) {
						return // NaN is written "NaN", a null token: not a round trip
					}
				}
			}
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, frame, CSVOptions{Delimiter: opts.Delimiter}); err != nil {
			t.Fatal(err)
		}
		types := make(map[string]Type)
		for _, fd := range frame.Schema() {
			types[fd.Name] = fd.Type
		}
		back, err := ReadCSV(bytes.NewReader(buf.Bytes()), CSVOptions{Delimiter: opts.Delimiter, Types: types})
		if err != nil {
			t.Fatalf("re-reading what WriteCSV wrote: %v\n%q", err, buf.String())
		}
		if frame.NumCols() > 0 && dump(back) != dump(frame) {
			t.Fatalf("round trip changed the frame:\n%s\nbecame\n%s\nvia %q", dump(frame), dump(back), buf.String())
		}
	})
}

// FuzzReadJSONL checks that no input panics the JSON Lines reader and that a
// frame it returns is consistent.
func FuzzReadJSONL(f *testing.F) {
	for _, s := range []string{
		"{\"i\": 1, \"f\": 1.5, \"b\": true, \"s\": \"x\", \"t\": \"2013-01-01T05:00:00Z\"}\n{\"i\": -2}\n",
		"{\"a\": 1}\n{\"b\": \"x\"}\n{\"a\": null, \"b\": \"\"}\n",
		"{\"o\": {\"k\": [1, 2]}}\n{\"o\": \"plain\"}\n",
		"{\"a\": 1}\n{\"a\": \"x\"}\n",
		"[1, 2]\n",
		"{\"a\": 1, \"a\": 2}\n",
		"{\"a\": 1} {\"a\": 2}\n",
		"{\"n\": 99999999999999999999}\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		frame, err := ReadJSONL(bytes.NewReader(data), JSONLOptions{})
		if err != nil {
			return
		}
		for _, c := range frame.Columns() {
			if c.Len() != frame.NumRows() {
				t.Fatalf("column %q has %d rows of %d", c.Name(), c.Len(), frame.NumRows())
			}
			for i := range c.Len() {
				_ = c.Format(i)
			}
		}
	})
}
