package cluster

import (
	"fmt"
	"math"
	"sort"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// points is the read-only view of the data the algorithms work on: either a
// row-major dense block (rows may be strided) or a CSR matrix. Neither is
// copied when the caller passes *mat.Dense or *sparse.CSR.
type points struct {
	n, d int

	// Dense rows: row i is dense[i*stride : i*stride+d].
	dense  []float64
	stride int

	// CSR rows: row i has the columns indices[indptr[i]:indptr[i+1]] with values data[...].
	sparse  bool
	indptr  []int
	indices []int
	data    []float64

	// sqNorms[i] is the squared Euclidean norm of row i, precomputed once for
	// the sparse distance formula ||x||² - 2x·c + ||c||².
	sqNorms []float64

	// rank[j] is where feature j sits in the feature-major centre tables:
	// features are ordered by how many rows use them, most used first, so
	// that the table rows touched most often share the cache. ranked holds
	// the column indices mapped through rank (4 bytes each).
	rank   []int32
	ranked []int32
}

// errEmpty is returned for input with no rows or no columns.
var errEmpty = fmt.Errorf("cluster: no rows or no columns: %w", kiln.ErrEmpty)

// newPoints wraps X without copying when it is *mat.Dense or *sparse.CSR
// (other mat.Matrix types are copied: sparse ones to CSR, the rest to dense),
// and checks that every value is finite.
func newPoints(X mat.Matrix) (*points, error) {
	if X == nil {
		return nil, errEmpty
	}
	var p *points
	switch m := X.(type) {
	case *mat.Dense:
		if m.IsEmpty() {
			return nil, errEmpty
		}
		raw := m.RawMatrix()
		p = &points{n: raw.Rows, d: raw.Cols, dense: raw.Data, stride: raw.Stride}
	case *sparse.CSR:
		p = fromCSR(m)
	case interface{ ToCSR() *sparse.CSR }:
		p = fromCSR(m.ToCSR())
	default:
		r, c := X.Dims()
		if r == 0 || c == 0 {
			return nil, errEmpty
		}
		p = fromDense(mat.DenseCopyOf(X))
	}
	if p.n == 0 || p.d == 0 {
		return nil, errEmpty
	}
	if err := p.checkFinite(); err != nil {
		return nil, err
	}
	p.computeNorms()
	if p.sparse {
		p.computeRanks()
	}
	return p, nil
}

// computeRanks orders the features by their number of nonzeros (ties by
// index) and maps every column index through that order.
func (p *points) computeRanks() {
	nnz := p.indptr[p.n] - p.indptr[0]
	uses := make([]int, p.d)
	for _, j := range p.indices[p.indptr[0]:p.indptr[p.n]] {
		uses[j]++
	}
	order := make([]int, p.d)
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return uses[order[a]] > uses[order[b]] })
	p.rank = make([]int32, p.d)
	for r, j := range order {
		p.rank[j] = int32(r)
	}
	p.ranked = make([]int32, nnz)
	base := p.indptr[0]
	for k, j := range p.indices[base:p.indptr[p.n]] {
		p.ranked[k] = p.rank[j]
	}
}

// rankedRow returns the ranked column indices and the values of CSR row i.
func (p *points) rankedRow(i int) ([]int32, []float64) {
	a, b := p.indptr[i], p.indptr[i+1]
	base := p.indptr[0]
	return p.ranked[a-base : b-base], p.data[a:b]
}

func fromDense(m *mat.Dense) *points {
	raw := m.RawMatrix()
	return &points{n: raw.Rows, d: raw.Cols, dense: raw.Data, stride: raw.Stride}
}

func fromCSR(m *sparse.CSR) *points {
	raw := m.RawMatrix()
	return &points{n: raw.I, d: raw.J, sparse: true, indptr: raw.Indptr, indices: raw.Ind, data: raw.Data}
}

// checkFinite reports the first NaN or infinite value by row and column.
func (p *points) checkFinite() error {
	if p.sparse {
		for i := 0; i < p.n; i++ {
			for k := p.indptr[i]; k < p.indptr[i+1]; k++ {
				if v := p.data[k]; math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("cluster: row %d, column %d: value %v: %w", i, p.indices[k], v, kiln.ErrNonFinite)
				}
			}
		}
		return nil
	}
	for i := 0; i < p.n; i++ {
		for j, v := range p.row(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("cluster: row %d, column %d: value %v: %w", i, j, v, kiln.ErrNonFinite)
			}
		}
	}
	return nil
}

