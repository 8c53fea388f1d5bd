package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// Errors of the maximum-likelihood solvers, for errors.Is.
var (
	// ErrNotConverged is kiln.ErrNotConverged: an iterative solver stopped
	// (at MaxIter, or unable to make progress) before its tolerance was met.
	ErrNotConverged = kiln.ErrNotConverged
	// ErrSeparation: the two classes of a binomial or unpenalized logistic
	// fit are perfectly or quasi-completely separated, so the maximum
	// likelihood estimates do not exist (they diverge); fitted
	// probabilities became numerically 0 or 1, R's glm.fit warning.
	ErrSeparation = errors.New("perfect or quasi-complete separation")
)

// GLM is a generalized linear model fitted by maximum likelihood as R
// 4.2.2's glm does it: iteratively reweighted least squares from R's
// starting values, with R's stopping rule (relative change of the deviance
// below Tol) and R's rank-revealing QR, so that estimates, standard errors
// and fit statistics agree with summary(glm(...)) to rounding. The family
// (Gaussian, Binomial, Poisson) comes with its canonical link (identity,
// logit, log).
//
// Fit takes the design without an intercept column (one is added unless
// NoIntercept) and FitWeighted also takes prior weights and an offset, R's
// weights= and offset=. A column that is a linear combination of earlier
// ones (within R's tolerance) is aliased: its coefficient is reported as NaN
// (R's NA) and predicts as zero.
//
// Errors: a fit that does not converge within MaxIter returns an error
// wrapping ErrNotConverged, and a binomial fit whose fitted probabilities
// become numerically 0 or 1 (perfect or quasi-complete separation) one
// wrapping ErrSeparation, unless AcceptNotConverged or AcceptSeparation
// accept them; then the fit is kept and Summary lists R's warning.
//
// Memory: a dense copy of X with the intercept column, a second one for
// the weighted least-squares solve, and a few vectors of length n. The
// design is densified, so GLM suits problems with few columns.
type GLM struct {
	// Family is Gaussian (the zero value, R's default), Binomial or Poisson.
	Family Family
	// NoIntercept fits no intercept. The zero value fits one.
	NoIntercept bool
	// MaxIter bounds the iterations; 0 means 25, R's glm.control(maxit).
	MaxIter int
	// Tol stops when |deviance - previous| / (|deviance| + 0.1) < Tol;
	// 0 means 1e-8, R's glm.control(epsilon).
	Tol float64
	// AcceptNotConverged keeps a fit that reached MaxIter instead of
	// returning ErrNotConverged; Converged() then reports false.
	AcceptNotConverged bool
	// AcceptSeparation keeps a binomial fit whose fitted probabilities are
	// numerically 0 or 1 instead of returning ErrSeparation, converged or
	// not (separation is why such fits do not converge).
	AcceptSeparation bool
	// Progress, if set, is called after every iteration from the goroutine
	// running Fit, with Stage "iteration", Done the iterations so far, Total
	// the MaxIter limit and Value the deviance.
	Progress kiln.ProgressFunc

	state *GLMState
}

// GLMState is the learned state of a GLM as plain values, for saving and
// restoring a model exactly.
type GLMState struct {
	Family     Family
	Coef       []float64 // one per column of X; 0 for aliased columns
	Intercept  float64   // 0 without an intercept
	Iterations int       // Fisher scoring iterations
	Converged  bool
	// Summary is the inference of the fit.
	Summary *Summary
}

// NewGLMFromState returns a fitted model whose predictions and summary are
// those of the model that produced s.
func NewGLMFromState(s GLMState) (*GLM, error) {
	const who = "GLM state"
	if !s.Family.valid() {
		return nil, fmt.Errorf("%s: unknown family %d: %w", who, s.Family, ErrState)
	}
	if len(s.Coef) == 0 {
		return nil, fmt.Errorf("%s: no coefficients: %w", who, ErrState)
	}
	for j, v := range append([]float64{s.Intercept}, s.Coef...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: parameter %d is %v: %w", who, j, v, ErrState)
		}
	}
	if s.Summary != nil {
		if err := s.Summary.check(len(s.Coef)); err != nil {
			return nil, fmt.Errorf("%s: %w", who, err)
		}
	}
	return &GLM{Family: s.Family, state: cloneGLMState(s)}, nil
}

