package serve

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
)

// fuzzFields are inputs of every type a request can fill.
var fuzzFields = []field{{"x", dataset.Float64}, {"n", dataset.Int64}, {"s", dataset.String}, {"b", dataset.Bool}, {"t", dataset.Timestamp}}

func fuzzColumns() *columns {
	index := map[string]int{}
	for i, f := range fuzzFields {
		index[f.Name] = i
	}
	// "s" has categories seen in training, so that interned values are fuzzed too.
	intern := []map[string]string{2: {"a": "a", "NEAR BAY": "NEAR BAY"}, 4: nil}
	return newColumns(fuzzFields, index, intern)
}

// checkDecoded holds for every decoder: a body the decoder accepts is valid
// JSON by encoding/json (the scanner is never laxer than the standard), and
// the columns it fills make a frame of equal-length columns.
func checkDecoded(t *testing.T, body []byte, c *columns, err error) {
	if err != nil {
		return
	}
	if !json.Valid(body) {
		t.Fatalf("accepted a body encoding/json rejects: %q", body)
	}
	f, ferr := c.frame()
	if ferr != nil {
		t.Fatalf("accepted body %q but the frame fails: %v", body, ferr)
	}
	if f.NumRows() == 0 {
		t.Fatalf("accepted body %q with no rows", body)
	}
}

// checkReused holds for every decoder: a body decoded into columns that a
// pooled request reuses (reset after the previous body, whose Frame may be
// served again) gives the error and the values it gives in fresh columns.
func checkReused(t *testing.T, body []byte, reused *columns, decode func(*columns) error) {
	fresh := fuzzColumns()
	errFresh := decode(fresh)
	reused.reset()
	errReused := decode(reused)
	if fmt.Sprint(errFresh) != fmt.Sprint(errReused) {
		t.Fatalf("body %q: error %v in fresh columns, %v in reused ones", body, errFresh, errReused)
	}
	if errFresh != nil {
		return
	}
	checkDecoded(t, body, fresh, errFresh)
	want, _ := fresh.frame()
	got, err := reused.frame()
	if err != nil {
		t.Fatalf("body %q: reused columns: %v", body, err)
	}
	if got.NumRows() != want.NumRows() {
		t.Fatalf("body %q: %d rows in reused columns, %d in fresh ones", body, got.NumRows(), want.NumRows())
	}
	for j := range fuzzFields {
		g, w := got.Col(j), want.Col(j)
		for i := 0; i < w.Len(); i++ {
			if g.IsNull(i) != w.IsNull(i) || g.Format(i) != w.Format(i) {
				t.Fatalf("body %q: column %s row %d is %q in reused columns, %q in fresh ones", body, fuzzFields[j].Name, i, g.Format(i), w.Format(i))
			}
		}
	}
}

func FuzzDecodeRows(f *testing.F) {
	for _, s := range []string{
		`{"rows":[{"x":1.5,"n":2,"s":"a","b":true,"t":"2024-01-02T03:04:05Z"}]}`,
		`[{"x":null,"n":-3,"s":"\u00e9\ud83d\ude00","b":false,"t":null}]`,
		`{"rows":[{"x":1e308,"n":3.0,"s":"","b":true,"t":"2024-01-02T03:04:05.123456789+02:00"}]} `,
		`{"rows":[{"x":NaN}]}`, `{"rows":[`, `[{"n":9223372036854775808}]`,
	} {
		f.Add([]byte(s))
	}
	reused := fuzzColumns()
	f.Fuzz(func(t *testing.T, body []byte) {
		checkReused(t, body, reused, func(c *columns) error { return decodeRows(body, c, decodeLimits{maxRows: 1000}) })
	})
}

func FuzzDecodeOIP(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","inputs":[{"name":"x","shape":[1],"datatype":"FP64","data":[1]},{"name":"n","shape":[1,1],"datatype":"INT8","data":[[2]]},{"name":"s","shape":[1],"datatype":"BYTES","data":["a"]},{"name":"b","shape":[1],"datatype":"BOOL","data":[true]},{"name":"t","shape":[1],"datatype":"BYTES","data":["2024-01-02T03:04:05Z"]}],"outputs":[{"name":"y"}]}`,
		`{"inputs":[{"name":"all","shape":[1,5],"datatype":"BYTES","data":["1","2","a","b","c"]}]}`,
		`{"inputs":[{"name":"x","shape":[18446744073709551615],"datatype":"FP64","data":[]}],"parameters":{"a":1}}`,
	} {
		f.Add([]byte(s))
	}
	reused := fuzzColumns()
	f.Fuzz(func(t *testing.T, body []byte) {
		checkReused(t, body, reused, func(c *columns) error {
			_, err := decodeOIP(body, c, decodeLimits{maxRows: 1000})
			return err
		})
	})
}

func FuzzDecodeMLflow(f *testing.F) {
	for _, s := range []string{
		`{"dataframe_split":{"columns":["x","n","s","b","t"],"data":[[1,2,"a",true,null]]}}`,
		`{"dataframe_records":[{"x":1,"n":2,"s":"a","b":true,"t":null}],"params":{}}`,
		`{"instances":[[1,2,"a",true,null]]}`,
		`{"inputs":{"x":[1],"n":[2],"s":["a"],"b":[true],"t":[null]}}`,
	} {
		f.Add([]byte(s))
	}
	reused := fuzzColumns()
	f.Fuzz(func(t *testing.T, body []byte) {
		checkReused(t, body, reused, func(c *columns) error { return decodeMLflow(body, c, decodeLimits{maxRows: 1000}) })
	})
}