// row returns dense row i (dense data only).
func (p *points) row(i int) []float64 {
	return p.dense[i*p.stride : i*p.stride+p.d]
}

// sparseRow returns the column indices and values of CSR row i.
func (p *points) sparseRow(i int) ([]int, []float64) {
	a, b := p.indptr[i], p.indptr[i+1]
	return p.indices[a:b], p.data[a:b]
}

func (p *points) computeNorms() {
	p.sqNorms = make([]float64, p.n)
	for i := range p.sqNorms {
		var s float64
		if p.sparse {
			_, vals := p.sparseRow(i)
			for _, v := range vals {
				s += v * v
			}
		} else {
			for _, v := range p.row(i) {
				s += v * v
			}
		}
		p.sqNorms[i] = s
	}
}

// copyRow writes row i densely into dst (length d).
func (p *points) copyRow(dst []float64, i int) {
	if !p.sparse {
		copy(dst, p.row(i))
		return
	}
	clear(dst)
	cols, vals := p.sparseRow(i)
	for k, j := range cols {
		dst[j] += vals[k]
	}
}

// meanVariance returns the mean over features of the per-feature population
// variances, as scikit-learn's _tolerance computes it (unweighted, two-pass).
func (p *points) meanVariance() float64 {
	mean := make([]float64, p.d)
	if p.sparse {
		for k, j := range p.indices[:p.indptr[p.n]] {
			mean[j] += p.data[k]
		}
	} else {
		for i := 0; i < p.n; i++ {
			for j, v := range p.row(i) {
				mean[j] += v
			}
		}
	}
	for j := range mean {
		mean[j] /= float64(p.n)
	}
	sq := make([]float64, p.d)
	if p.sparse {
		nonzeros := make([]int, p.d)
		for k, j := range p.indices[:p.indptr[p.n]] {
			dv := p.data[k] - mean[j]
			sq[j] += dv * dv
			nonzeros[j]++
		}
		// Implicit zeros each contribute mean².
		for j := range sq {
			sq[j] += float64(p.n-nonzeros[j]) * mean[j] * mean[j]
		}
	} else {
		for i := 0; i < p.n; i++ {
			for j, v := range p.row(i) {
				dv := v - mean[j]
				sq[j] += dv * dv
			}
		}
	}
	var total float64
	for _, s := range sq {
		total += s / float64(p.n)
	}
	return total / float64(p.d)
}

// checkWeights validates optional sample weights; nil means all ones.
func checkWeights(w []float64, n int) ([]float64, error) {
	if w == nil {
		w = make([]float64, n)
		for i := range w {
			w[i] = 1
		}
		return w, nil
	}
	if len(w) != n {
		return nil, fmt.Errorf("cluster: %d sample weights for %d rows: %w", len(w), n, kiln.ErrShape)
	}
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("cluster: sample weight %d is %v; weights must be finite and non-negative", i, v)
		}
	}
	return w, nil
}

// subset copies the given rows (repeats allowed) into new points.
func (p *points) subset(rows []int) *points {
	q := &points{n: len(rows), d: p.d, sparse: p.sparse, sqNorms: make([]float64, len(rows))}
	if p.sparse {
		q.indptr = make([]int, len(rows)+1)
		for n, i := range rows {
			q.indptr[n+1] = q.indptr[n] + p.indptr[i+1] - p.indptr[i]
		}
		q.indices = make([]int, 0, q.indptr[len(rows)])
		q.data = make([]float64, 0, q.indptr[len(rows)])
		q.rank = p.rank // shared, so that centres built for p serve q
		q.ranked = make([]int32, 0, q.indptr[len(rows)])
		for _, i := range rows {
			cols, vals := p.sparseRow(i)
			ranked, _ := p.rankedRow(i)
			q.indices = append(q.indices, cols...)
			q.data = append(q.data, vals...)
			q.ranked = append(q.ranked, ranked...)
		}
	} else {
		q.stride = p.d
		q.dense = make([]float64, 0, len(rows)*p.d)
		for _, i := range rows {
			q.dense = append(q.dense, p.row(i)...)
		}
	}
	for n, i := range rows {
		q.sqNorms[n] = p.sqNorms[i]
	}
	return q
}
