package cluster

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestDotsKernelsAgree: the register-blocked kernel and the vectorised axpy
// give bit-identical dot products (both add v·t[j,c] in nonzero order).
func TestDotsKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d = 300
	for _, k := range []int{1, 2, 3, 5, 8, 13, 16, 17, 50} {
		tab := make([]float64, d*k)
		for i := range tab {
			tab[i] = rng.NormFloat64()
		}
		var cols []int32
		var vals []float64
		for j := 0; j < d; j += 1 + rng.IntN(7) {
			cols = append(cols, int32(j))
			vals = append(vals, float64(1+rng.IntN(5)))
		}
		a := make([]float64, k)
		dotsBlocked(cols, vals, tab, k, a)
		b := make([]float64, k)
		for n, j := range cols {
			floats.AddScaled(b, vals[n], tab[int(j)*k:int(j)*k+k])
		}
		for c := range a {
			if a[c] != b[c] {
				t.Fatalf("K=%d centre %d: blocked %v, axpy %v", k, c, a[c], b[c])
			}
		}
	}
}
