package models

import (
	"fmt"
	"math"
)

// Family is the error distribution of a GLM, each with its canonical link
// as R's glm uses it by default.
type Family int

const (
	// Gaussian is the normal distribution with the identity link: least
	// squares, with the dispersion (the residual variance) estimated. It is
	// the zero value, as gaussian() is R's default family.
	Gaussian Family = iota
	// Binomial is the binomial distribution with the logit link. y is a
	// proportion in [0, 1]; with prior weights it is the proportion of
	// successes in weight trials (R's convention), so 0/1 outcomes with unit
	// weights are logistic regression.
	Binomial
	// Poisson is the Poisson distribution with the log link, for counts.
	Poisson
)

// String returns R's name of the family: "gaussian", "binomial" or "poisson".
func (f Family) String() string {
	switch f {
	case Gaussian:
		return "gaussian"
	case Binomial:
		return "binomial"
	case Poisson:
		return "poisson"
	}
	return fmt.Sprintf("Family(%d)", int(f))
}

// Link returns R's name of the family's link: "identity", "logit" or "log".
func (f Family) Link() string {
	switch f {
	case Gaussian:
		return "identity"
	case Binomial:
		return "logit"
	case Poisson:
		return "log"
	}
	return ""
}

// ParseFamily returns the family named by String.
func ParseFamily(name string) (Family, error) {
	for _, f := range []Family{Gaussian, Binomial, Poisson} {
		if f.String() == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown GLM family %q (want gaussian, binomial or poisson): %w", name, ErrConfig)
}

func (f Family) valid() bool { return f == Gaussian || f == Binomial || f == Poisson }

// The family functions below are those of R 4.2.2's gaussian(), binomial()
// and poisson(), including their numerical guards, so that IRLS takes the
// same steps as glm.fit.

// logitThreshold is where R's C logit functions clamp the linear predictor
// (THRESH and MTHRESH in family.c).
const logitThreshold = 30

// linkInverse returns the mean for the linear predictor eta.
func (f Family) linkInverse(eta float64) float64 {
	switch f {
	case Binomial:
		// exp(eta) clamped to [eps, 1/eps], then e/(1+e), as R's logit_linkinv.
		var e float64
		switch {
		case eta < -logitThreshold:
			e = eps64
		case eta > logitThreshold:
			e = 1 / eps64
		default:
			e = math.Exp(eta)
		}
		return e / (1 + e)
	case Poisson:
		return math.Max(math.Exp(eta), eps64)
	}
	return eta
}

// link returns the linear predictor for the mean mu.
func (f Family) link(mu float64) float64 {
	switch f {
	case Binomial:
		return math.Log(mu / (1 - mu))
	case Poisson:
		return math.Log(mu)
	}
	return mu
}

// muEta returns d mu / d eta at eta.
func (f Family) muEta(eta float64) float64 {
	switch f {
	case Binomial:
		if eta > logitThreshold || eta < -logitThreshold {
			return eps64
		}
		e := math.Exp(eta)
		return e / ((1 + e) * (1 + e))
	case Poisson:
		return math.Max(math.Exp(eta), eps64)
	}
	return 1
}

// variance returns the variance function at mu.
func (f Family) variance(mu float64) float64 {
	switch f {
	case Binomial:
		return mu * (1 - mu)
	case Poisson:
		return mu
	}
	return 1
}

// validMu reports whether mu is inside the family's mean space.
func (f Family) validMu(mu float64) bool {
	switch f {
	case Binomial:
		return mu > 0 && mu < 1 && !math.IsNaN(mu)
	case Poisson:
		return mu > 0 && !math.IsInf(mu, 0) && !math.IsNaN(mu)
	}
	return true
}

// devianceResidual returns the unit deviance of y at mu times the prior weight w.
func (f Family) devianceResidual(y, mu, w float64) float64 {
	switch f {
	case Binomial:
		return 2 * w * (yLogY(y, mu) + yLogY(1-y, 1-mu))
	case Poisson:
		if y > 0 {
			return 2 * w * (y*math.Log(y/mu) - (y - mu))
		}
		return 2 * mu * w
	}
	return w * (y - mu) * (y - mu)
}

// deviance returns the sum of the weighted unit deviances.
func (f Family) deviance(y, mu, w []float64) float64 {
	s := 0.0
	for i := range y {
		s += f.devianceResidual(y[i], mu[i], w[i])
	}
	return s
}

// devianceResiduals returns sign(y - mu) sqrt(unit deviance) of every row, R's deviance residuals.
func (f Family) devianceResiduals(y, mu, w []float64) []float64 {
	res := make([]float64, len(y))
	for i := range y {
		r := math.Sqrt(math.Max(f.devianceResidual(y[i], mu[i], w[i]), 0))
		if y[i] <= mu[i] {
			r = -r
		}
		res[i] = r
	}
	return res
}

func yLogY(y, mu float64) float64 {
	if y != 0 {
		return y * math.Log(y/mu)
	}
	return 0
}

// startMean returns glm.fit's starting mean (the family's initialize expression).
func (f Family) startMean(y, w float64) float64 {
	switch f {
	case Binomial:
		return (w*y + 0.5) / (w + 1)
	case Poisson:
		return y + 0.1
	}
	return y
}

// checkResponse reports a response value outside the family's support.
func (f Family) checkResponse(y float64) error {
	switch f {
	case Binomial:
		if y < 0 || y > 1 {
			return fmt.Errorf("%v is outside [0, 1] (a binomial response is a proportion of successes)", y)
		}
	case Poisson:
		if y < 0 {
			return fmt.Errorf("%v is negative (a Poisson response is a count)", y)
		}
	}
	return nil
}

// estimatesDispersion reports whether the family's dispersion is estimated
// from the residuals (t tests) rather than fixed at 1 (z tests).
func (f Family) estimatesDispersion() bool { return f == Gaussian }

// aic returns the family's part of the AIC, -2 log-likelihood (plus 2 for an
// estimated dispersion), as R's family$aic; the model's AIC adds 2 * rank.
func (f Family) aic(y, mu, w []float64, dev float64) float64 {
	switch f {
	case Binomial:
		s := 0.0
		for i := range y {
			if w[i] > 0 {
				s += logBinomialDensity(math.Round(w[i]*y[i]), math.Round(w[i]), mu[i])
			}
		}
		return -2 * s
	case Poisson:
		s := 0.0
		for i := range y {
			s += logPoissonDensity(y[i], mu[i]) * w[i]
		}
		return -2 * s
	}
	// R sums over every row, so a zero weight gives log(0) and an infinite
	// AIC; rows of weight 0 are left out here, as R does for a subset.
	n, sumLogW := 0.0, 0.0
	for _, v := range w {
		if v > 0 {
			n++
			sumLogW += math.Log(v)
		}
	}
	return n*(math.Log(dev/n*2*math.Pi)+1) + 2 - sumLogW
}

// logBinomialDensity is log P(X = x) for X ~ Binomial(n, p), x and n whole.
func logBinomialDensity(x, n, p float64) float64 {
	switch {
	case x < 0 || x > n:
		return math.Inf(-1)
	case n == 0:
		return 0
	}
	var lx float64
	if x > 0 {
		lx = x * math.Log(p)
	}
	if n-x > 0 {
		lx += (n - x) * math.Log1p(-p)
	}
	return lx + logChoose(n, x)
}

func logChoose(n, k float64) float64 {
	if k == 0 || k == n {
		return 0
	}
	a, _ := math.Lgamma(n + 1)
	b, _ := math.Lgamma(k + 1)
	c, _ := math.Lgamma(n - k + 1)
	return a - b - c
}

// logPoissonDensity is log P(Y = y) for Y ~ Poisson(mu). As R's dpois, a
// count that is not whole (beyond 1e-7 relative) has density 0.
func logPoissonDensity(y, mu float64) float64 {
	r := math.Round(y)
	if math.Abs(y-r) > 1e-7*math.Max(1, math.Abs(y)) {
		return math.Inf(-1)
	}
	if r == 0 {
		return -mu
	}
	l, _ := math.Lgamma(r + 1)
	return r*math.Log(mu) - mu - l
}

// eps64 is the float64 machine epsilon, R's .Machine$double.eps.
const eps64 = 0x1p-52
