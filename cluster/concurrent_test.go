package cluster

import (
	"context"
	"slices"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestScoringFromManyGoroutines: fitted k-means models answer Predict and
// Transform from many goroutines at once with the answers they give one call
// at a time (go test -race checks that the calls share nothing they write).
func TestScoringFromManyGoroutines(t *testing.T) {
	X := irisX(t)
	ctx := context.Background()
	km := &KMeans{K: 3, Seed: 1, Workers: 2}
	if err := km.Fit(ctx, X); err != nil {
		t.Fatal(err)
	}
	mb := &MiniBatchKMeans{K: 3, Seed: 1, BatchSize: 50, Workers: 2}
	if err := mb.Fit(ctx, X); err != nil {
		t.Fatal(err)
	}
	csr := toCSR(X)
	type model interface {
		Predict(mat.Matrix) ([]float64, error)
		Transform(mat.Matrix) (*mat.Dense, error)
	}
	var wg sync.WaitGroup
	for name, m := range map[string]model{"KMeans": km, "MiniBatchKMeans": mb} {
		wantIDs, _ := m.Predict(X)
		wantDist, _ := m.Transform(X)
		for g := range 4 {
			in := mat.Matrix(X)
			if g%2 == 1 {
				in = csr
			}
			wg.Go(func() {
				for range 5 {
					ids, err := m.Predict(in)
					if err != nil || !slices.Equal(ids, wantIDs) {
						t.Errorf("%s goroutine %d: Predict differs (%v)", name, g, err)
					}
					dist, err := m.Transform(in)
					if err != nil || !mat.EqualApprox(dist, wantDist, 1e-9) {
						t.Errorf("%s goroutine %d: Transform differs (%v)", name, g, err)
					}
				}
			})
		}
	}
	wg.Wait()
}
