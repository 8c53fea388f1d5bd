package models

import (
	"context"
	"math"
	"testing"
)

// BenchmarkLinearCalifornia times OLS on the 20,433 complete rows of
// California housing (12 columns with the dummies), the first task of
// models_anchor.py (scikit-learn's LinearRegression().fit).
func BenchmarkLinearCalifornia(b *testing.B) {
	X, y := californiaDesign(b)
	for b.Loop() {
		var m LinearRegression
		if err := m.Fit(context.Background(), X, y); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogisticBreastCancer times the second task of models_anchor.py:
// LogisticRegression(C=1, max_iter=1000, tol=1e-10) on the standardized
// breast cancer data (569 x 30, dense), with each solver: lbfgs stops where
// scikit-learn's does (34 iterations, on the relative-reduction test),
// Newton at the optimum. scripts/logistic_anchor.py times scikit-learn.
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
			// The objective the solvers minimize, to compare with the anchor's.
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
