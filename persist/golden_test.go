package persist

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"gonum.org/v1/gonum/mat"
)

var update = flag.Bool("update", false, "rewrite the golden bundles in testdata")

var goldenTime = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// goldenPipelines are fixed models built from literal state, so their bytes
// depend only on the writer, never on a solver's arithmetic.
func goldenPipelines(t *testing.T) map[string]*Pipeline {
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
	return map[string]*Pipeline{
		"linear_v1.0.kiln":   {Steps: []any{linear}, Outputs: Outputs{Name: "Employed"}, Lineage: lin},
		"logistic_v1.0.kiln": {Steps: []any{logistic}, Outputs: Outputs{Name: "virginica", Classes: []float64{0, 1}}, Lineage: lin},
		"kmeans_v1.0.kiln":   {Steps: []any{km}, Lineage: lin},
		"text_v1.0.kiln":     {Steps: []any{cv, logisticFor(t, 6)}, TextPreprocess: "br_to_space", Inputs: []Field{{"review", "string"}}, Lineage: lin},
		"table_v1.0.kiln":    {Steps: []any{table, tableModel}, Inputs: []Field{{"rooms", "float64"}, {"ocean", "string"}}, Lineage: lin},
	}
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
// Run `go test ./persist -run Golden -update` to rewrite them after a
// deliberate format change.
func TestGoldenBundles(t *testing.T) {
	for name, p := range goldenPipelines(t) {
		buf, err := Marshal(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join("testdata", name)
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

// Every golden file of every version ever written keeps loading and predicts
// what its model predicts.
func TestGoldenBundlesLoad(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.kiln"))
	if len(files) < 5 {
		t.Fatalf("expected golden bundles in testdata, found %v", files)
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	p, err := Load(filepath.Join("testdata", "logistic_v1.0.kiln"))
	if err != nil {
		t.Fatal(err)
	}
	// The glm's probability for petals 5.1 x 1.8 cm:
	// plogis(-45.27234304 + 5.754532215*5.1 + 10.44669976*1.8) = 0.946840349016326
	// (computed with /usr/bin/python3 as 1/(1+exp(-z))).
	prob, err := p.PredictProba(mat.NewDense(1, 2, []float64{5.1, 1.8}))
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
	for _, name := range []string{"linear_v1.0.kiln", "logistic_v1.0.kiln", "kmeans_v1.0.kiln", "text_v1.0.kiln", "table_v1.0.kiln"} {
		buf, err := os.ReadFile(filepath.Join("testdata", name))
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
		// A bundle that loads must predict or fail cleanly on some input.
		p.Predict(mat.NewDense(1, 2, []float64{1, 2}))
		p.Predict([]string{"cats are fun"})
	})
}