func cloneGLMState(s GLMState) *GLMState {
	c := s
	c.Coef = slices.Clone(s.Coef)
	c.Summary = s.Summary.clone()
	return &c
}

// State returns a copy of the learned state.
func (m *GLM) State() (GLMState, error) {
	if m.state == nil {
		return GLMState{}, fmt.Errorf("GLM.State: %w", ErrNotFitted)
	}
	return *cloneGLMState(*m.state), nil
}

// Fit learns the model from X (rows are samples, no intercept column) and
// the response y, with unit weights and no offset.
func (m *GLM) Fit(ctx context.Context, X mat.Matrix, y []float64) error {
	return m.FitWeighted(ctx, X, y, nil, nil)
}

// FitWeighted is Fit with prior weights (nil: all 1) and an offset added to
// the linear predictor (nil: none), R's weights= and offset= of glm. Rows of
// weight 0 do not count in the fit or in the degrees of freedom. For the
// binomial family, y is the proportion of successes out of weight trials.
// It returns ctx's error when ctx is cancelled (checked every iteration).
func (m *GLM) FitWeighted(ctx context.Context, X mat.Matrix, y, weights, offset []float64) error {
	const who = "GLM.Fit"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	if !m.Family.valid() {
		return fmt.Errorf("%s: unknown Family %d: %w", who, m.Family, ErrConfig)
	}
	if m.MaxIter < 0 || m.Tol < 0 || math.IsNaN(m.Tol) || math.IsInf(m.Tol, 0) {
		return fmt.Errorf("%s: MaxIter %d and Tol %v must not be negative: %w", who, m.MaxIter, m.Tol, ErrConfig)
	}
	d, err := newDesign(who, X)
	if err != nil {
		return err
	}
	if err := checkTarget(who, y, d.rows); err != nil {
		return err
	}
	n := d.rows
	w, err := priorWeights(who, weights, n)
	if err != nil {
		return err
	}
	off := make([]float64, n)
	if offset != nil {
		if err := checkVector(who, "offset", offset, n); err != nil {
			return err
		}
		copy(off, offset)
	}
	for i, v := range y {
		if err := m.Family.checkResponse(v); err != nil {
			return fmt.Errorf("%s: y[%d] = %v: %w", who, i, err, ErrConfig)
		}
	}
	// R's binomial initialize sets y to 0 where the weight is 0.
	yy := slices.Clone(y)
	if m.Family == Binomial {
		for i := range yy {
			if w[i] == 0 {
				yy[i] = 0
			}
		}
	}
	cols := designColumns(d, !m.NoIntercept)
	pr := &irlsProblem{family: m.Family, cols: cols, intercept: !m.NoIntercept, n: n, y: yy, w: w, offset: off,
		maxIter: m.MaxIter, tol: m.Tol}
	if pr.maxIter == 0 {
		pr.maxIter = 25
	}
	if m.Progress != nil {
		pr.progress = func(iteration int, deviance float64) {
			m.Progress(kiln.Progress{Stage: "iteration", Done: int64(iteration), Total: int64(pr.maxIter), Value: deviance})
		}
	}
	if pr.tol == 0 {
		pr.tol = 1e-8
	}
	fit, err := pr.run(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	// Separation first: it is why such a fit does not converge.
	var warnings []string
	separated := false
	const tiny = 10 * eps64
	switch m.Family {
	case Binomial:
		if k := countOutside(fit.mu, tiny, 1-tiny); k > 0 {
			if !m.AcceptSeparation {
				return fmt.Errorf("%s: fitted probabilities numerically 0 or 1 for %d of %d rows: the classes are completely or quasi-completely separated, "+
					"so the maximum likelihood estimates do not exist (drop or merge the separating columns, use a penalized LogisticRegression, or set AcceptSeparation): %w",
					who, k, n, ErrSeparation)
			}
			separated = true
		}
	case Poisson:
		if countOutside(fit.mu, tiny, math.Inf(1)) > 0 {
			warnings = append(warnings, "fitted rates numerically 0 occurred")
		}
	}
	if !fit.converged {
		if !m.AcceptNotConverged && !separated {
			return fmt.Errorf("%s: no convergence after %d iterations (deviance %.10g; raise MaxIter or Tol, or set AcceptNotConverged): %w",
				who, fit.iterations, fit.deviance, ErrNotConverged)
		}
		warnings = append(warnings, "algorithm did not converge")
	}
	if fit.boundary {
		warnings = append(warnings, "algorithm stopped at boundary value")
	}
	if separated {
		warnings = append(warnings, "fitted probabilities numerically 0 or 1 occurred")
	}
	nullDev, nullWarn, err := pr.nullDeviance(ctx, fit, offset != nil)
	if err != nil {
		return fmt.Errorf("%s: null model: %w", who, err)
	}
	if nullWarn != "" {
		warnings = append(warnings, nullWarn)
	}
	sum := glmSummary(pr, fit, nullDev, !m.NoIntercept)
	sum.Warnings = warnings
	st := &GLMState{Family: m.Family, Iterations: fit.iterations, Converged: fit.converged, Summary: sum}
	coef := fit.coef
	if !m.NoIntercept {
		st.Intercept, coef = zeroNaN(coef[0]), coef[1:]
	}
	st.Coef = make([]float64, len(coef))
	for j, v := range coef {
		st.Coef[j] = zeroNaN(v)
	}
	m.state = st
	return nil
}

func zeroNaN(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func countOutside(x []float64, lo, hi float64) int {
	k := 0
	for _, v := range x {
		if v < lo || v > hi {
			k++
		}
	}
	return k
}

// priorWeights checks the weights (nil means all 1) and returns a copy.
func priorWeights(who string, weights []float64, n int) ([]float64, error) {
	w := make([]float64, n)
	if weights == nil {
		for i := range w {
			w[i] = 1
		}
		return w, nil
	}
	if err := checkVector(who, "weights", weights, n); err != nil {
		return nil, err
	}
	positive := false
	for i, v := range weights {
		if v < 0 {
			return nil, fmt.Errorf("%s: weights[%d] is %v, want >= 0: %w", who, i, v, ErrConfig)
		}
		positive = positive || v > 0
	}
	if !positive {
		return nil, fmt.Errorf("%s: every weight is 0: %w", who, ErrEmpty)
	}
	copy(w, weights)
	return w, nil
}

// checkVector checks a per-row vector's length and values.
func checkVector(who, name string, v []float64, n int) error {
	if len(v) != n {
		return fmt.Errorf("%s: %s has %d values for %d rows of X: %w", who, name, len(v), n, ErrShape)
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: %s[%d] is %v: %w", who, name, i, x, ErrNonFinite)
		}
	}
	return nil
}

// designColumns returns X by columns, after a column of ones when intercept is set.
func designColumns(d *design, intercept bool) [][]float64 {
	n := d.rows
	data := columnMajor(d, intercept, false)
	cols := make([][]float64, len(data)/n)
	for j := range cols {
		cols[j] = data[j*n : (j+1)*n]
	}
	return cols
}

// columnMajor returns X's columns one after another, n values each, with a
// column of ones first (or last, with onesLast) when intercept is set.
func columnMajor(d *design, intercept, onesLast bool) []float64 {
	n, p := d.rows, d.cols
	q, first, ones := p, 0, -1
	if intercept {
		q++
		ones = 0
		if onesLast {
			ones = p
		} else {
			first = 1
		}
	}
	data := make([]float64, n*q)
	if ones >= 0 {
		for i := ones * n; i < (ones+1)*n; i++ {
			data[i] = 1
		}
	}
	if d.csr != nil {
		raw := d.csr.RawMatrix()
		for i := 0; i < n; i++ {
			for k := raw.Indptr[i]; k < raw.Indptr[i+1]; k++ {
				data[(first+raw.Ind[k])*n+i] += raw.Data[k]
			}
		}
		return data
	}
	raw := d.dense.RawMatrix()
	for i := 0; i < n; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+p] {
			data[(first+j)*n+i] = v
		}
	}
	return data
}

