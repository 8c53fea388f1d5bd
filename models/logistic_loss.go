package models

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// logisticLoss is scikit-learn's lbfgs objective for LogisticRegression:
//
//	sum_i sw_i * logloss_i(x_i W + b) + lambda/2 ||W||^2
//
// (a sum over samples, not a mean, and the intercept not penalized). The
// parameters are laid out feature-major: theta = [W (p x K, row-major), b (K)],
// K = 1 for two classes (sigmoid) and K = classes for softmax.
type logisticLoss struct {
	d         *design
	xs, xt    *compactCSR // X and X^T for sparse input, so that X^T r is a parallel gather
	k, p      int
	intercept bool
	target    []int     // class index of each row (0/1 for binary)
	weight    []float64 // sample weight of each row
	lambda    float64
	workers   int

	z, r, rowLoss []float64 // n*k decision values, n*k residuals, n losses
	rowParts      []int     // row ranges for the parallel passes over X
	colParts      []int     // feature ranges for the parallel passes over X^T

	work *newtonWork // the Newton solver's buffers, when it runs
}

func newLogisticLoss(d *design, k int, target []int, weight []float64, lambda float64, intercept bool, workers int) *logisticLoss {
	l := &logisticLoss{
		d: d, k: k, p: d.cols, intercept: intercept, target: target, weight: weight,
		lambda: lambda, workers: workers,
		z: make([]float64, d.rows*k), r: make([]float64, d.rows*k), rowLoss: make([]float64, d.rows),
	}
	if d.csr != nil {
		l.xs = newCompactCSR(d.csr, d.rows, d.cols)
		l.xt = l.xs.transpose()
		l.rowParts = splitByWeight(l.xs.indptr, workers)
		l.colParts = splitByWeight(l.xt.indptr, workers)
	} else {
		l.rowParts = splitEven(d.rows, workers)
	}
	return l
}

func (l *logisticLoss) dim() int {
	if l.intercept {
		return l.p*l.k + l.k
	}
	return l.p * l.k
}

// eval returns the objective at theta and writes its gradient into grad.
// Every row's value is computed by one goroutine and sums run in row order,
// so the result does not depend on the number of workers.
func (l *logisticLoss) eval(theta, grad []float64) float64 {
	k, p, n := l.k, l.p, l.d.rows
	w := theta[:p*k]
	var b []float64
	if l.intercept {
		b = theta[p*k:]
	}
	l.decision(w, b, l.z)
	parallel(l.rowParts, func(lo, hi int) {
		if k == 1 {
			l.binaryRows(lo, hi)
		} else {
			l.softmaxRows(lo, hi)
		}
	})
	loss := 0.0
	for _, v := range l.rowLoss {
		loss += v
	}
	// Gradient: X^T R + lambda W, and column sums of R for the intercepts.
	gw := grad[:p*k]
	if l.xt != nil {
		parallel(l.colParts, func(lo, hi int) {
			if k == 1 {
				l.xt.mulVecRows(gw, l.r, 0, lo, hi)
			} else {
				l.xt.mulMatRows(gw, l.r, k, nil, lo, hi)
			}
		})
	} else if k == 1 {
		mat.NewVecDense(p, gw).MulVec(l.d.dense.T(), mat.NewVecDense(n, l.r))
	} else {
		gm := mat.NewDense(p, k, gw)
		gm.Mul(l.d.dense.T(), mat.NewDense(n, k, l.r))
	}
	if l.lambda > 0 {
		sq := 0.0
		for j, v := range w {
			sq += v * v
			gw[j] += l.lambda * v
		}
		loss += 0.5 * l.lambda * sq
	}
	if l.intercept {
		gb := grad[p*k:]
		clear(gb)
		for i := 0; i < n; i++ {
			for c := range gb {
				gb[c] += l.r[i*k+c]
			}
		}
	}
	return loss
}

// decision sets z = X W + b (n x k, row-major).
func (l *logisticLoss) decision(w, b []float64, z []float64) {
	if l.xs == nil {
		decisionValues(l.d, l.k, w, b, z, l.rowParts)
		return
	}
	parallel(l.rowParts, func(lo, hi int) {
		if l.k == 1 {
			b0 := 0.0
			if b != nil {
				b0 = b[0]
			}
			l.xs.mulVecRows(z, w, b0, lo, hi)
		} else {
			l.xs.mulMatRows(z, w, l.k, b, lo, hi)
		}
	})
}

