package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
)

// wantHousing scores rows of the housing frame with the pipeline itself.
func wantHousing(t *testing.T, idx ...int) []float64 {
	t.Helper()
	housing, _, houses := trained(t)
	pred, err := housing.Predict(houses.Take(idx))
	if err != nil {
		t.Fatal(err)
	}
	return pred.Float64s()
}

func floats(t *testing.T, v any) []float64 {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list: %v", v)
	}
	out := make([]float64, len(list))
	for i, x := range list {
		f, ok := x.(float64)
		if !ok {
			t.Fatalf("element %d is %T, not a number", i, x)
		}
		out[i] = f
	}
	return out
}

func sameFloats(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] { // the answer prints floats in full: a round trip is exact
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestRowsEndpointScoresAsThePipeline(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{})
	idx := []int{0, 1, 2, 290, 20639} // row 290 has a null total_bedrooms, imputed
	body := mustJSON(t, map[string]any{"rows": housingRows(houses, idx...)})
	for _, path := range []string{"/models/housing/predict", "/models/housing/versions/1/predict", "/models/housing/versions/latest/predict"} {
		status, h, out := do(t, "POST", ts.URL+path, "application/json", body)
		if status != 200 {
			t.Fatalf("%s: status %d: %s", path, status, out)
		}
		m := decodeJSON(t, out)
		sameFloats(t, path, floats(t, m["predictions"]), wantHousing(t, idx...))
		if m["model"] != "housing" || m["version"] != "1" || h.Get("Kiln-Model") != "housing" || h.Get("Kiln-Model-Version") != "1" {
			t.Fatalf("%s: model and version not named: %v %v", path, m, h)
		}
		if h.Get("X-Request-Id") == "" || m["request_id"] != h.Get("X-Request-Id") {
			t.Fatalf("%s: request id %q in the body, %q in the header", path, m["request_id"], h.Get("X-Request-Id"))
		}
	}
	// A bare array of rows is the same request.
	status, _, out := do(t, "POST", ts.URL+"/models/housing/predict", "", mustJSON(t, housingRows(houses, idx...)))
	if status != 200 {
		t.Fatalf("bare array: status %d: %s", status, out)
	}
	sameFloats(t, "bare array", floats(t, decodeJSON(t, out)["predictions"]), wantHousing(t, idx...))
}

func TestRequestIDIsEchoed(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{})
	req := mustJSON(t, map[string]any{"rows": housingRows(houses, 0)})
	for _, id := range []string{"abc-123", "trace=7f;span=1"} {
		r, _ := newPost(ts.URL+"/models/housing/predict", req)
		r.Header.Set("X-Request-Id", id)
		resp, body := roundTrip(t, r)
		if resp.Header.Get("X-Request-Id") != id || decodeJSON(t, body)["request_id"] != id {
			t.Fatalf("id %q not echoed: header %q, body %s", id, resp.Header.Get("X-Request-Id"), body)
		}
	}
	// An id that could break a header or a log line is replaced.
	r, _ := newPost(ts.URL+"/models/housing/predict", req)
	r.Header.Set("X-Request-Id", strings.Repeat("x", 200))
	resp, _ := roundTrip(t, r)
	if got := resp.Header.Get("X-Request-Id"); got == "" || len(got) > 128 {
		t.Fatalf("a 200-character id gave %q", got)
	}
}

func TestOIPColumnTensors(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{})
	idx := []int{5, 6, 290}
	var inputs []map[string]any
	for _, name := range housingInputs {
		col, _ := houses.Column(name)
		in := map[string]any{"name": name, "shape": []int{len(idx)}}
		var data []any
		for _, i := range idx {
			switch {
			case col.IsNull(i):
				data = append(data, nil)
			case col.Type() == dataset.String:
				data = append(data, col.StringAt(i))
			default:
				v, _ := col.FloatAt(i)
				data = append(data, v)
			}
		}
		in["data"] = data
		if col.Type() == dataset.String {
			in["datatype"] = "BYTES"
		} else {
			in["datatype"] = "FP64"
			in["shape"] = []int{len(idx), 1} // [N, 1] is a column too
		}
		inputs = append(inputs, in)
	}
	body := mustJSON(t, map[string]any{"id": "req-7", "inputs": inputs})
	status, h, out := do(t, "POST", ts.URL+"/v2/models/housing/infer", "application/json", body)
	if status != 200 {
		t.Fatalf("status %d: %s", status, out)
	}
	m := decodeJSON(t, out)
	if m["id"] != "req-7" || m["model_name"] != "housing" || m["model_version"] != "1" || h.Get("Kiln-Model-Version") != "1" {
		t.Fatalf("answer does not name the request and model: %s", out)
	}
	outs := m["outputs"].([]any)
	o := outs[0].(map[string]any)
	if o["name"] != "median_house_value" || o["datatype"] != "FP64" || fmt.Sprint(o["shape"]) != "[3]" {
		t.Fatalf("output tensor %v", o)
	}
	sameFloats(t, "infer", floats(t, o["data"]), wantHousing(t, idx...))
}

