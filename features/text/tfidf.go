package text

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// TfidfTransformer reweights a document-term count matrix by inverse
// document frequency, like scikit-learn's TfidfTransformer; its zero value
// has scikit-learn's defaults (norm="l2", use_idf=True, smooth_idf=True,
// sublinear_tf=False):
//
//	idf(t) = ln((1 + n) / (1 + df(t))) + 1      (ln(n / df(t)) + 1 with NoSmoothIDF)
//	tf     = count                               (1 + ln(count) with SublinearTF)
//
// each entry becomes tf * idf, then each row is scaled to unit Norm. On the
// IMDB counts its values agree with scikit-learn 1.2.1 within 1e-12.
//
// A fitted TfidfTransformer is safe for concurrent use: Transform may run
// from many goroutines at once. Fit and SetIDF must not run alongside it.
type TfidfTransformer struct {
	Norm        Norm // L2 (default), L1 or NoNorm
	NoIDF       bool // use_idf=False: no reweighting, only tf and norm
	NoSmoothIDF bool // smooth_idf=False
	SublinearTF bool // sublinear_tf=True

	idf []float64
}

// IDF returns the learned inverse document frequencies, one per column (nil
// before Fit or with NoIDF).
func (t *TfidfTransformer) IDF() []float64 { return slices.Clone(t.idf) }

// SetIDF installs inverse document frequencies learned earlier (for example
// saved ones), so that Transform can run without Fit.
func (t *TfidfTransformer) SetIDF(idf []float64) error {
	for j, x := range idf {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("text: TfidfTransformer: idf of column %d is %g: %w", j, x, kiln.ErrNonFinite)
		}
	}
	t.idf = slices.Clone(idf)
	return nil
}

// Fit learns the document frequency of each column of x (documents x terms):
// the number of rows where it is non-zero. It is a single pass over the
// stored entries; ctx is checked before it starts.
func (t *TfidfTransformer) Fit(ctx context.Context, x mat.Matrix) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("text: TfidfTransformer: %w", err)
	}
	if err := t.Norm.validate(); err != nil {
		return err
	}
	m, err := asCSR(x)
	if err != nil {
		return err
	}
	if t.NoIDF {
		t.idf = nil
		return nil
	}
	n, cols := m.Dims()
	raw := m.RawMatrix()
	df := make([]int, cols)
	for _, j := range raw.Ind { // stored entries, as scikit-learn's _document_frequency counts them
		df[j]++
	}
	smooth := 1
	if t.NoSmoothIDF {
		smooth = 0
	}
	t.idf = make([]float64, cols)
	for j, d := range df {
		t.idf[j] = math.Log(float64(n+smooth)/float64(d+smooth)) + 1
	}
	return nil
}

// FitTransform fits on x and returns its TF-IDF matrix.
func (t *TfidfTransformer) FitTransform(ctx context.Context, x mat.Matrix) (*sparse.CSR, error) {
	if err := t.Fit(ctx, x); err != nil {
		return nil, err
	}
	return t.Transform(x)
}

// Transform returns the TF-IDF matrix of x, a new *sparse.CSR (x is not
// modified), with the idf learned by Fit.
func (t *TfidfTransformer) Transform(x mat.Matrix) (*sparse.CSR, error) {
	if err := t.Norm.validate(); err != nil {
		return nil, err
	}
	m, err := asCSR(x)
	if err != nil {
		return nil, err
	}
	rows, cols := m.Dims()
	if !t.NoIDF {
		if t.idf == nil {
			return nil, fmt.Errorf("text: TfidfTransformer: Transform before Fit: %w", kiln.ErrNotFitted)
		}
		if len(t.idf) != cols {
			return nil, fmt.Errorf("text: TfidfTransformer: matrix has %d columns, fitted on %d: %w", cols, len(t.idf), kiln.ErrShape)
		}
	}
	raw := m.RawMatrix()
	indptr := slices.Clone(raw.Indptr)
	ind := slices.Clone(raw.Ind)
	data := slices.Clone(raw.Data)
	for r := 0; r < rows; r++ {
		for k := indptr[r]; k < indptr[r+1]; k++ {
			v := data[k]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("text: TfidfTransformer: row %d, column %d: value %g: %w", r, ind[k], v, kiln.ErrNonFinite)
			}
			if t.SublinearTF && v != 0 {
				if v < 0 {
					return nil, fmt.Errorf("text: TfidfTransformer: row %d, column %d: negative count %g with SublinearTF", r, ind[k], v)
				}
				v = math.Log(v) + 1
			}
			if !t.NoIDF {
				v *= t.idf[ind[k]]
			}
			data[k] = v
		}
	}
	out := sparse.NewCSR(rows, cols, indptr, ind, data)
	normalizeRows(out, t.Norm)
	return out, nil
}

// asCSR returns x as a *sparse.CSR: itself, its ToCSR conversion (other
// sparse formats), or the non-zeros of a dense matrix.
func asCSR(x mat.Matrix) (*sparse.CSR, error) {
	switch m := x.(type) {
	case nil:
		return nil, fmt.Errorf("text: nil matrix: %w", kiln.ErrEmpty)
	case *sparse.CSR:
		return m, nil
	case interface{ ToCSR() *sparse.CSR }:
		return m.ToCSR(), nil
	}
	r, c := x.Dims()
	indptr := make([]int, r+1)
	var ind []int
	var data []float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := x.At(i, j); v != 0 {
				ind = append(ind, j)
				data = append(data, v)
			}
		}
		indptr[i+1] = len(ind)
	}
	return sparse.NewCSR(r, c, indptr, ind, data), nil
}