// decisionValues sets z = X W + b for W stored p x k row-major.
func decisionValues(d *design, k int, w, b []float64, z []float64, parts []int) {
	if d.csr != nil {
		raw := d.csr.RawMatrix()
		parallel(parts, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				zi := z[i*k : i*k+k]
				clear(zi)
				for q := raw.Indptr[i]; q < raw.Indptr[i+1]; q++ {
					v, wj := raw.Data[q], w[raw.Ind[q]*k:raw.Ind[q]*k+k]
					for c := range zi {
						zi[c] += v * wj[c]
					}
				}
				for c := range b {
					zi[c] += b[c]
				}
			}
		})
		return
	}
	if k == 1 {
		// Gemv: gonum's Gemm is slow for a single column.
		mat.NewVecDense(d.rows, z).MulVec(d.dense, mat.NewVecDense(d.cols, w))
	} else {
		mat.NewDense(d.rows, k, z).Mul(d.dense, mat.NewDense(d.cols, k, w))
	}
	if b != nil {
		for i := 0; i < d.rows; i++ {
			for c := range b {
				z[i*k+c] += b[c]
			}
		}
	}
}

// binaryRows computes the log-loss and residual sigmoid(z) - y of rows [lo, hi).
func (l *logisticLoss) binaryRows(lo, hi int) {
	for i := lo; i < hi; i++ {
		z, y, sw := l.z[i], float64(l.target[i]), l.weight[i]
		// log(1 + e^z) - y z and sigmoid(z) from one exponential, without overflow.
		e := math.Exp(-math.Abs(z))
		lse, p := math.Log1p(e), 1/(1+e)
		if z > 0 {
			lse += z
		} else {
			p = e / (1 + e)
		}
		l.rowLoss[i] = sw * (lse - y*z)
		l.r[i] = sw * (p - y)
	}
}

// softmaxRows computes the cross-entropy and residuals softmax(z) - onehot(y) of rows [lo, hi).
func (l *logisticLoss) softmaxRows(lo, hi int) {
	k := l.k
	for i := lo; i < hi; i++ {
		zi, ri := l.z[i*k:i*k+k], l.r[i*k:i*k+k]
		mx, sum := shiftedExp(zi, ri)
		sw, y := l.weight[i], l.target[i]
		l.rowLoss[i] = sw * (mx + math.Log(sum) - zi[y])
		for c := range ri {
			ri[c] = sw * ri[c] / sum
		}
		ri[y] -= sw
	}
}

// shiftedExp sets e[c] = exp(z[c] - max(z)) and returns max(z) and the sum
// of e: the softmax is e / sum, and its log-normalizer max + log(sum),
// without overflow.
func shiftedExp(z, e []float64) (mx, sum float64) {
	mx = z[0]
	for _, v := range z[1:] {
		mx = math.Max(mx, v)
	}
	for c, v := range z {
		e[c] = math.Exp(v - mx)
		sum += e[c]
	}
	return mx, sum
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// splitEven returns part boundaries of [0, n) into at most parts ranges.
func splitEven(n, parts int) []int {
	parts = max(1, min(parts, n))
	b := make([]int, parts+1)
	for i := range b {
		b[i] = i * n / parts
	}
	return b
}

// splitByWeight splits the rows of a CSR row pointer into ranges of about equal non-zeros.
func splitByWeight(indptr []int, parts int) []int {
	n := len(indptr) - 1
	parts = max(1, min(parts, n))
	total := indptr[n]
	b := []int{0}
	row := 0
	for p := 1; p < parts; p++ {
		target := total * p / parts
		for row < n && indptr[row] < target {
			row++
		}
		if row > b[len(b)-1] {
			b = append(b, row)
		}
	}
	if b[len(b)-1] != n {
		b = append(b, n)
	}
	return b
}

// parallel runs fn on each range [b[i], b[i+1]), one goroutine per range.
func parallel(b []int, fn func(lo, hi int)) {
	if len(b) <= 2 {
		if len(b) == 2 {
			fn(b[0], b[1])
		}
		return
	}
	var wg sync.WaitGroup
	for i := 0; i+1 < len(b); i++ {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(b[i], b[i+1])
	}
	wg.Wait()
}
