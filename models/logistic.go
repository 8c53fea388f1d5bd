package models

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// Penalty selects the regularization of a LogisticRegression.
type Penalty int

const (
	// L2 penalizes (1/2C) ||W||^2, scikit-learn's default.
	L2 Penalty = iota
	// NoPenalty fits the unpenalized maximum-likelihood model (R's glm for two classes).
	NoPenalty
)

// Solver selects the optimizer of a LogisticRegression.
type Solver int

const (
	// AutoSolver, the zero value, uses Newton when the model has at most
	// NewtonMaxParams parameters ((features + intercept) x decision
	// functions) and LBFGS otherwise: few features is where Newton is fast
	// and exact, many (a bag of words) where it is not affordable.
	AutoSolver Solver = iota
	// LBFGS is scikit-learn's solver: L-BFGS as scipy's L-BFGS-B runs it.
	LBFGS
	// Newton is Newton's method on the exact Hessian (iteratively
	// reweighted least squares for two classes), R's glm algorithm.
	Newton
)

// NewtonMaxParams is the largest parameter count for which AutoSolver picks
// Newton. A Newton iteration costs O(n d^2) for d parameters against an
// L-BFGS iteration's O(n d), and Newton needs some 10 iterations where
// L-BFGS needs 30 to hundreds, stopping short of the optimum on its
// relative-reduction test: on breast cancer (d = 31) Newton takes about 1.3
// times L-BFGS's time and reaches the optimum (BENCHMARKS.md), with squares
// and cubes of the features (d = 61, 91) about 2 times. Beyond some 100
// parameters the d^2 grows faster than exactness is worth by default.
const NewtonMaxParams = 100

// String returns "auto", "lbfgs" or "newton".
func (s Solver) String() string {
	switch s {
	case AutoSolver:
		return "auto"
	case LBFGS:
		return "lbfgs"
	case Newton:
		return "newton"
	}
	return fmt.Sprintf("Solver(%d)", int(s))
}

