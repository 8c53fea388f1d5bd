package serve

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/persist"
)

// TestFlaskReferenceScoresAsKiln keeps the reference of the serving
// benchmark honest: scripts/serve_flask_reference.py (Flask and numpy,
// reading the bundle with persist/reader/kiln_reader.py), asked through
// Flask's test client on both of its routes, answers what kiln's server
// answers for the same bundle, on rows with a missing value, every category
// and a category never seen in training.
func TestFlaskReferenceScoresAsKiln(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import flask, numpy").Run(); err != nil {
		if os.Getenv("KILN_REQUIRE_PYTHON") != "" { // CI installs them
			t.Fatalf("python3 with flask and numpy is required (KILN_REQUIRE_PYTHON is set): %v", err)
		}
		t.Skip("the benchmark's Flask reference needs Debian's python3-flask and python3-numpy:", err)
	}
	housing, _, houses := trained(t)
	bundle := filepath.Join(t.TempDir(), "housing.kiln")
	if err := persist.Save(bundle, housing, persist.SaveOptions{}); err != nil {
		t.Fatal(err)
	}

	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	bedrooms, _ := houses.Column("total_bedrooms")
	ocean, _ := houses.Column("ocean_proximity")
	nullRow, firstOf := -1, map[string]bool{}
	for i := 0; i < houses.NumRows(); i++ {
		if nullRow < 0 && bedrooms.IsNull(i) {
			nullRow = i
			idx = append(idx, i)
		}
		if c := ocean.StringAt(i); !firstOf[c] {
			firstOf[c] = true
			idx = append(idx, i)
		}
	}
	if nullRow < 0 || len(firstOf) != 5 {
		t.Fatalf("the data changed: null row %d, %d categories", nullRow, len(firstOf))
	}
	rows := housingRows(houses, idx...)
	unseen := housingRows(houses, 0)[0]
	unseen["ocean_proximity"] = "ON THE MOON"
	rows = append(rows, unseen)

	s, err := NewFile(bundle, Options{Logger: quietLogger(), PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := httptest.NewServer(s)
	defer ts.Close()
	status, _, out := do(t, "POST", ts.URL+"/predict", "application/json", mustJSON(t, map[string]any{"rows": rows}))
	if status != 200 {
		t.Fatalf("kiln: %d %s", status, out)
	}
	var kiln struct{ Predictions []float64 }
	if err := json.Unmarshal(out, &kiln); err != nil {
		t.Fatal(err)
	}

	rowsFile := filepath.Join(t.TempDir(), "rows.json")
	if err := os.WriteFile(rowsFile, mustJSON(t, rows), 0o644); err != nil {
		t.Fatal(err)
	}
	// Both routes of the reference; the OIP request leaves out the row with
	// a missing value (FP64 tensors hold numbers only).
	script := `
import json, sys
sys.path.insert(0, sys.argv[1])
import serve_flask_reference as ref
rows = json.load(open(sys.argv[2]))
c = ref.app.test_client()
r = c.post("/models/housing/predict", json={"rows": rows})
assert r.status_code == 200, r.get_data(as_text=True)
full = [row for row in rows if None not in row.values()]
tensors = [{"name": k, "shape": [len(full)], "datatype": "BYTES" if isinstance(full[0][k], str) else "FP64",
            "data": [row[k] for row in full]} for k in ref.MODEL.inputs]
o = c.post("/v2/models/housing/infer", json={"inputs": tensors})
assert o.status_code == 200, o.get_data(as_text=True)
print(json.dumps({"rows": r.get_json()["predictions"], "oip": o.get_json()["outputs"][0]["data"]}))
`
	cmd := exec.CommandContext(context.Background(), python, "-c", script, filepath.Join("..", "scripts"), rowsFile)
	cmd.Env = append(os.Environ(), "KILN_BUNDLE="+bundle, "KILN_MODEL=housing", "KILN_VERSION=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("the Flask reference: %v\n%s", err, stderr.String())
	}
	var flask struct{ Rows, OIP []float64 }
	if err := json.Unmarshal(got, &flask); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	if len(flask.Rows) != len(rows) || len(flask.OIP) != len(rows)-1 {
		t.Fatalf("the reference answered %d and %d predictions for %d rows", len(flask.Rows), len(flask.OIP), len(rows))
	}
	agree := func(a, b float64) bool { return a == b || (a-b)*(a-b) <= 1e-24*b*b } // within 1e-12 relative
	j := 0
	for i, row := range rows {
		if !agree(flask.Rows[i], kiln.Predictions[i]) {
			t.Errorf("row %d: the reference's row route says %v, kiln %v", i, flask.Rows[i], kiln.Predictions[i])
		}
		if row["total_bedrooms"] == nil {
			continue
		}
		if !agree(flask.OIP[j], kiln.Predictions[i]) {
			t.Errorf("row %d: the reference's OIP route says %v, kiln %v", i, flask.OIP[j], kiln.Predictions[i])
		}
		j++
	}
}
