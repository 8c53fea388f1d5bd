package selection

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/models"
	"gonum.org/v1/gonum/mat"
)

// loadCSV reads an embedded data file (dataset/builtin/data) into the named
// float columns and the target column.
func loadCSV(t testing.TB, name, target string, drop ...string) (*mat.Dense, []float64) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "dataset", "builtin", "data", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cols []int
	ti := -1
	for j, h := range recs[0] {
		switch {
		case h == target:
			ti = j
		case !slices.Contains(drop, h):
			cols = append(cols, j)
		}
	}
	X := mat.NewDense(len(recs)-1, len(cols), nil)
	y := make([]float64, len(recs)-1)
	for i, r := range recs[1:] {
		for k, j := range cols {
			v, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				t.Fatal(err)
			}
			X.Set(i, k, v)
		}
		y[i], _ = strconv.ParseFloat(r[ti], 64)
	}
	return X, y
}

func standardize(X *mat.Dense) {
	n, p := X.Dims()
	for j := 0; j < p; j++ {
		col := mat.Col(nil, j, X)
		mean, sq := 0.0, 0.0
		for _, v := range col {
			mean += v / float64(n)
		}
		for _, v := range col {
			sq += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(sq / float64(n))
		for i, v := range col {
			X.Set(i, j, (v-mean)/sd)
		}
	}
}

func TestKFoldMatchesSklearn(t *testing.T) {
	splits, err := KFold{K: 4}.Splits(10)
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn 1.2.1: [te for _, te in KFold(4).split(np.zeros(10))]
	want := [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7}, {8, 9}}
	for i, s := range splits {
		if !slices.Equal(s.Test, want[i]) || len(s.Train)+len(s.Test) != 10 {
			t.Errorf("fold %d: test %v, scikit-learn %v", i, s.Test, want[i])
		}
	}
}

func TestStratifiedKFoldMatchesSklearn(t *testing.T) {
	// scikit-learn 1.2.1: [te for _, te in StratifiedKFold(3).split(np.zeros(n), y)]
	for _, tc := range []struct {
		y    []float64
		want [][]int
	}{
		{[]float64{1, 1, 0, 2, 0, 0, 1, 2, 2, 0, 0, 1, 0, 2, 1, 0, 0},
			[][]int{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}, {12, 13, 14, 15, 16}}},
		{[]float64{5, 5, 5, 5, 1, 1, 1, 1, 1, 1, 9, 9, 5, 1, 9, 5},
			[][]int{{0, 1, 4, 5, 6, 10}, {2, 3, 7, 8, 11}, {9, 12, 13, 14, 15}}},
	} {
		splits, err := StratifiedKFold{K: 3}.Splits(tc.y)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range splits {
			if !slices.Equal(s.Test, tc.want[i]) {
				t.Errorf("fold %d: test %v, scikit-learn %v", i, s.Test, tc.want[i])
			}
		}
	}
}

func TestSplitsAreSeededPartitions(t *testing.T) {
	a, err := TrainTestSplit(101, 0.25, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := TrainTestSplit(101, 0.25, 7)
	c, _ := TrainTestSplit(101, 0.25, 8)
	if len(a.Test) != 26 || len(a.Train) != 75 {
		t.Errorf("sizes %d/%d, want ceil(0.25*101)=26 test", len(a.Train), len(a.Test))
	}
	if !slices.Equal(a.Test, b.Test) || slices.Equal(a.Test, c.Test) {
		t.Error("same seed must give the same split, another seed another")
	}
	all := append(slices.Clone(a.Train), a.Test...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("not a partition of 0..100: %v", all)
		}
	}
	y := make([]float64, 60)
	for i := range y {
		y[i] = float64(i % 3)
	}
	s1, _ := StratifiedKFold{K: 4, Shuffle: true, Seed: 3}.Splits(y)
	s2, _ := StratifiedKFold{K: 4, Shuffle: true, Seed: 3}.Splits(y)
	for i := range s1 {
		if !slices.Equal(s1[i].Test, s2[i].Test) {
			t.Error("shuffled stratified folds differ for one seed")
		}
		per := map[float64]int{}
		for _, r := range s1[i].Test {
			per[y[r]]++
		}
		if per[0] != 5 || per[1] != 5 || per[2] != 5 {
			t.Errorf("fold %d class counts %v, want 5 each", i, per)
		}
	}
}

func TestCrossValidateMatchesSklearn(t *testing.T) {
	X, y := loadCSV(t, "diabetes_raw.csv", "target")
	splits, _ := KFold{K: 5}.Splits(len(y))
	scores, err := CrossValidate(context.Background(), func() Model { return &models.LinearRegression{} }, X, y, splits, R2, 0)
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn 1.2.1: cross_val_score(LinearRegression(), X, y, cv=KFold(5), scoring='r2') on diabetes_raw.csv.
	want := []float64{0.429556153825838, 0.522599386609936, 0.482680541345282, 0.426497761110401, 0.550248336651752}
	for i := range want {
		if math.Abs(scores[i]-want[i]) > 1e-12 {
			t.Errorf("fold %d: R2 %.15f, scikit-learn %.15f", i, scores[i], want[i])
		}
	}
}