// nullDeviance returns the deviance of the model with the intercept alone
// (or nothing, without an intercept), as R's glm: with an offset and an
// intercept that model is fitted by IRLS from the full model's means.
func (pr *irlsProblem) nullDeviance(ctx context.Context, fit *irlsFit, hasOffset bool) (float64, string, error) {
	intercept := pr.intercept
	mu := make([]float64, pr.n)
	switch {
	case !intercept:
		for i := range mu {
			mu[i] = pr.family.linkInverse(pr.offset[i])
		}
	case !hasOffset:
		sw, swy := 0.0, 0.0
		for i, w := range pr.w {
			sw += w
			swy += w * pr.y[i]
		}
		for i := range mu {
			mu[i] = swy / sw
		}
	default:
		null := *pr
		null.cols = pr.cols[:1]
		null.start = fit.mu
		null.progress = nil
		nf, err := null.run(ctx)
		if err != nil {
			return 0, "", err
		}
		if !nf.converged {
			return nf.deviance, "fitting to calculate the null deviance did not converge -- increase MaxIter", nil
		}
		return nf.deviance, "", nil
	}
	return pr.deviance(mu), "", nil
}

// Coef returns the coefficients as a 1 x p matrix, one per column of X
// (aliased columns 0; nil before Fit), shaped as the other linear models'.
func (m *GLM) Coef() *mat.Dense {
	if m.state == nil {
		return nil
	}
	return mat.NewDense(1, len(m.state.Coef), slices.Clone(m.state.Coef))
}

