package models

import (
	"context"
	"os"
	"path/filepath"
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
			s, err := m.Summary()
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetFeatureNames(tc.names); err != nil {
				t.Fatal(err)
			}
			got, want := fromResiduals(t, s.String()), rPrinted(t, tc.file)
			if got != want {
				t.Errorf("printed summary differs from R's\n--- kiln\n%s\n--- R 4.2.2\n%s", got, want)
			}
		})
	}
}
