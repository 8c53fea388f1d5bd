package linalg

import (
	"sort"

	"github.com/james-bowman/sparse"
)

// algebraProduct is the book's Listing 5.9, C = B^T B, computed by
// james-bowman/sparse (Gustavson's algorithm, one goroutine). B is rebuilt
// from docs with every value 1 (binary) or the weights, so that the product
// counts exactly what the other methods count. C's arrays are allocated at
// their final size nnzC (known from the count pass) so that the library's
// appends never regrow them. C's rows come out in the order in which the
// columns were first met, not sorted.
func algebraProduct(d *docs, nnzC int) *sparse.CSR {
	indptr := make([]int, d.n+1)
	copy(indptr, d.indptr)
	ind := make([]int, d.nnz())
	data := make([]float64, d.nnz())
	for k, t := range d.terms {
		ind[k] = int(t)
		data[k] = 1
		if d.weights != nil {
			data[k] = float64(d.weights[k])
		}
	}
	b := sparse.NewCSR(d.n, d.m, indptr, ind, data)
	c := sparse.NewCSR(d.m, d.m, make([]int, d.m+1), make([]int, 0, nnzC), make([]float64, 0, nnzC))
	c.Mul(b.T(), b)
	return c
}

// sortRows puts the entries of every row of c in increasing column order,
// the canonical CSR form the other methods return.
func sortRows(c *sparse.CSR) {
	raw := c.RawMatrix()
	for x := 0; x < raw.I; x++ {
		lo, hi := raw.Indptr[x], raw.Indptr[x+1]
		sort.Sort(rowEntries{raw.Ind[lo:hi], raw.Data[lo:hi]})
	}
}

// rowEntries sorts a row's columns and values together.
type rowEntries struct {
	ind  []int
	data []float64
}

func (r rowEntries) Len() int           { return len(r.ind) }
func (r rowEntries) Less(i, j int) bool { return r.ind[i] < r.ind[j] }
func (r rowEntries) Swap(i, j int) {
	r.ind[i], r.ind[j] = r.ind[j], r.ind[i]
	r.data[i], r.data[j] = r.data[j], r.data[i]
}

// scatterDense copies c into the full m x m int32 matrix out.
func scatterDense(c *sparse.CSR, out []int32) {
	raw := c.RawMatrix()
	m := raw.I
	for x := 0; x < m; x++ {
		for k := raw.Indptr[x]; k < raw.Indptr[x+1]; k++ {
			out[x*m+raw.Ind[k]] = int32(raw.Data[k])
		}
	}
}

// scatterPacked copies the upper triangle of c into the packed form out.
func scatterPacked(c *sparse.CSR, out []int32) {
	raw := c.RawMatrix()
	m := raw.I
	for x := 0; x < m; x++ {
		off := packedOffset(x, m) - x
		for k := raw.Indptr[x]; k < raw.Indptr[x+1]; k++ {
			if y := raw.Ind[k]; y >= x {
				out[off+y] = int32(raw.Data[k])
			}
		}
	}
}
