package serve

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
)

// TestDecodeMemoryFollowsTheBody holds the decoders to the bound of the
// package documentation (at most 24 bytes of columns per byte of JSON) on
// bodies that announce many rows for a wide model and deliver few values: a
// single OIP tensor of shape [100000] for a model of 50 inputs, the others
// missing, must not make the server reserve room for 100,000 rows of every
// input; nor may 100,000 rows of one column of the 50 in the row formats.
func TestDecodeMemoryFollowsTheBody(t *testing.T) {
	fields := []field{{"x", dataset.Float64}}
	for i := 1; i < 50; i++ {
		fields = append(fields, field{fmt.Sprintf("s%d", i), dataset.String})
	}
	index := map[string]int{}
	for i, f := range fields {
		index[f.Name] = i
	}
	const n = 100_000
	lim := decodeLimits{maxRows: n}
	oip := `{"inputs":[{"name":"x","datatype":"FP64","shape":[100000],"data":[` + strings.Repeat("1,", n-1) + `1]}]}`
	rows := `{"rows":[` + strings.Repeat(`{"x":1},`, n-1) + `{"x":1}]}`
	records := `{"dataframe_records":[` + strings.Repeat(`{"x":1},`, n-1) + `{"x":1}]}`
	for _, tc := range []struct {
		name, body, err string
		decode          func([]byte, *columns, decodeLimits) error
	}{
		{"OIP, one tensor of shape [100000]", oip, `no input tensor for the model's column "s1"`,
			func(b []byte, c *columns, l decodeLimits) error { _, err := decodeOIP(b, c, l); return err }},
		{"rows, 100000 rows of one column", rows, `row 0: missing column "s1"`, decodeRows},
		{"MLflow records, 100000 rows of one column", records, `row 0: missing column "s1"`, decodeMLflow},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := newColumns(fields, index, nil)
		err := tc.decode([]byte(tc.body), c, lim)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(c) // what the columns hold is what a request keeps until it is answered
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		}
		held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		t.Logf("%s: %d bytes held for a %d-byte body", tc.name, held, len(tc.body))
		if held > 24*int64(len(tc.body)) {
			t.Errorf("%s: %d bytes held for a %d-byte body: more than 24 per byte", tc.name, held, len(tc.body))
		}
	}
}
