package models

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// R 4.2.2, summary(lm(mpg ~ wt + hp, mtcars)) (testdata/r_reference.R).
func TestLinearRegressionSummaryMatchesR(t *testing.T) {
	X, mpg := mtcarsDesign(t, "wt", "hp")
	var m LinearRegression
	if err := m.Fit(context.Background(), X, mpg); err != nil {
		t.Fatal(err)
	}
	s := namedSummary(t, &m, []string{"wt", "hp"})
	checkCoefficients(t, s, rMtcarsMpg)
	ls := s.LeastSquares
	checkClose(t, "sigma", ls.ResidualStdError, 2.59341177722657, fitTol)
	checkClose(t, "R^2", ls.RSquared, 0.826785451882791, fitTol)
	checkClose(t, "adjusted R^2", ls.AdjRSquared, 0.814839620978156, fitTol)
	checkClose(t, "F", ls.FStatistic, 69.2112133917776, fitTol)
	checkClose(t, "F p-value", ls.FPValue, 9.10905438522209e-12, pTol)
	checkClose(t, "log-likelihood", s.LogLikelihood, -74.3261694128207, fitTol)
	checkClose(t, "AIC", s.AIC, 156.652338825641, fitTol)
	if ls.FNumDF != 2 || ls.FDenDF != 29 || s.DFResidual != 29 {
		t.Errorf("F on %d and %d, residual df %d; R: 2 and 29, 29", ls.FNumDF, ls.FDenDF, s.DFResidual)
	}
	logWorst(t)
}

// NIST StRD Longley certified values (https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml):
// standard deviations of the estimates, residual standard deviation, R^2 and the F statistic.
func TestLinearRegressionSummaryLongleyNIST(t *testing.T) {
	X, y := longleyNIST(t)
	var m LinearRegression
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		t.Fatal(err)
	}
	certifiedSD := []float64{890420.383607373, 84.9149257747669, 0.334910077722432e-01, 0.488399681651699,
		0.214274163161675, 0.226073200069370, 455.478499142212}
	worst := 0.0
	for j, c := range s.Coefficients {
		worst = math.Max(worst, relErr(c.Estimate, longleyCertified[j]))
		worst = math.Max(worst, relErr(c.StdError, certifiedSD[j]))
		if e := relErr(c.StdError, certifiedSD[j]); e > 1e-9 {
			t.Errorf("%s: standard deviation %.15g, NIST %.15g (relative error %.2g)", c.Name, c.StdError, certifiedSD[j], e)
		}
	}
	ls := s.LeastSquares
	for _, f := range []struct {
		what      string
		got, want float64
	}{
		{"residual standard deviation", ls.ResidualStdError, 304.854073561965},
		{"R^2", ls.RSquared, 0.995479004577296},
		{"F", ls.FStatistic, 330.285339234588},
		{"residual sum of squares", s.Deviance, 836424.055505915},
	} {
		worst = math.Max(worst, relErr(f.got, f.want))
		if e := relErr(f.got, f.want); e > 1e-9 {
			t.Errorf("%s: %.15g, NIST %.15g (relative error %.2g)", f.what, f.got, f.want, e)
		}
	}
	t.Logf("largest relative error against NIST's certified values: %.2g", worst)
}

func TestLinearRegressionSummaryUnavailable(t *testing.T) {
	X, y := mtcarsDesign(t, "wt", "hp")
	collinear := mat.NewDense(32, 3, nil)
	for i := 0; i < 32; i++ {
		collinear.Set(i, 0, X.At(i, 0))
		collinear.Set(i, 1, X.At(i, 1))
		collinear.Set(i, 2, 2*X.At(i, 0))
	}
	for name, c := range map[string]struct {
		m LinearRegression
		X mat.Matrix
	}{
		"ridge":          {LinearRegression{Alpha: 1}, X},
		"sparse":         {LinearRegression{}, toCSR(X)},
		"rank deficient": {LinearRegression{}, collinear},
	} {
		m := c.m
		if err := m.Fit(context.Background(), c.X, y); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Summary(); !errors.Is(err, ErrNoSummary) {
			t.Errorf("%s: Summary gave %v, want ErrNoSummary", name, err)
		}
	}
	var unfitted LinearRegression
	if _, err := unfitted.Summary(); !errors.Is(err, ErrNotFitted) {
		t.Errorf("unfitted: %v", err)
	}
}