// Intercept returns the fitted intercept as a one-element slice (0 without
// one; nil before Fit), shaped as the other linear models'.
func (m *GLM) Intercept() []float64 {
	if m.state == nil {
		return nil
	}
	return []float64{m.state.Intercept}
}

// Iterations returns the number of Fisher scoring iterations Fit ran.
func (m *GLM) Iterations() int {
	if m.state == nil {
		return 0
	}
	return m.state.Iterations
}

// Converged reports whether Fit met its tolerance before MaxIter.
func (m *GLM) Converged() bool { return m.state != nil && m.state.Converged }

// Summary returns the inference of the fit: coefficients with standard
// errors, tests and confidence intervals, and the deviance, log-likelihood
// and AIC, as R's summary(glm(...)).
func (m *GLM) Summary() (*Summary, error) {
	if m.state == nil {
		return nil, fmt.Errorf("GLM.Summary: %w", ErrNotFitted)
	}
	if m.state.Summary == nil {
		return nil, fmt.Errorf("GLM.Summary: the model was restored without its summary: %w", ErrNoSummary)
	}
	return m.state.Summary.clone(), nil
}

// Predict returns the fitted mean of every row of X (a probability for the
// binomial family, a rate for Poisson), with no offset.
func (m *GLM) Predict(X mat.Matrix) ([]float64, error) {
	return m.PredictOffset(X, nil)
}

// PredictOffset returns the fitted mean of every row of X with the offset
// (nil: none) added to the linear predictor, as R's predict(type =
// "response") with an offset in newdata.
func (m *GLM) PredictOffset(X mat.Matrix, offset []float64) ([]float64, error) {
	eta, err := m.linear("GLM.Predict", X, offset)
	if err != nil {
		return nil, err
	}
	for i, e := range eta {
		eta[i] = m.state.Family.linkInverse(e)
	}
	return eta, nil
}

// LinearPredictor returns X coef + intercept + offset for every row (offset nil: none).
func (m *GLM) LinearPredictor(X mat.Matrix, offset []float64) ([]float64, error) {
	return m.linear("GLM.LinearPredictor", X, offset)
}

func (m *GLM) linear(who string, X mat.Matrix, offset []float64) ([]float64, error) {
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
	if offset != nil {
		if err := checkVector(who, "offset", offset, d.rows); err != nil {
			return nil, err
		}
	}
	out := make([]float64, d.rows)
	d.mulVec(out, m.state.Coef, m.state.Intercept)
	for i := range out {
		if offset != nil {
			out[i] += offset[i]
		}
		if math.IsNaN(out[i]) || math.IsInf(out[i], 0) {
			return nil, fmt.Errorf("%s: the linear predictor of row %d overflows: %w", who, i, ErrNonFinite)
		}
	}
	return out, nil
}
