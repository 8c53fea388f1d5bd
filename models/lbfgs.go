package models

import (
	"context"
	"math"
)

// objective returns f(x) and writes its gradient into grad.
type objective func(x, grad []float64) float64

// lbfgs minimizes a smooth function without bounds, following L-BFGS-B 3.0
// (Byrd, Lu, Nocedal and Zhu; Morales and Nocedal 2011) as scipy's
// minimize(method="L-BFGS-B") runs it for scikit-learn: the same memory (10
// pairs), first step 1/||g||, Moré-Thuente line search (ftol 1e-3, gtol 0.9,
// xtol 0.1), update skipping, restart on a failed line search, and the same
// stopping rules, so that the same tolerance stops at the same point.
// Without bounds the L-BFGS-B step is the two-loop L-BFGS direction.
type lbfgs struct {
	maxIter int     // major iterations (line searches)
	gradTol float64 // stop when max |g_i| <= gradTol (scipy's gtol, sklearn's tol)
	relTol  float64 // stop when (f_old - f)/max(|f_old|, |f|, 1) <= relTol (scipy's ftol)
	maxEval int     // function evaluations
	memory  int

	progress func(iteration int, f float64) // optional, after each iteration
}

type lbfgsResult struct {
	iterations  int
	evaluations int
	converged   bool
	f           float64
}

// minimize runs from x (overwritten with the solution).
func (o *lbfgs) minimize(ctx context.Context, fn objective, x []float64) (lbfgsResult, error) {
	n := len(x)
	m := o.memory
	s := make([][]float64, m)
	y := make([][]float64, m)
	for i := range s {
		s[i] = make([]float64, n)
		y[i] = make([]float64, n)
	}
	rho := make([]float64, m)
	alpha := make([]float64, m)
	stored, newest := 0, -1

	g := make([]float64, n)
	d := make([]float64, n)
	x0 := make([]float64, n)
	g0 := make([]float64, n)

	var res lbfgsResult
	f := fn(x, g)
	res.evaluations = 1
	res.f = f
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return res, nil
	}
	if maxAbs(g) <= o.gradTol {
		res.converged = true
		return res, nil
	}
	ls := moreThuente{ftol: 1e-3, gtol: 0.9, xtol: 0.1, stpmin: 0, stpmax: 1e10}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// Direction d = -H g by the two-loop recursion.
		for i := range d {
			d[i] = -g[i]
		}
		for k := 0; k < stored; k++ {
			i := (newest - k + m) % m
			alpha[i] = rho[i] * dot(s[i], d)
			axpy(-alpha[i], y[i], d)
		}
		if stored > 0 {
			yy := dot(y[newest], y[newest])
			scale(d, 1/(rho[newest]*yy))
		}
		for k := stored - 1; k >= 0; k-- {
			i := (newest - k + m) % m
			b := rho[i] * dot(y[i], d)
			axpy(alpha[i]-b, s[i], d)
		}
		gd := dot(g, d)
		if !(gd < 0) {
			if stored == 0 {
				return res, nil // not a descent direction even for steepest descent: rounding
			}
			stored, newest = 0, -1
			continue
		}
		stp := 1.0
		if res.iterations == 0 && stored == 0 {
			stp = math.Min(1/norm2(d), ls.stpmax)
		}
		copy(x0, x)
		copy(g0, g)
		fOld := f
		ls.start(f, gd, stp)
		ok := false
		for back := 0; back < 20; back++ {
			for i := range x {
				x[i] = x0[i] + stp*d[i]
			}
			f = fn(x, g)
			res.evaluations++
			if math.IsNaN(f) || math.IsInf(f, 0) {
				break
			}
			var status lineStatus
			stp, status = ls.next(stp, f, dot(g, d))
			if status == lineDone {
				ok = true
				break
			}
			if status == lineFailed {
				break
			}
		}
		if !ok {
			// Restore the previous point; restart from steepest descent once.
			copy(x, x0)
			copy(g, g0)
			f = fOld
			if stored == 0 {
				res.f = f
				return res, nil
			}
			stored, newest = 0, -1
			continue
		}
		res.iterations++
		res.f = f
		if o.progress != nil {
			o.progress(res.iterations, f)
		}
		if res.iterations >= o.maxIter || res.evaluations > o.maxEval {
			return res, nil
		}
		if maxAbs(g) <= o.gradTol {
			res.converged = true
			return res, nil
		}
		if fOld-f <= o.relTol*math.Max(math.Max(math.Abs(fOld), math.Abs(f)), 1) {
			res.converged = true
			return res, nil
		}
		// Store the pair (s, y) unless its curvature is too small.
		next := (newest + 1) % m
		sy, sg := 0.0, 0.0
		for i := range x {
			s[next][i] = x[i] - x0[i]
			y[next][i] = g[i] - g0[i]
			sy += s[next][i] * y[next][i]
			sg += s[next][i] * g0[i]
		}
		if sy > 0x1p-52*(-sg) {
			rho[next] = 1 / sy
			newest = next
			stored = min(stored+1, m)
		}
	}
}

func maxAbs(x []float64) float64 {
	v := 0.0
	for _, e := range x {
		v = math.Max(v, math.Abs(e))
	}
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}
