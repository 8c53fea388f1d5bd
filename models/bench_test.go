package models

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkLinearCalifornia times OLS on the 20,433 complete rows of
// California housing (12 columns with the dummies), as scikit-learn 1.2.1's
// LinearRegression().fit. scripts/bench.sh --only models runs it,
// BenchmarkLogisticBreastCancer and BenchmarkLogisticIMDB beside scikit-learn's
// fits (bench/py/references.py models); testdata/sklearn_reference.py also
// prints the seconds of each of those fits.
func BenchmarkLinearCalifornia(b *testing.B) {
	X, y := californiaDesign(b)
	for b.Loop() {
		var m LinearRegression
		if err := m.Fit(context.Background(), X, y); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogisticBreastCancer times the fit of scikit-learn 1.2.1's
// LogisticRegression(C=1, max_iter=1000, tol=1e-10) on the standardized
// breast cancer data (569 x 30, dense), with each solver: lbfgs stops where
// scikit-learn's does (34 iterations, on the relative-reduction test),
// Newton at the optimum. scripts/sklearn_logistic_timing.py times scikit-learn.
func BenchmarkLogisticBreastCancer(b *testing.B) {
	X, y := breastCancer(b)
	for _, solver := range []Solver{LBFGS, Newton} {
		b.Run(solver.String(), func(b *testing.B) {
			var m LogisticRegression
			for b.Loop() {
				m = LogisticRegression{Solver: solver, C: 1, MaxIter: 1000, Tol: 1e-10}
				if err := m.Fit(context.Background(), X, y); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(m.Iterations()), "iterations")
			// The objective the solvers minimize, to compare with scikit-learn's.
			prob, err := m.PredictProba(X)
			if err != nil {
				b.Fatal(err)
			}
			f := 0.0
			for i, v := range y {
				f -= math.Log(prob.At(i, int(v)))
			}
			for _, w := range m.Coef().RawRowView(0) {
				f += w * w / 2
			}
			b.Logf("%v: %d iterations, objective %.12f", solver, m.Iterations(), f)
		})
	}
}

// BenchmarkWeightedGram times the Newton solver's Hessian product, the
// weighted Gram matrix of breast cancer's 569 x 31 design (intercept
// included), as column dot products (what the solver does) and as gonum's
// Dsyrk on the row-major matrix (SymDense.SymOuterK).
func BenchmarkWeightedGram(b *testing.B) {
	X, _ := breastCancer(b)
	d, err := newDesign("bench", X)
	if err != nil {
		b.Fatal(err)
	}
	n, p := X.Dims()
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.25
	}
	b.Run("columns", func(b *testing.B) {
		g, columns := mat.NewSymDense(p+1, nil), denseColumns(d, true)
		for b.Loop() {
			weightedGramInto(g, columns, d, w, true, 1)
		}
	})
	b.Run("dsyrk", func(b *testing.B) {
		z := mat.NewDense(n, p+1, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < p; j++ {
				z.Set(i, j, 0.5*X.At(i, j))
			}
			z.Set(i, p, 0.5)
		}
		var g mat.SymDense
		for b.Loop() {
			g.SymOuterK(1, z.T())
		}
	})
}
