package models

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// pivotedQR is the Householder QR factorization of a tall matrix with R's
// "limited column pivoting" (LINPACK's dqrdc2 as R's lm and glm.fit use
// it): columns are taken left to right, and a column whose part not yet
// explained by the columns before it has a norm below tol times its own
// norm is moved to the end and left out. The kept columns give a full-rank
// triangular factor; the moved ones are aliased, and their coefficients are
// not estimable (R's NA).
//
// Columns are stored contiguously (column-major), so the reflections run on
// gonum's vector kernels. Memory: the n x p matrix it factorizes, in place.
type pivotedQR struct {
	n, p  int
	cols  [][]float64 // column j of the factorized matrix in pivot order: R above the diagonal, reflectors below
	qraux []float64   // the leading element of each reflector
	pivot []int       // pivot[j] is the original index of column j
	rank  int
}

// newPivotedQR factorizes the columns cols (each of length n), which it overwrites.
func newPivotedQR(cols [][]float64, n int, tol float64) *pivotedQR {
	p := len(cols)
	q := &pivotedQR{n: n, p: p, cols: cols, qraux: make([]float64, p), pivot: make([]int, p)}
	norms := make([]float64, p)
	for j, c := range cols {
		q.pivot[j] = j
		norms[j] = columnNorm(c)
		if norms[j] == 0 {
			norms[j] = 1 // an all-zero column is aliased whatever tol is
		}
	}
	last := p // columns at and after last are aliased
	for l := 0; l < min(n, last); l++ {
		// Cycle negligible columns to the end until column l is kept.
		for l < last && columnNorm(q.cols[l][l:]) < tol*norms[l] {
			c, piv, nrm := q.cols[l], q.pivot[l], norms[l]
			copy(q.cols[l:], q.cols[l+1:])
			copy(q.pivot[l:], q.pivot[l+1:])
			copy(norms[l:], norms[l+1:])
			q.cols[p-1], q.pivot[p-1], norms[p-1] = c, piv, nrm
			last--
		}
		if l >= last {
			break
		}
		q.rank = l + 1
		if l == n-1 {
			continue // a 1-row remainder needs no reflection
		}
		// Reflect rows l..n-1 of column l onto its first element.
		x := q.cols[l][l:]
		nrm := columnNorm(x)
		if nrm == 0 {
			continue
		}
		if x[0] < 0 {
			nrm = -nrm
		}
		floats.Scale(1/nrm, x)
		x[0]++
		for j := l + 1; j < p; j++ {
			xj := q.cols[j][l:]
			floats.AddScaled(xj, -floats.Dot(x, xj)/x[0], x)
		}
		q.qraux[l] = x[0]
		x[0] = -nrm
	}
	return q
}

func columnNorm(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return blas64.Nrm2(blas64.Vector{N: len(x), Inc: 1, Data: x})
}

// applyQT overwrites y (length n) with Q^T y.
func (q *pivotedQR) applyQT(y []float64) {
	for l := 0; l < q.rank; l++ {
		if l == q.n-1 || q.qraux[l] == 0 {
			continue
		}
		v := q.cols[l][l:]
		diag := v[0]
		v[0] = q.qraux[l]
		floats.AddScaled(y[l:], -floats.Dot(v, y[l:])/v[0], v)
		v[0] = diag
	}
}

// solve returns the least-squares coefficients for the right-hand side y
// (overwritten), in the original column order, with 0 for aliased columns
// (as LINPACK's dqrls, so that they drop out of the linear predictor).
func (q *pivotedQR) solve(y []float64) []float64 {
	q.applyQT(y)
	b := make([]float64, q.rank)
	for i := q.rank - 1; i >= 0; i-- {
		s := y[i]
		for j := i + 1; j < q.rank; j++ {
			s -= q.cols[j][i] * b[j]
		}
		b[i] = s / q.cols[i][i]
	}
	coef := make([]float64, q.p)
	for j := 0; j < q.rank; j++ {
		coef[q.pivot[j]] = b[j]
	}
	return coef
}

// unscaledCovariance returns (R^T R)^{-1} for the kept columns, R's
// chol2inv of the triangular factor, as a p x p matrix in the original
// column order with NaN in the rows and columns of aliased columns.
func (q *pivotedQR) unscaledCovariance() [][]float64 {
	k := q.rank
	// Rinv = R^{-1}, upper triangular, by back substitution column by column.
	rinv := make([][]float64, k) // rinv[j] is column j
	for j := 0; j < k; j++ {
		c := make([]float64, k)
		c[j] = 1 / q.cols[j][j]
		for i := j - 1; i >= 0; i-- {
			s := 0.0
			for m := i + 1; m <= j; m++ {
				s += q.cols[m][i] * c[m]
			}
			c[i] = -s / q.cols[i][i]
		}
		rinv[j] = c
	}
	cov := make([][]float64, q.p)
	for i := range cov {
		cov[i] = make([]float64, q.p)
		for j := range cov[i] {
			cov[i][j] = math.NaN()
		}
	}
	// (R^T R)^{-1} = Rinv Rinv^T: entry (a, b) = sum over m >= max(a, b) of Rinv[a][m] Rinv[b][m].
	for a := 0; a < k; a++ {
		for b := a; b < k; b++ {
			s := 0.0
			for m := b; m < k; m++ {
				s += rinv[m][a] * rinv[m][b]
			}
			cov[q.pivot[a]][q.pivot[b]] = s
			cov[q.pivot[b]][q.pivot[a]] = s
		}
	}
	return cov
}