func TestOIPClassifierOutputs(t *testing.T) {
	_, iris, _ := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{})
	// The layout of the scikit-learn examples: one [N, K] tensor, nested.
	body := []byte(`{"inputs":[{"name":"input-0","shape":[2,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}]}`)
	status, _, out := do(t, "POST", ts.URL+"/v2/models/iris/infer", "application/json", body)
	if status != 200 {
		t.Fatalf("status %d: %s", status, out)
	}
	frame := dataset.MustNew(
		dataset.NewFloat64("Sepal.Length", []float64{6.8, 6.0}, nil), dataset.NewFloat64("Sepal.Width", []float64{2.8, 3.4}, nil),
		dataset.NewFloat64("Petal.Length", []float64{4.8, 4.5}, nil), dataset.NewFloat64("Petal.Width", []float64{1.4, 1.6}, nil))
	labels, err := iris.Predict(frame)
	if err != nil {
		t.Fatal(err)
	}
	proba, err := iris.PredictProba(frame)
	if err != nil {
		t.Fatal(err)
	}
	outs := decodeJSON(t, out)["outputs"].([]any)
	if len(outs) != 2 {
		t.Fatalf("want labels and probabilities, got %s", out)
	}
	l := outs[0].(map[string]any)
	if l["datatype"] != "BYTES" || fmt.Sprint(l["data"]) != fmt.Sprint(labels.Strings()) {
		t.Fatalf("labels %v, want %v", l, labels.Strings())
	}
	p := outs[1].(map[string]any)
	if p["name"] != "Species_probabilities" || fmt.Sprint(p["shape"]) != "[2 3]" {
		t.Fatalf("probabilities tensor %v", p)
	}
	sameFloats(t, "probabilities", floats(t, p["data"]), proba.RawMatrix().Data)

	// Asking for one output returns that one only.
	body = []byte(`{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP64","data":[6.8,2.8,4.8,1.4]}],"outputs":[{"name":"Species_probabilities"}]}`)
	status, _, out = do(t, "POST", ts.URL+"/v2/models/iris/infer", "application/json", body)
	outs = decodeJSON(t, out)["outputs"].([]any)
	if status != 200 || len(outs) != 1 || outs[0].(map[string]any)["name"] != "Species_probabilities" {
		t.Fatalf("status %d, %s", status, out)
	}
}

func TestMLflowFormats(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{Default: "housing"})
	idx := []int{10, 11}
	rows := housingRows(houses, idx...)
	var split [][]any
	for _, r := range rows {
		var vals []any
		for _, n := range housingInputs {
			vals = append(vals, r[n])
		}
		split = append(split, vals)
	}
	columnar := map[string]any{}
	for _, n := range housingInputs {
		columnar[n] = []any{rows[0][n], rows[1][n]}
	}
	bodies := map[string][]byte{
		"dataframe_split":   mustJSON(t, map[string]any{"dataframe_split": map[string]any{"columns": housingInputs, "data": split, "index": []int{10, 11}}}),
		"dataframe_records": mustJSON(t, map[string]any{"dataframe_records": rows}),
		"instances":         mustJSON(t, map[string]any{"instances": rows}),
		"instances arrays":  mustJSON(t, map[string]any{"instances": split}),
		"inputs columnar":   mustJSON(t, map[string]any{"inputs": columnar}),
		"inputs records":    mustJSON(t, map[string]any{"inputs": rows, "params": map[string]any{}}),
	}
	for name, body := range bodies {
		for _, path := range []string{"/invocations", "/models/housing/invocations"} {
			status, h, out := do(t, "POST", ts.URL+path, "application/json; charset=utf-8", body)
			if status != 200 {
				t.Fatalf("%s %s: status %d: %s", name, path, status, out)
			}
			if h.Get("Kiln-Model-Version") != "1" {
				t.Fatalf("%s: no version header", name)
			}
			sameFloats(t, name, floats(t, decodeJSON(t, out)["predictions"]), wantHousing(t, idx...))
		}
	}
	var csv strings.Builder
	dataset.WriteCSV(&csv, houses.Take(idx), dataset.CSVOptions{})
	status, _, out := do(t, "POST", ts.URL+"/invocations", "text/csv", []byte(csv.String()))
	if status == 200 {
		t.Fatalf("CSV with the target column should name it as unknown, got %s", out)
	}
	csv.Reset()
	sel, _ := houses.Take(idx).Select(housingInputs...)
	dataset.WriteCSV(&csv, sel, dataset.CSVOptions{})
	status, _, out = do(t, "POST", ts.URL+"/invocations", "text/csv", []byte(csv.String()))
	if status != 200 {
		t.Fatalf("csv: status %d: %s", status, out)
	}
	sameFloats(t, "csv", floats(t, decodeJSON(t, out)["predictions"]), wantHousing(t, idx...))
}

