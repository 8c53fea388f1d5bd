package models

import "math"

// moreThuente is the line search of MINPACK-2's dcsrch (Moré and Thuente
// 1994), as L-BFGS-B calls it: it finds a step satisfying the strong Wolfe
// conditions with sufficient-decrease factor ftol and curvature factor gtol.
// It is ported line by line (rather than using gonum's MoreThuente) so that
// its "warning" exits, which L-BFGS-B accepts as a step, behave the same and
// kiln's iterates follow scikit-learn's lbfgs solver.
type moreThuente struct {
	ftol, gtol, xtol float64
	stpmin, stpmax   float64

	brackt              bool
	stage               int
	finit, ginit, gtest float64
	width, width1       float64
	stx, fx, gx         float64
	sty, fy, gy         float64
	stmin, stmax        float64
}

// lineStatus is what the caller does after a call to next.
type lineStatus int

const (
	lineEvaluate lineStatus = iota // evaluate f and its slope at the returned step
	lineDone                       // the previous step is accepted
	lineFailed                     // dcsrch reported an error
)

// start begins a search from f(0) = f, f'(0) = g < 0 with the first trial step stp.
func (ls *moreThuente) start(f, g, stp float64) {
	ls.brackt = false
	ls.stage = 1
	ls.finit, ls.ginit = f, g
	ls.gtest = ls.ftol * g
	ls.width = ls.stpmax - ls.stpmin
	ls.width1 = ls.width / 0.5
	ls.stx, ls.fx, ls.gx = 0, f, g
	ls.sty, ls.fy, ls.gy = 0, f, g
	ls.stmin = 0
	ls.stmax = stp + 4*stp
}

// next takes f and its slope g at the trial step stp and returns the next
// step to evaluate, or whether the search is over.
func (ls *moreThuente) next(stp, f, g float64) (float64, lineStatus) {
	const xtrapl, xtrapu = 1.1, 4.0
	ftest := ls.finit + stp*ls.gtest
	if ls.stage == 1 && f <= ftest && g >= 0 {
		ls.stage = 2
	}
	// Warnings: L-BFGS-B accepts the current step on any of them.
	if ls.brackt && (stp <= ls.stmin || stp >= ls.stmax) {
		return stp, lineDone
	}
	if ls.brackt && ls.stmax-ls.stmin <= ls.xtol*ls.stmax {
		return stp, lineDone
	}
	if stp == ls.stpmax && f <= ftest && g <= ls.gtest {
		return stp, lineDone
	}
	if stp == ls.stpmin && (f > ftest || g >= ls.gtest) {
		return stp, lineDone
	}
	if f <= ftest && math.Abs(g) <= ls.gtol*(-ls.ginit) {
		return stp, lineDone
	}
	if ls.stage == 1 && f <= ls.fx && f > ftest {
		// Work with the modified function psi(stp) = f(stp) - f(0) - ftol*stp*f'(0).
		fm := f - stp*ls.gtest
		fxm := ls.fx - ls.stx*ls.gtest
		fym := ls.fy - ls.sty*ls.gtest
		gm := g - ls.gtest
		gxm := ls.gx - ls.gtest
		gym := ls.gy - ls.gtest
		stp = ls.step(&ls.stx, &fxm, &gxm, &ls.sty, &fym, &gym, stp, fm, gm)
		ls.fx = fxm + ls.stx*ls.gtest
		ls.fy = fym + ls.sty*ls.gtest
		ls.gx = gxm + ls.gtest
		ls.gy = gym + ls.gtest
	} else {
		stp = ls.step(&ls.stx, &ls.fx, &ls.gx, &ls.sty, &ls.fy, &ls.gy, stp, f, g)
	}
	if ls.brackt {
		if math.Abs(ls.sty-ls.stx) >= 0.66*ls.width1 {
			stp = ls.stx + 0.5*(ls.sty-ls.stx)
		}
		ls.width1 = ls.width
		ls.width = math.Abs(ls.sty - ls.stx)
		ls.stmin = math.Min(ls.stx, ls.sty)
		ls.stmax = math.Max(ls.stx, ls.sty)
	} else {
		ls.stmin = stp + xtrapl*(stp-ls.stx)
		ls.stmax = stp + xtrapu*(stp-ls.stx)
	}
	stp = math.Min(math.Max(stp, ls.stpmin), ls.stpmax)
	if ls.brackt && (stp <= ls.stmin || stp >= ls.stmax) || ls.brackt && ls.stmax-ls.stmin <= ls.xtol*ls.stmax {
		stp = ls.stx
	}
	if math.IsNaN(stp) {
		return stp, lineFailed
	}
	return stp, lineEvaluate
}

