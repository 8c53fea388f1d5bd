package models

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// newtonOptions configure the Newton solver of a logisticLoss.
type newtonOptions struct {
	maxIter int
	gradTol float64 // stop when max |g_i| <= gradTol
	// certify: before stopping, require the gradient to prove that the
	// maximum likelihood estimate exists (see overlapCertificate); keep
	// iterating otherwise, so that a separated fit runs on until its fitted
	// probabilities reach 0 or 1 and R's test can tell.
	certify  bool
	progress func(iteration int, f float64)
}

type newtonResult struct {
	iterations int
	converged  bool
	stalled    bool // the line search could not lower the objective
	f          float64
	gradMax    float64 // largest gradient component at the end
}

// newton minimizes the loss from theta (overwritten with the solution) by
// Newton's method: the exact Hessian (X^T D X plus the penalty), a Cholesky
// solve (a pseudo-inverse when the Hessian is singular, as for the
// unpenalized softmax, whose parameters are identified only up to a shift
// common to the classes; started at zero, the iterates keep every such
// shift at zero, as L-BFGS's do) and a backtracking line search on the
// Armijo condition. Each iteration costs O(n d^2) for d parameters, so it
// suits problems with few features; convergence is quadratic near the
// optimum, which is what makes it exact.
func (l *logisticLoss) newton(ctx context.Context, theta []float64, o newtonOptions) (newtonResult, error) {
	dim := len(theta)
	g := make([]float64, dim)
	gNew := make([]float64, dim)
	step := make([]float64, dim)
	trial := make([]float64, dim)
	var res newtonResult
	f := l.eval(theta, g)
	var cert *overlapCertificate
	if o.certify {
		cert = newOverlapCertificate(l)
	}
	for {
		res.f, res.gradMax = f, maxAbs(g)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return res, nil
		}
		if res.gradMax <= o.gradTol && (cert == nil || cert.holds(l, g)) {
			res.converged = true
			return res, nil
		}
		if res.iterations >= o.maxIter {
			return res, nil
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		h := l.hessian()
		solveSymmetric(h, g, step)
		gd := dot(g, step)
		if !(gd < 0) {
			// Not a descent direction (rounding at a singular Hessian): steepest descent.
			for i, v := range g {
				step[i] = -v
			}
			gd = -dot(g, g)
		}
		// At the floor, the quadratic model predicts a decrease of the
		// objective below its rounding: the Armijo test can no longer judge a
		// step, and the full Newton step is taken if it does not raise f
		// beyond rounding.
		floor := 16 * eps64 * math.Max(math.Abs(f), 1)
		atFloor := -gd <= floor
		accepted := false
		for t, halvings := 1.0, 0; halvings < 60; t, halvings = t/2, halvings+1 {
			for i := range trial {
				trial[i] = theta[i] + t*step[i]
			}
			fNew := l.eval(trial, gNew)
			if fNew <= f+1e-4*t*gd || (atFloor && halvings == 0 && fNew <= f+floor) {
				copy(theta, trial)
				copy(g, gNew)
				f = fNew
				accepted = true
				break
			}
		}
		if !accepted {
			// The objective cannot be lowered along the Newton direction.
			// Restore the iterate's state.
			f = l.eval(theta, g)
			res.f, res.gradMax, res.stalled = f, maxAbs(g), true
			res.converged = res.gradMax <= o.gradTol || (atFloor && (cert == nil || cert.holds(l, g)))
			return res, nil
		}
		res.iterations++
		if o.progress != nil {
			o.progress(res.iterations, f)
		}
		if gradMax := maxAbs(g); atFloor && gradMax >= res.gradMax && gradMax > o.gradTol && (cert == nil || cert.holds(l, g)) {
			// At the floor, and the step no longer lowers the gradient: this is
			// the optimum to working precision, and Tol is below what the data
			// allow.
			res.f, res.gradMax, res.converged = f, gradMax, true
			return res, nil
		}
	}
}

