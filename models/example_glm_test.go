package models_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"strings"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/models"
	"gonum.org/v1/gonum/mat"
)

// A logistic regression with R's inference: whether a car of the 1974 Motor
// Trend tests has a manual gearbox (am), from its weight and horsepower.
// The printed table is R 4.2.2's summary(glm(am ~ wt + hp, binomial,
// mtcars)) from its residuals on.
func ExampleGLM() {
	cars, err := builtin.MTCars()
	if err != nil {
		log.Fatal(err)
	}
	X, err := cars.ToDense("wt", "hp")
	if err != nil {
		log.Fatal(err)
	}
	am, err := cars.ToDense("am")
	if err != nil {
		log.Fatal(err)
	}
	m := models.GLM{Family: models.Binomial}
	if err := m.Fit(context.Background(), X, mat.Col(nil, 0, am)); err != nil {
		log.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		log.Fatal(err)
	}
	if err := s.SetFeatureNames([]string{"wt", "hp"}); err != nil {
		log.Fatal(err)
	}
	// R pads its columns with trailing spaces; an example's output cannot show them.
	for _, line := range strings.Split(strings.TrimRight(s.String(), "\n"), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// GLM: binomial family, logit link, 32 observations
	//
	// Deviance Residuals:
	//     Min       1Q   Median       3Q      Max
	// -2.2537  -0.1568  -0.0168   0.1543   1.3449
	//
	// Coefficients:
	//             Estimate Std. Error z value Pr(>|z|)
	// (Intercept) 18.86630    7.44356   2.535  0.01126 *
	// wt          -8.08348    3.06868  -2.634  0.00843 **
	// hp           0.03626    0.01773   2.044  0.04091 *
	// ---
	// Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1
	//
	// (Dispersion parameter for binomial family taken to be 1)
	//
	//     Null deviance: 43.230  on 31  degrees of freedom
	// Residual deviance: 10.059  on 29  degrees of freedom
	// AIC: 16.059
	//
	// Number of Fisher Scoring iterations: 8
}

// Counts with an exposure: a Poisson model of the number of carburettors
// with log(weight) as offset, so the coefficients describe carburettors per
// unit of weight. PredictOffset takes the exposure of new rows (R 4.2.2:
// predict(fit, data.frame(hp = 150, wt = 3), type = "response") = 2.476196).
func ExampleGLM_FitWeighted() {
	cars, err := builtin.MTCars()
	if err != nil {
		log.Fatal(err)
	}
	hp, _ := cars.ToDense("hp")
	carb, _ := cars.ToDense("carb")
	wt, _ := cars.ToDense("wt")
	offset := make([]float64, 32)
	for i := range offset {
		offset[i] = math.Log(wt.At(i, 0))
	}
	m := models.GLM{Family: models.Poisson}
	if err := m.FitWeighted(context.Background(), hp, mat.Col(nil, 0, carb), nil, offset); err != nil {
		log.Fatal(err)
	}
	s, _ := m.Summary()
	fmt.Printf("hp %.6f (std. error %.6f), deviance %.4f on %d df, null %.4f\n",
		s.Coefficients[1].Estimate, s.Coefficients[1].StdError, s.Deviance, s.DFResidual, s.NullDeviance)
	rate, _ := m.PredictOffset(mat.NewDense(1, 1, []float64{150}), []float64{math.Log(3)})
	fmt.Printf("expected carburettors of a 150 hp car weighing 3000 lb: %.3f\n", rate[0])
	// Output:
	// hp 0.003279 (std. error 0.001508), deviance 16.9570 on 30 df, null 21.5428
	// expected carburettors of a 150 hp car weighing 3000 lb: 2.476
}

// Unpenalized two-class logistic regression gives R's inference at the
// exact maximum likelihood estimate: iris versicolor against virginica by
// their petals (R 4.2.2: glm(virginica ~ Petal.Length + Petal.Width, binomial)
// estimates -45.272, 5.755, 10.447).
func ExampleLogisticRegression_Summary() {
	iris, err := builtin.Iris()
	if err != nil {
		log.Fatal(err)
	}
	petals, err := iris.ToDense("Petal.Length", "Petal.Width")
	if err != nil {
		log.Fatal(err)
	}
	species, _ := iris.Column("Species")
	X := mat.DenseCopyOf(petals.Slice(50, 150, 0, 2)) // versicolor and virginica
	y := make([]float64, 100)
	for i := range y {
		if species.Format(50+i) == "virginica" {
			y[i] = 1
		}
	}
	m := models.LogisticRegression{Penalty: models.NoPenalty}
	if err := m.Fit(context.Background(), X, y); err != nil {
		log.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		log.Fatal(err)
	}
	if err := s.SetFeatureNames([]string{"Petal.Length", "Petal.Width"}); err != nil {
		log.Fatal(err)
	}
	for _, c := range s.Coefficients {
		fmt.Printf("%-12s %8.3f (std. error %6.3f, p %.4f)\n", c.Name, c.Estimate, c.StdError, c.PValue)
	}
	fmt.Printf("deviance %.4f on %d degrees of freedom, AIC %.4f\n", s.Deviance, s.DFResidual, s.AIC)
	// Output:
	// (Intercept)   -45.272 (std. error 13.612, p 0.0009)
	// Petal.Length    5.755 (std. error  2.306, p 0.0126)
	// Petal.Width    10.447 (std. error  3.756, p 0.0054)
	// deviance 20.5635 on 97 degrees of freedom, AIC 26.5635
}
