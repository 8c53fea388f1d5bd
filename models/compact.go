package models

import "github.com/james-bowman/sparse"

// compactCSR is the fitting-time copy of a sparse matrix that the logistic
// kernels stream over many times: 32-bit column indices, and no values at
// all when every stored value is 1 (binary bags of words), so that a pass
// reads 4 bytes per non-zero instead of 16. Memory bandwidth bounds these
// passes, so this is what makes them fast.
type compactCSR struct {
	rows, cols int
	indptr     []int
	ind        []int32
	data       []float64 // nil: every stored value is 1
}

// fitsCompact reports whether row and column indices fit in 32 bits.
func fitsCompact(rows, cols int) bool { return rows <= 1<<31-1 && cols <= 1<<31-1 }

// newCompactCSR copies X (validated by checkCSR) into compact form.
func newCompactCSR(x *sparse.CSR, rows, cols int) *compactCSR {
	raw := x.RawMatrix()
	nnz := raw.Indptr[rows]
	m := &compactCSR{rows: rows, cols: cols, indptr: raw.Indptr[:rows+1], ind: make([]int32, nnz)}
	ones := true
	for q := 0; q < nnz; q++ {
		m.ind[q] = int32(raw.Ind[q])
		ones = ones && raw.Data[q] == 1
	}
	if !ones {
		m.data = raw.Data[:nnz]
	}
	return m
}

// transpose returns X^T in compact form (the CSC layout of X) by one counting pass.
func (m *compactCSR) transpose() *compactCSR {
	nnz := m.indptr[m.rows]
	t := &compactCSR{rows: m.cols, cols: m.rows, indptr: make([]int, m.cols+1), ind: make([]int32, nnz)}
	for _, j := range m.ind[:nnz] {
		t.indptr[j+1]++
	}
	for j := 0; j < m.cols; j++ {
		t.indptr[j+1] += t.indptr[j]
	}
	next := append([]int(nil), t.indptr[:m.cols]...)
	if m.data != nil {
		t.data = make([]float64, nnz)
	}
	for i := 0; i < m.rows; i++ {
		for q := m.indptr[i]; q < m.indptr[i+1]; q++ {
			j := m.ind[q]
			t.ind[next[j]] = int32(i)
			if m.data != nil {
				t.data[next[j]] = m.data[q]
			}
			next[j]++
		}
	}
	return t
}

// mulVecRows sets out[i] = row_i . v + b for rows [lo, hi).
func (m *compactCSR) mulVecRows(out, v []float64, b float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		start, end := m.indptr[i], m.indptr[i+1]
		ind := m.ind[start:end]
		s := 0.0
		if m.data == nil {
			// Four partial sums let the gathers overlap; their order is fixed, so
			// the result is still the same on every run.
			var s0, s1, s2, s3 float64
			q := 0
			for ; q+4 <= len(ind); q += 4 {
				s0 += v[ind[q]]
				s1 += v[ind[q+1]]
				s2 += v[ind[q+2]]
				s3 += v[ind[q+3]]
			}
			for ; q < len(ind); q++ {
				s0 += v[ind[q]]
			}
			s = (s0 + s1) + (s2 + s3)
		} else {
			data := m.data[start:end]
			for q, j := range ind {
				s += data[q] * v[j]
			}
		}
		out[i] = s + b
	}
}

// mulMatRows sets out[i*k+c] = row_i . V[:, c] + b[c] for rows [lo, hi), V stored cols x k row-major.
func (m *compactCSR) mulMatRows(out, v []float64, k int, b []float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		zi := out[i*k : i*k+k]
		clear(zi)
		for q := m.indptr[i]; q < m.indptr[i+1]; q++ {
			j := int(m.ind[q])
			vj := v[j*k : j*k+k]
			if m.data == nil {
				for c := range zi {
					zi[c] += vj[c]
				}
			} else {
				x := m.data[q]
				for c := range zi {
					zi[c] += x * vj[c]
				}
			}
		}
		for c := range b {
			zi[c] += b[c]
		}
	}
}