// LogisticRegression is scikit-learn's LogisticRegression: two classes are
// fitted with the sigmoid (one coefficient row for Classes()[1]), three or
// more with the softmax (one row per class). It minimizes the sum over
// samples of the (class-weighted) log-loss plus ||W||^2/(2C); the intercept
// is not penalized. With Penalty NoPenalty and two classes it is R's
// glm(y ~ X, binomial), and Summary gives R's inference.
//
// Two solvers (see Solver; AutoSolver picks one by the parameter count):
//
//   - Newton: the exact Hessian, a Cholesky solve and a backtracking line
//     search; quadratic convergence makes the solution exact to rounding,
//     and each iteration costs O(n d^2), so it is for few features.
//   - LBFGS: an L-BFGS that follows scipy's L-BFGS-B step for step (see
//     lbfgs.go), so with the same C, Tol, FTol and MaxIter it stops where
//     scikit-learn 1.2.1 stops (the same 34 iterations on breast cancer, 108
//     on IMDB sentiment; on ill-conditioned problems rounding makes the two
//     paths drift apart slowly). Sparse input (*sparse.CSR) is never
//     densified: X W is a parallel sparse product over rows and X^T R a
//     parallel gather over a transposed copy, both kept with 32-bit indices
//     and without values when every stored value is 1, so fitting needs 8
//     bytes per non-zero of X (8 more for the transpose's values unless they
//     are all 1) plus a few vectors of length rows x classes.
//
// Both stop when every gradient component is at most Tol. L-BFGS also stops,
// as scipy's does, when an iteration lowers the objective by no more than
// FTol relative to its size: scikit-learn 1.2.1 passes no ftol to scipy, so
// its lbfgs stops there at scipy's default 2.2e-9, often before Tol is met
// (on breast cancer with Tol 1e-10, after 34 iterations). Set FTol negative
// to stop on Tol alone. Newton also stops, converged, at the optimum to
// working precision: when the decrease its quadratic model predicts is below
// the objective's rounding and its step no longer lowers the gradient (a Tol
// below what the data allow, such as 1e-10 on unscaled features of size 1e3).
//
// A fit that reaches MaxIter, or whose line search cannot lower the
// objective, before a stopping test is met returns an error wrapping
// ErrNotConverged, unless AcceptNotConverged is set (Converged() then tells).
// An unpenalized two-class fit whose fitted probabilities become numerically
// 0 or 1 (complete or quasi-complete separation, R's glm.fit warning)
// returns an error wrapping ErrSeparation unless AcceptSeparation is set.
// The Newton solver does not stop on Tol until the gradient proves the
// classes overlap (see overlapCertificate in newton.go), so a separated fit
// runs on until R's test can see it; with L-BFGS only R's test applies.
// Separation of three or more classes is not detected.
//
// A fitted LogisticRegression is safe for concurrent use: Predict,
// PredictProba, DecisionFunction and Score may run from many goroutines at
// once. Fit must not run alongside them.
type LogisticRegression struct {
	// C is the inverse regularization strength; 0 means 1, scikit-learn's default.
	C float64
	// Penalty is L2 (the zero value) or NoPenalty.
	Penalty Penalty
	// NoIntercept fits no intercept. The zero value fits one.
	NoIntercept bool
	// Solver is AutoSolver (the zero value), LBFGS or Newton.
	Solver Solver
	// MaxIter bounds the iterations; 0 means 100, scikit-learn's default.
	MaxIter int
	// Tol stops when every gradient component is at most Tol in magnitude; 0 means 1e-4.
	Tol float64
	// FTol stops L-BFGS when an iteration lowers the objective by at most
	// FTol * max(|f|, |f_previous|, 1); 0 means scipy's default 2.2e-9
	// (factr 1e7), which scikit-learn uses; negative disables the test.
	FTol float64
	// AcceptNotConverged keeps a fit that stopped before a stopping test was
	// met instead of returning ErrNotConverged.
	AcceptNotConverged bool
	// AcceptSeparation keeps an unpenalized two-class fit whose fitted
	// probabilities are numerically 0 or 1 instead of returning ErrSeparation.
	AcceptSeparation bool
	// ClassWeight multiplies each sample's loss by the weight of its class
	// (classes absent from the map weigh 1).
	ClassWeight map[float64]float64
	// BalancedClassWeight weighs class c by n / (classes * count(c)), scikit-learn's "balanced".
	BalancedClassWeight bool
	// Workers bounds the goroutines of the loss and gradient; 0 means GOMAXPROCS.
	// The fitted model does not depend on it.
	Workers int
	// Progress, if set, is called after every iteration from the goroutine
	// running Fit, with Stage "iteration", Done the iterations so far, Total
	// the MaxIter limit and Value the objective.
	Progress kiln.ProgressFunc

	state *LogisticRegressionState
}

// LogisticRegressionState is the learned state of a LogisticRegression as
// plain values, for saving and restoring a model exactly.
type LogisticRegressionState struct {
	Classes []float64 // sorted distinct labels
	// Coef has one row per column of the decision function: a single row (for
	// Classes[1]) with two classes, one row per class otherwise.
	Coef       [][]float64
	Intercept  []float64 // one per row of Coef (zeros without an intercept)
	Iterations int       // solver iterations run
	Converged  bool      // whether a stopping test (gradient, or L-BFGS's relative reduction) stopped it
	Solver     Solver    // the solver that ran: LBFGS or Newton
	// Summary is the inference of an unpenalized two-class fit by the Newton
	// solver (R's summary(glm(..., binomial))); nil otherwise.
	Summary *Summary
}

