package text

import (
	"fmt"
	"math"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
)

// Norm is the normalization of each row (document) of a matrix, as
// scikit-learn's norm parameter.
type Norm int

const (
	L2     Norm = iota // each row divided by its Euclidean length (the default)
	L1                 // each row divided by the sum of its absolute values
	NoNorm             // rows left as they are (norm=None)
)

func (n Norm) String() string {
	switch n {
	case L2:
		return "l2"
	case L1:
		return "l1"
	case NoNorm:
		return "none"
	}
	return fmt.Sprintf("Norm(%d)", int(n))
}

func (n Norm) validate() error {
	if n < L2 || n > NoNorm {
		return fmt.Errorf("text: unknown Norm %d: %w", int(n), kiln.ErrConfig)
	}
	return nil
}

// normalizeRows scales the rows of m in place as sklearn.preprocessing.normalize
// (inplace_csr_row_normalize_l1/l2): the sum runs over the stored entries in
// order, and rows whose norm is zero are left alone.
func normalizeRows(m *sparse.CSR, norm Norm) {
	if norm == NoNorm {
		return
	}
	raw := m.RawMatrix()
	for r := 0; r+1 < len(raw.Indptr); r++ {
		row := raw.Data[raw.Indptr[r]:raw.Indptr[r+1]]
		sum := 0.0
		for _, x := range row {
			if norm == L2 {
				sum += x * x
			} else {
				sum += math.Abs(x)
			}
		}
		if sum == 0 {
			continue
		}
		if norm == L2 {
			sum = math.Sqrt(sum)
		}
		for i := range row {
			row[i] /= sum
		}
	}
}
