package models

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// rPrinted returns R's printed summary from testdata/r (written by
// r_reference.R) from its residuals block on, without R's call.
func rPrinted(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "r", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return fromResiduals(t, string(raw))
}

func fromResiduals(t *testing.T, s string) string {
	t.Helper()
	i := strings.Index(s, "Deviance Residuals:")
	if j := strings.Index(s, "\nResiduals:"); i < 0 && j >= 0 {
		i = j + 1
	}
	if i < 0 {
		t.Fatalf("no residuals block in %q", s)
	}
	s = s[i:]
	if k := strings.Index(s, "\nWarnings:\n"); k >= 0 {
		s = s[:k]
	}
	return strings.TrimRight(s, "\n")
}

// summarizer is a fitted model with inference.
type summarizer interface{ Summary() (*Summary, error) }

// namedSummary returns m's summary with its feature columns named.
func namedSummary(t *testing.T, m summarizer, names []string) *Summary {
	t.Helper()
	s, err := m.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetFeatureNames(names); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkPrinted compares s.String() with R's printed summary in testdata/r/file.txt.
func checkPrinted(t *testing.T, s *Summary, file string) {
	t.Helper()
	got, want := fromResiduals(t, s.String()), rPrinted(t, file)
	if got != want {
		t.Errorf("printed summary differs from R's\n--- kiln\n%s\n--- R 4.2.2\n%s", got, want)
	}
}

// Summary.String lays the summary out as R 4.2.2 prints summary(glm(...)):
// the text from the residuals on is R's, character for character.
func TestSummaryStringMatchesRGLM(t *testing.T) {
	ctx := context.Background()
	amX, am := mtcarsResponse(t, []string{"wt", "hp"}, "am")
	_, carb := mtcarsResponse(t, []string{"wt", "hp"}, "carb")
	_, mpg := mtcarsResponse(t, []string{"wt", "hp"}, "mpg")
	irisX, virginica := irisVersicolorVirginica(t)
	wbX, breaks := warpbreaksDesign(t)
	for _, tc := range []struct {
		file  string
		fam   Family
		X     *mat.Dense
		y     []float64
		names []string
	}{
		{"glm_binomial_mtcars_am", Binomial, amX, am, []string{"wt", "hp"}},
		{"glm_binomial_iris", Binomial, irisX, virginica, []string{"Petal.Length", "Petal.Width"}},
		{"glm_poisson_warpbreaks", Poisson, wbX, breaks, []string{"woolB", "tensionM", "tensionH"}},
		{"glm_poisson_mtcars_carb", Poisson, amX, carb, []string{"wt", "hp"}},
		{"glm_gaussian_mtcars_mpg", Gaussian, amX, mpg, []string{"wt", "hp"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m := GLM{Family: tc.fam}
			if err := m.Fit(ctx, tc.X, tc.y); err != nil {
				t.Fatal(err)
			}
			checkPrinted(t, namedSummary(t, &m, tc.names), tc.file)
		})
	}
}

// The same for summary(lm(...)): mtcars and Longley (in R's units, whose
// coefficients print in scientific notation).
func TestSummaryStringMatchesRLM(t *testing.T) {
	mt, mpg := mtcarsDesign(t, "wt", "hp")
	tb := loadTable(t, "longley.csv")
	lx := tb.floats(t, longleyColumns, nil)
	employed := column(tb.floats(t, []string{"Employed"}, nil), 0)
	for _, tc := range []struct {
		file  string
		X     *mat.Dense
		y     []float64
		names []string
	}{
		{"lm_mtcars_mpg", mt, mpg, []string{"wt", "hp"}},
		{"lm_longley", lx, employed, longleyColumns},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var m LinearRegression
			if err := m.Fit(context.Background(), tc.X, tc.y); err != nil {
				t.Fatal(err)
			}
			checkPrinted(t, namedSummary(t, &m, tc.names), tc.file)
		})
	}
}

// R 4.2.2's format(x, digits = 4) and format.pval(x, digits = 3) on the same values.
func TestFormatLikeR(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		x    []float64
		want []string
	}{
		{[]float64{123456.000, 0.001}, []string{"1.235e+05", "1.000e-03"}},
		{[]float64{9.9999999999999995e-21, 1.0000000000000000e+00}, []string{"1e-20", "1e+00"}},
		{[]float64{-0.50, 12.25, 1000.00}, []string{"  -0.50", "  12.25", "1000.00"}},
		{[]float64{99999.0, 1.5}, []string{"99999.0", "    1.5"}},
		{[]float64{3.1415926500000002, 2.7182800000000000}, []string{"3.142", "2.718"}},
		{[]float64{1e+05, 2e+05}, []string{"1e+05", "2e+05"}},
		{[]float64{0e+00, 1e-10}, []string{"0e+00", "1e-10"}},
		{[]float64{-1e-300, 5e+00}, []string{"-1e-300", "  5e+00"}},
		{[]float64{0.30000000000000004, 0.33333333333333331}, []string{"0.3000", "0.3333"}},
		{[]float64{nan, 1.5, inf}, []string{"NaN", "1.5", "Inf"}},
	} {
		if got := formatReal(c.x, 4); !slices.Equal(got, c.want) {
			t.Errorf("format(%v, digits = 4): got %q, R %q", c.x, got, c.want)
		}
	}
	for _, c := range []struct {
		x    []float64
		want []string
	}{
		{[]float64{5.0000000000000000e-01, 1.0000000000000000e-02, 1.0000000000000001e-05}, []string{"0.50", "0.01", "1e-05"}},
		{[]float64{9.9999999999999995e-21, 2.9999999999999999e-01}, []string{"<2e-16", "0.3"}},
		{[]float64{9.9999999999999995e-21, 1.0000000000000001e-05}, []string{"<2e-16", "1e-05"}},
		{[]float64{0.04, 0.0009}, []string{"4e-02", "9e-04"}},
		{[]float64{0}, []string{"<2e-16"}},
	} {
		if got := formatPValues(c.x, 3, eps64); !slices.Equal(got, c.want) {
			t.Errorf("format.pval(%v, digits = 3): got %q, R %q", c.x, got, c.want)
		}
	}
}
