package models

import (
	"context"
	"slices"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestScoringFromManyGoroutines: a fitted model answers Predict,
// PredictProba, DecisionFunction and Score from many goroutines at once with
// the answers it gives one call at a time (go test -race checks that the
// calls share nothing they write).
func TestScoringFromManyGoroutines(t *testing.T) {
	X, y := breastCancer(t)
	ctx := context.Background()
	lin := &LinearRegression{Alpha: 1}
	if err := lin.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	logit := &LogisticRegression{MaxIter: 1000}
	if err := logit.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	csr := toCSR(X)
	wantLin, _ := lin.Predict(X)
	wantLabels, _ := logit.Predict(X)
	wantProba, _ := logit.PredictProba(X)
	wantScore, _ := logit.Score(X, y)
	wantDecision, _ := logit.DecisionFunction(X)
	var wg sync.WaitGroup
	for g := range 8 {
		in := mat.Matrix(X)
		if g%2 == 1 {
			in = csr
		}
		wg.Go(func() {
			for range 5 {
				p, err := lin.Predict(in)
				if err != nil || !closeAll(p, wantLin) {
					t.Errorf("goroutine %d: LinearRegression.Predict differs (%v)", g, err)
				}
				labels, err := logit.Predict(in)
				if err != nil || !slices.Equal(labels, wantLabels) {
					t.Errorf("goroutine %d: LogisticRegression.Predict differs (%v)", g, err)
				}
				proba, err := logit.PredictProba(in)
				if err != nil || !mat.EqualApprox(proba, wantProba, 1e-12) {
					t.Errorf("goroutine %d: PredictProba differs (%v)", g, err)
				}
				decision, err := logit.DecisionFunction(in)
				if err != nil || !mat.EqualApprox(decision, wantDecision, 1e-9) {
					t.Errorf("goroutine %d: DecisionFunction differs (%v)", g, err)
				}
				if s, err := logit.Score(in, y); err != nil || s != wantScore {
					t.Errorf("goroutine %d: Score %v, want %v (%v)", g, s, wantScore, err)
				}
			}
		})
	}
	wg.Wait()
}

// closeAll compares predictions of dense and sparse input, whose sums may
// round differently in the last bits.
func closeAll(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || abs(x-y) <= 1e-9*max(abs(x), abs(y)) })
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
