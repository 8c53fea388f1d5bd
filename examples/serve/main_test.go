package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/persist"
)

// rowsJSON encodes rows of the housing frame as the JSON objects a client
// sends: numbers, strings, and null for a missing value.
func rowsJSON(t *testing.T, f *dataset.Frame, idx []int) []byte {
	t.Helper()
	var rows []map[string]any
	for _, i := range idx {
		row := map[string]any{}
		for _, name := range housingInputs {
			col, err := f.Column(name)
			if err != nil {
				t.Fatal(err)
			}
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
	b, err := json.Marshal(map[string]any{"rows": rows})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func post(t *testing.T, url string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func TestServe(t *testing.T) {
	reg := &persist.Registry{Root: t.TempDir()}
	ref, r2, err := publishHousing(reg, "housing", "production", 42)
	if err != nil {
		t.Fatal(err)
	}
	// The same model as examples/quickstart: its held-out R2 is pinned there.
	if ref != (persist.Ref{Name: "housing", Version: 1}) || math.Abs(r2-0.6367) > 5e-5 {
		t.Fatalf("published %v with R2 %v", ref, r2)
	}
	s, err := newServer(reg, "housing", "production")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.routes())
	defer ts.Close()

	// Rows 0-9 of the data, row 290 with a missing total_bedrooms: the
	// service must answer exactly what the bundle predicts in process.
	houses, err := builtin.CaliforniaHousing()
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 290}
	if bedrooms, _ := houses.Column("total_bedrooms"); !bedrooms.IsNull(290) {
		t.Fatal("row 290 is expected to lack total_bedrooms")
	}
	direct, err := reg.LoadPipeline("housing", "1")
	if err != nil {
		t.Fatal(err)
	}
	wantColumn, err := direct.Predict(houses.Take(idx))
	if err != nil {
		t.Fatal(err)
	}
	want := wantColumn.Float64s()
	status, body := post(t, ts.URL+"/predict", rowsJSON(t, houses, idx))
	var reply predictReply
	if status != http.StatusOK || json.Unmarshal(body, &reply) != nil {
		t.Fatalf("status %d: %s", status, body)
	}
	if reply.Model != "housing" || reply.Version != 1 || len(reply.Predictions) != len(idx) {
		t.Fatalf("reply %+v", reply)
	}
	for i := range want {
		if reply.Predictions[i] != want[i] {
			t.Errorf("row %d: served %v, bundle predicts %v", idx[i], reply.Predictions[i], want[i])
		}
	}

	// Bad requests get a 400 that says what is wrong; no 500s, no panics.
	for _, c := range []struct{ body, want string }{
		{`not json`, "request body"},
		{`{"rows": []}`, `no "rows"`},
		{`{"rows": [42]}`, "row 0: not a JSON object"},
		{`{"rows": [{"longitude": -122.2}]}`, `no row has input column "latitude"`},
		{strings.Replace(string(rowsJSON(t, houses, []int{0})), `"longitude":-122.23`, `"longitude":"west"`, 1), "longitude"},
	} {
		status, body := post(t, ts.URL+"/predict", []byte(c.body))
		var e errorReply
		if status != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, c.want) {
			t.Errorf("%.40s: status %d, %s; want 400 mentioning %q", c.body, status, body, c.want)
		}
	}
	if resp, err := http.Get(ts.URL + "/predict"); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /predict: %v %v", resp.Status, err)
	}

	// Concurrent requests while a new version is published and the alias
	// moved: every reply is whole, from version 1 or 2, never a mix.
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				resp, err := http.Post(ts.URL+"/predict", "application/json", bytes.NewReader(rowsJSON(t, houses, idx[:2])))
				if err != nil {
					errs <- err
					return
				}
				var r predictReply
				err = json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				if err != nil || (r.Version != 1 && r.Version != 2) || len(r.Predictions) != 2 {
					errs <- fmt.Errorf("reply %+v, %v", r, err)
				}
			}
		}()
	}
	ref2, _, err := publishHousing(reg, "housing", "production", 7)
	if err != nil {
		t.Fatal(err)
	}
	status, body = post(t, ts.URL+"/reload", nil)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var m modelReply
	if status != http.StatusOK || json.Unmarshal(body, &m) != nil || m.Version != ref2.Version || ref2.Version != 2 {
		t.Fatalf("reload: status %d, %s", status, body)
	}
	_, body = post(t, ts.URL+"/predict", rowsJSON(t, houses, idx[:1]))
	if json.Unmarshal(body, &reply) != nil || reply.Version != 2 || reply.Predictions[0] == want[0] {
		t.Errorf("after reload: %s (version 1 predicted %v)", body, want[0])
	}
}

func TestServeNoModel(t *testing.T) {
	_, err := newServer(&persist.Registry{Root: t.TempDir()}, "housing", "production")
	if err == nil {
		t.Fatal("empty registry: no error")
	}
}

// BenchmarkPredictOneRow measures the handler alone (no network): decode one
// JSON row, type it, encode, predict, answer.
//
//	go test -run '^$' -bench PredictOneRow ./examples/serve
func BenchmarkPredictOneRow(b *testing.B) {
	reg := &persist.Registry{Root: b.TempDir()}
	if _, _, err := publishHousing(reg, "housing", "production", 42); err != nil {
		b.Fatal(err)
	}
	s, err := newServer(reg, "housing", "production")
	if err != nil {
		b.Fatal(err)
	}
	h := s.routes()
	body := []byte(`{"rows": [{"longitude": -122.23, "latitude": 37.88, "housing_median_age": 41, "total_rooms": 880,
		"total_bedrooms": 129, "population": 322, "households": 126, "median_income": 8.3252, "ocean_proximity": "NEAR BAY"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/predict", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Body.String())
		}
	}
}