// NewLogisticRegressionFromState returns a fitted model whose predictions are
// those of the model that produced s.
func NewLogisticRegressionFromState(s LogisticRegressionState) (*LogisticRegression, error) {
	const who = "LogisticRegression state"
	if len(s.Classes) < 2 {
		return nil, fmt.Errorf("%s: %d classes, want at least 2: %w", who, len(s.Classes), ErrState)
	}
	if !slices.IsSorted(s.Classes) || len(slices.Compact(slices.Clone(s.Classes))) != len(s.Classes) {
		return nil, fmt.Errorf("%s: classes %v are not sorted and distinct: %w", who, s.Classes, ErrState)
	}
	rows := len(s.Classes)
	if rows == 2 {
		rows = 1
	}
	if len(s.Coef) != rows || len(s.Intercept) != rows {
		return nil, fmt.Errorf("%s: %d coefficient rows and %d intercepts for %d classes, want %d: %w",
			who, len(s.Coef), len(s.Intercept), len(s.Classes), rows, ErrState)
	}
	p := len(s.Coef[0])
	if p == 0 {
		return nil, fmt.Errorf("%s: no coefficients: %w", who, ErrState)
	}
	for c, row := range s.Coef {
		if len(row) != p {
			return nil, fmt.Errorf("%s: coefficient row %d has %d values, row 0 has %d: %w", who, c, len(row), p, ErrState)
		}
		for j, v := range append(slices.Clone(row), s.Intercept[c]) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: row %d, parameter %d is %v: %w", who, c, j, v, ErrState)
			}
		}
	}
	if s.Solver != LBFGS && s.Solver != Newton && s.Solver != AutoSolver {
		return nil, fmt.Errorf("%s: unknown solver %d: %w", who, s.Solver, ErrState)
	}
	if s.Summary != nil {
		if len(s.Coef) != 1 {
			return nil, fmt.Errorf("%s: a summary for %d decision functions; only two-class fits have one: %w", who, len(s.Coef), ErrState)
		}
		if err := s.Summary.check(p); err != nil {
			return nil, fmt.Errorf("%s: %w", who, err)
		}
	}
	return &LogisticRegression{state: cloneLogisticState(s)}, nil
}

func cloneLogisticState(s LogisticRegressionState) *LogisticRegressionState {
	c := s
	c.Classes = slices.Clone(s.Classes)
	c.Intercept = slices.Clone(s.Intercept)
	c.Coef = make([][]float64, len(s.Coef))
	for i, r := range s.Coef {
		c.Coef[i] = slices.Clone(r)
	}
	c.Summary = s.Summary.clone()
	return &c
}

// Summary returns the inference of an unpenalized two-class fit by the
// Newton solver, as R's summary(glm(y ~ X, binomial)) at the exact maximum
// likelihood estimate: standard errors from the inverse Hessian there, z
// tests, Wald intervals, deviance, AIC. Class weights act as R's prior
// weights. Other fits (penalized, three or more classes, L-BFGS, a singular
// Hessian) return ErrNoSummary.
func (m *LogisticRegression) Summary() (*Summary, error) {
	const who = "LogisticRegression.Summary"
	switch {
	case m.state == nil:
		return nil, fmt.Errorf("%s: %w", who, ErrNotFitted)
	case m.state.Summary != nil:
		return m.state.Summary.clone(), nil
	case len(m.state.Classes) > 2:
		return nil, fmt.Errorf("%s: only two-class fits have inference (%d classes): %w", who, len(m.state.Classes), ErrNoSummary)
	case m.Penalty != NoPenalty:
		return nil, fmt.Errorf("%s: a penalized fit has no inference; set Penalty NoPenalty: %w", who, ErrNoSummary)
	case m.state.Solver != Newton:
		return nil, fmt.Errorf("%s: the %v solver gives no inference; set Solver Newton: %w", who, m.state.Solver, ErrNoSummary)
	}
	return nil, fmt.Errorf("%s: the information matrix is singular (collinear columns) or the model was restored without its summary: %w", who, ErrNoSummary)
}

// State returns a copy of the learned state.
func (m *LogisticRegression) State() (LogisticRegressionState, error) {
	if m.state == nil {
		return LogisticRegressionState{}, fmt.Errorf("LogisticRegression.State: %w", ErrNotFitted)
	}
	return *cloneLogisticState(*m.state), nil
}

