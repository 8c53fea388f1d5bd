package persist

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
)

// The inference of a fitted model is saved with it: a loaded pipeline
// prints the same summary (names from its feature step) as the one saved.
func TestSummariesSurviveSaveAndLoad(t *testing.T) {
	cars, err := builtin.MTCars()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := builtin.Warpbreaks()
	if err != nil {
		t.Fatal(err)
	}
	m, err := cars.ToDense("wt", "hp", "mpg")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := m.Dims()
	wt, hp, mpg, twice := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range wt {
		wt[i], hp[i], mpg[i], twice[i] = m.At(i, 0), m.At(i, 1), m.At(i, 2), 2*m.At(i, 0)
	}
	// wt2 = 2 wt is aliased: its coefficient is NaN (R's NA) in the summary.
	collinear := dataset.MustNew(dataset.NewFloat64("wt", wt, nil), dataset.NewFloat64("wt2", twice, nil),
		dataset.NewFloat64("hp", hp, nil), dataset.NewFloat64("mpg", mpg, nil))
	wtHP := &features.Table{Numeric: []string{"wt", "hp"}}
	for _, c := range []struct {
		name   string
		data   *dataset.Frame
		target string
		steps  []any
	}{
		{"least squares", cars, "mpg", []any{wtHP, &models.LinearRegression{}}},
		{"unpenalized logistic", cars, "am", []any{&features.Table{Numeric: []string{"wt", "hp"}},
			&models.LogisticRegression{Penalty: models.NoPenalty, Tol: 1e-10}}},
		{"poisson GLM", wb, "breaks", []any{&features.Table{Categorical: []string{"wool", "tension"}, DropFirst: true},
			&models.GLM{Family: models.Poisson}}},
		{"GLM with an aliased column", collinear, "mpg", []any{&models.GLM{}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := pipeline.New(c.steps...)
			if err := p.Fit(ctx, c.data, c.target); err != nil {
				t.Fatal(err)
			}
			want, err := p.Summary()
			if err != nil {
				t.Fatal(err)
			}
			q := predictionsSurvive(t, c.name, p, c.data)
			got, err := q.Summary()
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("summary after loading:\n%s\nbefore saving:\n%s", got, want)
			}
			for j, wc := range want.Coefficients {
				gc := got.Coefficients[j]
				for _, pair := range [][2]float64{{gc.Estimate, wc.Estimate}, {gc.StdError, wc.StdError}, {gc.PValue, wc.PValue}, {gc.Lower, wc.Lower}} {
					if math.Float64bits(pair[0]) != math.Float64bits(pair[1]) {
						t.Errorf("%s: %v after loading, %v before", wc.Name, pair[0], pair[1])
					}
				}
			}
			if got.AIC != want.AIC || got.Deviance != want.Deviance {
				t.Errorf("AIC %v, deviance %v after loading; %v, %v before", got.AIC, got.Deviance, want.AIC, want.Deviance)
			}
			if c.name == "GLM with an aliased column" && !(got.Coefficients[2].Aliased && math.IsNaN(got.Coefficients[2].Estimate)) {
				t.Errorf("the aliased coefficient came back as %+v", got.Coefficients[2])
			}
		})
	}
}

// A summary or GLM params that disagree with the model are refused as corrupt.
func TestCorruptSummaryOrGLMParams(t *testing.T) {
	cars, err := builtin.MTCars()
	if err != nil {
		t.Fatal(err)
	}
	data, err := cars.Select("wt", "hp", "am")
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(&models.GLM{Family: models.Binomial})
	if err := p.Fit(ctx, data, "am"); err != nil {
		t.Fatal(err)
	}
	buf, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	good, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	summary := func(edit func(s map[string]any)) map[string]any {
		var params map[string]any
		if err := json.Unmarshal(good.Manifest.Steps[0].Params, &params); err != nil {
			t.Fatal(err)
		}
		s := params["summary"].(map[string]any)
		edit(s)
		return s
	}
	for _, c := range []struct {
		what  string
		key   string
		value any
	}{
		{"unknown family", "family", "gamma"},
		{"negative tol", "tol", -1.0},
		{"a summary with one coefficient too many", "summary", summary(func(s map[string]any) {
			s["coefficients"] = append(s["coefficients"].([]any), s["coefficients"].([]any)[0])
		})},
		{"a summary at level 2", "summary", summary(func(s map[string]any) { s["level"] = 2.0 })},
		{"a summary whose statistic is F", "summary", summary(func(s map[string]any) { s["statistic"] = "F" })},
		{"a summary number that is a word", "summary", summary(func(s map[string]any) { s["aic"] = "lots" })},
	} {
		_, err := Unmarshal(sealed(t, withParam(t, good, 0, c.key, c.value)))
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", c.what, err)
		}
	}
}
