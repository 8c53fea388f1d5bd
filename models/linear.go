package models

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// LinearRegression is ordinary least squares, or ridge regression when Alpha
// is positive, with the semantics of scikit-learn's LinearRegression and
// Ridge: the intercept is fitted by centring X and y, so it is not penalized.
//
// Dense input is solved through a singular value decomposition of the
// centred design, as scikit-learn's lstsq does (for a tall design, a
// Householder QR first and the SVD of its p x p factor, as LAPACK's
// least-squares drivers do): exact to the precision the data allow (the NIST
// Longley problem to about 13 digits), and when the design is rank
// deficient the minimum-norm solution is returned and Rank reports the
// numerical rank (singular values above machine epsilon times the largest
// count). Memory: one copy of X, factorized in place, plus O(p^2).
//
// Sparse input (*sparse.CSR and the package's other formats) is solved with
// LSQR on the implicitly centred matrix, never densified: it converges to the
// minimum-norm least-squares (or ridge) solution; Rank is -1 there because
// LSQR does not reveal it.
//
// A fitted LinearRegression is safe for concurrent use: Predict and Score may
// run from many goroutines at once. Fit must not run alongside them.
type LinearRegression struct {
	// NoIntercept fits a model through the origin. The zero value fits an intercept.
	NoIntercept bool
	// Alpha is the ridge penalty on the coefficients (not the intercept):
	// minimize ||y - Xw - b||^2 + Alpha ||w||^2. Zero is ordinary least squares.
	Alpha float64
	// MaxIter bounds the LSQR iterations on sparse input; 0 means 10 * columns (at least 1000).
	MaxIter int
	// Tol is LSQR's relative stopping tolerance on sparse input; 0 means 1e-12.
	Tol float64

	state *LinearRegressionState
}

// LinearRegressionState is the learned state of a LinearRegression as plain
// values, for saving and restoring a model exactly.
type LinearRegressionState struct {
	Coef      []float64 // one coefficient per column of X
	Intercept float64   // zero when fitted without an intercept
	// Rank is the numerical rank of the (centred) design, or -1 when the
	// sparse solver did not determine it.
	Rank int
	// Singular holds the singular values of the centred design, largest first (dense input only).
	Singular []float64
	// Iterations is the number of LSQR iterations (sparse input only).
	Iterations int
	// Summary is the inference of an ordinary least-squares fit of dense
	// input with full rank; nil otherwise.
	Summary *Summary

	covariance [][]float64 // (Xc^T Xc)^{-1} during Fit
}

// NewLinearRegressionFromState returns a fitted model whose predictions are
// those of the model that produced s.
func NewLinearRegressionFromState(s LinearRegressionState) (*LinearRegression, error) {
	if len(s.Coef) == 0 {
		return nil, fmt.Errorf("LinearRegression state: no coefficients: %w", ErrState)
	}
	for j, v := range append([]float64{s.Intercept}, s.Coef...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("LinearRegression state: parameter %d is %v: %w", j, v, ErrState)
		}
	}
	if s.Summary != nil {
		if err := s.Summary.check(len(s.Coef)); err != nil {
			return nil, fmt.Errorf("LinearRegression state: %w", err)
		}
	}
	st := s
	st.Coef = append([]float64(nil), s.Coef...)
	st.Singular = append([]float64(nil), s.Singular...)
	st.Summary = s.Summary.clone()
	return &LinearRegression{state: &st}, nil
}

// State returns a copy of the learned state.
func (m *LinearRegression) State() (LinearRegressionState, error) {
	if m.state == nil {
		return LinearRegressionState{}, fmt.Errorf("LinearRegression.State: %w", ErrNotFitted)
	}
	st := *m.state
	st.Coef = append([]float64(nil), st.Coef...)
	st.Singular = append([]float64(nil), st.Singular...)
	st.Summary = st.Summary.clone()
	return st, nil
}

// Summary returns the inference of an ordinary least-squares fit, as R's
// summary(lm(...)): standard errors, t tests and intervals, residual
// standard error, R^2, adjusted R^2 and the F statistic. It is available
// for dense input without a ridge penalty and with full rank (R reports
// aliased coefficients as NA; LinearRegression returns the minimum-norm
// solution instead, whose standard errors are not defined).
func (m *LinearRegression) Summary() (*Summary, error) {
	const who = "LinearRegression.Summary"
	switch {
	case m.state == nil:
		return nil, fmt.Errorf("%s: %w", who, ErrNotFitted)
	case m.state.Summary != nil:
		return m.state.Summary.clone(), nil
	case m.state.Rank < 0:
		return nil, fmt.Errorf("%s: a sparse fit (LSQR) has no inference; fit dense input: %w", who, ErrNoSummary)
	case m.Alpha > 0:
		return nil, fmt.Errorf("%s: a ridge fit (Alpha %v) has no inference: %w", who, m.Alpha, ErrNoSummary)
	case m.state.Rank < len(m.state.Coef):
		return nil, fmt.Errorf("%s: the design has rank %d for %d columns, so the coefficients are not identified: %w",
			who, m.state.Rank, len(m.state.Coef), ErrNoSummary)
	}
	return nil, fmt.Errorf("%s: the model was restored without its summary: %w", who, ErrNoSummary)
}

