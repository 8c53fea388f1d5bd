package cluster

import (
	"math"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"gonum.org/v1/gonum/mat"
)

// irisX returns the four raw iris measurements (R datasets::iris, embedded
// in dataset/builtin), 150 × 4.
func irisX(t testing.TB) *mat.Dense {
	t.Helper()
	f, err := builtin.Iris()
	if err != nil {
		t.Fatal(err)
	}
	X, err := f.ToDense("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
	if err != nil {
		t.Fatal(err)
	}
	return X
}

// toCSR converts a dense matrix to CSR (zeros dropped, column indices
// sorted in each row).
func toCSR(X *mat.Dense) *sparse.CSR {
	r, c := X.Dims()
	indptr := make([]int, r+1)
	var ind []int
	var data []float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := X.At(i, j); v != 0 {
				ind = append(ind, j)
				data = append(data, v)
			}
		}
		indptr[i+1] = len(ind)
	}
	return sparse.NewCSR(r, c, indptr, ind, data)
}

func rowsOf(X *mat.Dense, idx ...int) *mat.Dense {
	_, c := X.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for n, i := range idx {
		out.SetRow(n, X.RawRowView(i))
	}
	return out
}

func sizes(labels []int, k int) []int {
	s := make([]int, k)
	for _, l := range labels {
		s[l]++
	}
	return s
}

func closeTo(a, b, tol float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	scale := max(1, abs(a), abs(b))
	return d <= tol*scale
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func mathNaN() float64 { return math.NaN() }
func mathInf() float64 { return math.Inf(1) }

// clusterIDs converts Predict's float64 cluster ids to ints, failing the test
// if one is not a whole number.
func clusterIDs(t testing.TB, pred []float64) []int {
	t.Helper()
	out := make([]int, len(pred))
	for i, v := range pred {
		if v != float64(int(v)) {
			t.Fatalf("cluster id %d is %v, not a whole number", i, v)
		}
		out[i] = int(v)
	}
	return out
}
