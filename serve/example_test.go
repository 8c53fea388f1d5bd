package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
	"github.com/kiln-ml/kiln/serve"
)

// A registry of one model (miles per gallon from weight and horsepower,
// fitted on mtcars), served over HTTP and asked for one row.
func Example() {
	cars, err := builtin.MTCars()
	if err != nil {
		log.Fatal(err)
	}
	cars, _ = cars.Select("wt", "hp", "mpg")
	p := pipeline.New(&features.Table{Numeric: []string{"wt", "hp"}}, &models.LinearRegression{})
	if err := p.Fit(context.Background(), cars, "mpg"); err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "registry")
	defer os.RemoveAll(dir)
	reg := &persist.Registry{Root: dir}
	if _, err := reg.Publish("mpg", p); err != nil {
		log.Fatal(err)
	}

	s, err := serve.NewRegistry(reg, serve.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ts := httptest.NewServer(s)
	defer ts.Close()

	resp, err := http.Post(ts.URL+"/models/mpg/predict", "application/json",
		strings.NewReader(`{"rows": [{"wt": 2.62, "hp": 110}]}`))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Model       string
		Version     string
		Predictions []float64
	}
	json.NewDecoder(resp.Body).Decode(&answer)
	fmt.Printf("%s version %s (header %s): %.2f mpg\n", answer.Model, answer.Version,
		resp.Header.Get("Kiln-Model-Version"), answer.Predictions[0])
	// Output:
	// mpg version 1 (header 1): 23.57 mpg
}
