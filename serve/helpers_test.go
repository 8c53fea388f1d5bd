package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// housingInputs are the raw columns of the California housing regression
// (examples/quickstart's model): eight numbers and a category.
var housingInputs = []string{"longitude", "latitude", "housing_median_age", "total_rooms",
	"total_bedrooms", "population", "households", "median_income", "ocean_proximity"}

var irisInputs = []string{"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"}

var fixtures struct {
	once    sync.Once
	housing *pipeline.Pipeline
	iris    *pipeline.Pipeline
	houses  *dataset.Frame
	err     error
}

// trained fits, once per test binary, a housing regression (median
// imputation, one-hot ocean_proximity) and an iris classifier (multinomial
// logistic regression on the four measurements, string labels).
func trained(t testing.TB) (housing, iris *pipeline.Pipeline, houses *dataset.Frame) {
	t.Helper()
	fixtures.once.Do(func() {
		f := &fixtures
		ctx := context.Background()
		if f.houses, f.err = builtin.CaliforniaHousing(); f.err != nil {
			return
		}
		f.housing = pipeline.New(&features.Table{Numeric: housingInputs[:8], Categorical: housingInputs[8:], Impute: features.ImputeMedian},
			&models.LinearRegression{})
		if f.err = f.housing.Fit(ctx, f.houses, "median_house_value"); f.err != nil {
			return
		}
		irisFrame, err := builtin.Iris()
		if f.err = err; err != nil {
			return
		}
		f.iris = pipeline.New(&features.Table{Numeric: irisInputs}, &models.LogisticRegression{})
		f.err = f.iris.Fit(ctx, irisFrame, "Species")
	})
	if fixtures.err != nil {
		t.Fatal(fixtures.err)
	}
	return fixtures.housing, fixtures.iris, fixtures.houses
}

// newRegistry publishes the housing model (as "housing") and the iris
// classifier (as "iris") into a fresh registry.
func newRegistry(t testing.TB) *persist.Registry {
	t.Helper()
	housing, iris, _ := trained(t)
	reg := &persist.Registry{Root: t.TempDir()}
	if _, err := reg.Publish("housing", housing); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Publish("iris", iris); err != nil {
		t.Fatal(err)
	}
	return reg
}

// quietLogger drops records below Error, so that tests print only failures.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newTestServer serves a registry over httptest.
func newTestServer(t testing.TB, reg *persist.Registry, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = -1
	}
	s, err := NewRegistry(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts
}

// do sends a request and returns the status, the headers and the body.
func do(t testing.TB, method, url, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

func decodeJSON(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, b)
	}
	return m
}

// housingRows returns rows i of the housing frame as JSON-ready objects.
func housingRows(f *dataset.Frame, idx ...int) []map[string]any {
	var rows []map[string]any
	for _, i := range idx {
		row := map[string]any{}
		for _, name := range housingInputs {
			col, _ := f.Column(name)
			switch {
			case col.IsNull(i):
				row[name] = nil
			case col.Type() == dataset.String:
				row[name] = col.StringAt(i)
			default:
				row[name], _ = col.FloatAt(i)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newPost(url string, body []byte) (*http.Request, error) {
	r, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err == nil {
		r.Header.Set("Content-Type", "application/json")
	}
	return r, err
}

func roundTrip(t testing.TB, r *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
