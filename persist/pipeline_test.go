package persist

import (
	"bytes"
	"context"
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
	"gonum.org/v1/gonum/mat"
)

// roundTrip saves p to a file, loads it back and returns the loaded pipeline.
func roundTrip(t *testing.T, p *Pipeline) *Pipeline {
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

// predictionsSurvive checks that p predicts the same bits on input before
// and after a save and load, and returns the loaded pipeline.
func predictionsSurvive(t *testing.T, what string, p *Pipeline, input any) *Pipeline {
	t.Helper()
	want, err := p.Predict(input)
	if err != nil {
		t.Fatal(err)
	}
	q := roundTrip(t, p)
	got, err := q.Predict(input)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, what, want, got)
	return q
}

// probabilitiesSurvive is predictionsSurvive for class probabilities.
func probabilitiesSurvive(t *testing.T, what string, p *Pipeline, input any) (*Pipeline, *mat.Dense) {
	t.Helper()
	want, err := p.PredictProba(input)
	if err != nil {
		t.Fatal(err)
	}
	q := roundTrip(t, p)
	got, err := q.PredictProba(input)
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

func sameDense(t *testing.T, what string, a, b *mat.Dense) {
	t.Helper()
	sameBits(t, what, a.RawMatrix().Data, b.RawMatrix().Data)
}

// housingPipeline fits the California housing regression of the models
// issue (complete rows, ocean_proximity one-hot with the first level dropped)
// as a pipeline from raw rows.
func housingPipeline(t testing.TB) (*Pipeline, *dataset.Frame) {
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
	if err := enc.Fit(context.Background(), houses); err != nil {
		t.Fatal(err)
	}
	x, err := enc.Transform(houses)
	if err != nil {
		t.Fatal(err)
	}
	yc, _ := houses.Column("median_house_value")
	lr := &models.LinearRegression{}
	if err := lr.Fit(context.Background(), x, yc.Float64s()); err != nil {
		t.Fatal(err)
	}
	inputs, err := FieldsOf(houses.Schema())
	if err != nil {
		t.Fatal(err)
	}
	return &Pipeline{Steps: []any{enc, lr}, Inputs: inputs, Outputs: Outputs{Name: "median_house_value"},
		Lineage: Lineage{Rows: houses.NumRows()}}, houses
}

func TestRoundTripHousingPipeline(t *testing.T) {
	p, houses := housingPipeline(t)
	q := predictionsSurvive(t, "California housing", p, houses)
	if len(q.Inputs) != 10 || q.Inputs[9] != (Field{"ocean_proximity", "string"}) {
		t.Errorf("inputs %v", q.Inputs)
	}
	if q.Lineage.Rows != 20640 || q.Lineage.Library != LibraryVersion || q.Lineage.Created.IsZero() {
		t.Errorf("lineage %+v", q.Lineage)
	}
}

// The IMDB text pipeline on the embedded 5,000-review sample: binary bag of
// words (MinDF=10, MaxDF=0.1) into a logistic regression, raw text in.
func textPipeline(t testing.TB) (*Pipeline, []string) {
	reviews, err := builtin.IMDBSample()
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := reviews.Column("review")
	sc, _ := reviews.Column("sentiment")
	docs := rc.Strings()
	clean := make([]string, len(docs))
	for i, d := range docs {
		clean[i] = strings.ReplaceAll(d, "<br />", " ")
	}
	cv := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true}
	x, err := cv.FitTransform(context.Background(), clean)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(docs))
	for i, v := range sc.Int64s() {
		y[i] = float64(v)
	}
	lr := &models.LogisticRegression{C: 1}
	if err := lr.Fit(context.Background(), x, y); err != nil {
		t.Fatal(err)
	}
	return &Pipeline{Steps: []any{cv, lr}, TextPreprocess: "br_to_space",
		Inputs: []Field{{"review", "string"}}, Outputs: Outputs{Name: "sentiment", Classes: lr.Classes()}}, docs
}

