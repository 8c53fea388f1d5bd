package models

import (
	"errors"
	"fmt"
	"math"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// Errors that Fit and Predict wrap, so that callers can test for them with
// errors.Is. The wrapping message names the row, column or label at fault.
// ErrNotFitted, ErrEmpty, ErrShape, ErrNonFinite and ErrConfig are the root
// package's shared sentinels under their old names here, so errors.Is(err,
// kiln.ErrShape) and errors.Is(err, models.ErrShape) agree.
var (
	ErrNotFitted   = kiln.ErrNotFitted
	ErrEmpty       = kiln.ErrEmpty
	ErrShape       = kiln.ErrShape
	ErrNonFinite   = kiln.ErrNonFinite
	ErrSingleClass = errors.New("a single class in y")
	ErrConfig      = kiln.ErrConfig
	ErrState       = errors.New("invalid model state")
)

// design is a validated training or prediction matrix: exactly one of dense
// and csr is set. Dense input keeps its gonum storage (no copy); other
// mat.Matrix types are copied once into a Dense, sparse types other than CSR
// are converted to CSR.
type design struct {
	rows, cols int
	dense      *mat.Dense
	csr        *sparse.CSR
}

// csrConverter is implemented by the sparse package's other formats (CSC, COO, DOK).
type csrConverter interface{ ToCSR() *sparse.CSR }

// newDesign checks X (non-empty, finite, well-formed sparse structure) and
// returns its fast-path view. who names the caller in errors ("LinearRegression.Fit").
func newDesign(who string, X mat.Matrix) (*design, error) {
	if X == nil {
		return nil, fmt.Errorf("%s: X is nil: %w", who, ErrEmpty)
	}
	r, c, err := safeDims(X)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", who, err)
	}
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("%s: X is %dx%d: %w", who, r, c, ErrEmpty)
	}
	d := &design{rows: r, cols: c}
	switch m := X.(type) {
	case *sparse.CSR:
		d.csr = m
	case csrConverter:
		d.csr = m.ToCSR()
	case *mat.Dense:
		d.dense = m
	default:
		d.dense = mat.DenseCopyOf(X)
	}
	if d.csr != nil {
		return d, checkCSR(who, d.csr, r, c)
	}
	raw := d.dense.RawMatrix()
	for i := 0; i < r; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: X row %d, column %d is %v: %w", who, i, j, v, ErrNonFinite)
			}
		}
	}
	return d, nil
}

// safeDims calls X.Dims, turning a panic of a zero-value gonum matrix into an error.
func safeDims(X mat.Matrix) (r, c int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("X has no dimensions (%v): %w", p, ErrEmpty)
		}
	}()
	r, c = X.Dims()
	if r < 0 || c < 0 {
		return 0, 0, fmt.Errorf("X has negative dimensions %dx%d: %w", r, c, ErrShape)
	}
	return r, c, nil
}

// checkCSR validates the raw CSR arrays so that the kernels can index them
// without bounds surprises, and that every stored value is finite.
func checkCSR(who string, m *sparse.CSR, r, c int) error {
	raw := m.RawMatrix()
	if len(raw.Indptr) != r+1 || raw.Indptr[0] != 0 {
		return fmt.Errorf("%s: CSR row pointer has length %d for %d rows: %w", who, len(raw.Indptr), r, ErrShape)
	}
	nnz := raw.Indptr[r]
	if nnz > len(raw.Ind) || nnz > len(raw.Data) {
		return fmt.Errorf("%s: CSR row pointer ends at %d beyond %d stored values: %w", who, nnz, min(len(raw.Ind), len(raw.Data)), ErrShape)
	}
	for i := 0; i < r; i++ {
		lo, hi := raw.Indptr[i], raw.Indptr[i+1]
		if hi < lo || hi > nnz {
			return fmt.Errorf("%s: CSR row pointer is not increasing up to %d at row %d: %w", who, nnz, i, ErrShape)
		}
		for k := lo; k < hi; k++ {
			j, v := raw.Ind[k], raw.Data[k]
			if j < 0 || j >= c {
				return fmt.Errorf("%s: X row %d has column index %d outside [0,%d): %w", who, i, j, c, ErrShape)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: X row %d, column %d is %v: %w", who, i, j, v, ErrNonFinite)
			}
		}
	}
	return nil
}

// checkTarget checks that y matches the rows of X and is finite.
func checkTarget(who string, y []float64, rows int) error {
	if len(y) != rows {
		return fmt.Errorf("%s: y has %d values for %d rows of X: %w", who, len(y), rows, ErrShape)
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: y[%d] is %v: %w", who, i, v, ErrNonFinite)
		}
	}
	return nil
}

// checkWidth is the Predict-time check that X has as many columns as the model learned.
func checkWidth(who string, d *design, want int) error {
	if d.cols != want {
		return fmt.Errorf("%s: X has %d columns, the model was fitted on %d: %w", who, d.cols, want, ErrShape)
	}
	return nil
}

// columnMeans returns the mean of every column of X.
func (d *design) columnMeans() []float64 {
	mean := make([]float64, d.cols)
	if d.csr != nil {
		raw := d.csr.RawMatrix()
		for k := 0; k < raw.Indptr[d.rows]; k++ {
			mean[raw.Ind[k]] += raw.Data[k] / float64(d.rows)
		}
	} else {
		raw := d.dense.RawMatrix()
		for i := 0; i < d.rows; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+d.cols]
			for j, v := range row {
				mean[j] += v / float64(d.rows) // divided first so that the sum cannot overflow
			}
		}
	}
	return mean
}

// mulVec sets out[i] = x_i . w + b for every row i.
func (d *design) mulVec(out, w []float64, b float64) {
	if d.csr != nil {
		raw := d.csr.RawMatrix()
		for i := 0; i < d.rows; i++ {
			s := 0.0
			for k := raw.Indptr[i]; k < raw.Indptr[i+1]; k++ {
				s += raw.Data[k] * w[raw.Ind[k]]
			}
			out[i] = s + b
		}
		return
	}
	raw := d.dense.RawMatrix()
	for i := 0; i < d.rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d.cols]
		s := 0.0
		for j, v := range row {
			s += v * w[j]
		}
		out[i] = s + b
	}
}

// mulTransVec sets out = X^T r.
func (d *design) mulTransVec(out, r []float64) {
	clear(out)
	if d.csr != nil {
		raw := d.csr.RawMatrix()
		for i := 0; i < d.rows; i++ {
			ri := r[i]
			for k := raw.Indptr[i]; k < raw.Indptr[i+1]; k++ {
				out[raw.Ind[k]] += raw.Data[k] * ri
			}
		}
		return
	}
	raw := d.dense.RawMatrix()
	for i := 0; i < d.rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d.cols]
		ri := r[i]
		for j, v := range row {
			out[j] += v * ri
		}
	}
}
