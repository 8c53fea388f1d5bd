package selection_test

import (
	"context"
	"fmt"
	"log"

	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/selection"
	"gonum.org/v1/gonum/mat"
)

// Choose C for a logistic regression by stratified 3-fold cross-validated
// log-loss; the fits run in parallel and the result does not depend on
// Workers. The scores equal scikit-learn 1.2.1's GridSearchCV(...,
// scoring='neg_log_loss') mean_test_score on the same data.
func ExampleGridSearch() {
	x := []float64{0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6}
	y := []float64{0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1}
	X := mat.NewDense(len(x), 1, x)
	splits, err := selection.StratifiedKFold{K: 3}.Splits(y)
	if err != nil {
		log.Fatal(err)
	}
	g := selection.GridSearch[float64]{
		Candidates: []float64{0.001, 1, 100},
		New:        func(c float64) selection.Model { return &models.LogisticRegression{C: c} },
		Splits:     splits,
		Score:      selection.NegLogLoss,
		Workers:    4,
	}
	res, err := g.Run(context.Background(), X, y)
	if err != nil {
		log.Fatal(err)
	}
	for c, cand := range res.Candidates {
		fmt.Printf("C=%g: mean negative log-loss %.3f\n", cand, res.Mean[c])
	}
	fmt.Println("best C:", res.Candidates[res.Best])
	// Output:
	// C=0.001: mean negative log-loss -0.690
	// C=1: mean negative log-loss -0.681
	// C=100: mean negative log-loss -2.345
	// best C: 1
}

// K-fold cross-validation of ordinary least squares, scored by R2 (equal to
// scikit-learn's cross_val_score(LinearRegression(), X, y, cv=KFold(4))).
func ExampleCrossValidate() {
	X := mat.NewDense(8, 1, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	y := []float64{1.1, 1.9, 3.2, 3.9, 5.1, 6.2, 6.8, 8.1}
	splits, _ := selection.KFold{K: 4}.Splits(8)
	scores, err := selection.CrossValidate(context.Background(),
		func() selection.Model { return &models.LinearRegression{} }, X, y, splits, selection.R2, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", scores)
	// Output: [0.844 0.813 0.897 0.852]
}