// step is dcstep: it updates the interval of uncertainty [stx, sty] with the
// trial (stp, fp, dp) and returns a safeguarded cubic or quadratic step.
func (ls *moreThuente) step(stx, fx, dx, sty, fy, dy *float64, stp, fp, dp float64) float64 {
	stpmin, stpmax := ls.stmin, ls.stmax
	sgnd := dp * (*dx / math.Abs(*dx))
	var stpf float64
	switch {
	case fp > *fx:
		// Higher function value: the minimum is bracketed.
		theta := 3*(*fx-fp)/(stp-*stx) + *dx + dp
		s := math.Max(math.Abs(theta), math.Max(math.Abs(*dx), math.Abs(dp)))
		gamma := s * math.Sqrt((theta/s)*(theta/s)-(*dx/s)*(dp/s))
		if stp < *stx {
			gamma = -gamma
		}
		p := (gamma - *dx) + theta
		q := ((gamma - *dx) + gamma) + dp
		r := p / q
		stpc := *stx + r*(stp-*stx)
		stpq := *stx + ((*dx/((*fx-fp)/(stp-*stx)+*dx))/2)*(stp-*stx)
		if math.Abs(stpc-*stx) < math.Abs(stpq-*stx) {
			stpf = stpc
		} else {
			stpf = stpc + (stpq-stpc)/2
		}
		ls.brackt = true
	case sgnd < 0:
		// Derivatives of opposite sign: the minimum is bracketed.
		theta := 3*(*fx-fp)/(stp-*stx) + *dx + dp
		s := math.Max(math.Abs(theta), math.Max(math.Abs(*dx), math.Abs(dp)))
		gamma := s * math.Sqrt((theta/s)*(theta/s)-(*dx/s)*(dp/s))
		if stp > *stx {
			gamma = -gamma
		}
		p := (gamma - dp) + theta
		q := ((gamma - dp) + gamma) + *dx
		r := p / q
		stpc := stp + r*(*stx-stp)
		stpq := stp + (dp/(dp-*dx))*(*stx-stp)
		if math.Abs(stpc-stp) > math.Abs(stpq-stp) {
			stpf = stpc
		} else {
			stpf = stpq
		}
		ls.brackt = true
	case math.Abs(dp) < math.Abs(*dx):
		// Same sign, the derivative magnitude decreases.
		theta := 3*(*fx-fp)/(stp-*stx) + *dx + dp
		s := math.Max(math.Abs(theta), math.Max(math.Abs(*dx), math.Abs(dp)))
		gamma := s * math.Sqrt(math.Max(0, (theta/s)*(theta/s)-(*dx/s)*(dp/s)))
		if stp > *stx {
			gamma = -gamma
		}
		p := (gamma - dp) + theta
		q := (gamma + (*dx - dp)) + gamma
		r := p / q
		var stpc float64
		switch {
		case r < 0 && gamma != 0:
			stpc = stp + r*(*stx-stp)
		case stp > *stx:
			stpc = stpmax
		default:
			stpc = stpmin
		}
		stpq := stp + (dp/(dp-*dx))*(*stx-stp)
		if ls.brackt {
			if math.Abs(stpc-stp) < math.Abs(stpq-stp) {
				stpf = stpc
			} else {
				stpf = stpq
			}
			if stp > *stx {
				stpf = math.Min(stp+0.66*(*sty-stp), stpf)
			} else {
				stpf = math.Max(stp+0.66*(*sty-stp), stpf)
			}
		} else {
			if math.Abs(stpc-stp) > math.Abs(stpq-stp) {
				stpf = stpc
			} else {
				stpf = stpq
			}
			stpf = math.Max(stpmin, math.Min(stpmax, stpf))
		}
	default:
		// Same sign, the derivative magnitude does not decrease.
		switch {
		case ls.brackt:
			theta := 3*(fp-*fy)/(*sty-stp) + *dy + dp
			s := math.Max(math.Abs(theta), math.Max(math.Abs(*dy), math.Abs(dp)))
			gamma := s * math.Sqrt((theta/s)*(theta/s)-(*dy/s)*(dp/s))
			if stp > *sty {
				gamma = -gamma
			}
			p := (gamma - dp) + theta
			q := ((gamma - dp) + gamma) + *dy
			r := p / q
			stpf = stp + r*(*sty-stp)
		case stp > *stx:
			stpf = stpmax
		default:
			stpf = stpmin
		}
	}
	if fp > *fx {
		*sty, *fy, *dy = stp, fp, dp
	} else {
		if sgnd < 0 {
			*sty, *fy, *dy = *stx, *fx, *dx
		}
		*stx, *fx, *dx = stp, fp, dp
	}
	return stpf
}
