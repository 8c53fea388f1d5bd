package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Every golden value below was computed with scikit-learn 1.2.1 (Debian
// python3-sklearn, /usr/bin/python3) on exactly these literal vectors.

var (
	regTrue = []float64{3.0, -0.5, 2.0, 7.0, 4.2, 1.1, 0.0, 5.5}
	regPred = []float64{2.5, 0.0, 2.0, 8.0, 3.9, 1.0, -0.4, 6.1}

	// Binary labels with tied scores (0.4 x3, 0.65 x2, 0.1 x2 across both classes).
	binTrue  = []float64{0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1}
	binScore = []float64{0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2, 0.65, 0.65, 0.1, 0.7}
)

func near(t *testing.T, what string, got float64, err error, want float64) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.17g, scikit-learn %.17g", what, got, want)
	}
}

func TestRegressionMetrics(t *testing.T) {
	v, err := R2(regTrue, regPred)
	near(t, "r2_score", v, err, 0.9569007140860462)
	v, err = MAE(regTrue, regPred)
	near(t, "mean_absolute_error", v, err, 0.425)
	v, err = MSE(regTrue, regPred)
	near(t, "mean_squared_error", v, err, 0.26499999999999996)
	v, err = RMSE(regTrue, regPred)
	near(t, "mean_squared_error(squared=False)", v, err, 0.51478150704935)
	v, err = R2([]float64{2, 2}, []float64{2, 2})
	near(t, "r2 of a constant, perfect", v, err, 1)
	v, err = R2([]float64{2, 2}, []float64{2, 3})
	near(t, "r2 of a constant, imperfect", v, err, 0)
}

func TestClassificationMetrics(t *testing.T) {
	pred := make([]float64, len(binScore))
	for i, s := range binScore {
		if s >= 0.5 {
			pred[i] = 1
		}
	}
	v, err := Accuracy(binTrue, pred)
	near(t, "accuracy_score", v, err, 0.6666666666666666)
	v, err = Precision(binTrue, pred, 1)
	near(t, "precision_score", v, err, 0.8)
	v, err = Recall(binTrue, pred, 1)
	near(t, "recall_score", v, err, 0.5714285714285714)
	v, err = F1(binTrue, pred, 1)
	near(t, "f1_score", v, err, 0.6666666666666666)
	v, err = Precision(binTrue, pred, 0)
	near(t, "precision_score(pos_label=0)", v, err, 0.5714285714285714)
	v, err = MacroF1(binTrue, pred)
	near(t, "f1_score(average='macro')", v, err, 0.6666666666666666)
	v, err = Precision([]float64{1, 0}, []float64{0, 0}, 1)
	near(t, "precision with no predicted positive (zero_division=0)", v, err, 0)
}

func TestConfusionMatrix(t *testing.T) {
	yt := []float64{2, 0, 2, 2, 0, 1, 1, 5, 5, 0}
	yp := []float64{0, 0, 2, 2, 0, 2, 1, 5, 0, 1}
	labels, counts, err := ConfusionMatrix(yt, yp)
	if err != nil {
		t.Fatal(err)
	}
	// confusion_matrix(yt, yp)
	want := [][]int{{2, 1, 0, 0}, {0, 1, 1, 0}, {1, 0, 2, 0}, {1, 0, 0, 1}}
	if !slices.Equal(labels, []float64{0, 1, 2, 5}) {
		t.Errorf("labels %v", labels)
	}
	for i := range want {
		if !slices.Equal(counts[i], want[i]) {
			t.Errorf("row %d: %v, scikit-learn %v", i, counts[i], want[i])
		}
	}
}