func TestRoundTripTextPipeline(t *testing.T) {
	p, docs := textPipeline(t)
	q, want := probabilitiesSurvive(t, "IMDB probabilities", p, docs)
	labels, err := q.Predict(docs[:3])
	if err != nil || len(labels) != 3 {
		t.Fatalf("labels %v %v", labels, err)
	}
	// A Frame with the text column works the same.
	frame := dataset.MustNew(dataset.NewString("review", docs[:50], nil))
	fromFrame, err := q.PredictProba(frame)
	if err != nil {
		t.Fatal(err)
	}
	head := mat.DenseCopyOf(want.Slice(0, 50, 0, 2))
	sameDense(t, "IMDB probabilities from a Frame", head, fromFrame)
}

func irisMatrix(t testing.TB) *mat.Dense {
	iris, err := builtin.Iris()
	if err != nil {
		t.Fatal(err)
	}
	x, err := iris.ToDense("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// distancer is what both k-means models offer: distances to each centre.
type distancer interface {
	Transform(mat.Matrix) (*mat.Dense, error)
}

func TestRoundTripKMeans(t *testing.T) {
	x := irisMatrix(t)
	km := &cluster.KMeans{K: 3, NInit: 10, Seed: 1}
	if err := km.Fit(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	mb := &cluster.MiniBatchKMeans{K: 3, Seed: 1}
	if err := mb.Fit(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	for _, m := range []any{km, mb} {
		q := predictionsSurvive(t, "iris clusters", &Pipeline{Steps: []any{m}}, x)
		tr1, _ := m.(distancer).Transform(x)
		tr2, _ := q.Steps[0].(distancer).Transform(x)
		sameDense(t, "iris distances", tr1, tr2)
	}
	loaded := roundTrip(t, &Pipeline{Steps: []any{km}}).Steps[0].(*cluster.KMeans)
	if loaded.Inertia() != km.Inertia() || loaded.Iterations() != km.Iterations() {
		t.Errorf("inertia %v iterations %d, want %v %d", loaded.Inertia(), loaded.Iterations(), km.Inertia(), km.Iterations())
	}
}

func TestRoundTripMultinomialLogistic(t *testing.T) {
	x := irisMatrix(t)
	iris, _ := builtin.Iris()
	sp, _ := iris.Column("Species")
	y := make([]float64, iris.NumRows())
	for i := range y {
		y[i] = float64(map[string]int{"setosa": 0, "versicolor": 1, "virginica": 2}[sp.StringAt(i)])
	}
	lr := &models.LogisticRegression{C: 1, ClassWeight: map[float64]float64{2: 1.5}}
	if err := lr.Fit(context.Background(), x, y); err != nil {
		t.Fatal(err)
	}
	q, _ := probabilitiesSurvive(t, "iris multinomial", &Pipeline{Steps: []any{lr}}, x)
	if w := q.Steps[0].(*models.LogisticRegression).ClassWeight[2]; w != 1.5 {
		t.Errorf("class weight restored as %v", w)
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
	want, defs, err := dfs.DFS{Target: "planes", MaxDepth: 1, Aggregations: []string{"count", "mean", "max", "mode"}}.Run(context.Background(), es, dfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := roundTrip(t, &Pipeline{Steps: []any{defs}})
	out, err := q.Transform(es)
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
	if _, err := q.Predict(es); err == nil {
		t.Error("Predict on a pipeline of features alone: no error")
	}
}

func TestFieldsOf(t *testing.T) {
	s := dataset.Schema{{Name: "a", Type: dataset.Float64}, {Name: "b", Type: dataset.String}}
	got, err := FieldsOf(s, "b")
	if err != nil || len(got) != 1 || got[0] != (Field{"b", "string"}) {
		t.Errorf("FieldsOf(b) = %v, %v", got, err)
	}
	if _, err := FieldsOf(s, "c"); err == nil {
		t.Error("missing column: no error")
	}
}

func TestRegistryPipeline(t *testing.T) {
	p, houses := housingPipeline(t)
	reg := &Registry{Root: t.TempDir()}
	ref, err := reg.PublishPipeline("housing", p)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.SetAlias("housing", "production", ref.Version); err != nil {
		t.Fatal(err)
	}
	q, err := reg.LoadPipeline("housing", "production")
	if err != nil {
		t.Fatal(err)
	}
	if q.Ref() != (Ref{"housing", 1}) {
		t.Errorf("Ref %v", q.Ref())
	}
	got, _ := q.Predict(houses.Take([]int{0}))
	want, _ := p.Predict(houses.Take([]int{0}))
	sameBits(t, "registry", want, got)
	if _, err := os.Stat(filepath.Join(reg.Root, "housing", "1", ModelFile)); err != nil {
		t.Error(err)
	}
}

func TestPipelineErrors(t *testing.T) {
	p, houses := housingPipeline(t)
	cv := &text.CountVectorizer{Preprocess: strings.ToUpper}
	cv.Fit(context.Background(), []string{"aa bb", "bb cc"})
	km := &cluster.KMeans{K: 1}
	km.Fit(context.Background(), mat.NewDense(2, 1, []float64{1, 2}))
	cases := []struct {
		name string
		p    *Pipeline
		want string
	}{
		{"empty", &Pipeline{}, "no steps"},
		{"unsupported step", &Pipeline{Steps: []any{42}}, "cannot save a step of type int"},
		{"unfitted", &Pipeline{Steps: []any{&models.LinearRegression{}}}, "step 0"},
		{"preprocess func", &Pipeline{Steps: []any{cv}}, "Preprocess function cannot be saved"},
		{"unknown preprocessor", &Pipeline{Steps: p.Steps, TextPreprocess: "nope"}, `"nope" is not registered`},
	}
	for _, c := range cases {
		_, err := Marshal(c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	// Steps that do not chain are refused at load.
	buf, err := Marshal(&Pipeline{Steps: []any{km, p.Steps[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Unmarshal(buf); err == nil || !strings.Contains(err.Error(), "cannot take the output") {
		t.Errorf("broken chain: %v", err)
	}
	// Wrong input at predict time: an error, not a panic.
	q := roundTrip(t, p)
	if _, err := q.Predict([]string{"text"}); err == nil {
		t.Error("documents into a table pipeline: no error")
	}
	narrow, _ := houses.Drop("median_income")
	if _, err := q.Predict(narrow); err == nil || !strings.Contains(err.Error(), "median_income") {
		t.Errorf("missing column: %v", err)
	}
	if _, err := q.PredictProba(houses); err == nil {
		t.Error("probabilities from a linear model: no error")
	}
	path := filepath.Join(t.TempDir(), "m.kiln")
	Save(path, p, SaveOptions{})
	if err := Save(path, p, SaveOptions{}); err == nil {
		t.Error("second Save without Overwrite: no error")
	}
	if err := Save(path, p, SaveOptions{Overwrite: true}); err != nil {
		t.Error(err)
	}
}

// Every single-byte change of a real pipeline bundle is refused by Load.
func TestPipelineCorruptionEveryByte(t *testing.T) {
	longley, err := builtin.Longley()
	if err != nil {
		t.Fatal(err)
	}
	x, _ := longley.ToDense("GNP.deflator", "GNP", "Unemployed", "Armed.Forces", "Population", "Year")
	yc, _ := longley.Column("Employed")
	lr := &models.LinearRegression{}
	if err := lr.Fit(context.Background(), x, yc.Float64s()); err != nil {
		t.Fatal(err)
	}
	buf, err := Marshal(&Pipeline{Steps: []any{lr}})
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
	reviews, err := builtin.IMDBSample()
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := reviews.Column("review")
	sc, _ := reviews.Column("sentiment")
	docs := rc.Strings()
	y := make([]float64, len(docs))
	for i, v := range sc.Int64s() {
		y[i] = float64(v)
	}
	cv := &text.CountVectorizer{MinDF: text.DF{Docs: 5}, StopWords: text.EnglishStopWords()}
	counts, err := cv.FitTransform(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	tfidf := &text.TfidfTransformer{SublinearTF: true}
	xt, err := tfidf.FitTransform(context.Background(), counts)
	if err != nil {
		t.Fatal(err)
	}
	lr1 := &models.LogisticRegression{C: 4}
	if err := lr1.Fit(context.Background(), xt, y); err != nil {
		t.Fatal(err)
	}
	hv := &text.HashingVectorizer{NFeatures: 1 << 12, NGramRange: [2]int{1, 2}}
	xh, err := hv.Transform(docs)
	if err != nil {
		t.Fatal(err)
	}
	lr2 := &models.LogisticRegression{C: 1}
	if err := lr2.Fit(context.Background(), xh, y); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*Pipeline{
		"tfidf":   {Steps: []any{cv, tfidf, lr1}},
		"hashing": {Steps: []any{hv, lr2}},
	} {
		probabilitiesSurvive(t, name, p, docs)
	}
}
