package persist

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
)

// A learner left at its defaults is saved with the values those defaults
// stand for, so that a reader in another language sees the real settings
// (C = 1, not 0). The values are the learners' own: a pipeline rebuilt from
// the loaded steps' settings (Clone) and fitted on the same rows predicts
// the same bits as the original.
func TestParamsHoldEffectiveValues(t *testing.T) {
	iris := irisFrame(t)
	numbers, _ := iris.Drop("Species")
	rows := make([]int, 200)
	for i := range rows {
		rows[i] = i * 24 // both classes of the IMDB sample
	}
	reviews := reviewsFrame(t).Take(rows)
	cases := []struct {
		name   string
		data   *dataset.Frame
		target string
		steps  []any
		want   map[string]string // step name -> the params it must hold (a subset, as JSON)
	}{
		{"logistic", iris, "Species", []any{&models.LogisticRegression{}},
			map[string]string{"logisticregression": `{"c": 1, "max_iter": 100, "tol": 1e-4, "penalty": "l2",
				"solver": "auto", "fitted_solver": "newton", "ftol": 2.220446049250313e-09}`}},
		{"lbfgs", iris, "Species", []any{&models.LogisticRegression{Solver: models.LBFGS, MaxIter: 1000}},
			map[string]string{"logisticregression": `{"solver": "lbfgs", "fitted_solver": "lbfgs"}`}},
		{"glm", numbers, "Sepal.Length", []any{&models.GLM{}},
			map[string]string{"glm": `{"family": "gaussian", "link": "identity", "max_iter": 25, "tol": 1e-8, "no_intercept": false}`}},
		{"k-means", numbers, "", []any{&cluster.KMeans{K: 3, Seed: 1}},
			map[string]string{"kmeans": `{"init": "k-means++", "n_init": 10, "max_iter": 300, "tol": 1e-4, "algorithm": "lloyd"}`}},
		{"mini-batch k-means", numbers, "", []any{&cluster.MiniBatchKMeans{K: 3, Seed: 1}},
			map[string]string{"minibatchkmeans": `{"init": "k-means++", "n_init": 3, "batch_size": 1024, "init_size": 3072,
				"max_iter": 100, "tol": 0, "max_no_improvement": 10, "reassignment_ratio": 0.01}`}},
		{"mini-batch k-means, stopping rules off", numbers, "", []any{&cluster.MiniBatchKMeans{K: 3, Seed: 1, MaxNoImprovement: -1, ReassignmentRatio: -1}},
			map[string]string{"minibatchkmeans": `{"max_no_improvement": 0, "reassignment_ratio": 0}`}},
		{"k-means, zero tolerance", numbers, "", []any{&cluster.KMeans{K: 3, Seed: 1, Tol: -1}},
			map[string]string{"kmeans": `{"tol": 0}`}},
		{"bag of words", reviews, "sentiment", []any{&text.CountVectorizer{}, &text.TfidfTransformer{}, &models.LogisticRegression{}},
			map[string]string{"countvectorizer": `{"min_df": {"Docs": 1, "Fraction": 0}, "max_df": {"Docs": 0, "Fraction": 1}, "ngram_range": [1, 1], "decode_errors": "strict"}`,
				"tfidftransformer": `{"norm": "l2"}`}},
		{"hashing", reviews, "", []any{&text.HashingVectorizer{}},
			map[string]string{"hashingvectorizer": `{"n_features": 1048576, "ngram_range": [1, 1], "norm": "l2"}`}},
		{"sparse least squares", reviews, "sentiment", []any{&text.CountVectorizer{MinDF: text.DF{Docs: 20}}, &models.LinearRegression{}},
			map[string]string{"linearregression": `{"tol": 1e-12, "alpha": 0}`}},
	}
	for _, c := range cases {
		p := pipeline.New(c.steps...)
		if c.data == reviews {
			p.TextColumn = "review"
		}
		if err := p.Fit(ctx, c.data, c.target); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		buf, err := Marshal(p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, err := Decode(buf)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range b.Manifest.Steps {
			want, ok := c.want[st.Name]
			if !ok {
				continue
			}
			var got, w map[string]any
			if err := json.Unmarshal(st.Params, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(want), &w); err != nil {
				t.Fatal(err)
			}
			for k, v := range w {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s: %s.%s = %v, want %v", c.name, st.Name, k, got[k], v)
				}
			}
			if st.Name == "linearregression" {
				terms := b.Tensors["countvectorizer.vocabulary.offsets"].Shape[0] - 1
				if got["max_iter"] != float64(max(1000, 10*terms)) {
					t.Errorf("%s: max_iter = %v for %d features, want max(1000, 10 x features)", c.name, got["max_iter"], terms)
				}
			}
		}
		// The saved settings, fitted again, are the defaults they replace.
		q, err := Unmarshal(buf)
		if err != nil {
			t.Fatal(err)
		}
		again := q.Clone()
		if err := again.Fit(ctx, c.data, c.target); err != nil {
			t.Fatalf("%s: refit from saved settings: %v", c.name, err)
		}
		if p.Outputs().Kind == pipeline.Features {
			want, err := p.Transform(c.data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := again.Transform(c.data)
			if err != nil {
				t.Fatal(err)
			}
			w, g := want.(*sparse.CSR).RawMatrix(), got.(*sparse.CSR).RawMatrix()
			if !slices.Equal(w.Indptr, g.Indptr) || !slices.Equal(w.Ind, g.Ind) || !slices.Equal(w.Data, g.Data) {
				t.Errorf("%s: features changed when refit from the saved settings", c.name)
			}
		} else {
			want, err := p.Predict(c.data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := again.Predict(c.data)
			if err != nil {
				t.Fatal(err)
			}
			sameColumn(t, c.name+": refit from the saved settings", want, got)
		}
		if pp, err := p.PredictProba(c.data); err == nil {
			qp, err := again.PredictProba(c.data)
			if err != nil {
				t.Fatal(err)
			}
			sameDense(t, c.name+": probabilities refit from the saved settings", pp, qp)
		}
		resaved, err := Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := Decode(resaved)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range rb.Manifest.Steps {
			if string(withoutIterations(t, st.Params)) != string(withoutIterations(t, b.Manifest.Steps[i].Params)) {
				t.Errorf("%s: step %s params changed on a refit: %s, then %s", c.name, st.Name, b.Manifest.Steps[i].Params, st.Params)
			}
		}
	}
}

// withoutIterations drops what a fit learns (and the pipeline settings) from
// params, keeping the settings.
func withoutIterations(t *testing.T, raw json.RawMessage) []byte {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"iterations", "converged", "inertia", "steps", "rank"} {
		delete(m, k)
	}
	out, _ := json.Marshal(m)
	return out
}

// Bundles of format 1.0 wrote a zero for a default; they still mean it.
func TestFormat10ZerosMeanDefaults(t *testing.T) {
	for _, c := range []struct {
		file  string
		check func(step any) bool
	}{
		{"logistic_v1.0.kiln", func(s any) bool { m := s.(*models.LogisticRegression); return m.C == 0 && m.MaxIter == 0 && m.Tol == 0 }},
		{"text_v1.0.kiln", func(s any) bool {
			cv := s.(*text.CountVectorizer)
			return cv.NGramRange == [2]int{} && cv.MinDF == text.DF{}
		}},
	} {
		p, err := Load("testdata/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !c.check(p.Steps[0]) {
			t.Errorf("%s: %+v", c.file, p.Steps[0])
		}
	}
}
