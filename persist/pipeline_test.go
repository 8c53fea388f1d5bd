package persist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/dfs"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

var ctx = context.Background()

// roundTrip saves p to a file, loads it back and returns the loaded pipeline.
func roundTrip(t *testing.T, p *pipeline.Pipeline) *pipeline.Pipeline {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.kiln")
	if err := Save(path, p, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	q, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// fitted fits a pipeline of steps on data, failing the test on error.
func fitted(t testing.TB, data *dataset.Frame, target string, steps ...any) *pipeline.Pipeline {
	t.Helper()
	p := pipeline.New(steps...)
	if err := p.Fit(ctx, data, target); err != nil {
		t.Fatal(err)
	}
	return p
}

// assembled builds a fitted pipeline from steps fitted elsewhere.
func assembled(t testing.TB, steps []any, m pipeline.Meta) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.Assemble(steps, m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// predictionsSurvive checks that p predicts the same column on data before
// and after a save and load, and returns the loaded pipeline.
func predictionsSurvive(t *testing.T, what string, p *pipeline.Pipeline, data *dataset.Frame) *pipeline.Pipeline {
	t.Helper()
	want, err := p.Predict(data)
	if err != nil {
		t.Fatal(err)
	}
	q := roundTrip(t, p)
	got, err := q.Predict(data)
	if err != nil {
		t.Fatal(err)
	}
	sameColumn(t, what, want, got)
	return q
}

// probabilitiesSurvive is predictionsSurvive for class probabilities.
func probabilitiesSurvive(t *testing.T, what string, p *pipeline.Pipeline, data *dataset.Frame) (*pipeline.Pipeline, *mat.Dense) {
	t.Helper()
	want, err := p.PredictProba(data)
	if err != nil {
		t.Fatal(err)
	}
	q := roundTrip(t, p)
	got, err := q.PredictProba(data)
	if err != nil {
		t.Fatal(err)
	}
	sameDense(t, what, want, got)
	return q, want
}

func sameBits(t *testing.T, what string, a, b []float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d predictions, then %d", what, len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("%s: prediction %d changed from %v to %v", what, i, a[i], b[i])
		}
	}
}

func sameColumn(t *testing.T, what string, a, b *dataset.Column) {
	t.Helper()
	if a.Name() != b.Name() || a.Type() != b.Type() || a.Len() != b.Len() {
		t.Fatalf("%s: column %s %s [%d], then %s %s [%d]", what, a.Name(), a.Type(), a.Len(), b.Name(), b.Type(), b.Len())
	}
	if a.Type() == dataset.Float64 {
		sameBits(t, what, a.Float64s(), b.Float64s())
		return
	}
	for i := 0; i < a.Len(); i++ {
		if a.Format(i) != b.Format(i) {
			t.Fatalf("%s: prediction %d changed from %s to %s", what, i, a.Format(i), b.Format(i))
		}
	}
}

func sameDense(t *testing.T, what string, a, b *mat.Dense) {
	t.Helper()
	sameBits(t, what, a.RawMatrix().Data, b.RawMatrix().Data)
}

// housingPipeline fits the California housing regression (ocean_proximity
// one-hot with the first level dropped, missing bedrooms imputed with the
// median) as one pipeline from raw rows.
func housingPipeline(t testing.TB) (*pipeline.Pipeline, *dataset.Frame) {
	houses, err := builtin.CaliforniaHousing()
	if err != nil {
		t.Fatal(err)
	}
	enc := &features.Table{
		Numeric: []string{"longitude", "latitude", "housing_median_age", "total_rooms",
			"total_bedrooms", "population", "households", "median_income"},
		Categorical: []string{"ocean_proximity"},
		Impute:      features.ImputeMedian,
		DropFirst:   true,
	}
	return fitted(t, houses, "median_house_value", enc, &models.LinearRegression{}), houses
}

func TestRoundTripHousingPipeline(t *testing.T) {
	p, houses := housingPipeline(t)
	q := predictionsSurvive(t, "California housing", p, houses)
	in := q.Inputs()
	if len(in) != 9 || in[8] != (Field{Name: "ocean_proximity", Type: "string"}) || in[0] != (Field{Name: "longitude", Type: "float64"}) {
		t.Errorf("inputs %v", in)
	}
	lin := q.Lineage
	if lin.Rows != 20640 || lin.Library != pipeline.LibraryVersion || lin.Created.IsZero() || !strings.HasPrefix(lin.DataFingerprint, "sha256:") {
		t.Errorf("lineage %+v", lin)
	}
	if out := q.Outputs(); out.Name != "median_house_value" || out.Kind != pipeline.Values || out.Type != "float64" {
		t.Errorf("outputs %+v", out)
	}
	if len(q.Profile()) != 9 || q.Profile()[8].Levels[0] != "<1H OCEAN" {
		t.Errorf("profile %+v", q.Profile())
	}
	if q.Metrics["train_r2"] != p.Metrics["train_r2"] || q.Metrics["train_r2"] < 0.6 {
		t.Errorf("metrics %v", q.Metrics)
	}
	if names := q.StepNames(); len(names) != 2 || names[0] != "table" || names[1] != "linearregression" {
		t.Errorf("step names %v", names)
	}
}

// reviewsFrame returns the embedded 5,000-review IMDB sample with its
// sentiment as 0/1 and as "neg"/"pos".
func reviewsFrame(t testing.TB) *dataset.Frame {
	reviews, err := builtin.IMDBSample()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := reviews.Column("sentiment")
	words := make([]string, sc.Len())
	for i, v := range sc.Int64s() {
		words[i] = []string{"neg", "pos"}[v]
	}
	f, err := reviews.WithColumn(dataset.NewString("label", words, nil))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The IMDB text pipeline on the embedded sample: binary bag of words
// (MinDF=10, MaxDF=0.1) into a logistic regression, raw text in, with the
// labels as numbers and as strings.
func TestRoundTripTextPipeline(t *testing.T) {
	reviews := reviewsFrame(t)
	docsOnly, _ := reviews.Select("review")
	newWords := func() *text.CountVectorizer {
		return &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true}
	}
	numeric := pipeline.New(newWords(), &models.LogisticRegression{C: 1})
	numeric.TextColumn, numeric.TextPreprocess = "review", "br_to_space"
	if err := numeric.Fit(ctx, reviews, "sentiment"); err != nil {
		t.Fatal(err)
	}
	q, want := probabilitiesSurvive(t, "IMDB probabilities", numeric, docsOnly)
	labels, err := q.Predict(docsOnly)
	if err != nil || labels.Type() != dataset.Int64 || labels.Name() != "sentiment" {
		t.Fatalf("labels %v %v", labels, err)
	}

	words := pipeline.New(newWords(), &models.LogisticRegression{C: 1})
	words.TextColumn, words.TextPreprocess = "review", "br_to_space"
	if err := words.Fit(ctx, reviews, "label"); err != nil {
		t.Fatal(err)
	}
	w := predictionsSurvive(t, "IMDB labels", words, docsOnly)
	if c := w.Classes(); c.Type() != dataset.String || c.StringAt(0) != "neg" || c.StringAt(1) != "pos" {
		t.Errorf("classes %v", c)
	}
	got, _ := w.Predict(docsOnly)
	for i := 0; i < got.Len(); i++ {
		if want := []string{"neg", "pos"}[labels.Int64s()[i]]; got.StringAt(i) != want {
			t.Fatalf("row %d: %q with string labels, %q with numbers", i, got.StringAt(i), want)
		}
	}
	proba, _ := w.PredictProba(docsOnly)
	sameDense(t, "probabilities with string labels", want, proba)
}

func irisFrame(t testing.TB) *dataset.Frame {
	iris, err := builtin.Iris()
	if err != nil {
		t.Fatal(err)
	}
	return iris
}

// distancer is what both k-means models offer: distances to each centre.
type distancer interface {
	Transform(mat.Matrix) (*mat.Dense, error)
}

func TestRoundTripKMeans(t *testing.T) {
	iris := irisFrame(t)
	numbers, _ := iris.Drop("Species")
	x, _ := numbers.ToDense()
	for _, m := range []any{&cluster.KMeans{K: 3, NInit: 10, Seed: 1}, &cluster.MiniBatchKMeans{K: 3, Seed: 1}} {
		p := fitted(t, numbers, "", m)
		q := predictionsSurvive(t, "iris clusters", p, numbers)
		tr1, _ := m.(distancer).Transform(x)
		tr2, _ := q.Steps[0].(distancer).Transform(x)
		sameDense(t, "iris distances", tr1, tr2)
		if out := q.Outputs(); out.Kind != pipeline.Clusters || out.Type != "int64" {
			t.Errorf("outputs %+v", out)
		}
	}
	km := &cluster.KMeans{K: 3, NInit: 10, Seed: 1}
	loaded := roundTrip(t, fitted(t, numbers, "", km)).Steps[0].(*cluster.KMeans)
	if loaded.Inertia() != km.Inertia() || loaded.Iterations() != km.Iterations() {
		t.Errorf("inertia %v iterations %d, want %v %d", loaded.Inertia(), loaded.Iterations(), km.Inertia(), km.Iterations())
	}
}

// A multinomial logistic regression straight on iris's numeric columns,
// with the species names as labels.
func TestRoundTripMultinomialLogistic(t *testing.T) {
	iris := irisFrame(t)
	lr := &models.LogisticRegression{C: 1, ClassWeight: map[float64]float64{2: 1.5}}
	p := fitted(t, iris, "Species", lr)
	q, _ := probabilitiesSurvive(t, "iris multinomial", p, iris)
	if w := q.Steps[0].(*models.LogisticRegression).ClassWeight[2]; w != 1.5 {
		t.Errorf("class weight restored as %v", w)
	}
	pred, _ := q.Predict(iris)
	if pred.StringAt(0) != "setosa" || pred.StringAt(149) != "virginica" {
		t.Errorf("predicted %s, %s", pred.StringAt(0), pred.StringAt(149))
	}
	if len(q.Inputs()) != 4 {
		t.Errorf("inputs %v", q.Inputs())
	}
}

// Feature definitions from deep feature synthesis, saved and re-applied to
// the flights as a pipeline that ends in features.
func TestRoundTripDFSDefinitions(t *testing.T) {
	flights, err := builtin.Flights()
	if err != nil {
		t.Fatal(err)
	}
	flights, _ = flights.Slice(0, 20000)
	es := dfs.NewEntitySet()
	if err := es.AddEntity("flights", flights, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := es.NormalizeEntity("flights", "planes", "tailnum"); err != nil {
		t.Fatal(err)
	}
	want, defs, err := dfs.DFS{Target: "planes", MaxDepth: 1, Aggregations: []string{"count", "mean", "max", "mode"}}.Run(ctx, es, dfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := roundTrip(t, assembled(t, []any{defs}, pipeline.Meta{}))
	out, err := q.TransformEntities(es)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*dataset.Frame)
	if got.NumRows() != want.NumRows() || got.NumCols() != want.NumCols() {
		t.Fatalf("shape %dx%d, want %dx%d", got.NumRows(), got.NumCols(), want.NumRows(), want.NumCols())
	}
	for c := 0; c < want.NumCols(); c++ {
		for r := 0; r < want.NumRows(); r++ {
			if a, b := want.Col(c).Format(r), got.Col(c).Format(r); a != b {
				t.Fatalf("%s row %d: %q, then %q", want.Col(c).Name(), r, a, b)
			}
		}
	}
	if _, err := q.PredictEntities(es); err == nil {
		t.Error("Predict on a pipeline of features alone: no error")
	}
}

func TestRegistryPipeline(t *testing.T) {
	p, houses := housingPipeline(t)
	reg := &Registry{Root: t.TempDir()}
	ref, err := reg.Publish("housing", p)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.SetAlias("housing", "production", ref.Version); err != nil {
		t.Fatal(err)
	}
	q, err := reg.Load("housing", "production")
	if err != nil {
		t.Fatal(err)
	}
	if q.Ref() != (Ref{Name: "housing", Version: 1}) {
		t.Errorf("Ref %v", q.Ref())
	}
	one := houses.Take([]int{0})
	got, _ := q.Predict(one)
	want, _ := p.Predict(one)
	sameColumn(t, "registry", want, got)
	if _, err := os.Stat(filepath.Join(reg.Root, "housing", "1", ModelFile)); err != nil {
		t.Error(err)
	}
}

func TestPipelineErrors(t *testing.T) {
	p, houses := housingPipeline(t)
	docs := dataset.MustNew(dataset.NewString("text", []string{"aa bb", "bb cc"}, nil))
	upper := fitted(t, docs, "", &text.CountVectorizer{Preprocess: strings.ToUpper})
	cases := []struct {
		name string
		p    *pipeline.Pipeline
		want string
		is   error
	}{
		{"nil", nil, "not fitted", nil},
		{"unfitted", pipeline.New(&models.LinearRegression{}), "not fitted", nil},
		{"preprocess func", upper, "Preprocess function cannot be saved", nil},
	}
	for _, c := range cases {
		_, err := Marshal(c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	// A step of a type with no codec, and a value instead of a pointer.
	custom := assembled(t, []any{constModel{}}, pipeline.Meta{Inputs: []Field{{Name: "x", Type: "float64"}}})
	if _, err := Marshal(custom); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "persist.Register") {
		t.Errorf("unregistered step: %v", err)
	}
	// Wrong input at predict time: an error naming the column, not a panic.
	q := roundTrip(t, p)
	narrow, _ := houses.Drop("median_income")
	if _, err := q.Predict(narrow); err == nil || !strings.Contains(err.Error(), "median_income") {
		t.Errorf("missing column: %v", err)
	}
	if _, err := q.PredictProba(houses); err == nil {
		t.Error("probabilities from a linear model: no error")
	}
	path := filepath.Join(t.TempDir(), "m.kiln")
	if err := Save(path, p, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, p, SaveOptions{}); err == nil {
		t.Error("second Save without Overwrite: no error")
	}
	if err := Save(path, p, SaveOptions{Overwrite: true}); err != nil {
		t.Error(err)
	}
}

// constModel is a step type of a user's own: a model that predicts 1.
type constModel struct{}

func (constModel) Predict(x mat.Matrix) ([]float64, error) {
	r, _ := x.Dims()
	out := make([]float64, r)
	for i := range out {
		out[i] = 1
	}
	return out, nil
}

// A codec of one's own saves and loads a step type of one's own.
func TestRegisterCodec(t *testing.T) {
	type scaleParams struct {
		Factor float64 `json:"factor"`
	}
	err := Register(Codec{
		Kind: "persist_test.scaledModel",
		Step: (*scaledModel)(nil),
		Encode: func(step any, b *Bundle, name string) (any, error) {
			return scaleParams{step.(*scaledModel).Factor}, nil
		},
		Decode: func(b *Bundle, name string, raw json.RawMessage) (any, error) {
			var p scaleParams
			if err := strictJSON(raw, &p); err != nil {
				return nil, err
			}
			return &scaledModel{Factor: p.Factor}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(Codec{Kind: "persist_test.scaledModel", Step: (*constModel)(nil), Encode: func(any, *Bundle, string) (any, error) { return nil, nil },
		Decode: func(*Bundle, string, json.RawMessage) (any, error) { return nil, nil }}); err == nil {
		t.Error("a kind registered twice: no error")
	}
	data := dataset.MustNew(dataset.NewFloat64("x", []float64{1, 2, 3}, nil))
	p := assembled(t, []any{&scaledModel{Factor: 2.5}}, pipeline.Meta{Inputs: []Field{{Name: "x", Type: "float64"}}})
	q := predictionsSurvive(t, "a step of one's own", p, data)
	got, _ := q.Predict(data)
	if got.Float64s()[2] != 7.5 {
		t.Errorf("predicted %v", got.Float64s())
	}
}

// scaledModel predicts Factor times the first column.
type scaledModel struct{ Factor float64 }

func (m *scaledModel) Predict(x mat.Matrix) ([]float64, error) {
	r, _ := x.Dims()
	out := make([]float64, r)
	for i := range out {
		out[i] = m.Factor * x.At(i, 0)
	}
	return out, nil
}

// Every single-byte change of a real pipeline bundle is refused by Load.
func TestPipelineCorruptionEveryByte(t *testing.T) {
	longley, err := builtin.Longley()
	if err != nil {
		t.Fatal(err)
	}
	buf, err := Marshal(fitted(t, longley, "Employed", &models.LinearRegression{}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		bad := bytes.Clone(buf)
		bad[i] ^= 0x20
		if p, err := Unmarshal(bad); err == nil {
			t.Fatalf("byte %d flipped: loaded %v", i, p)
		}
	}
}

// TF-IDF and hashing pipelines on the embedded IMDB sample: raw text in,
// probabilities out, bit-identical after a round trip.
func TestRoundTripTfidfAndHashingPipelines(t *testing.T) {
	reviews := reviewsFrame(t)
	docsOnly, _ := reviews.Select("review")
	tfidf := pipeline.New(&text.CountVectorizer{MinDF: text.DF{Docs: 5}, StopWords: text.EnglishStopWords()},
		&text.TfidfTransformer{SublinearTF: true}, &models.LogisticRegression{C: 4})
	hashing := pipeline.New(&text.HashingVectorizer{NFeatures: 1 << 12, NGramRange: [2]int{1, 2}}, &models.LogisticRegression{C: 1})
	for name, p := range map[string]*pipeline.Pipeline{"tfidf": tfidf, "hashing": hashing} {
		p.TextColumn = "review"
		if err := p.Fit(ctx, reviews, "label"); err != nil {
			t.Fatal(err)
		}
		probabilitiesSurvive(t, name, p, docsOnly)
	}
}
