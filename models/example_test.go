package models_test

import (
	"context"
	"fmt"
	"log"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/models"
	"gonum.org/v1/gonum/mat"
)

// mpg ~ wt + hp on the first ten cars of R's mtcars. The outputs of these
// examples agree with scikit-learn 1.2.1 on the same data.
func ExampleLinearRegression() {
	X := mat.NewDense(10, 2, []float64{
		2.620, 110, 2.875, 110, 2.320, 93, 3.215, 110, 3.440, 175,
		3.460, 105, 3.570, 245, 3.190, 62, 3.150, 95, 3.440, 123,
	})
	mpg := []float64{21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2}
	var m models.LinearRegression
	if err := m.Fit(context.Background(), X, mpg); err != nil {
		log.Fatal(err)
	}
	r2, _ := m.Score(X, mpg)
	fmt.Printf("intercept %.3f, wt %.3f, hp %.4f, R2 %.3f, rank %d\n", m.Intercept()[0], m.Coef().At(0, 0), m.Coef().At(0, 1), r2, m.Rank())
	// Output: intercept 30.543, wt -1.499, hp -0.0447, R2 0.832, rank 2
}

// Ridge regression: Alpha penalizes the coefficients, not the intercept.
func ExampleLinearRegression_ridge() {
	X := mat.NewDense(5, 2, []float64{1, 1, 2, 1, 3, 2, 4, 3, 5, 5})
	y := []float64{2, 3, 5, 7, 10}
	for _, alpha := range []float64{0, 1, 10} {
		m := models.LinearRegression{Alpha: alpha}
		if err := m.Fit(context.Background(), X, y); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("alpha %4.1f: coef %.3f\n", alpha, m.Coef().RawRowView(0))
	}
	// Output:
	// alpha  0.0: coef [1.000 1.000]
	// alpha  1.0: coef [0.936 0.971]
	// alpha 10.0: coef [0.654 0.691]
}

// Two classes with any label values: Classes are sorted, the probability
// columns follow them, and a sparse matrix goes through the same calls.
func ExampleLogisticRegression() {
	// Hours studied, and whether the exam was passed (label 10) or failed (label -1).
	hours := []float64{0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5}
	passed := []float64{-1, -1, -1, 10, -1, 10, -1, 10, 10, 10}
	X := mat.NewDense(len(hours), 1, hours)
	m := models.LogisticRegression{Penalty: models.NoPenalty}
	if err := m.Fit(context.Background(), X, passed); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("classes %v, converged %v\n", m.Classes(), m.Converged())
	fmt.Printf("intercept %.3f, slope %.3f\n", m.Intercept()[0], m.Coef().At(0, 0))

	sparseX := sparse.NewCSR(2, 1, []int{0, 1, 2}, []int{0, 0}, []float64{1, 4})
	p, err := m.PredictProba(sparseX)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("P(pass | 1 h) %.3f, P(pass | 4 h) %.3f\n", p.At(0, 1), p.At(1, 1))
	// Output:
	// classes [-1 10], converged true
	// intercept -3.722, slope 1.353
	// P(pass | 1 h) 0.086, P(pass | 4 h) 0.844
}

// The learned state is plain values: save it anywhere, rebuild the model later.
func ExampleNewLogisticRegressionFromState() {
	X := mat.NewDense(6, 1, []float64{1, 2, 3, 4, 5, 6})
	y := []float64{0, 0, 1, 0, 1, 1}
	var m models.LogisticRegression
	if err := m.Fit(context.Background(), X, y); err != nil {
		log.Fatal(err)
	}
	state, _ := m.State()
	restored, err := models.NewLogisticRegressionFromState(state)
	if err != nil {
		log.Fatal(err)
	}
	a, _ := m.Predict(X)
	b, _ := restored.Predict(X)
	fmt.Println(a, b)
	// Output: [0 0 0 1 1 1] [0 0 0 1 1 1]
}

// From an embedded data set to a model: R's longley data, Employed on the six
// other columns. R 4.2.2's lm gives (Intercept) -3482.258634596 and Year
// 1.829151465 (the NIST StRD certified values in R's units).
func ExampleLinearRegression_longley() {
	frame, err := builtin.Longley()
	if err != nil {
		log.Fatal(err)
	}
	X, err := frame.ToDense("GNP.deflator", "GNP", "Unemployed", "Armed.Forces", "Population", "Year")
	if err != nil {
		log.Fatal(err)
	}
	employed, err := frame.ToDense("Employed")
	if err != nil {
		log.Fatal(err)
	}
	var m models.LinearRegression
	if err := m.Fit(context.Background(), X, mat.Col(nil, 0, employed)); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("intercept %.9f, Year %.9f, rank %d\n", m.Intercept()[0], m.Coef().At(0, 5), m.Rank())
	// Output: intercept -3482.258634596, Year 1.829151465, rank 6
}