func TestGridSearchMatchesSklearnAndIgnoresWorkers(t *testing.T) {
	X, y := loadCSV(t, "breast_cancer.csv", "target", "target_name")
	standardize(X)
	splits, err := StratifiedKFold{K: 5}.Splits(y)
	if err != nil {
		t.Fatal(err)
	}
	run := func(workers int, score Scorer) *GridResult[float64] {
		g := GridSearch[float64]{
			Candidates: []float64{0.01, 0.1, 1, 10},
			New:        func(c float64) Model { return &models.LogisticRegression{C: c, MaxIter: 1000, Workers: 1} },
			Splits:     splits, Score: score, Workers: workers, Refit: true,
		}
		res, err := g.Run(context.Background(), X, y)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// scikit-learn 1.2.1: GridSearchCV(LogisticRegression(max_iter=1000), {'C': [0.01, 0.1, 1, 10]},
	// cv=StratifiedKFold(5), scoring=...) on the standardized breast cancer data.
	for _, tc := range []struct {
		name  string
		score Scorer
		mean  []float64
		tol   float64
	}{
		{"neg_log_loss", NegLogLoss, []float64{-0.180190811174403, -0.097650742135264, -0.079727176748202, -0.132590767201747}, 1e-5},
		{"roc_auc", ROCAUC, []float64{0.992491144108406, 0.995187056880473, 0.995318378834592, 0.989976313522825}, 1e-6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			one := run(1, tc.score)
			eight := run(8, tc.score)
			for c := range tc.mean {
				if math.Abs(one.Mean[c]-tc.mean[c]) > tc.tol {
					t.Errorf("C=%v: mean %s %.9f, scikit-learn %.9f", one.Candidates[c], tc.name, one.Mean[c], tc.mean[c])
				}
				if !slices.Equal(one.FoldScores[c], eight.FoldScores[c]) {
					t.Errorf("C=%v: fold scores differ between 1 and 8 workers: %v vs %v", one.Candidates[c], one.FoldScores[c], eight.FoldScores[c])
				}
			}
			if one.Best != 2 || eight.Best != 2 {
				t.Errorf("best %d / %d, scikit-learn best_index_ 2 (C=1)", one.Best, eight.Best)
			}
			if one.BestModel == nil {
				t.Error("Refit gave no model")
			}
		})
	}
	// scikit-learn 1.2.1 std_test_score for neg_log_loss.
	res := run(2, NegLogLoss)
	for c, want := range []float64{0.01644773293522, 0.014830393975673, 0.016025804445684, 0.067939154933209} {
		if math.Abs(res.Std[c]-want) > 1e-5 {
			t.Errorf("C=%v: std %.9f, scikit-learn %.9f", res.Candidates[c], res.Std[c], want)
		}
	}
}

func TestRowsDenseAndSparse(t *testing.T) {
	d := mat.NewDense(3, 2, []float64{1, 0, 0, 2, 3, 4})
	s := sparse.NewCSR(3, 2, []int{0, 1, 2, 4}, []int{0, 1, 0, 1}, []float64{1, 2, 3, 4})
	for _, X := range []mat.Matrix{d, s} {
		got, err := Rows(X, []int{2, 0})
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(got, mat.NewDense(2, 2, []float64{3, 4, 1, 0})) {
			t.Errorf("%T: rows %v", X, mat.Formatted(got))
		}
		if _, isCSR := X.(*sparse.CSR); isCSR {
			if _, ok := got.(*sparse.CSR); !ok {
				t.Errorf("sparse input gave %T", got)
			}
		}
	}
	if _, err := Rows(d, []int{3}); !errors.Is(err, ErrInput) {
		t.Errorf("row out of range: %v", err)
	}
}

func TestSelectionRejectsBadInput(t *testing.T) {
	errs := map[string]error{}
	_, errs["split fraction"] = TrainTestSplit(10, 1.5, 1)
	_, errs["split rows"] = TrainTestSplit(1, 0.5, 1)
	_, errs["kfold K"] = KFold{K: 11}.Splits(10)
	_, errs["stratified K"] = StratifiedKFold{K: 3}.Splits([]float64{0, 0, 1, 1})
	g := GridSearch[float64]{}
	_, errs["empty grid"] = g.Run(context.Background(), mat.NewDense(1, 1, nil), []float64{1})
	for name, err := range errs {
		if !errors.Is(err, ErrInput) {
			t.Errorf("%s: %v, want ErrInput", name, err)
		}
	}
	// A fit error surfaces with its candidate and split.
	splits, _ := KFold{K: 2}.Splits(4)
	_, err := CrossValidate(context.Background(), func() Model { return &models.LogisticRegression{} },
		mat.NewDense(4, 1, []float64{1, 2, 3, 4}), []float64{1, 1, 1, 1}, splits, Accuracy, 2)
	if !errors.Is(err, models.ErrSingleClass) {
		t.Errorf("single-class fold: %v", err)
	}
}

// TestGridSearchProgress: one "fold" report per fit, Done counting up to
// candidates × splits, each carrying a score that the result holds.
func TestGridSearchProgress(t *testing.T) {
	X, y := loadCSV(t, "breast_cancer.csv", "target", "target_name")
	standardize(X)
	splits, err := StratifiedKFold{K: 3}.Splits(y)
	if err != nil {
		t.Fatal(err)
	}
	var reports []kiln.Progress
	g := GridSearch[float64]{
		Candidates: []float64{0.1, 1},
		New:        func(c float64) Model { return &models.LogisticRegression{C: c, MaxIter: 1000, Workers: 1} },
		Splits:     splits, Score: Accuracy, Workers: 3,
		Progress: func(p kiln.Progress) { reports = append(reports, p) },
	}
	res, err := g.Run(context.Background(), X, y)
	if err != nil {
		t.Fatal(err)
	}
	var scores []float64
	for _, fs := range res.FoldScores {
		scores = append(scores, fs...)
	}
	var reported []float64
	for i, p := range reports {
		if p.Stage != "fold" || p.Done != int64(i+1) || p.Total != 6 {
			t.Errorf("report %d: %+v", i, p)
		}
		reported = append(reported, p.Value)
	}
	slices.Sort(scores)
	slices.Sort(reported)
	if !slices.Equal(scores, reported) {
		t.Errorf("reported scores %v, fold scores %v", reported, scores)
	}
}