// Fit learns the coefficients from X (rows are samples) and the target y.
// It returns ctx's error if ctx is cancelled before or during the solve (the
// sparse solver checks it every iteration; the dense SVD runs to the end).
func (m *LinearRegression) Fit(ctx context.Context, X mat.Matrix, y []float64) error {
	const who = "LinearRegression.Fit"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	if m.Alpha < 0 || math.IsNaN(m.Alpha) || math.IsInf(m.Alpha, 0) {
		return fmt.Errorf("%s: Alpha is %v, want a finite value >= 0: %w", who, m.Alpha, ErrConfig)
	}
	if m.MaxIter < 0 || m.Tol < 0 || math.IsNaN(m.Tol) {
		return fmt.Errorf("%s: MaxIter %d and Tol %v must not be negative: %w", who, m.MaxIter, m.Tol, ErrConfig)
	}
	d, err := newDesign(who, X)
	if err != nil {
		return err
	}
	if err := checkTarget(who, y, d.rows); err != nil {
		return err
	}
	var xMean []float64
	yMean := 0.0
	if !m.NoIntercept {
		xMean = d.columnMeans()
		for _, v := range y {
			yMean += v
		}
		yMean /= float64(len(y))
	}
	yc := make([]float64, len(y))
	for i, v := range y {
		yc[i] = v - yMean
		if math.IsInf(yc[i], 0) || math.IsNaN(yc[i]) {
			return fmt.Errorf("%s: y[%d] overflows when centred (values too large): %w", who, i, ErrNonFinite)
		}
	}
	var st *LinearRegressionState
	if d.csr != nil {
		st, err = m.fitLSQR(ctx, d, xMean, yc)
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
	} else {
		st, err = m.fitSVD(who, d, xMean, yc)
		if err != nil {
			return err
		}
	}
	if !m.NoIntercept {
		st.Intercept = yMean
		for j, mu := range xMean {
			st.Intercept -= mu * st.Coef[j]
		}
	}
	for j, v := range append([]float64{st.Intercept}, st.Coef...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: parameter %d came out %v (values of X or y too large): %w", who, j, v, ErrNonFinite)
		}
	}
	if st.covariance != nil {
		st.Summary = linearSummary(d, st, xMean, y, !m.NoIntercept)
		st.covariance = nil
	}
	m.state = st
	return nil
}