func TestMetadataAndHealth(t *testing.T) {
	_, ts := newTestServer(t, newRegistry(t), Options{})
	cases := []struct{ path, want string }{
		{"/v2/health/live", `{"live":true}`},
		{"/v2/health/ready", `{"ready":true}`},
		{"/v2/models/housing/ready", `{"name":"housing","ready":true}`},
		{"/v2/models/iris/versions/1/ready", `{"name":"iris","ready":true}`},
		{"/v2", `{"name":"kiln","version":"0.2.0","extensions":[]}`},
	}
	for _, c := range cases {
		status, _, out := do(t, "GET", ts.URL+c.path, "", nil)
		if status != 200 || strings.TrimSpace(string(out)) != c.want {
			t.Errorf("%s: %d %s, want %s", c.path, status, out, c.want)
		}
	}
	status, _, out := do(t, "GET", ts.URL+"/v2/models/iris", "", nil)
	m := decodeJSON(t, out)
	if status != 200 || m["name"] != "iris" || m["platform"] != "kiln" || fmt.Sprint(m["versions"]) != "[1]" {
		t.Fatalf("metadata %d %s", status, out)
	}
	inputs := m["inputs"].([]any)
	if len(inputs) != 4 || fmt.Sprint(inputs[0]) != "map[datatype:FP64 name:Sepal.Length shape:[-1]]" {
		t.Fatalf("inputs %v", inputs)
	}
	outputs := m["outputs"].([]any)
	if len(outputs) != 2 || fmt.Sprint(outputs[1]) != "map[datatype:FP64 name:Species_probabilities shape:[-1 3]]" {
		t.Fatalf("outputs %v", outputs)
	}
}

func TestNonFinitePredictionIsAnError(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{})
	rows := housingRows(houses, 0, 1)
	rows[1]["total_rooms"] = 1e308 // finite input, infinite prediction
	status, h, out := do(t, "POST", ts.URL+"/models/housing/predict", "", mustJSON(t, map[string]any{"rows": rows}))
	m := decodeJSON(t, out)
	if status != 422 || !strings.Contains(m["error"].(string), "row 1") || h.Get("Kiln-Model-Version") != "1" {
		t.Fatalf("status %d: %s", status, out)
	}
	if v := wantHousing(t, 0)[0]; math.IsInf(v, 0) {
		t.Fatal("row 0 itself is not finite")
	}
}

// TestReusedBuffersScoreEveryRequestAfresh sends requests of different
// sizes, with and without nulls, valid and not, from several clients at
// once through both decoders: the buffers and the Frame a model reuses
// between requests must never carry one request's values into another's
// answer.
func TestReusedBuffersScoreEveryRequestAfresh(t *testing.T) {
	_, _, houses := trained(t)
	s, err := NewRegistry(newRegistry(t), Options{Logger: quietLogger(), PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type request struct {
		path string
		body []byte
		want []float64 // nil: a bad request
	}
	oipBody := func(idx []int) []byte {
		var inputs []map[string]any
		for _, name := range housingInputs {
			col, _ := houses.Column(name)
			var data []any
			for _, i := range idx {
				v := any(nil)
				if !col.IsNull(i) {
					if col.Type() == dataset.String {
						v = col.StringAt(i)
					} else {
						v, _ = col.FloatAt(i)
					}
				}
				data = append(data, v)
			}
			dt := "FP64"
			if col.Type() == dataset.String {
				dt = "BYTES"
			}
			inputs = append(inputs, map[string]any{"name": name, "shape": []int{len(idx)}, "datatype": dt, "data": data})
		}
		return mustJSON(t, map[string]any{"inputs": inputs})
	}
	var requests []request
	for _, idx := range [][]int{{0}, {1}, {290}, {2}, {0, 1}, {20639}, {3, 4, 5}, {6}} { // row 290 has a null
		requests = append(requests,
			request{"/models/housing/predict", mustJSON(t, map[string]any{"rows": housingRows(houses, idx...)}), wantHousing(t, idx...)},
			request{"/v2/models/housing/infer", oipBody(idx), wantHousing(t, idx...)})
	}
	partial := housingRows(houses, 7)
	delete(partial[0], "median_income") // fills every column but one, then fails
	requests = append(requests, request{"/models/housing/predict", mustJSON(t, map[string]any{"rows": partial}), nil})
	var wg sync.WaitGroup
	for client := 0; client < 4; client++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				req := requests[(k*7+client*3)%len(requests)]
				w := httptest.NewRecorder()
				s.ServeHTTP(w, httptest.NewRequest("POST", req.path, bytes.NewReader(req.body)))
				if req.want == nil {
					if w.Code != 400 {
						t.Errorf("bad request answered %d: %s", w.Code, w.Body)
					}
					continue
				}
				var answer struct {
					Predictions []float64
					Outputs     []struct{ Data []float64 }
				}
				if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil || w.Code != 200 {
					t.Errorf("%s: status %d, %v: %s", req.path, w.Code, err, w.Body)
					return
				}
				got := answer.Predictions
				if len(answer.Outputs) == 1 {
					got = answer.Outputs[0].Data
				}
				if !slices.Equal(got, req.want) {
					t.Errorf("%s: predictions %v, want %v", req.path, got, req.want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