// Fit learns the model from X (rows are samples) and labels y (any values;
// the distinct values, sorted, become Classes). It stops with ctx's error when
// ctx is cancelled (checked every iteration).
func (m *LogisticRegression) Fit(ctx context.Context, X mat.Matrix, y []float64) error {
	const who = "LogisticRegression.Fit"
	c := m.C
	if c == 0 {
		c = 1
	}
	if c < 0 || math.IsNaN(c) || math.IsInf(c, 0) {
		return fmt.Errorf("%s: C is %v, want a finite value > 0: %w", who, m.C, ErrConfig)
	}
	if m.Penalty != L2 && m.Penalty != NoPenalty {
		return fmt.Errorf("%s: unknown Penalty %d: %w", who, m.Penalty, ErrConfig)
	}
	if m.Solver < AutoSolver || m.Solver > Newton {
		return fmt.Errorf("%s: unknown Solver %d: %w", who, m.Solver, ErrConfig)
	}
	if math.IsNaN(m.FTol) {
		return fmt.Errorf("%s: FTol is NaN: %w", who, ErrConfig)
	}
	if m.MaxIter < 0 || m.Tol < 0 || math.IsNaN(m.Tol) {
		return fmt.Errorf("%s: MaxIter %d and Tol %v must not be negative: %w", who, m.MaxIter, m.Tol, ErrConfig)
	}
	if m.BalancedClassWeight && m.ClassWeight != nil {
		return fmt.Errorf("%s: set ClassWeight or BalancedClassWeight, not both: %w", who, ErrConfig)
	}
	d, err := newDesign(who, X)
	if err != nil {
		return err
	}
	if err := checkTarget(who, y, d.rows); err != nil {
		return err
	}
	if d.csr != nil && !fitsCompact(d.rows, d.cols) {
		return fmt.Errorf("%s: sparse X is %dx%d; at most 2^31-1 rows and columns are supported: %w", who, d.rows, d.cols, ErrShape)
	}
	classes := slices.Compact(slices.Sorted(slices.Values(y)))
	if len(classes) < 2 {
		return fmt.Errorf("%s: every label is %v, need at least two classes: %w", who, classes[0], ErrSingleClass)
	}
	target := make([]int, len(y))
	counts := make([]int, len(classes))
	for i, v := range y {
		target[i], _ = slices.BinarySearch(classes, v)
		counts[target[i]]++
	}
	classWeight := make([]float64, len(classes))
	for i := range classWeight {
		classWeight[i] = 1
		if m.BalancedClassWeight {
			classWeight[i] = float64(len(y)) / float64(len(classes)*counts[i])
		}
	}
	for label, w := range m.ClassWeight {
		i, ok := slices.BinarySearch(classes, label)
		if !ok {
			return fmt.Errorf("%s: ClassWeight names class %v, which is not in y: %w", who, label, ErrConfig)
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("%s: ClassWeight[%v] is %v: %w", who, label, w, ErrConfig)
		}
		classWeight[i] = w
	}
	weight := make([]float64, len(y))
	for i, t := range target {
		weight[i] = classWeight[t]
	}
	k := len(classes)
	if k == 2 {
		k = 1
	}
	lambda := 1 / c
	if m.Penalty == NoPenalty {
		lambda = 0
	}
	workers := m.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	loss := newLogisticLoss(d, k, target, weight, lambda, !m.NoIntercept, workers)
	maxIter, tol := m.MaxIter, m.Tol
	if maxIter == 0 {
		maxIter = 100
	}
	if tol == 0 {
		tol = 1e-4
	}
	progress := func(int, float64) {}
	if m.Progress != nil {
		progress = func(iteration int, f float64) {
			m.Progress(kiln.Progress{Stage: "iteration", Done: int64(iteration), Total: int64(maxIter), Value: f})
		}
	}
	solver := m.Solver
	if solver == AutoSolver {
		solver = LBFGS
		if loss.dim() <= NewtonMaxParams {
			solver = Newton
		}
	}
	unpenalizedBinary := k == 1 && lambda == 0
	theta := make([]float64, loss.dim())
	var res newtonResult
	switch solver {
	case Newton:
		res, err = loss.newton(ctx, theta, newtonOptions{maxIter: maxIter, gradTol: tol, certify: unpenalizedBinary, progress: progress})
	default:
		opt := lbfgs{maxIter: maxIter, gradTol: tol, relTol: m.FTol, maxEval: 15000, memory: 10, progress: progress}
		if opt.relTol == 0 {
			opt.relTol = 2.220446049250313e-09 // scipy's default ftol, factr 1e7 times machine epsilon
		}
		var lr lbfgsResult
		lr, err = opt.minimize(ctx, loss.eval, theta)
		res = newtonResult{iterations: lr.iterations, converged: lr.converged, f: lr.f}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	if math.IsNaN(res.f) || math.IsInf(res.f, 0) {
		return fmt.Errorf("%s: the loss became %v (values of X too large?): %w", who, res.f, ErrNonFinite)
	}
	var warnings []string
	if unpenalizedBinary {
		// loss.z holds the decision values at theta (the last evaluation).
		const tiny = 10 * eps64
		extreme := 0
		for i, z := range loss.z {
			if p := sigmoid(z); weight[i] > 0 && (p < tiny || p > 1-tiny) {
				extreme++
			}
		}
		if extreme > 0 {
			if !m.AcceptSeparation {
				return fmt.Errorf("%s: fitted probabilities numerically 0 or 1 for %d of %d rows: the classes are completely or quasi-completely separated, "+
					"so the maximum likelihood estimates do not exist (use Penalty L2, drop the separating columns, or set AcceptSeparation): %w",
					who, extreme, d.rows, ErrSeparation)
			}
			warnings = append(warnings, "fitted probabilities numerically 0 or 1 occurred")
		}
	}
	if !res.converged {
		if !m.AcceptNotConverged && warnings == nil {
			how := fmt.Sprintf("after %d iterations (MaxIter %d)", res.iterations, maxIter)
			if unpenalizedBinary && solver == Newton && res.gradMax <= tol {
				how += ": the gradient is below Tol, but the fit never showed that the classes overlap, so they may be separated"
			}
			if res.stalled {
				how = fmt.Sprintf("after %d iterations: the line search cannot lower the objective, the largest gradient component is %.3g (Tol %g)",
					res.iterations, res.gradMax, tol)
			}
			return fmt.Errorf("%s: %v solver: no convergence %s; raise MaxIter or Tol, or set AcceptNotConverged: %w",
				who, solver, how, ErrNotConverged)
		}
		warnings = append(warnings, "algorithm did not converge")
	}
	st := &LogisticRegressionState{Classes: classes, Iterations: res.iterations, Converged: res.converged, Solver: solver,
		Coef: make([][]float64, k), Intercept: make([]float64, k)}
	p := d.cols
	for c := 0; c < k; c++ {
		st.Coef[c] = make([]float64, p)
		for j := 0; j < p; j++ {
			st.Coef[c][j] = theta[j*k+c]
		}
		if !m.NoIntercept {
			st.Intercept[c] = theta[p*k+c]
		}
	}
	if unpenalizedBinary && solver == Newton {
		st.Summary = logisticSummary(loss, theta, res, warnings)
	}
	m.state = st
	return nil
}

// Classes returns the sorted distinct labels seen by Fit.
func (m *LogisticRegression) Classes() []float64 {
	if m.state == nil {
		return nil
	}
	return slices.Clone(m.state.Classes)
}

// Coef returns the coefficients, one row per decision function (1 x p for two classes, classes x p otherwise).
func (m *LogisticRegression) Coef() *mat.Dense {
	if m.state == nil {
		return nil
	}
	k, p := len(m.state.Coef), len(m.state.Coef[0])
	out := mat.NewDense(k, p, nil)
	for c, row := range m.state.Coef {
		out.SetRow(c, row)
	}
	return out
}

// Intercept returns the intercepts, one per row of Coef.
func (m *LogisticRegression) Intercept() []float64 {
	if m.state == nil {
		return nil
	}
	return slices.Clone(m.state.Intercept)
}

// Iterations returns the number of L-BFGS iterations Fit ran.
func (m *LogisticRegression) Iterations() int {
	if m.state == nil {
		return 0
	}
	return m.state.Iterations
}

// Converged reports whether Fit met its tolerance before MaxIter.
func (m *LogisticRegression) Converged() bool {
	return m.state != nil && m.state.Converged
}

// DecisionFunction returns X W^T + b: n x 1 (the log-odds of Classes()[1])
// for two classes, n x classes otherwise.
func (m *LogisticRegression) DecisionFunction(X mat.Matrix) (*mat.Dense, error) {
	z, _, err := m.decision("LogisticRegression.DecisionFunction", X)
	return z, err
}

func (m *LogisticRegression) decision(who string, X mat.Matrix) (*mat.Dense, int, error) {
	if m.state == nil {
		return nil, 0, fmt.Errorf("%s: %w", who, ErrNotFitted)
	}
	d, err := newDesign(who, X)
	if err != nil {
		return nil, 0, err
	}
	k, p := len(m.state.Coef), len(m.state.Coef[0])
	if err := checkWidth(who, d, p); err != nil {
		return nil, 0, err
	}
	w := make([]float64, p*k)
	for c, row := range m.state.Coef {
		for j, v := range row {
			w[j*k+c] = v
		}
	}
	z := make([]float64, d.rows*k)
	parts := splitEven(d.rows, 1)
	if d.csr != nil {
		workers := m.Workers
		if workers <= 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		parts = splitByWeight(d.csr.RawMatrix().Indptr, workers)
	}
	decisionValues(d, k, w, m.state.Intercept, z, parts)
	for i, v := range z {
		if math.IsNaN(v) {
			return nil, 0, fmt.Errorf("%s: the decision value of row %d overflows: %w", who, i/k, ErrNonFinite)
		}
	}
	return mat.NewDense(d.rows, k, z), k, nil
}

// PredictProba returns the class probabilities, n x classes, columns in Classes() order.
func (m *LogisticRegression) PredictProba(X mat.Matrix) (*mat.Dense, error) {
	z, k, err := m.decision("LogisticRegression.PredictProba", X)
	if err != nil {
		return nil, err
	}
	n, _ := z.Dims()
	nc := len(m.state.Classes)
	out := mat.NewDense(n, nc, nil)
	for i := 0; i < n; i++ {
		if k == 1 {
			p1 := sigmoid(z.At(i, 0))
			out.Set(i, 0, 1-p1)
			out.Set(i, 1, p1)
			continue
		}
		pi := out.RawRowView(i)
		_, sum := shiftedExp(z.RawRowView(i), pi)
		for c := range pi {
			pi[c] /= sum
		}
	}
	return out, nil
}

// Predict returns the most probable class of each row (ties to the first class).
func (m *LogisticRegression) Predict(X mat.Matrix) ([]float64, error) {
	z, k, err := m.decision("LogisticRegression.Predict", X)
	if err != nil {
		return nil, err
	}
	n, _ := z.Dims()
	out := make([]float64, n)
	for i := range out {
		if k == 1 {
			if z.At(i, 0) > 0 {
				out[i] = m.state.Classes[1]
			} else {
				out[i] = m.state.Classes[0]
			}
			continue
		}
		row := z.RawRowView(i)
		out[i] = m.state.Classes[argmax(row)]
	}
	return out, nil
}

// Score returns the accuracy of Predict(X) against y.
func (m *LogisticRegression) Score(X mat.Matrix, y []float64) (float64, error) {
	pred, err := m.Predict(X)
	if err != nil {
		return 0, err
	}
	if err := checkTarget("LogisticRegression.Score", y, len(pred)); err != nil {
		return 0, err
	}
	hit := 0
	for i, v := range y {
		if pred[i] == v {
			hit++
		}
	}
	return float64(hit) / float64(len(y)), nil
}

func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
