package dataset

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// jsonlSeeds reach every branch of the scanner and of the typing rules:
// each kind, escapes and surrogates, nesting, nulls and missing keys, kind
// conflicts within a chunk and across chunks, forced types, blank and
// white-space lines, and every kind of syntax error.
var jsonlSeeds = []string{
	"{\"i\": 1, \"f\": 1.5, \"b\": true, \"s\": \"x\", \"t\": \"2013-01-01T05:00:00Z\"}\n{\"i\": -2}\n",
	"{\"a\": 1}\n{\"b\": \"x\"}\n{\"a\": null, \"b\": \"\"}\n",
	"{\"o\": {\"k\": [1, 2]}}\n{\"o\": \"plain\"}\n",
	"{\"o\": \"plain\"}\n{\"o\": [ {\"a\" : [ ] , \"b\":{}} , \"s p\", -0.5e3, true, null ]}\n",
	"{\"a\": 1}\n{\"a\": \"x\"}\n",
	"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n{\"a\": true}\n{\"a\": \"x\"}\n",
	"{\"a\": \"x\"}\n{\"a\": 2}\n{\"a\": {}}\n",
	"{\"a\": null}\n{\"a\": null}\n{\"a\": 2}\n{\"b\": 1}\n{\"a\": \"x\", \"b\": 2}\n",
	"[1, 2]\n",
	"{\"a\": 1, \"a\": 2}\n",
	"{\"a\": 1} {\"a\": 2}\n",
	"{\"a\": 1},\n",
	"{\"n\": 99999999999999999999}\n\r\n",
	"{\"n\": 1}\n{\"n\": 1e400}\n{\"n\": -0}\n{\"n\": 0.1}\n",
	"{\"s\": \"a\\\"b\\n\\u00e9\\ud83d\\ude00\\ud800x\\/\\\\\"}\n",
	"{\"k\\u0061\": 1, \"ka\": 2}\n",
	"{\"s\": \"\\u0000a\"}\n{\"s\": \"a\"}\n{\"s\": \"\\u0000a\"}\n",
	"{\"t\": \"2013-01-01\"}\n{\"t\": null}\n{\"t\": \"2013-01-02 05:00:00\"}\n",
	"{\"t\": \"2013-01-01\"}\n{\"t\": \"x\"}\n",
	"\v\f\n \u00a0 \n{}\n{ }\n",
	"{\"a\": tru}\n", "{\"a\": 01}\n", "{\"a\": -}\n", "{\"a\": 1.}\n", "{\"a\": 1e}\n", "{\"a\" 1}\n",
	"{\"a\": \"x\ty\"}\n", "{\"a\": \"\\x\"}\n", "{\"a\": \"\\u12g4\"}\n", "{\"a\": [1 2]}\n", "{\"a\": [1,]}\n",
	"{\"a\": {\"b\" 1}}\n", "{\"a\": {1: 2}}\n", "{\"a\": [}\n", "{\"a\": 1\n", "{\"a\": 1,}\n", "{,}\n", "{\"a\"}\n",
	"\xef\xbb\xbf{\"a\": 1}\n", "{\"a\": \"caf\xe9\"}\n", "\"x\"\n", "null\n", "{\"a\": 1}\n42\n",
	"{\"a\": 1, \"b\": \"x\"}\n{\"b\": \"y\", \"a\": 2}\n{\"c\": false}\n{\"a\": 3, \"b\": \"x\", \"c\": true}\n",
}

// jsonlOptionsFor derives options from a byte, so that the fuzzer explores
// them: the worker count, the chunk size (small sizes cut inputs into many
// chunks) and a forced type for the key "a".
func jsonlOptionsFor(b byte) (JSONLOptions, int) {
	opts := JSONLOptions{Workers: 1 + int(b&3)%3}
	if t := Type(b >> 2 & 7); t >= Float64 && t <= Timestamp {
		opts.Types = map[string]Type{"a": t}
	}
	return opts, []int{1, 16, 64, 0}[b>>5&3]
}

// describeFrame writes a frame with everything that must match: names,
// types, values and nulls (dump), and the levels of dictionary columns in order.
func describeFrame(f *Frame) string {
	var b strings.Builder
	b.WriteString(dump(f))
	for _, c := range f.Columns() {
		if _, levels, ok := c.Dict(); ok {
			fmt.Fprintf(&b, "\n%s levels %q", c.Name(), levels)
		}
	}
	return b.String()
}

func compareWithReference(t *testing.T, data []byte, opts JSONLOptions, chunkBytes int) {
	t.Helper()
	want, werr := readJSONLReference("<input>", bytes.NewReader(data), opts)
	got, gerr := readJSONL("<input>", bytes.NewReader(data), int64(len(data)), opts, chunkBytes)
	switch {
	case werr != nil || gerr != nil:
		if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
			t.Fatalf("input %q, options %+v, chunks of %d:\nerror %v\nreference error %v", data, opts, chunkBytes, gerr, werr)
		}
		if _, ok := gerr.(*ParseError); !ok && opts.Types == nil {
			t.Fatalf("error %T is not a *ParseError", gerr)
		}
	case describeFrame(got) != describeFrame(want):
		t.Fatalf("input %q, options %+v, chunks of %d:\ngot\n%s\nreference\n%s", data, opts, chunkBytes, describeFrame(got), describeFrame(want))
	}
}

func TestReadJSONLMatchesReference(t *testing.T) {
	for _, s := range jsonlSeeds {
		for b := range 128 {
			opts, chunkBytes := jsonlOptionsFor(byte(b))
			compareWithReference(t, []byte(s), opts, chunkBytes)
		}
	}
}

// TestReadJSONLDeepNesting checks encoding/json's nesting limit: 10,000
// levels in one value are read, 10,001 are an error.
func TestReadJSONLDeepNesting(t *testing.T) {
	for _, depth := range []int{9999, 10000, 10001} {
		line := "{\"a\": " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "}\n"
		compareWithReference(t, []byte(line), JSONLOptions{}, 0)
	}
}

// TestReadJSONLManyChunks reads a file of many chunks (many rows, keys that
// come and go, text that switches between dictionary and plain strings) with
// 1 to 4 workers, against the reference reader.
func TestReadJSONLManyChunks(t *testing.T) {
	var b bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&b, "{\"id\": %d, \"x\": %g, \"c\": \"c%d\"", i, float64(i)/7, i%13)
		if i%3 == 0 {
			fmt.Fprintf(&b, ", \"u\": \"u%d\"", i/(1+i%5000))
		}
		if i%1000 == 999 {
			b.WriteString(", \"late\": true")
		}
		if i%7 == 0 {
			b.WriteString(", \"d\": \"2013-01-02\"")
		}
		b.WriteString("}\n")
	}
	for _, workers := range []int{1, 2, 4} {
		for _, chunkBytes := range []int{4096, 65536, 0} {
			compareWithReference(t, b.Bytes(), JSONLOptions{Workers: workers}, chunkBytes)
		}
	}
}

// FuzzReadJSONLMatchesReference checks that the parallel reader returns the
// frame, or the error, of the reference reader built on encoding/json, for
// any input, worker count and chunk size. The first byte chooses the options.
func FuzzReadJSONLMatchesReference(f *testing.F) {
	for i, s := range jsonlSeeds {
		f.Add(append([]byte{byte(i * 37)}, s...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		opts, chunkBytes := jsonlOptionsFor(data[0])
		compareWithReference(t, data[1:], opts, chunkBytes)
	})
}
