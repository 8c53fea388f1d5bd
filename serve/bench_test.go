package serve

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchmarkOneRow measures the handler alone (no network) on one-row
// requests of the housing model.
func benchmarkOneRow(b *testing.B, path string, body []byte) {
	reg := newRegistry(b)
	s, err := NewRegistry(reg, Options{Logger: quietLogger(), PollInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

const housingRow = `{"longitude":-122.23,"latitude":37.88,"housing_median_age":41,"total_rooms":880,"total_bedrooms":129,"population":322,"households":126,"median_income":8.3252,"ocean_proximity":"NEAR BAY"}`

func BenchmarkRowsOneRow(b *testing.B) {
	benchmarkOneRow(b, "/models/housing/predict", []byte(`{"rows":[`+housingRow+`]}`))
}

func BenchmarkInferOneRow(b *testing.B) {
	body := `{"inputs":[` +
		`{"name":"longitude","shape":[1],"datatype":"FP64","data":[-122.23]},` +
		`{"name":"latitude","shape":[1],"datatype":"FP64","data":[37.88]},` +
		`{"name":"housing_median_age","shape":[1],"datatype":"FP64","data":[41]},` +
		`{"name":"total_rooms","shape":[1],"datatype":"FP64","data":[880]},` +
		`{"name":"total_bedrooms","shape":[1],"datatype":"FP64","data":[129]},` +
		`{"name":"population","shape":[1],"datatype":"FP64","data":[322]},` +
		`{"name":"households","shape":[1],"datatype":"FP64","data":[126]},` +
		`{"name":"median_income","shape":[1],"datatype":"FP64","data":[8.3252]},` +
		`{"name":"ocean_proximity","shape":[1],"datatype":"BYTES","data":["NEAR BAY"]}]}`
	benchmarkOneRow(b, "/v2/models/housing/infer", []byte(body))
}
