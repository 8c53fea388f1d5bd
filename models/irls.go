package models

import (
	"context"
	"fmt"
	"math"
)

// irlsProblem is one GLM fit: the design by columns (the intercept, when
// there is one, is the column of ones at index 0), the response, the prior
// weights and the offset, all of length n.
type irlsProblem struct {
	family    Family
	cols      [][]float64
	intercept bool // cols[0] is the intercept's column of ones
	n         int
	y, w      []float64
	offset    []float64
	maxIter   int
	tol       float64 // R's epsilon: stop when |dev - devold| / (|dev| + 0.1) < tol
	// start, if set, is the starting mean (R's mustart); else the family's.
	start []float64
	// progress, if set, is called after every iteration.
	progress func(iteration int, deviance float64)
}

// irlsFit is the outcome of glm.fit's iteration.
type irlsFit struct {
	coef       []float64 // per column, NaN where aliased
	eta, mu    []float64
	deviance   float64
	iterations int
	converged  bool
	boundary   bool // a step was halved to stay finite or inside the mean space
	// qr and workWeight are those of the last weighted least-squares
	// solve, which R's summary.glm uses for the covariance.
	qr         *pivotedQR
	workWeight []float64 // w^2 of the last solve for rows in it, 0 elsewhere
}

// run is R 4.2.2's glm.fit iteration: Fisher scoring by weighted least
// squares, solved by a QR with R's limited pivoting at tolerance
// min(1e-7, tol/1000); a step that makes the deviance non-finite or the
// mean invalid is halved towards the previous coefficients. Taking the
// same steps as R makes the estimates, and the standard errors R computes
// from the last solve's weights, agree with R to rounding.
func (pr *irlsProblem) run(ctx context.Context) (*irlsFit, error) {
	f, n, p := pr.family, pr.n, len(pr.cols)
	eta := make([]float64, n)
	mu := make([]float64, n)
	for i := range eta {
		m := pr.family.startMean(pr.y[i], pr.w[i])
		if pr.start != nil {
			m = pr.start[i]
		}
		eta[i] = f.link(m)
		mu[i] = f.linkInverse(eta[i])
		if !f.validMu(mu[i]) || math.IsNaN(eta[i]) || math.IsInf(eta[i], 0) {
			return nil, fmt.Errorf("no valid starting value for row %d (y %v): %w", i, pr.y[i], ErrNotConverged)
		}
	}
	devOld := pr.deviance(mu)
	fit := &irlsFit{workWeight: make([]float64, n)}
	var coef, coefOld []float64
	z := make([]float64, n)
	ws := make([]float64, n)
	good := make([]int, 0, n)
	work := make([]float64, n*p) // the weighted design of one iteration, by columns
	tolQR := math.Min(1e-7, pr.tol/1000)
	for iter := 1; iter <= pr.maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Working response and weights over the informative rows.
		good = good[:0]
		for i := 0; i < n; i++ {
			if pr.w[i] <= 0 {
				continue
			}
			v := f.variance(mu[i])
			if v == 0 || math.IsNaN(v) {
				return nil, fmt.Errorf("iteration %d: the variance is %v at row %d: %w", iter, v, i, ErrNotConverged)
			}
			if d := f.muEta(eta[i]); d != 0 {
				good = append(good, i)
			}
		}
		if len(good) == 0 {
			fit.iterations = iter
			break // no informative rows: not converged
		}
		for k, i := range good {
			d := f.muEta(eta[i])
			z[k] = eta[i] - pr.offset[i] + (pr.y[i]-mu[i])/d
			ws[k] = math.Sqrt(pr.w[i] * d * d / f.variance(mu[i]))
		}
		m := len(good)
		cols := make([][]float64, p)
		for j, c := range pr.cols {
			cols[j] = work[j*n : j*n+m]
			for k, i := range good {
				cols[j][k] = c[i] * ws[k]
			}
		}
		zw := make([]float64, m)
		for k := range zw {
			zw[k] = z[k] * ws[k]
		}
		qr := newPivotedQR(cols, m, tolQR)
		next := qr.solve(zw)
		for j, v := range next {
			if math.IsInf(v, 0) || math.IsNaN(v) {
				fit.iterations = iter
				return fit.finish(pr, coefOld, eta, mu, devOld, qr, good, ws, fmt.Errorf(
					"iteration %d: coefficient %d is not finite: %w", iter, j, ErrNotConverged))
			}
		}
		if m < qr.rank {
			return nil, fmt.Errorf("iteration %d: %d informative rows for %d coefficients: %w", iter, m, qr.rank, ErrShape)
		}
		coef = next
		dev := pr.linearPredictor(coef, eta, mu)
		fit.iterations = iter
		fit.qr, fit.workWeight = qr, squaredOn(good, ws, n)
		// Halve the step while the deviance is not finite, then while the mean is invalid.
		if math.IsNaN(dev) || math.IsInf(dev, 0) {
			if coefOld == nil {
				return nil, fmt.Errorf("iteration %d: the deviance is not finite and there is no valid earlier fit to step back to: %w", iter, ErrNotConverged)
			}
			for halvings := 1; math.IsNaN(dev) || math.IsInf(dev, 0); halvings++ {
				if halvings > pr.maxIter {
					return nil, fmt.Errorf("iteration %d: cannot make the deviance finite by halving the step: %w", iter, ErrNotConverged)
				}
				halve(coef, coefOld)
				dev = pr.linearPredictor(coef, eta, mu)
			}
			fit.boundary = true
		}
		if !pr.validMeans(mu) {
			if coefOld == nil {
				return nil, fmt.Errorf("iteration %d: fitted means outside the %v family's range and no valid earlier fit: %w", iter, f, ErrNotConverged)
			}
			for halvings := 1; !pr.validMeans(mu); halvings++ {
				if halvings > pr.maxIter {
					return nil, fmt.Errorf("iteration %d: cannot bring the fitted means into range by halving the step: %w", iter, ErrNotConverged)
				}
				halve(coef, coefOld)
				dev = pr.linearPredictor(coef, eta, mu)
			}
			fit.boundary = true
		}
		if pr.progress != nil {
			pr.progress(iter, dev)
		}
		if math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < pr.tol {
			fit.converged = true
			devOld = dev
			break
		}
		devOld = dev
		coefOld = append(coefOld[:0], coef...)
	}
	if coef == nil {
		return nil, fmt.Errorf("no informative rows (every weight or derivative is zero): %w", ErrNotConverged)
	}
	fit.coef, fit.eta, fit.mu, fit.deviance = coef, eta, mu, devOld
	fit.markAliased()
	return fit, nil
}

