package pipeline_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
)

// A pipeline's Summary names the coefficients by the features its model
// reads. R 4.2.2's summary(glm(am ~ wt + hp, binomial, mtcars)) and
// summary(lm(mpg ~ wt + hp, mtcars)) give the estimates checked here
// (models/testdata/r_reference.R).
func TestSummaryNamesFeatures(t *testing.T) {
	cars, err := builtin.MTCars()
	if err != nil {
		t.Fatal(err)
	}
	// The columns the lone GLM reads: a model first in a pipeline reads every input column.
	wtHPAm, err := cars.Select("wt", "hp", "am")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		p      *pipeline.Pipeline
		target string
		wt     float64
	}{
		{"table then logistic", pipeline.New(&features.Table{Numeric: []string{"wt", "hp"}},
			&models.LogisticRegression{Penalty: models.NoPenalty, Tol: 1e-10}), "am", -8.0834751824446283},
		{"lone GLM", pipeline.New(&models.GLM{Family: models.Binomial}), "am", -8.0834751824446283},
		{"table then least squares", pipeline.New(&features.Table{Numeric: []string{"wt", "hp"}}, &models.LinearRegression{}),
			"mpg", -3.877830742404682},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := cars
			if tc.name == "lone GLM" {
				data = wtHPAm
			}
			if err := tc.p.Fit(ctx, data, tc.target); err != nil {
				t.Fatal(err)
			}
			s, err := tc.p.Summary()
			if err != nil {
				t.Fatal(err)
			}
			for j, want := range []string{"(Intercept)", "wt", "hp"} {
				if got := s.Coefficients[j].Name; got != want {
					t.Errorf("coefficient %d named %q, want %q", j, got, want)
				}
			}
			if got := s.Coefficients[1].Estimate; math.Abs(got/tc.wt-1) > 1e-8 {
				t.Errorf("wt %.15g, R %.15g", got, tc.wt)
			}
			if !strings.Contains(s.String(), "\nwt ") {
				t.Errorf("printed summary lacks the wt row:\n%s", s)
			}
		})
	}
	unfitted := pipeline.New(&models.GLM{})
	if _, err := unfitted.Summary(); !errors.Is(err, kiln.ErrNotFitted) {
		t.Errorf("unfitted: %v", err)
	}
	penalized := pipeline.New(&features.Table{Numeric: []string{"wt", "hp"}}, &models.LogisticRegression{})
	if err := penalized.Fit(ctx, cars, "am"); err != nil {
		t.Fatal(err)
	}
	if _, err := penalized.Summary(); !errors.Is(err, models.ErrNoSummary) {
		t.Errorf("penalized: %v", err)
	}
}
