package persist

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

// The reference reader (persist/reader/kiln_reader.py, Python 3 and numpy)
// scores every golden bundle of every version; its predictions,
// probabilities and features must equal kiln's within 1e-12. The golden
// bundles below add to goldenPipelines every step kind and option the
// reader reimplements: imputing, scaling, one-hot with unknown levels and
// hashing in a table (cells of every type), n-grams, stop words, TF-IDF,
// hashed text with colliding signs and invalid UTF-8, multinomial and
// string-labelled classifiers, k-means as a transform, mini-batch k-means,
// GLM links with R's clamps, and a pipeline without a model.

var readerGoldenTime = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

func readerGoldenPipelines(t *testing.T) map[string]*pipeline.Pipeline {
	t.Helper()
	lin := Lineage{Created: readerGoldenTime, Library: "0.2.0", Rows: 10, Seed: 1}
	must := func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ramp := func(n int, scale float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = scale * (float64(i%7) - 2.75)
		}
		return out
	}

	// Text: a vocabulary of words and bigrams, stop words, sublinear TF-IDF,
	// three string-labelled classes.
	vocab := []string{"are", "are fun", "cats", "dogs", "eat", "eat fish", "fish", "fun", "istanbul", "stanbul", "σας", "café"}
	cv := &text.CountVectorizer{NGramRange: [2]int{1, 2}, StopWords: []string{"the", "and"}}
	cv.SetVocabulary(must(text.NewVocabulary(vocab)).(*text.Vocabulary))
	tfidf := &text.TfidfTransformer{SublinearTF: true}
	if err := tfidf.SetIDF([]float64{1.1, 2.2, 1.3, 1.7, 2.9, 3.1, 1.05, 1.5, 2.5, 2.6, 1.9, 2.05}); err != nil {
		t.Fatal(err)
	}
	three := must(models.NewLogisticRegressionFromState(models.LogisticRegressionState{Classes: []float64{0, 1, 2},
		Coef: [][]float64{ramp(12, 0.7), ramp(12, -0.4), ramp(12, 0.15)}, Intercept: []float64{0.1, -0.2, 0.05}})).(*models.LogisticRegression)

	// Hashing: 16 columns so that terms collide, both signs, binary counts
	// (a zero sum stays stored and becomes 1), invalid bytes replaced.
	hv := &text.HashingVectorizer{NFeatures: 16, NGramRange: [2]int{1, 2}, Binary: true, StopWords: []string{"the"}, DecodeErrors: text.Replace}
	hashModel := must(models.NewLinearRegressionFromState(models.LinearRegressionState{Coef: ramp(16, 1.3), Intercept: -0.75, Rank: 16})).(*models.LinearRegression)

	// A table with every kind of column.
	st := &features.TableState{
		Numeric: []features.NumericColumn{
			{Name: "rooms", Impute: true, Fill: 4, Center: 3.5, Divisor: 1.25},
			{Name: "floors", Center: 1.5, Divisor: 0.5},
			{Name: "waterfront", Center: 0, Divisor: 1},
		},
		Categorical: []features.CategoricalColumn{
			{Name: "ocean", Levels: []string{"INLAND", "NEAR BAY"}, Unknown: true},
			{Name: "band", Levels: []string{"2.5", "1e+06", "1e-05"}, Unknown: true},
			{Name: "year", Levels: []string{"1999", "2005"}},
			{Name: "open", Levels: []string{"true"}},
			{Name: "sold", Levels: []string{"2020-01-01T00:00:00Z", "2021-06-15T12:30:00.5Z"}, Unknown: true},
		},
		Hashed:      []string{"city", "zip"},
		HashBuckets: 4,
	}
	for _, n := range st.Numeric {
		st.Names = append(st.Names, n.Name)
	}
	for _, c := range st.Categorical {
		for _, l := range c.Levels {
			st.Names = append(st.Names, c.Name+" = "+l)
		}
		if c.Unknown {
			st.Names = append(st.Names, c.Name+" is unknown")
		}
	}
	for i := 0; i < st.HashBuckets; i++ {
		st.Names = append(st.Names, fmt.Sprintf("hash_%d", i))
	}
	table := must(features.NewTableFromState(st)).(*features.Table)
	width := len(st.Names)
	tableModel := must(models.NewLogisticRegressionFromState(models.LogisticRegressionState{Classes: []float64{0, 1, 2},
		Coef: [][]float64{ramp(width, 0.3), ramp(width, -0.2), ramp(width, 0.45)}, Intercept: []float64{0, 0.5, -0.5}})).(*models.LogisticRegression)
	houseInputs := []Field{{Name: "rooms", Type: "float64"}, {Name: "floors", Type: "int64"}, {Name: "waterfront", Type: "bool"},
		{Name: "ocean", Type: "string"}, {Name: "band", Type: "float64"}, {Name: "year", Type: "int64"}, {Name: "open", Type: "bool"},
		{Name: "sold", Type: "timestamp"}, {Name: "city", Type: "string"}, {Name: "zip", Type: "int64"}}

	// k-means as a transform (distances to the centres) feeding a model.
	xy := must(features.NewTableFromState(&features.TableState{
		Numeric: []features.NumericColumn{{Name: "x", Divisor: 1}, {Name: "y", Divisor: 2}}, Names: []string{"x", "y"}})).(*features.Table)
	centres := must(cluster.NewKMeansFromState(cluster.KMeansState{K: 3, Features: 2, Centroids: [][]float64{{0, 0}, {1.5, -2}, {-3, 0.5}},
		Init: "k-means++", NInit: 10, MaxIter: 300, Tol: 1e-4, Algorithm: "lloyd"})).(*cluster.KMeans)
	onDistances := must(models.NewLinearRegressionFromState(models.LinearRegressionState{Coef: []float64{0.5, -1.25, 2}, Intercept: 3, Rank: 3})).(*models.LinearRegression)
	mb := must(cluster.NewMiniBatchKMeansFromState(cluster.MiniBatchKMeansState{K: 2, Features: 3,
		Centroids: [][]float64{{0, 1, 2}, {2.5, -1, 0.5}}, Counts: []float64{40, 60}, Steps: 12, Iterations: 2,
		BatchSize: 1024, MaxIter: 100, MaxNoImprovement: 10, ReassignmentRatio: 0.01, Seed: 3})).(*cluster.MiniBatchKMeans)
	binomial := must(models.NewGLMFromState(models.GLMState{Family: models.Binomial, Intercept: -0.5, Coef: []float64{2, -3}, Iterations: 5, Converged: true})).(*models.GLM)
	gaussian := must(models.NewGLMFromState(models.GLMState{Family: models.Gaussian, Intercept: 1.5, Coef: []float64{0.25, -0.125}, Iterations: 1, Converged: true})).(*models.GLM)
	pair := []Field{{Name: "x1", Type: "float64"}, {Name: "x2", Type: "int64"}}
	reviews := []Field{{Name: "review", Type: "string"}}

	return map[string]*pipeline.Pipeline{
		"tfidf": assembled(t, []any{cv, tfidf, three}, pipeline.Meta{TextPreprocess: "br_to_space", TextColumn: "review", Inputs: reviews,
			Outputs: Outputs{Name: "mood", Type: "string", Labels: []string{"neg", "neutral", "pos"}}, Lineage: lin}),
		"hashing":  assembled(t, []any{hv, hashModel}, pipeline.Meta{TextColumn: "review", Inputs: reviews, Outputs: Outputs{Name: "score"}, Lineage: lin}),
		"features": assembled(t, []any{cv, tfidf}, pipeline.Meta{TextColumn: "review", Inputs: reviews, Lineage: lin}),
		"houses": assembled(t, []any{table, tableModel}, pipeline.Meta{Inputs: houseInputs,
			Outputs: Outputs{Name: "band", Type: "int64", Classes: []float64{0, 1, 2}}, Lineage: lin}),
		"distances": assembled(t, []any{xy, centres, onDistances}, pipeline.Meta{Inputs: []Field{{Name: "x", Type: "float64"}, {Name: "y", Type: "float64"}},
			Outputs: Outputs{Name: "z"}, Lineage: lin}),
		"minibatch": assembled(t, []any{mb}, pipeline.Meta{Inputs: []Field{{Name: "a", Type: "float64"}, {Name: "b", Type: "float64"}, {Name: "c", Type: "bool"}}, Lineage: lin}),
		"binomial":  assembled(t, []any{binomial}, pipeline.Meta{Inputs: pair, Outputs: Outputs{Name: "p"}, Lineage: lin}),
		"gaussian":  assembled(t, []any{gaussian}, pipeline.Meta{Inputs: pair, Outputs: Outputs{Name: "mu"}, Lineage: lin}),
	}
}

