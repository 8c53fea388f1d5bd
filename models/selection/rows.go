package selection

import (
	"fmt"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"
)

// Rows returns a new matrix made of the given rows of X, in that order: a
// *sparse.CSR for sparse input (never densified), a *mat.Dense otherwise.
func Rows(X mat.Matrix, idx []int) (mat.Matrix, error) {
	if X == nil {
		return nil, fmt.Errorf("selection.Rows: X is nil: %w", ErrInput)
	}
	r, c := X.Dims()
	if len(idx) == 0 {
		return nil, fmt.Errorf("selection.Rows: no rows selected: %w", ErrInput)
	}
	for _, i := range idx {
		if i < 0 || i >= r {
			return nil, fmt.Errorf("selection.Rows: row %d outside [0,%d): %w", i, r, ErrInput)
		}
	}
	switch m := X.(type) {
	case *sparse.CSR:
		raw := m.RawMatrix()
		if len(raw.Indptr) != r+1 {
			return nil, fmt.Errorf("selection.Rows: CSR row pointer has length %d for %d rows: %w", len(raw.Indptr), r, ErrInput)
		}
		nnz := 0
		for _, i := range idx {
			nnz += raw.Indptr[i+1] - raw.Indptr[i]
		}
		indptr := make([]int, 1, len(idx)+1)
		ind := make([]int, 0, nnz)
		data := make([]float64, 0, nnz)
		for _, i := range idx {
			ind = append(ind, raw.Ind[raw.Indptr[i]:raw.Indptr[i+1]]...)
			data = append(data, raw.Data[raw.Indptr[i]:raw.Indptr[i+1]]...)
			indptr = append(indptr, len(ind))
		}
		return sparse.NewCSR(len(idx), c, indptr, ind, data), nil
	case *mat.Dense:
		out := mat.NewDense(len(idx), c, nil)
		for k, i := range idx {
			out.SetRow(k, m.RawRowView(i))
		}
		return out, nil
	default:
		out := mat.NewDense(len(idx), c, nil)
		for k, i := range idx {
			for j := 0; j < c; j++ {
				out.Set(k, j, X.At(i, j))
			}
		}
		return out, nil
	}
}

// Values returns y at the given indices.
func Values(y []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = y[i]
	}
	return out
}