func TestROC(t *testing.T) {
	v, err := ROCAUC(binTrue, binScore)
	near(t, "roc_auc_score", v, err, 0.7142857142857143)
	fpr, tpr, th, err := ROCCurve(binTrue, binScore)
	if err != nil {
		t.Fatal(err)
	}
	// roc_curve(binTrue, binScore) with its default drop_intermediate=True.
	wantF := []float64{0.0, 0.0, 0.0, 0.2, 0.6, 0.6, 0.8, 1.0}
	wantT := []float64{0.0, 0.14285714285714285, 0.42857142857142855, 0.5714285714285714, 0.7142857142857143, 0.8571428571428571, 0.8571428571428571, 1.0}
	wantH := []float64{1.9, 0.9, 0.7, 0.65, 0.4, 0.35, 0.2, 0.1}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"fpr", fpr, wantF}, {"tpr", tpr, wantT}, {"thresholds", th, wantH}} {
		if len(c.got) != len(c.want) {
			t.Fatalf("%s: %v, scikit-learn %v", c.name, c.got, c.want)
		}
		for i := range c.want {
			if math.Abs(c.got[i]-c.want[i]) > 1e-15 {
				t.Errorf("%s: %v, scikit-learn %v", c.name, c.got, c.want)
				break
			}
		}
	}
	// Labels other than 0/1: the larger is positive.
	relabeled := make([]float64, len(binTrue))
	for i, v := range binTrue {
		relabeled[i] = 10 + 5*v
	}
	v, err = ROCAUC(relabeled, binScore)
	near(t, "roc_auc_score with labels 10/15", v, err, 0.7142857142857143)
}

func TestLogLoss(t *testing.T) {
	v, err := BinaryLogLoss(binTrue, binScore)
	near(t, "log_loss(binary)", v, err, 0.6487197762810663)
	// Certain and wrong: clipped at eps = 2.22e-16, log_loss([0,1,1], [0.0, 1.0, 0.0]).
	v, err = BinaryLogLoss([]float64{0, 1, 1}, []float64{0, 1, 0})
	near(t, "log_loss(extreme)", v, err, 12.014551129705717)
	P := mat.NewDense(5, 3, []float64{.7, .2, .1, .1, .8, .1, .2, .2, .6, .3, .4, .3, .5, .25, .25})
	y := []float64{0, 1, 2, 2, 1}
	v, err = LogLoss(y, P, nil)
	near(t, "log_loss(multiclass)", v, err, 0.7361822568929519)
	P2 := mat.NewDense(5, 3, nil)
	P2.Scale(2, P)
	v, err = LogLoss(y, P2, nil)
	near(t, "log_loss(rows summing to 2: clipped then renormalized)", v, err, 0.7969059392429789)
}

func TestMetricsRejectBadInput(t *testing.T) {
	nan := math.NaN()
	cases := map[string]error{}
	_, cases["R2 length"] = R2([]float64{1, 2}, []float64{1})
	_, cases["MAE empty"] = MAE(nil, nil)
	_, cases["MSE NaN"] = MSE([]float64{1, nan}, []float64{1, 2})
	_, cases["Accuracy Inf"] = Accuracy([]float64{1}, []float64{math.Inf(1)})
	_, cases["ROCAUC one class"] = ROCAUC([]float64{1, 1}, []float64{0.2, 0.4})
	_, cases["ROCAUC three classes"] = ROCAUC([]float64{0, 1, 2}, []float64{0.2, 0.4, 0.5})
	_, cases["LogLoss one label"] = BinaryLogLoss([]float64{1, 1}, []float64{0.2, 0.4})
	_, cases["LogLoss columns"] = LogLoss([]float64{0, 1, 2}, mat.NewDense(3, 2, nil), nil)
	_, cases["LogLoss unknown label"] = LogLoss([]float64{0, 1, 7}, mat.NewDense(3, 2, nil), []float64{0, 1})
	_, cases["LogLoss nil"] = LogLoss([]float64{0, 1}, nil, nil)
	_, _, cases["ConfusionMatrix length"] = ConfusionMatrix([]float64{1}, nil)
	for name, err := range cases {
		if !errors.Is(err, ErrInput) {
			t.Errorf("%s: got %v, want ErrInput", name, err)
		}
	}
}

func ExampleROCAUC() {
	labels := []float64{0, 0, 1, 1}
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	auc, err := ROCAUC(labels, scores)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.2f\n", auc)
	// Output: 0.75
}
