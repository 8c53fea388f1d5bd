package pipeline_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
)

var ctx = context.Background()

var housingColumns = []string{"longitude", "latitude", "housing_median_age", "total_rooms",
	"total_bedrooms", "population", "households", "median_income"}

func housing(t testing.TB) *dataset.Frame {
	f, err := builtin.CaliforniaHousing()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func housingPipeline() *pipeline.Pipeline {
	return pipeline.New(
		&features.Table{Numeric: housingColumns, Categorical: []string{"ocean_proximity"}, Impute: features.ImputeMedian, DropFirst: true},
		&models.LinearRegression{},
	)
}

// Fitting the pipeline gives exactly the model of fitting its steps by hand,
// and records what a scoring service needs.
func TestFitMatchesStepsByHand(t *testing.T) {
	houses := housing(t)
	p := housingPipeline()
	if err := p.Fit(ctx, houses, "median_house_value"); err != nil {
		t.Fatal(err)
	}
	enc := &features.Table{Numeric: housingColumns, Categorical: []string{"ocean_proximity"}, Impute: features.ImputeMedian, DropFirst: true}
	if err := enc.Fit(ctx, houses); err != nil {
		t.Fatal(err)
	}
	x, _ := enc.Transform(houses)
	y, _ := houses.Column("median_house_value")
	lr := &models.LinearRegression{}
	if err := lr.Fit(ctx, x, y.Float64s()); err != nil {
		t.Fatal(err)
	}
	want, _ := lr.Predict(x)
	got, err := p.Predict(houses)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name() != "median_house_value" || got.Type() != dataset.Float64 {
		t.Fatalf("prediction column %s %s", got.Name(), got.Type())
	}
	for i, v := range got.Float64s() {
		if math.Float64bits(v) != math.Float64bits(want[i]) {
			t.Fatalf("row %d: %v in the pipeline, %v by hand", i, v, want[i])
		}
	}
	// What Fit records.
	in := p.Inputs()
	if len(in) != 9 || in[0] != (pipeline.Field{Name: "longitude", Type: "float64"}) || in[8] != (pipeline.Field{Name: "ocean_proximity", Type: "string"}) {
		t.Errorf("inputs %v", in)
	}
	if out := p.Outputs(); out.Name != "median_house_value" || out.Kind != pipeline.Values || out.Type != "float64" || out.Classes != nil {
		t.Errorf("outputs %+v", out)
	}
	if p.Lineage.Rows != 20640 || !strings.HasPrefix(p.Lineage.DataFingerprint, "sha256:") || p.Lineage.Created.IsZero() {
		t.Errorf("lineage %+v", p.Lineage)
	}
	if r2, err := lr.Score(x, y.Float64s()); err != nil || p.Metrics["train_r2"] != r2 {
		t.Errorf("train R2 %v, by hand %v (%v)", p.Metrics["train_r2"], r2, err)
	}
	if names := p.StepNames(); strings.Join(names, ",") != "table,linearregression" {
		t.Errorf("names %v", names)
	}
}

// The fingerprint depends on the training rows' inputs and target only.
func TestFingerprint(t *testing.T) {
	houses := housing(t)
	fp := func(f *dataset.Frame) string {
		p := housingPipeline()
		if err := p.Fit(ctx, f, "median_house_value"); err != nil {
			t.Fatal(err)
		}
		return p.Lineage.DataFingerprint
	}
	a := fp(houses)
	if b := fp(houses); a != b {
		t.Errorf("the same rows gave %s and %s", a, b)
	}
	fewer, _ := houses.Slice(0, 20000)
	if b := fp(fewer); a == b {
		t.Error("fewer rows, same fingerprint")
	}
}

// Class labels of every type come back as the target's type; the model sees
// codes in sorted label order.
func TestLabelsOfEveryType(t *testing.T) {
	iris, err := builtin.Iris()
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(&models.LogisticRegression{C: 1, MaxIter: 1000})
	if err := p.Fit(ctx, iris, "Species"); err != nil {
		t.Fatal(err)
	}
	classes := p.Classes()
	if classes.Type() != dataset.String || classes.Len() != 3 || classes.StringAt(0) != "setosa" || classes.StringAt(2) != "virginica" {
		t.Fatalf("classes %v", classes)
	}
	pred, err := p.Predict(iris)
	if err != nil {
		t.Fatal(err)
	}
	species, _ := iris.Column("Species")
	right := 0
	for i := 0; i < pred.Len(); i++ {
		if pred.StringAt(i) == species.StringAt(i) {
			right++
		}
	}
	// scikit-learn 1.2.1: LogisticRegression(C=1, max_iter=1000).fit(X, y).score(X, y) on iris
	// = 0.9733333333333334 (126 iterations).
	if acc := float64(right) / 150; math.Abs(acc-0.9733333333333334) > 1e-12 || math.Abs(p.Metrics["train_accuracy"]-acc) > 1e-12 {
		t.Errorf("accuracy %v (recorded %v)", acc, p.Metrics["train_accuracy"])
	}
	proba, _ := p.PredictProba(iris)
	if r, c := proba.Dims(); r != 150 || c != 3 {
		t.Errorf("probabilities %dx%d", r, c)
	}

	// A bool target: virginica or not.
	isVirginica := make([]bool, iris.NumRows())
	for i := range isVirginica {
		isVirginica[i] = species.StringAt(i) == "virginica"
	}
	numbers, _ := iris.Drop("Species")
	withBool, _ := numbers.WithColumn(dataset.NewBool("virginica", isVirginica, nil))
	b := pipeline.New(&models.LogisticRegression{C: 1, MaxIter: 1000})
	if err := b.Fit(ctx, withBool, "virginica"); err != nil {
		t.Fatal(err)
	}
	bp, _ := b.Predict(withBool)
	if bp.Type() != dataset.Bool || bp.Bools()[0] || !bp.Bools()[149] {
		t.Errorf("bool predictions %v", bp)
	}
}

func TestFitErrors(t *testing.T) {
	houses := housing(t)
	iris, _ := builtin.Iris()
	nan := houses.Take([]int{0, 1, 2})
	v, _ := nan.Column("median_house_value")
	vals := append([]float64(nil), v.Float64s()...)
	vals[1] = math.NaN()
	nan, _ = nan.WithColumn(dataset.NewFloat64("median_house_value", vals, nil))
	cases := []struct {
		name   string
		p      *pipeline.Pipeline
		data   *dataset.Frame
		target string
		want   string
		is     error
	}{
		{"no steps", pipeline.New(), houses, "median_house_value", "no steps", kiln.ErrConfig},
		{"no rows", housingPipeline(), houses.Take(nil), "median_house_value", "no rows", kiln.ErrEmpty},
		{"model before encoder", pipeline.New(&models.LinearRegression{}, &features.Table{Numeric: housingColumns}), houses, "median_house_value", "only predicts", kiln.ErrConfig},
		{"value, not pointer", pipeline.New(models.LinearRegression{}), houses, "median_house_value", "pass a pointer", nil},
		{"not a step", pipeline.New(42), houses, "", "not a kiln step", nil},
		{"target as input", pipeline.New(&features.Table{Numeric: []string{"median_income", "median_house_value"}}, &models.LinearRegression{}), houses, "median_house_value", "its own answer", kiln.ErrConfig},
		{"no target", housingPipeline(), houses, "", "name its column", kiln.ErrConfig},
		{"missing target", housingPipeline(), houses, "price", "price", nil},
		{"string target for a regression", pipeline.New(&models.LinearRegression{}), iris, "Species", "not a number", nil},
		{"NaN target", housingPipeline(), nan, "median_house_value", "row 1", kiln.ErrNonFinite},
		{"k-means with a target", pipeline.New(&cluster.KMeans{K: 2}), iris, "Species", "learns without a target", kiln.ErrConfig},
		{"model on strings", pipeline.New(&models.LinearRegression{}), houses, "median_house_value", "ocean_proximity", kiln.ErrConfig},
		{"unknown preprocessor", &pipeline.Pipeline{Steps: []any{&text.CountVectorizer{}, &models.LogisticRegression{}}, TextColumn: "ocean_proximity", TextPreprocess: "nope"}, houses, "median_house_value", `"nope" is not registered`, kiln.ErrConfig},
	}
	for _, c := range cases {
		err := c.p.Fit(ctx, c.data, c.target)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := housingPipeline().Predict(houses); !errors.Is(err, kiln.ErrNotFitted) {
		t.Errorf("Predict before Fit: %v", err)
	}
}

func TestSetAndClone(t *testing.T) {
	p := pipeline.New(&features.Table{Numeric: []string{"a"}}, &features.Table{Numeric: []string{"b"}}, &models.LogisticRegression{})
	if got := strings.Join(p.StepNames(), ","); got != "table-1,table-2,logisticregression" {
		t.Errorf("names %s", got)
	}
	if err := p.Set("logisticregression.C", 10); err != nil { // an int where a float64 goes: exact, accepted
		t.Fatal(err)
	}
	if err := p.Set("table-2.Scale", true); err != nil {
		t.Fatal(err)
	}
	if p.Steps[2].(*models.LogisticRegression).C != 10 || !p.Steps[1].(*features.Table).Scale {
		t.Error("Set did not set")
	}
	for _, bad := range []struct {
		param string
		value any
	}{{"C", 1.0}, {"table.Scale", true}, {"logisticregression.c", 1.0}, {"logisticregression.C", "one"},
		{"logisticregression.MaxIter", 2.5}, {"logisticregression.classes", nil}} {
		if err := p.Set(bad.param, bad.value); !errors.Is(err, kiln.ErrConfig) {
			t.Errorf("Set(%q, %v): %v", bad.param, bad.value, err)
		}
	}
	houses := housing(t)
	fitted := housingPipeline()
	if err := fitted.Fit(ctx, houses, "median_house_value"); err != nil {
		t.Fatal(err)
	}
	clone := fitted.Clone()
	if clone.Fitted() {
		t.Error("a clone is fitted")
	}
	if _, err := clone.Predict(houses); !errors.Is(err, kiln.ErrNotFitted) {
		t.Errorf("clone predicts: %v", err)
	}
	if err := clone.Set("linearregression.Alpha", 1e6); err != nil {
		t.Fatal(err)
	}
	if err := clone.Fit(ctx, houses.Take([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}), "median_house_value"); err != nil {
		t.Fatal(err)
	}
	if fitted.Steps[1].(*models.LinearRegression).Alpha != 0 || fitted.Lineage.Rows != 20640 {
		t.Error("fitting the clone changed the original")
	}
}

// The population stability index of the training rows against their own
// profile is 0; a shifted income distribution is a significant shift.
func TestProfileAndPSI(t *testing.T) {
	houses := housing(t)
	p := housingPipeline()
	if err := p.Fit(ctx, houses, "median_house_value"); err != nil {
		t.Fatal(err)
	}
	var income, ocean pipeline.InputProfile
	for _, ip := range p.Profile() {
		switch ip.Name {
		case "median_income":
			income = ip
		case "ocean_proximity":
			ocean = ip
		}
	}
	if len(income.Edges) != 9 || len(income.Fractions) != 10 || ocean.Levels[0] != "<1H OCEAN" || len(ocean.Fractions) != 6 {
		t.Fatalf("profiles %+v %+v", income, ocean)
	}
	if seen, checked := ocean.Seen("ISLAND"); !seen || !checked {
		t.Error("ISLAND, seen in training, is reported unseen")
	}
	if seen, checked := ocean.Seen("MARS"); seen || !checked {
		t.Error("MARS is reported seen")
	}
	if _, checked := income.Seen("3.5"); checked {
		t.Error("a numeric column claims to check seen values")
	}
	col, _ := houses.Column("median_income")
	same := make([]float64, income.NumBins())
	shifted := make([]float64, income.NumBins())
	for i := 0; i < col.Len(); i++ {
		v, _ := col.FloatAt(i)
		same[income.BinNumber(v)]++
		shifted[income.BinNumber(v*1.5)]++
	}
	if psi := income.PSI(same); psi > 1e-12 {
		t.Errorf("PSI of the training rows %v", psi)
	}
	if psi := income.PSI(shifted); psi < 0.25 {
		t.Errorf("PSI of incomes x1.5: %v", psi)
	}
	if !math.IsNaN(income.PSI(make([]float64, income.NumBins()))) {
		t.Error("PSI of no values is not NaN")
	}
}

// After Fit, a pipeline scores from many goroutines at once (run with -race).
func TestConcurrentPredict(t *testing.T) {
	houses := housing(t)
	p := housingPipeline()
	if err := p.Fit(ctx, houses, "median_house_value"); err != nil {
		t.Fatal(err)
	}
	want, _ := p.Predict(houses.Take([]int{5}))
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				got, err := p.Predict(houses.Take([]int{5}))
				if err != nil || got.Float64s()[0] != want.Float64s()[0] {
					t.Errorf("concurrent predict: %v %v", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
