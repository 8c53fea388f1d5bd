package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/serve"
)

// TestServe publishes the housing model, serves it, and scores a row as the
// package documentation's curl example does.
func TestServe(t *testing.T) {
	reg := &persist.Registry{Root: t.TempDir()}
	ref, r2, err := publishHousing(reg, "housing", "production", 42)
	if err != nil {
		t.Fatal(err)
	}
	if r2 < 0.6 {
		t.Fatalf("held-out R2 %.4f", r2)
	}
	s, err := serve.NewRegistry(reg, serve.Options{Alias: "production", Default: "housing", PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := httptest.NewServer(s)
	defer ts.Close()
	body := []byte(`{"rows": [{"longitude": -122.23, "latitude": 37.88, "housing_median_age": 41, "total_rooms": 880,
		"total_bedrooms": 129, "population": 322, "households": 126, "median_income": 8.3252, "ocean_proximity": "NEAR BAY"}]}`)
	resp, err := http.Post(ts.URL+"/predict", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Model, Version string
		Predictions    []float64
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	p, err := reg.Load("housing", "production")
	if err != nil {
		t.Fatal(err)
	}
	if answer.Model != "housing" || answer.Version != "1" || ref.Version != 1 || len(answer.Predictions) != 1 {
		t.Fatalf("answer %+v", answer)
	}
	// The row is the first of the embedded data: the server must answer
	// what the pipeline predicts for it.
	houses, err := builtin.CaliforniaHousing()
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Predict(houses.Take([]int{0}))
	if err != nil {
		t.Fatal(err)
	}
	if answer.Predictions[0] != want.Float64s()[0] {
		t.Fatalf("prediction %v, want %v", answer.Predictions[0], want.Float64s()[0])
	}
}
