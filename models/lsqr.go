package models

import (
	"context"
	"math"
)

// fitLSQR solves the centred sparse problem min ||A w - yc||^2 + Alpha ||w||^2
// with A = X - 1 xMean^T applied implicitly (X stays sparse), by LSQR
// (Paige and Saunders 1982, as in scipy.sparse.linalg.lsqr, with damp =
// sqrt(Alpha)). Started at zero, LSQR converges to the minimum-norm solution.
// It stops with ctx's error when ctx is cancelled (checked every iteration).
func (m *LinearRegression) fitLSQR(ctx context.Context, d *design, xMean, yc []float64) (*LinearRegressionState, error) {
	n, p := d.rows, d.cols
	tol := m.Tol
	if tol == 0 {
		tol = 1e-12
	}
	maxIter := m.MaxIter
	if maxIter == 0 {
		maxIter = max(1000, 10*p)
	}
	damp := math.Sqrt(m.Alpha)

	// A v and A^T u with the centring folded in.
	mulA := func(out, v []float64) {
		shift := 0.0
		for j, mu := range xMean {
			shift += mu * v[j]
		}
		d.mulVec(out, v, -shift)
	}
	mulAT := func(out, u []float64) {
		d.mulTransVec(out, u)
		if xMean != nil {
			sum := 0.0
			for _, v := range u {
				sum += v
			}
			for j, mu := range xMean {
				out[j] -= mu * sum
			}
		}
	}

	x := make([]float64, p)
	u := append([]float64(nil), yc...)
	v := make([]float64, p)
	w := make([]float64, p)
	tmpN := make([]float64, n)
	tmpP := make([]float64, p)

	beta := norm2(u)
	bnorm := beta
	st := &LinearRegressionState{Coef: x, Rank: -1}
	if beta == 0 {
		return st, nil
	}
	scale(u, 1/beta)
	mulAT(v, u)
	alpha := norm2(v)
	if alpha == 0 {
		return st, nil
	}
	scale(v, 1/alpha)
	copy(w, v)

	rhobar, phibar := alpha, beta
	var anorm, ddnorm, res2, xxnorm, z, cs2, sn2 float64
	cs2 = -1
	for itn := 1; itn <= maxIter; itn++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st.Iterations = itn
		// Continue the bidiagonalization.
		mulA(tmpN, v)
		for i := range u {
			u[i] = tmpN[i] - alpha*u[i]
		}
		beta = norm2(u)
		if beta > 0 {
			scale(u, 1/beta)
			anorm = math.Sqrt(anorm*anorm + alpha*alpha + beta*beta + damp*damp)
			mulAT(tmpP, u)
			for j := range v {
				v[j] = tmpP[j] - beta*v[j]
			}
			alpha = norm2(v)
			if alpha > 0 {
				scale(v, 1/alpha)
			}
		}
		// Eliminate the damping, then the subdiagonal, by plane rotations.
		rhobar1, psi := rhobar, 0.0
		if damp > 0 {
			rhobar1 = math.Hypot(rhobar, damp)
			cs1, sn1 := rhobar/rhobar1, damp/rhobar1
			psi = sn1 * phibar
			phibar *= cs1
		}
		rho := math.Hypot(rhobar1, beta)
		cs, sn := rhobar1/rho, beta/rho
		theta := sn * alpha
		rhobar = -cs * alpha
		phi := cs * phibar
		phibar = sn * phibar
		tau := sn * phi

		t1, t2 := phi/rho, -theta/rho
		dk := 0.0
		for j := range x {
			dk += (w[j] / rho) * (w[j] / rho)
			x[j] += t1 * w[j]
			w[j] = v[j] + t2*w[j]
		}
		ddnorm += dk

		// Estimates of ||x||, ||r|| and ||A^T r|| for the stopping tests.
		delta := sn2 * rho
		gambar := -cs2 * rho
		rhs := phi - delta*z
		zbar := rhs / gambar
		xnorm := math.Sqrt(xxnorm + zbar*zbar)
		gamma := math.Hypot(gambar, theta)
		cs2, sn2 = gambar/gamma, theta/gamma
		z = rhs / gamma
		xxnorm += z * z
		res2 += psi * psi
		rnorm := math.Sqrt(phibar*phibar + res2)
		arnorm := alpha * math.Abs(tau)

		test1 := rnorm / bnorm
		test2 := arnorm / (anorm*rnorm + 0x1p-52)
		rtol := tol + tol*anorm*xnorm/bnorm
		if test1 <= rtol || test2 <= tol || 1+test2 <= 1 || beta == 0 || alpha == 0 {
			break
		}
	}
	return st, nil
}

func norm2(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

func scale(x []float64, a float64) {
	for i := range x {
		x[i] *= a
	}
}