// fitSVD solves the centred dense problem through the thin SVD X = U S V^T:
// w = V diag(s/(s^2+alpha)) U^T y, dropping singular values at or below
// eps * s_max when alpha is zero (the minimum-norm least-squares solution).
func (m *LinearRegression) fitSVD(who string, d *design, xMean, yc []float64) (*LinearRegressionState, error) {
	n, p := d.rows, d.cols
	xc := mat.NewDense(n, p, nil)
	xc.Copy(d.dense)
	raw := xc.RawMatrix()
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+p]
		for j := range row {
			if xMean != nil {
				row[j] -= xMean[j]
			}
			// Centring values near the float64 limit can overflow, and
			// LAPACK's SVD does not return on infinities.
			if math.IsInf(row[j], 0) || math.IsNaN(row[j]) {
				return nil, fmt.Errorf("%s: X row %d, column %d overflows when centred (values too large): %w", who, i, j, ErrNonFinite)
			}
		}
	}
	// For a tall design, reduce it first by a Householder QR, X = Q R, and
	// take the SVD of the small p x p factor R (as LAPACK's gelsd does):
	// R has X's singular values, and Q^T y replaces y. This avoids forming
	// the n x p factor U.
	a, target := mat.Matrix(xc), yc
	if n > p {
		tau := make([]float64, p)
		work := make([]float64, 1)
		lapack64.Geqrf(raw, tau, work, -1)
		work = make([]float64, max(int(work[0]), n))
		lapack64.Geqrf(raw, tau, work, len(work))
		qty := blas64.General{Rows: n, Cols: 1, Stride: 1, Data: slices.Clone(yc)}
		lapack64.Ormqr(blas.Left, blas.Trans, raw, tau, qty, work, -1)
		if int(work[0]) > len(work) {
			work = make([]float64, int(work[0]))
		}
		lapack64.Ormqr(blas.Left, blas.Trans, raw, tau, qty, work, len(work))
		r := mat.NewDense(p, p, nil)
		for i := 0; i < p; i++ {
			for j := i; j < p; j++ {
				r.Set(i, j, raw.Data[i*raw.Stride+j])
			}
		}
		a, target = r, qty.Data[:p]
	}
	var svd mat.SVD
	if ok := svd.Factorize(a, mat.SVDThin); !ok {
		return nil, fmt.Errorf("%s: the singular value decomposition did not converge: %w", who, ErrNonFinite)
	}
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	k := len(s)
	cut := 0.0
	if k > 0 {
		cut = s[0] * 0x1p-52 // scipy's lstsq default cond: machine epsilon relative to the largest
	}
	rank := 0
	for _, sv := range s {
		if sv > cut {
			rank++
		}
	}
	uty := make([]float64, k)
	mat.NewVecDense(k, uty).MulVec(u.T(), mat.NewVecDense(len(target), target))
	for i, sv := range s {
		switch {
		case m.Alpha > 0:
			uty[i] *= sv / (sv*sv + m.Alpha)
		case sv > cut:
			uty[i] /= sv
		default:
			uty[i] = 0
		}
	}
	coef := make([]float64, p)
	mat.NewVecDense(p, coef).MulVec(&v, mat.NewVecDense(k, uty))
	st := &LinearRegressionState{Coef: coef, Rank: rank, Singular: s}
	if m.Alpha == 0 && rank == p {
		// (Xc^T Xc)^{-1} = V S^-2 V^T, for the summary's standard errors.
		st.covariance = make([][]float64, p)
		for a := range st.covariance {
			st.covariance[a] = make([]float64, p)
			for b := range st.covariance[a] {
				c := 0.0
				for i, sv := range s {
					c += v.At(a, i) * v.At(b, i) / (sv * sv)
				}
				st.covariance[a][b] = c
			}
		}
	}
	return st, nil
}

// Coef returns a copy of the coefficients as a 1 x p matrix, one column per
// column of X (nil before Fit): one row per output, the shape of
// LogisticRegression's Coef for two classes.
func (m *LinearRegression) Coef() *mat.Dense {
	if m.state == nil {
		return nil
	}
	return mat.NewDense(1, len(m.state.Coef), slices.Clone(m.state.Coef))
}

// Intercept returns the fitted intercept, one per row of Coef ({0} when
// fitted without one, nil before Fit).
func (m *LinearRegression) Intercept() []float64 {
	if m.state == nil {
		return nil
	}
	return []float64{m.state.Intercept}
}

// Rank returns the numerical rank of the centred design (-1 for sparse input, 0 before Fit).
func (m *LinearRegression) Rank() int {
	if m.state == nil {
		return 0
	}
	return m.state.Rank
}

// RankDeficient reports whether the design had fewer independent columns than columns.
func (m *LinearRegression) RankDeficient() bool {
	return m.state != nil && m.state.Rank >= 0 && m.state.Rank < len(m.state.Coef)
}

// Predict returns X w + b for every row of X.
func (m *LinearRegression) Predict(X mat.Matrix) ([]float64, error) {
	const who = "LinearRegression.Predict"
	if m.state == nil {
		return nil, fmt.Errorf("%s: %w", who, ErrNotFitted)
	}
	d, err := newDesign(who, X)
	if err != nil {
		return nil, err
	}
	if err := checkWidth(who, d, len(m.state.Coef)); err != nil {
		return nil, err
	}
	out := make([]float64, d.rows)
	d.mulVec(out, m.state.Coef, m.state.Intercept)
	for i, v := range out {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("%s: the prediction of row %d overflows: %w", who, i, ErrNonFinite)
		}
	}
	return out, nil
}

// Score returns the coefficient of determination R^2 of the predictions on X against y.
func (m *LinearRegression) Score(X mat.Matrix, y []float64) (float64, error) {
	pred, err := m.Predict(X)
	if err != nil {
		return 0, err
	}
	if err := checkTarget("LinearRegression.Score", y, len(pred)); err != nil {
		return 0, err
	}
	return r2(y, pred), nil
}

// r2 is 1 - SS_res/SS_tot, with scikit-learn's conventions for a constant y
// (1 for a perfect fit, 0 otherwise).
func r2(y, pred []float64) float64 {
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	var res, tot float64
	for i, v := range y {
		res += (v - pred[i]) * (v - pred[i])
		tot += (v - mean) * (v - mean)
	}
	if tot == 0 {
		if res == 0 {
			return 1
		}
		return 0
	}
	return 1 - res/tot
}