// finish records the last valid state of a fit stopped by non-finite coefficients.
func (fit *irlsFit) finish(pr *irlsProblem, coef, eta, mu []float64, dev float64, qr *pivotedQR, good []int, ws []float64, err error) (*irlsFit, error) {
	if coef == nil {
		return nil, err
	}
	fit.coef, fit.eta, fit.mu, fit.deviance = coef, eta, mu, dev
	fit.qr, fit.workWeight = qr, squaredOn(good, ws, pr.n)
	fit.markAliased()
	return fit, nil
}

// markAliased sets the coefficients of the columns the last solve left out to NaN (R's NA).
func (fit *irlsFit) markAliased() {
	fit.coef = append([]float64(nil), fit.coef...)
	for j := range fit.coef {
		if fit.qr.aliased(j) {
			fit.coef[j] = math.NaN()
		}
	}
}

func squaredOn(good []int, ws []float64, n int) []float64 {
	out := make([]float64, n)
	for k, i := range good {
		out[i] = ws[k] * ws[k]
	}
	return out
}

func halve(coef, old []float64) {
	for j := range coef {
		coef[j] = (coef[j] + old[j]) / 2
	}
}

// linearPredictor sets eta = X coef + offset and mu, and returns the deviance.
func (pr *irlsProblem) linearPredictor(coef, eta, mu []float64) float64 {
	copy(eta, pr.offset)
	for j, c := range pr.cols {
		b := coef[j]
		for i, v := range c {
			eta[i] += v * b
		}
	}
	for i, e := range eta {
		mu[i] = pr.family.linkInverse(e)
	}
	return pr.deviance(mu)
}

func (pr *irlsProblem) deviance(mu []float64) float64 { return pr.family.deviance(pr.y, mu, pr.w) }

func (pr *irlsProblem) validMeans(mu []float64) bool {
	for _, m := range mu {
		if !pr.family.validMu(m) {
			return false
		}
	}
	return true
}

// aliased reports whether original column j was left out of the factorization.
func (q *pivotedQR) aliased(j int) bool {
	for k := 0; k < q.rank; k++ {
		if q.pivot[k] == j {
			return false
		}
	}
	return true
}
