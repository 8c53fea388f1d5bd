package selection_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/selection"
	"github.com/kiln-ml/kiln/pipeline"
)

// breastCancer returns the 569 rows of the Wisconsin breast cancer data, the
// names of its 30 measurements, and scikit-learn's non-shuffled stratified
// 5-fold splits of its target.
func breastCancer(t *testing.T) (*dataset.Frame, []string, []selection.Split) {
	t.Helper()
	bc, err := builtin.BreastCancer()
	if err != nil {
		t.Fatal(err)
	}
	var measures []string
	for _, n := range bc.Names() {
		if n != "target" && n != "target_name" {
			measures = append(measures, n)
		}
	}
	folds, err := bc.StratifiedKFold(5, "target", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	return bc, measures, folds
}

// scaledLogistic is scikit-learn's make_pipeline(StandardScaler(),
// LogisticRegression(C=1, tol=1e-10, max_iter=10000)).
func scaledLogistic(measures []string) *pipeline.Pipeline {
	return pipeline.New(
		&features.Table{Numeric: measures, Scale: true},
		// scikit-learn's solver, so that the folds stop where scikit-learn's do
		// (its relative-reduction test, a few 1e-6 short of the optimum).
		&models.LogisticRegression{Solver: models.LBFGS, C: 1, Tol: 1e-10, MaxIter: 10000},
	)
}

// Cross-validation fits the scaler inside each fold. scikit-learn 1.2.1:
//
//	cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(C=1, tol=1e-10,
//	    max_iter=10000)), X, y, cv=5, scoring='neg_log_loss')
//
// on load_breast_cancer gives the fold scores below (mean -0.08114965899779972);
// with the labels as the strings "benign"/"malignant" it gives the same.
// Scaling fitted on all rows first leaks the test folds' means and variances
// into training and gives a mean of -0.07972717674824059 instead.
func TestCrossValidatePipelineIsLeakFree(t *testing.T) {
	bc, measures, folds := breastCancer(t)
	want := []float64{-0.08391208930080502, -0.08014557746549411, -0.08874834280728838, -0.10097629821219978, -0.051965987203211314}
	for _, target := range []string{"target", "target_name"} {
		p := scaledLogistic(measures)
		got, err := selection.CrossValidatePipeline(context.Background(), p, bc, target, folds, selection.PipelineNegLogLoss, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Errorf("%s: fold %d: %.12f, scikit-learn %.12f", target, i, got[i], want[i])
			}
		}
		if p.Fitted() {
			t.Error("cross-validation fitted the caller's pipeline")
		}
	}

	// The leaky way: the scaler sees every row, then only the model is
	// cross-validated.
	scaler := &features.Table{Numeric: measures, Scale: true}
	if err := scaler.Fit(context.Background(), bc); err != nil {
		t.Fatal(err)
	}
	x, err := scaler.Transform(bc)
	if err != nil {
		t.Fatal(err)
	}
	scaled, err := dataset.FromDense(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := bc.Column("target")
	if scaled, err = scaled.WithColumn(target); err != nil {
		t.Fatal(err)
	}
	leaky, err := selection.CrossValidatePipeline(context.Background(),
		pipeline.New(&models.LogisticRegression{C: 1, Tol: 1e-10, MaxIter: 10000}), scaled, "target", folds, selection.PipelineNegLogLoss, 0)
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for _, v := range leaky {
		mean += v / float64(len(leaky))
	}
	if math.Abs(mean-(-0.07972717674824059)) > 1e-6 {
		t.Errorf("leaky mean %.12f, scikit-learn -0.07972717674824059", mean)
	}
}

// A grid search over C, scored like scikit-learn 1.2.1's
//
//	GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(tol=1e-10, max_iter=10000)),
//	    {"logisticregression__C": [0.1, 1, 10]}, cv=5, scoring="neg_log_loss")
//
// whose mean_test_score is [-0.09790542291964166, -0.08114965899779947,
// -0.13242815712038097] (best_index_ 1); the same for 1 and 4 workers.
func TestPipelineSearchMatchesScikitLearn(t *testing.T) {
	bc, measures, folds := breastCancer(t)
	want := []float64{-0.09790542291964166, -0.08114965899779947, -0.13242815712038097}
	var first *selection.PipelineSearchResult
	for _, workers := range []int{1, 4} {
		s := selection.PipelineSearch{
			Pipeline: scaledLogistic(measures),
			Grid:     map[string][]any{"logisticregression.C": {0.1, 1, 10}},
			Splits:   folds,
			Score:    selection.PipelineNegLogLoss,
			Workers:  workers,
			Refit:    true,
		}
		res, err := s.Run(context.Background(), bc, "target_name")
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(res.Mean[i]-want[i]) > 1e-6 {
				t.Errorf("C=%v: mean %.12f, scikit-learn %.12f", res.Candidates[i]["logisticregression.C"], res.Mean[i], want[i])
			}
		}
		if res.Best != 1 || res.BestPipeline == nil || res.BestPipeline.Steps[1].(*models.LogisticRegression).C != 1 {
			t.Errorf("best %d, refit %v", res.Best, res.BestPipeline)
		}
		if first == nil {
			first = res
		} else {
			for c := range res.FoldScores {
				if !slices.Equal(res.FoldScores[c], first.FoldScores[c]) {
					t.Errorf("candidate %d: %v with 4 workers, %v with 1", c, res.FoldScores[c], first.FoldScores[c])
				}
			}
		}
	}
}

func TestPipelineSearchCandidatesAndErrors(t *testing.T) {
	bc, measures, folds := breastCancer(t)
	s := selection.PipelineSearch{
		Pipeline: scaledLogistic(measures),
		Grid:     map[string][]any{"logisticregression.C": {0.5, 2.0}, "table.Scale": {false, true}},
		Splits:   folds[:2],
	}
	res, err := s.Run(context.Background(), bc, "target")
	if err != nil {
		t.Fatal(err)
	}
	// ParameterGrid's order: names sorted, the last changing fastest.
	wantOrder := [][2]any{{0.5, false}, {0.5, true}, {2.0, false}, {2.0, true}}
	for i, c := range res.Candidates {
		if c["logisticregression.C"] != wantOrder[i][0] || c["table.Scale"] != wantOrder[i][1] {
			t.Errorf("candidate %d: %v", i, c)
		}
	}
	bad := []map[string][]any{
		{"logisticregression.Nope": {1}},
		{"nosuchstep.C": {1}},
		{"logisticregression.C": {"one"}},
		{"logisticregression.C": {}},
	}
	for _, g := range bad {
		s.Grid = g
		if _, err := s.Run(context.Background(), bc, "target"); err == nil {
			t.Errorf("grid %v: no error", g)
		}
	}
	s.Grid = nil
	s.Splits = []selection.Split{{Train: []int{0, 1}, Test: []int{10000}}}
	if _, err := s.Run(context.Background(), bc, "target"); !errors.Is(err, selection.ErrInput) {
		t.Errorf("a split past the rows: %v", err)
	}
}
