package persist

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/pipeline"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
)

var update = flag.Bool("update", false, "rewrite the golden bundles in testdata")

var goldenTime = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// goldenPipelines are fixed models built from literal state, so their bytes
// depend only on the writer, never on a solver's arithmetic.
func goldenPipelines(t *testing.T) map[string]*pipeline.Pipeline {
	t.Helper()
	lin := Lineage{Created: goldenTime, Library: "0.1.0", Rows: 16, Seed: 1}
	// NIST StRD Longley certified coefficients (Employed ~ six regressors).
	linear, err := models.NewLinearRegressionFromState(models.LinearRegressionState{
		Coef:      []float64{15.0618722713733, -0.358191792925910e-01, -2.02022980381683, -1.03322686717359, -0.511041056535807e-01, 1829.15146461355},
		Intercept: -3482258.63459582, Rank: 6})
	if err != nil {
		t.Fatal(err)
	}
	// R glm: iris versicolor (0) vs virginica (1) ~ Petal.Length + Petal.Width.
	logistic, err := models.NewLogisticRegressionFromState(models.LogisticRegressionState{
		Classes: []float64{0, 1}, Coef: [][]float64{{5.754532215, 10.44669976}}, Intercept: []float64{-45.27234304}, Converged: true, Iterations: 7})
	if err != nil {
		t.Fatal(err)
	}
	km, err := cluster.NewKMeansFromState(cluster.KMeansState{K: 2, Features: 2, Centroids: [][]float64{{1, 2}, {-3.5, 0.25}},
		Inertia: 12.5, Iterations: 3, Labels: []int{0, 1, 1}, Init: "k-means++", NInit: 1, MaxIter: 300, Tol: 1e-4, Algorithm: "lloyd", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	// The seed book's Figure 5.4 corpus.
	cv := &text.CountVectorizer{Binary: true}
	if err := cv.Fit(context.Background(), []string{"cats are fun", "dogs are fun", "cats eat fish"}); err != nil {
		t.Fatal(err)
	}
	table, err := features.NewTableFromState(&features.TableState{
		Numeric:     []features.NumericColumn{{Name: "rooms", Impute: true, Fill: 4, Center: 3.5, Divisor: 1.25}},
		Categorical: []features.CategoricalColumn{{Name: "ocean", Levels: []string{"INLAND", "NEAR BAY"}, Unknown: true}},
		Names:       []string{"rooms", "ocean = INLAND", "ocean = NEAR BAY", "ocean is unknown"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tableModel, err := models.NewLinearRegressionFromState(models.LinearRegressionState{Coef: []float64{1, 2, 3, 4}, Intercept: 0.5, Rank: 4})
	if err != nil {
		t.Fatal(err)
	}
	// R 4.2.2: summary(glm(breaks ~ wool + tension, poisson, warpbreaks)) (models/testdata/r_reference.R).
	wbSummary := &models.Summary{Model: "GLM", Family: "poisson", Link: "log", Statistic: "z", Level: 0.95,
		Observations: 54, Rank: 4, DFResidual: 50, DFNull: 53, Dispersion: 1,
		Deviance: 210.391888762454, NullDeviance: 297.372211804605, LogLikelihood: -242.527983208979, AIC: 493.055966417958,
		Iterations: 4, Residuals: [5]float64{-3.687111755430, -1.650321846100, -0.426871933295, 1.190153964890, 4.261639311088},
		Coefficients: []models.Coefficient{
			{Name: "(Intercept)", Estimate: 3.691963144953793, StdError: 0.0454106925991773, Statistic: 81.30162597477484, PValue: 0, Lower: 3.602959822946386, Upper: 3.780966466961200},
			{Name: "woolB", Estimate: -0.205988442648863, StdError: 0.0515711686464422, Statistic: -3.99425586146910, PValue: 6.48977528174030e-05, Lower: -0.307066075836531, Upper: -0.104910809461195},
			{Name: "tensionM", Estimate: -0.321320431600191, StdError: 0.0602658019343353, Statistic: -5.33172083149739, PValue: 9.72864194870672e-08, Lower: -0.439439232890913, Upper: -0.203201630309470},
			{Name: "tensionH", Estimate: -0.518488496517343, StdError: 0.0639594433127196, Statistic: -8.10651984543198, PValue: 5.20902138971251e-16, Lower: -0.643846701881505, Upper: -0.393130291153182},
		}}
	glm, err := models.NewGLMFromState(models.GLMState{Family: models.Poisson, Intercept: 3.691963144953793,
		Coef: []float64{-0.205988442648863, -0.321320431600191, -0.518488496517343}, Iterations: 4, Converged: true, Summary: wbSummary})
	if err != nil {
		t.Fatal(err)
	}
	longley := []Field{{Name: "GNP.deflator", Type: "float64"}, {Name: "GNP", Type: "float64"}, {Name: "Unemployed", Type: "float64"}, {Name: "Armed.Forces", Type: "float64"}, {Name: "Population", Type: "float64"}, {Name: "Year", Type: "int64"}}
	petals := []Field{{Name: "Petal.Length", Type: "float64"}, {Name: "Petal.Width", Type: "float64"}}
	goldens := map[string]*pipeline.Pipeline{
		"linear": assembled(t, []any{linear}, pipeline.Meta{Inputs: longley, Outputs: Outputs{Name: "Employed"}, Lineage: lin}),
		"logistic": assembled(t, []any{logistic}, pipeline.Meta{Inputs: petals,
			Outputs: Outputs{Name: "virginica", Classes: []float64{0, 1}, Type: "int64"}, Lineage: lin}),
		"kmeans": assembled(t, []any{km}, pipeline.Meta{Inputs: []Field{{Name: "x", Type: "float64"}, {Name: "y", Type: "float64"}}, Lineage: lin}),
		"text":   assembled(t, []any{cv, logisticFor(t, 6)}, pipeline.Meta{TextPreprocess: "br_to_space", Inputs: []Field{{Name: "review", Type: "string"}}, Lineage: lin}),
		// Format 1.1: string labels.
		"labels": assembled(t, []any{cv, logisticFor(t, 6)}, pipeline.Meta{TextPreprocess: "br_to_space", Inputs: []Field{{Name: "review", Type: "string"}},
			Outputs: Outputs{Name: "label", Type: "string", Labels: []string{"neg", "pos"}}, Lineage: lin}),
		// Format 1.2: a GLM and its summary.
		"glm": assembled(t, []any{glm}, pipeline.Meta{Inputs: []Field{{Name: "woolB", Type: "float64"}, {Name: "tensionM", Type: "float64"}, {Name: "tensionH", Type: "float64"}},
			Outputs: Outputs{Name: "breaks"}, Lineage: Lineage{Created: goldenTime, Library: "0.1.0", Rows: 54}}),
		"table": assembled(t, []any{table, tableModel}, pipeline.Meta{Inputs: []Field{{Name: "rooms", Type: "float64"}, {Name: "ocean", Type: "string"}}, Lineage: lin}),
	}
	// Format 1.2: the step kinds and options that the reference reader covers.
	for name, p := range readerGoldenPipelines(t) {
		goldens[name] = p
	}
	return goldens
}

func logisticFor(t *testing.T, features int) *models.LogisticRegression {
	coef := make([]float64, features)
	for i := range coef {
		coef[i] = float64(i) - 2.5
	}
	m, err := models.NewLogisticRegressionFromState(models.LogisticRegressionState{Classes: []float64{0, 1}, Coef: [][]float64{coef}, Intercept: []float64{0.25}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The writer's bytes for fixed models must not change: a change of format is
// a new version with new golden files, and the old files must keep loading.
// Run `go test ./persist -run Golden -update` to rewrite the current
// version's files after a deliberate format change.
func TestGoldenBundles(t *testing.T) {
	for name, p := range goldenPipelines(t) {
		buf, err := Marshal(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join("testdata", goldenFile(name, FormatMinor))
		if *update {
			if err := os.WriteFile(path, buf, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to create it)", name, err)
		}
		if !bytes.Equal(buf, want) {
			t.Errorf("%s: the writer's bytes changed (%d bytes, golden %d): bump the format version and add new golden files", name, len(buf), len(want))
		}
	}
}

func goldenFile(name string, minor int) string {
	return fmt.Sprintf("%s_v%d.%d.kiln", name, FormatMajor, minor)
}

// goldenInputs are rows to score each golden pipeline on.
var goldenInputs = map[string]*dataset.Frame{
	"linear": dataset.MustNew(dataset.NewFloat64("GNP.deflator", []float64{83, 116.9}, nil), dataset.NewFloat64("GNP", []float64{234289, 554894}, nil),
		dataset.NewFloat64("Unemployed", []float64{2356, 4007}, nil), dataset.NewFloat64("Armed.Forces", []float64{1590, 2827}, nil),
		dataset.NewFloat64("Population", []float64{107608, 130081}, nil), dataset.NewInt64("Year", []int64{1947, 1962}, nil)),
	"logistic": dataset.MustNew(dataset.NewFloat64("Petal.Length", []float64{5.1, 4.5}, nil), dataset.NewFloat64("Petal.Width", []float64{1.8, 1.5}, nil)),
	"kmeans":   dataset.MustNew(dataset.NewFloat64("x", []float64{1, -3, 0}, nil), dataset.NewFloat64("y", []float64{2, 0, 1}, nil)),
	"text":     dataset.MustNew(dataset.NewString("review", []string{"cats are fun", "dogs eat<br />fish", ""}, nil)),
	"labels":   dataset.MustNew(dataset.NewString("review", []string{"cats are fun", "dogs eat<br />fish", ""}, nil)),
	"glm": dataset.MustNew(dataset.NewFloat64("woolB", []float64{0, 1, 1}, nil), dataset.NewFloat64("tensionM", []float64{0, 1, 0}, nil),
		dataset.NewFloat64("tensionH", []float64{0, 0, 1}, nil)),
	"table": dataset.MustNew(dataset.NewFloat64("rooms", []float64{3, 0, 7}, []bool{true, false, true}),
		dataset.NewString("ocean", []string{"INLAND", "NEAR BAY", "ISLAND"}, nil)),
}

// Every golden file of every version ever written keeps loading and predicts
// what the same model of the current version predicts.
func TestGoldenBundlesLoad(t *testing.T) {
	for name, rows := range goldenInputs {
		var first *dataset.Column
		files, _ := filepath.Glob(filepath.Join("testdata", name+"_v*.kiln"))
		if len(files) == 0 {
			t.Fatalf("no golden files for %s", name)
		}
		for _, file := range files {
			p, err := Load(file)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if p.Outputs().Kind == pipeline.Features {
				continue // a pipeline without a model; TestReferenceReaderMatchesKiln checks its features
			}
			got, err := p.Predict(rows)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if first == nil {
				first = got
				continue
			}
			for i := 0; i < got.Len(); i++ {
				a, aok := first.FloatAt(i)
				b, bok := got.FloatAt(i)
				if aok && bok && math.Float64bits(a) == math.Float64bits(b) {
					continue
				}
				if first.Format(i) != got.Format(i) {
					t.Errorf("%s row %d: %s in %s, %s in %s", name, i, first.Format(i), files[0], got.Format(i), file)
				}
			}
		}
	}
	p, err := Load(filepath.Join("testdata", "logistic_v1.0.kiln"))
	if err != nil {
		t.Fatal(err)
	}
	// The glm's probability for petals 5.1 x 1.8 cm:
	// plogis(-45.27234304 + 5.754532215*5.1 + 10.44669976*1.8) = 0.946840349016326
	// (computed with /usr/bin/python3 as 1/(1+exp(-z))).
	prob, err := p.PredictProba(goldenInputs["logistic"])
	if err != nil {
		t.Fatal(err)
	}
	if got := prob.At(0, 1); math.Abs(got-0.946840349016326) > 1e-12 {
		t.Errorf("P(virginica) = %v", got)
	}
	tp, err := Load(filepath.Join("testdata", "table_v1.0.kiln"))
	if err != nil {
		t.Fatal(err)
	}
	if tp.Steps[0].(*features.Table).FeatureNames()[3] != "ocean is unknown" {
		t.Error("table names not restored")
	}
}

func FuzzUnmarshal(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.kiln"))
	for _, name := range files {
		buf, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(buf)
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		p, err := Unmarshal(buf)
		if err != nil {
			return
		}
		// A bundle that loads must predict or fail cleanly on any input.
		for _, rows := range goldenInputs {
			p.Predict(rows)
			p.PredictProba(rows)
		}
	})
}