// solveSymmetric sets x = -H^{-1} g by Cholesky, or by the pseudo-inverse
// of H's eigendecomposition when H is not positive definite (eigenvalues at
// or below dim * eps * the largest are dropped).
func solveSymmetric(h *mat.SymDense, g, x []float64) {
	n := len(g)
	rhs := mat.NewVecDense(n, make([]float64, n))
	for i, v := range g {
		rhs.SetVec(i, -v)
	}
	var chol mat.Cholesky
	if chol.Factorize(h) {
		if err := chol.SolveVecTo(mat.NewVecDense(n, x), rhs); err == nil {
			return
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(h, true) {
		for i, v := range g {
			x[i] = -v
		}
		return
	}
	values := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	largest := 0.0
	for _, v := range values {
		largest = math.Max(largest, math.Abs(v))
	}
	cut := float64(n) * eps64 * largest
	clear(x)
	for k, lam := range values {
		if lam <= cut {
			continue
		}
		c := 0.0
		for i := 0; i < n; i++ {
			c += vecs.At(i, k) * rhs.AtVec(i)
		}
		c /= lam
		for i := 0; i < n; i++ {
			x[i] += c * vecs.At(i, k)
		}
	}
}

// hessian returns the Hessian of the objective at the point of the last
// eval: sum_i w_i xt_i xt_i^T (x) (diag(p_i) - p_i p_i^T) over the rows, with
// xt_i = [x_i, 1] (the 1 without an intercept dropped), plus lambda on the
// coefficients, in the layout of theta (feature-major, intercepts last).
func (l *logisticLoss) hessian() *mat.SymDense {
	k, p := l.k, l.p
	q := p
	if l.intercept {
		q++
	}
	n := l.d.rows
	ws := l.newtonWork()
	h := ws.hessian
	h.Zero()
	prob := ws.prob // the probabilities of the k decision columns
	for i := 0; i < n; i++ {
		if k == 1 {
			prob[i] = sigmoid(l.z[i])
			continue
		}
		pi := prob[i*k : i*k+k]
		_, sum := shiftedExp(l.z[i*k:i*k+k], pi)
		for c := range pi {
			pi[c] /= sum
		}
	}
	w := ws.weight
	for c := 0; c < k; c++ {
		for e := c; e < k; e++ {
			// Block (c, e): weights w_i p_ic (delta_ce - p_ie), of one sign.
			sign := 1.0
			for i := range w {
				pc := prob[i*k+c]
				if c == e {
					w[i] = l.weight[i] * pc * (1 - pc)
				} else {
					w[i] = l.weight[i] * pc * prob[i*k+e]
					sign = -1
				}
			}
			gram := ws.gram(l.d, w, l.intercept, l.workers)
			for a := 0; a < q; a++ {
				for b := 0; b < q; b++ {
					h.SetSym(a*k+c, b*k+e, sign*gram.At(a, b))
				}
			}
		}
	}
	if l.lambda > 0 {
		for j := 0; j < p*k; j++ {
			h.SetSym(j, j, h.At(j, j)+l.lambda)
		}
	}
	return h
}

// newtonWork holds the Newton solver's buffers, allocated once per fit:
// fresh memory costs more than the arithmetic on these problem sizes.
type newtonWork struct {
	hessian      *mat.SymDense
	prob, weight []float64
	columns      []float64 // Xt by columns, q x n (dense input), so that Gram entries are dot products
	out          *mat.SymDense
}

func (l *logisticLoss) newtonWork() *newtonWork {
	if l.work == nil {
		q := l.p
		if l.intercept {
			q++
		}
		l.work = &newtonWork{hessian: mat.NewSymDense(q*l.k, nil), prob: make([]float64, l.d.rows*l.k),
			weight: make([]float64, l.d.rows), out: mat.NewSymDense(q, nil), columns: denseColumns(l.d, l.intercept)}
	}
	return l.work
}

// gram is weightedGram into the work's buffers.
func (ws *newtonWork) gram(d *design, w []float64, intercept bool, workers int) *mat.SymDense {
	return weightedGramInto(ws.out, ws.columns, d, w, intercept, workers)
}

// denseColumns returns the columns of Xt = [X, 1] (X without an intercept)
// one after another, q x n, for dense input; nil for sparse input.
func denseColumns(d *design, intercept bool) []float64 {
	if d.csr != nil {
		return nil
	}
	return columnMajor(d, intercept, true)
}

// weightedGram returns Xt^T diag(w) Xt for w >= 0, Xt = [X, 1] with an
// intercept (the column of ones last), X otherwise.
func weightedGram(d *design, w []float64, intercept bool) *mat.SymDense {
	q := d.cols
	if intercept {
		q++
	}
	return weightedGramInto(mat.NewSymDense(q, nil), denseColumns(d, intercept), d, w, intercept, 1)
}

// weightedGramInto is weightedGram writing into g (q x q), given for dense
// input Xt's columns one after another (denseColumns): entry (a, c) is the
// dot product of w * column a with column c, contiguous vectors on gonum's
// assembly kernels, faster than gonum's Dsyrk on the row-major matrix
// (BenchmarkWeightedGram, BENCHMARKS.md). workers goroutines share the
// rows of the triangle; each entry is computed by one of them, so the
// result does not depend on their number.
func weightedGramInto(g *mat.SymDense, columns []float64, d *design, w []float64, intercept bool, workers int) *mat.SymDense {
	p, n := d.cols, d.rows
	q := p
	if intercept {
		q++
	}
	if d.csr == nil {
		// Row a of the upper triangle holds q - a dot products: split by that work.
		work := make([]int, q+1)
		for a := 0; a < q; a++ {
			work[a+1] = work[a] + q - a
		}
		data := g.RawSymmetric().Data
		parallel(splitByWeight(work, workers), func(lo, hi int) {
			wa := make([]float64, n)
			for a := lo; a < hi; a++ {
				floats.MulTo(wa, w, columns[a*n:a*n+n])
				for c := a; c < q; c++ {
					data[a*q+c] = floats.Dot(wa, columns[c*n:c*n+n])
				}
			}
		})
		return g
	}
	g.Zero()
	data := g.RawSymmetric().Data
	raw := d.csr.RawMatrix()
	for i := 0; i < n; i++ {
		wi := w[i]
		if wi == 0 {
			continue
		}
		lo, hi := raw.Indptr[i], raw.Indptr[i+1]
		for a := lo; a < hi; a++ {
			ja, va := raw.Ind[a], wi*raw.Data[a]
			for b := lo; b < hi; b++ {
				if jb := raw.Ind[b]; jb >= ja {
					data[ja*q+jb] += va * raw.Data[b]
				}
			}
			if intercept {
				data[ja*q+p] += va
			}
		}
		if intercept {
			data[p*q+p] += wi
		}
	}
	return g
}

// overlapCertificate proves, from a fit's gradient, that the classes of an
// unpenalized two-class fit overlap, so that the maximum likelihood
// estimate exists. By Stiemke's lemma the estimate exists (for a full-rank
// design) exactly when some u > 0 has sum_i u_i s_i xt_i = 0, s_i = +1 for
// the second class and -1 for the first. The fit gives u_i = w_i |y_i -
// p_i| with sum_i u_i s_i xt_i = -gradient; the least-norm correction
// delta_i = s_i xt_i . (Xt^T Xt)^{-1} gradient removes the residual, and if
// u + delta stays positive it is a certificate. A separated fit never
// passes: its separated rows have u_i -> 0 faster than the gradient.
type overlapCertificate struct {
	chol mat.Cholesky // of Xt^T Xt over the rows of positive weight
	ok   bool
}

func newOverlapCertificate(l *logisticLoss) *overlapCertificate {
	w := make([]float64, l.d.rows)
	for i, v := range l.weight {
		if v > 0 {
			w[i] = 1
		}
	}
	c := &overlapCertificate{}
	c.ok = c.chol.Factorize(weightedGram(l.d, w, l.intercept))
	return c
}

// holds reports whether the gradient g at the point of the last eval certifies overlap.
func (c *overlapCertificate) holds(l *logisticLoss, g []float64) bool {
	if !c.ok {
		return true // a rank-deficient design: no certificate; R's test decides alone
	}
	q := len(g)
	u := mat.NewVecDense(q, nil)
	if err := c.chol.SolveVecTo(u, mat.NewVecDense(q, append([]float64(nil), g...))); err != nil {
		return true
	}
	coef := u.RawVector().Data
	var b []float64
	if l.intercept {
		coef, b = coef[:l.p], coef[l.p:]
	}
	delta := make([]float64, l.d.rows)
	l.decision(coef, b, delta)
	for i, wi := range l.weight {
		if wi <= 0 {
			continue
		}
		p := sigmoid(l.z[i])
		ui, s := wi*p, -1.0
		if l.target[i] == 1 {
			ui, s = wi*(1-p), 1
		}
		if !(ui+s*delta[i] > 0) {
			return false
		}
	}
	return true
}
