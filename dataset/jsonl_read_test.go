package dataset

import (
	"bytes"
	"compress/gzip"
	"runtime"
	"strings"
	"testing"
)

// Expectations follow the JSON Lines convention (jsonlines.org: one UTF-8
// JSON value per line, here always an object) and the typing rules stated in
// ReadJSONLFile's documentation.
func TestReadJSONLCases(t *testing.T) {
	cases := []struct {
		name string
		text string
		opts JSONLOptions
		want string
	}{
		{"types", `{"i": 1, "f": 1.5, "b": true, "s": "x", "t": "2013-01-01T05:00:00Z"}` + "\n" +
			`{"i": -2, "f": 2, "b": false, "s": "y", "t": "2013-01-02"}` + "\n", JSONLOptions{},
			"i:int64=1|-2\nf:float64=1.5|2\nb:bool=true|false\ns:string=x|y\nt:timestamp=2013-01-01T05:00:00Z|2013-01-02T00:00:00Z"},
		{"missing keys and null", "{\"a\": 1}\n{\"b\": \"x\"}\n{\"a\": null, \"b\": \"\"}\n", JSONLOptions{},
			"a:int64=1|null|null\nb:string=null|x|"},
		{"blank lines and CRLF", "\r\n{\"a\": 1}\r\n\n{\"a\": 2}", JSONLOptions{}, "a:int64=1|2"},
		{"nested kept as JSON text", `{"o": {"k": [1, 2]}}` + "\n" + `{"o": "plain"}` + "\n", JSONLOptions{},
			`o:string={"k":[1,2]}|plain`},
		{"big integer widens", `{"n": 1}` + "\n" + `{"n": 99999999999999999999}` + "\n", JSONLOptions{}, "n:float64=1|1e+20"},
		{"escapes", `{"s": "a\"b\n\u00e9"}` + "\n", JSONLOptions{}, "s:string=a\"b\né"},
		{"dictionary", "{\"c\": \"x\"}\n{\"c\": \"x\"}\n{\"c\": \"y\"}\n{\"c\": \"x\"}\n", JSONLOptions{}, "c:string:dict=x|x|y|x"},
		{"forced", `{"a": 1, "b": 2, "c": "2013-01-01"}` + "\n", JSONLOptions{Types: map[string]Type{"a": Float64, "b": String, "c": String}},
			"a:float64=1\nb:string=2\nc:string=2013-01-01"},
		{"forced all null", `{"a": null}` + "\n", JSONLOptions{Types: map[string]Type{"a": Int64}}, "a:int64=null"},
		{"empty input", "", JSONLOptions{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ReadJSONL(strings.NewReader(c.text), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(f); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestReadJSONLGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("{\"a\": 1}\n{\"a\": 2.5}\n"))
	zw.Close()
	f, err := ReadJSONL(&buf, JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(f); got != "a:float64=1|2.5" {
		t.Errorf("got %s", got)
	}
}

// TestReadJSONLShortInputAllocatesLittle checks that reading one short
// record, as a service scoring one request does, does not allocate the
// buffers of a large file: the readers size their buffers to an input that
// tells its length. (It used to take 331 KB per call, for a 75-byte line.)
// The test runs no parallel tests, so the process-wide count is its own.
func TestReadJSONLShortInputAllocatesLittle(t *testing.T) {
	line := `{"longitude": -122.23, "latitude": 37.88, "ocean_proximity": "NEAR BAY"}` + "\n"
	const calls = 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < calls; i++ {
		f, err := ReadJSONL(strings.NewReader(line), JSONLOptions{})
		if err != nil || f.NumRows() != 1 {
			t.Fatalf("one line: %v", err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / calls; per > 32<<10 {
		t.Errorf("ReadJSONL of a %d-byte line allocates %d bytes per call; want under 32 KiB", len(line), per)
	}
}
