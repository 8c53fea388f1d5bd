package serve

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchmarkOneRow measures the handler on one-row requests of the housing
// model. The request is built once and its body rewound, and the answer
// goes to a writer that keeps only its status, so that what is counted is
// the handler's own work (net/http's parsing and writing are not in it).
func benchmarkOneRow(b *testing.B, path string, body []byte) {
	benchmarkOneRowWith(b, path, body, Options{Logger: quietLogger()})
}

func benchmarkOneRowWith(b *testing.B, path string, body []byte, opts Options) {
	reg := newRegistry(b)
	opts.PollInterval = -1
	s, err := NewRegistry(reg, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	body = append([]byte(nil), body...)
	reader := bytes.NewReader(body)
	req := httptest.NewRequest("POST", path, reader)
	req.Header.Set("Content-Type", "application/json")
	req.Body = io.NopCloser(reader)
	w := &discardWriter{header: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reader.Reset(body)
		clear(w.header)
		s.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

// discardWriter is a ResponseWriter that keeps the status and drops the
// body, as a connection's buffered writer would take it.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// SetReadDeadline is there for readBody's deadline, as net/http's writer has it.
func (w *discardWriter) SetReadDeadline(time.Time) error { return nil }

const housingRow = `{"longitude":-122.23,"latitude":37.88,"housing_median_age":41,"total_rooms":880,"total_bedrooms":129,"population":322,"households":126,"median_income":8.3252,"ocean_proximity":"NEAR BAY"}`

func BenchmarkRowsOneRow(b *testing.B) {
	benchmarkOneRow(b, "/models/housing/predict", []byte(`{"rows":[`+housingRow+`]}`))
}

// BenchmarkRowsOneRowAccessLog is BenchmarkRowsOneRow with an access log
// record per request, formatted by slog's text handler (and discarded).
func BenchmarkRowsOneRowAccessLog(b *testing.B) {
	benchmarkOneRowWith(b, "/models/housing/predict", []byte(`{"rows":[`+housingRow+`]}`),
		Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AccessLog: true})
}

const housingInferOneRow = `{"inputs":[` +
	`{"name":"longitude","shape":[1],"datatype":"FP64","data":[-122.23]},` +
	`{"name":"latitude","shape":[1],"datatype":"FP64","data":[37.88]},` +
	`{"name":"housing_median_age","shape":[1],"datatype":"FP64","data":[41]},` +
	`{"name":"total_rooms","shape":[1],"datatype":"FP64","data":[880]},` +
	`{"name":"total_bedrooms","shape":[1],"datatype":"FP64","data":[129]},` +
	`{"name":"population","shape":[1],"datatype":"FP64","data":[322]},` +
	`{"name":"households","shape":[1],"datatype":"FP64","data":[126]},` +
	`{"name":"median_income","shape":[1],"datatype":"FP64","data":[8.3252]},` +
	`{"name":"ocean_proximity","shape":[1],"datatype":"BYTES","data":["NEAR BAY"]}]}`

func BenchmarkInferOneRow(b *testing.B) {
	benchmarkOneRow(b, "/v2/models/housing/infer", []byte(housingInferOneRow))
}