func init() {
	docs := []string{
		"Cats are fun<br />and dogs eat fish",
		"The CAFÉ in İstanbul: ΣΑΣ are fun, cats",
		"fish fish fish eat fish",
		"dogs",
		"",
		"café\u0301 istanbul_2 under_score x y zz",
	}
	badUTF8 := append([]string(nil), docs...)
	badUTF8 = append(badUTF8, "dogs\xff\xfeeat fish", "ca\xc3ts are fun")
	ts := func(s string) int64 {
		v, _ := time.Parse(time.RFC3339Nano, s)
		return v.UnixNano()
	}
	nulls := []bool{true, false, true, true, true}
	goldenInputs["tfidf"] = dataset.MustNew(dataset.NewString("review", docs, nil))
	goldenInputs["features"] = goldenInputs["tfidf"]
	goldenInputs["hashing"] = dataset.MustNew(dataset.NewString("review", badUTF8, nil))
	goldenInputs["houses"] = dataset.MustNew(
		dataset.NewFloat64("rooms", []float64{3, 0, 7, 2.5, -1}, nulls),
		dataset.NewInt64("floors", []int64{1, 2, 3, 1, 2}, nil),
		dataset.NewBool("waterfront", []bool{true, false, false, true, false}, nil),
		dataset.NewString("ocean", []string{"INLAND", "NEAR BAY", "ISLAND", "", "INLAND"}, nulls),
		dataset.NewFloat64("band", []float64{2.5, 1e6, 1e-5, 0.1, 2.5}, []bool{true, true, true, true, false}),
		dataset.NewInt64("year", []int64{1999, 2005, 2010, 1999, 0}, []bool{true, true, true, true, false}),
		dataset.NewBool("open", []bool{true, false, true, false, true}, nil),
		dataset.NewTimestamp("sold", []int64{ts("2020-01-01T00:00:00Z"), ts("2021-06-15T12:30:00.5Z"), ts("2022-03-04T05:06:07.000000008Z"), 0, 0},
			[]bool{true, true, true, true, false}),
		dataset.NewString("city", []string{"Fresno", "Oakland", "Fresno", "Ukiah", ""}, nil),
		dataset.NewInt64("zip", []int64{93650, 94601, 93650, 95482, 0}, []bool{true, true, true, true, false}),
	)
	goldenInputs["distances"] = dataset.MustNew(dataset.NewFloat64("x", []float64{0, 1.5, -3, 0.75, 10}, nil),
		dataset.NewFloat64("y", []float64{0, -4, 1, -2, 3}, nil))
	goldenInputs["minibatch"] = dataset.MustNew(dataset.NewFloat64("a", []float64{0, 2.5, 1.25, -7}, nil),
		dataset.NewFloat64("b", []float64{1, -1, 0, 3}, nil), dataset.NewBool("c", []bool{true, false, true, false}, nil))
	pair := dataset.MustNew(dataset.NewFloat64("x1", []float64{0, 1, -2, 20, -20, 0.3}, nil), dataset.NewInt64("x2", []int64{0, 1, 3, -5, 5, 0}, nil))
	goldenInputs["binomial"] = pair
	goldenInputs["gaussian"] = pair
}

// readerInput writes a frame in the reader's exchange format: float64
// values as JSON numbers (Go writes the shortest form that reads back
// exactly), strings as base64 so that any bytes pass, timestamps as
// nanoseconds.
func readerInput(t *testing.T, f *dataset.Frame, path string) {
	type column struct {
		Name   string `json:"name"`
		Type   string `json:"type"`
		Values []any  `json:"values"`
		Valid  []bool `json:"valid"`
		Base64 bool   `json:"base64,omitempty"`
	}
	var cols []column
	for _, name := range f.Names() {
		c, _ := f.Column(name)
		col := column{Name: name, Type: c.Type().String(), Base64: c.Type() == dataset.String}
		for i := 0; i < c.Len(); i++ {
			col.Valid = append(col.Valid, !c.IsNull(i))
			switch c.Type() {
			case dataset.String:
				col.Values = append(col.Values, base64.StdEncoding.EncodeToString([]byte(c.StringAt(i))))
			case dataset.Float64:
				col.Values = append(col.Values, c.Float64s()[i])
			case dataset.Int64, dataset.Timestamp:
				col.Values = append(col.Values, c.Int64s()[i])
			case dataset.Bool:
				col.Values = append(col.Values, c.Bools()[i])
			}
		}
		cols = append(cols, col)
	}
	buf, err := json.Marshal(map[string]any{"columns": cols})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readerOutput is what kiln_reader.py prints.
type readerOutput struct {
	Predict   []any       `json:"predict"`
	Proba     [][]float64 `json:"proba"`
	Transform [][]float64 `json:"transform"`
}

func TestReferenceReaderMatchesKiln(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	kinds := map[string]bool{}
	for _, file := range goldenFiles(t) {
		name := strings.SplitN(filepath.Base(file), "_v", 2)[0]
		rows, ok := goldenInputs[name]
		if !ok {
			t.Fatalf("%s: no inputs in goldenInputs", file)
		}
		b, err := ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range b.Manifest.Steps {
			kinds[st.Kind] = true
		}
		worst := compareWithReader(t, py, file, rows, filepath.Join(dir, name+".json"))
		t.Logf("%-28s %d rows: largest difference %.3g", filepath.Base(file), rows.NumRows(), worst)
	}
	for _, kind := range []string{"features.Table", "text.CountVectorizer", "text.TfidfTransformer", "text.HashingVectorizer",
		"models.LinearRegression", "models.LogisticRegression", "models.GLM", "cluster.KMeans", "cluster.MiniBatchKMeans"} {
		if !kinds[kind] {
			t.Errorf("no golden bundle has a %s step", kind)
		}
	}
}

// Pipelines fitted on real data (not literal state) agree too: breast
// cancer (standardized, logistic), Longley (least squares), mtcars (Poisson
// and binomial GLMs), iris (k-means) and the IMDB sample (bag of words).
func TestReferenceReaderOnFittedPipelines(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	bc, err := builtin.BreastCancer()
	if err != nil {
		t.Fatal(err)
	}
	bc, _ = bc.Drop("target_name")
	longley, _ := builtin.Longley()
	longley, _ = longley.Select("GNP.deflator", "GNP", "Unemployed", "Armed.Forces", "Population", "Year", "Employed")
	cars, _ := builtin.MTCars()
	poissonCars, _ := cars.Select("wt", "hp", "carb")
	binomialCars, _ := cars.Select("wt", "hp", "am")
	iris := irisFrame(t)
	numbers, _ := iris.Drop("Species")
	rows := make([]int, 150)
	for i := range rows {
		rows[i] = i * 33
	}
	reviews := reviewsFrame(t).Take(rows)
	reviews, _ = reviews.Drop("label")
	var bcNumeric []string
	for _, f := range bc.Schema() {
		if f.Name != "target" {
			bcNumeric = append(bcNumeric, f.Name)
		}
	}
	cases := []struct {
		name   string
		data   *dataset.Frame
		target string
		steps  []any
	}{
		{"breast_cancer", bc, "target", []any{&features.Table{Numeric: bcNumeric, Scale: true}, &models.LogisticRegression{}}},
		{"longley", longley, "Employed", []any{&models.LinearRegression{}}},
		{"mtcars_poisson", poissonCars, "carb", []any{&models.GLM{Family: models.Poisson}}},
		{"mtcars_binomial", binomialCars, "am", []any{&models.GLM{Family: models.Binomial}}},
		{"iris_kmeans", numbers, "", []any{&cluster.KMeans{K: 3, Seed: 1}}},
		{"imdb_tfidf", reviews, "sentiment", []any{&text.CountVectorizer{MinDF: text.DF{Docs: 3}, NGramRange: [2]int{1, 2}},
			&text.TfidfTransformer{SublinearTF: true}, &models.LogisticRegression{C: 4}}},
	}
	for _, c := range cases {
		p := pipeline.New(c.steps...)
		if c.name == "imdb_tfidf" {
			p.TextPreprocess = "br_to_space"
		}
		if err := p.Fit(ctx, c.data, c.target); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		path := filepath.Join(dir, c.name+".kiln")
		if err := Save(path, p, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		worst := compareWithReader(t, py, path, c.data, filepath.Join(dir, c.name+".json"))
		t.Logf("%-16s %d rows: largest difference %.3g", c.name, c.data.NumRows(), worst)
	}
}

// compareWithReader scores rows with the bundle at path in kiln and in the
// reference reader and compares predictions, probabilities and features; it
// returns the largest difference.
func compareWithReader(t *testing.T, py, path string, rows *dataset.Frame, inputPath string) float64 {
	t.Helper()
	reader, err := filepath.Abs(filepath.Join("reader", "kiln_reader.py"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	readerInput(t, rows, inputPath)
	var stderr bytes.Buffer
	cmd := exec.Command(py, reader, path, inputPath)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: the reader failed: %v\n%s", path, err, stderr.String())
	}
	var got readerOutput
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: %v: %s", path, err, out)
	}
	x, err := p.Transform(rows)
	if err != nil {
		t.Fatal(err)
	}
	worst := compareMatrix(t, path+" transform", x, got.Transform)
	if p.Outputs().Kind != pipeline.Features {
		pred, err := p.Predict(rows)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Predict) != pred.Len() {
			t.Fatalf("%s: %d predictions from the reader, %d from kiln", path, len(got.Predict), pred.Len())
		}
		for i, g := range got.Predict {
			switch pred.Type() {
			case dataset.Float64:
				worst = math.Max(worst, compareValue(t, fmt.Sprintf("%s prediction %d", path, i), pred.Float64s()[i], g))
			default:
				if want := pred.Format(i); fmt.Sprint(g) != want {
					t.Errorf("%s prediction %d: reader %v, kiln %s", path, i, g, want)
				}
			}
		}
	}
	if p.Outputs().Kind == pipeline.Classes {
		proba, err := p.PredictProba(rows)
		if err != nil {
			t.Fatal(err)
		}
		worst = math.Max(worst, compareMatrix(t, path+" probabilities", proba, got.Proba))
	}
	return worst
}

// python returns Debian's interpreter with numpy, or skips; CI sets
// KILN_REQUIRE_PYTHON=1 so that there a missing numpy fails instead.
func python(t *testing.T) string {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		if os.Getenv("KILN_REQUIRE_PYTHON") != "" {
			t.Fatalf("python3 with numpy is required (KILN_REQUIRE_PYTHON is set): %v", err)
		}
		t.Skipf("%s with numpy is not available (apt-get install python3-numpy): %v", py, err)
	}
	return py
}

// compareValue checks one number within 1e-12 (relative beyond 1) and
// returns the difference.
func compareValue(t *testing.T, what string, want float64, got any) float64 {
	g, ok := got.(float64)
	if !ok {
		t.Errorf("%s: reader gave %v (%T)", what, got, got)
		return 0
	}
	d := math.Abs(g-want) / math.Max(1, math.Abs(want))
	if d > 1e-12 || math.IsNaN(d) {
		t.Errorf("%s: reader %v, kiln %v", what, g, want)
	}
	return d
}

func compareMatrix(t *testing.T, what string, want mat.Matrix, got [][]float64) float64 {
	r, c := want.Dims()
	if len(got) != r {
		t.Errorf("%s: %d rows from the reader, %d from kiln", what, len(got), r)
		return 0
	}
	worst := 0.0
	for i := 0; i < r; i++ {
		if len(got[i]) != c {
			t.Errorf("%s row %d: %d columns from the reader, %d from kiln", what, i, len(got[i]), c)
			return worst
		}
		for j := 0; j < c; j++ {
			worst = math.Max(worst, compareValue(t, fmt.Sprintf("%s [%d, %d]", what, i, j), want.At(i, j), got[i][j]))
		}
	}
	return worst
}
