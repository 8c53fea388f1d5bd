package models

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// ErrNoSummary: the model has no inference: it is penalized, was fitted
// on sparse input by an iterative solver, is rank deficient where that
// leaves its coefficients unidentified, or was restored without one.
var ErrNoSummary = errors.New("no inference for this fit")

// Summary is the statistical inference of a fitted LinearRegression (ordinary
// least squares), unpenalized two-class LogisticRegression or GLM: what R's
// summary(lm(...)) and summary(glm(...)) print, as values. String lays it
// out as R does.
//
// Standard errors come from the inverse of the information matrix (for
// least squares, sigma^2 (X^T X)^{-1}); tests are t tests with DFResidual
// degrees of freedom when the dispersion is estimated (least squares, the
// Gaussian family) and z tests otherwise. Lower and Upper are Wald
// confidence intervals at Level: estimate -/+ the t (or normal) quantile
// times the standard error, as R's confint for lm and confint.default for
// binomial and Poisson GLMs.
type Summary struct {
	// Model names the fitted type: "LinearRegression", "LogisticRegression" or "GLM".
	Model string
	// Family and Link are R's names: gaussian/identity for least squares.
	Family, Link string
	// Coefficients starts with "(Intercept)" when the model has one, then one per column of X.
	Coefficients []Coefficient
	// Statistic is "t" or "z", the test of each coefficient.
	Statistic string
	// Level is the confidence level of every Coefficient's Lower and Upper (0.95).
	Level float64
	// Observations counts the rows with a positive weight.
	Observations int
	// Rank is the number of estimable coefficients (the intercept included).
	Rank int
	// DFResidual is Observations - Rank; DFNull is Observations - 1 with an intercept, else Observations.
	DFResidual, DFNull int
	// Dispersion is sigma^2 for least squares and the Gaussian family
	// (residual sum of squares / DFResidual), 1 for binomial and Poisson.
	Dispersion float64
	// Deviance and NullDeviance are those of the model and of the intercept
	// alone (for least squares, the residual and total sums of squares).
	Deviance, NullDeviance float64
	// LogLikelihood is the maximized log-likelihood, R's logLik; AIC is
	// -2 LogLikelihood + 2 (Rank, plus 1 when the dispersion is estimated).
	LogLikelihood, AIC float64
	// Iterations counts the Fisher scoring or Newton iterations (0 for least squares).
	Iterations int
	// Residuals holds the minimum, quartiles and maximum of the residuals
	// (deviance residuals for GLMs and logistic regression).
	Residuals [5]float64
	// LeastSquares holds the figures R adds for linear models; nil for GLMs.
	LeastSquares *LeastSquares
	// Warnings repeats R's warnings for the fit, such as "fitted probabilities numerically 0 or 1 occurred".
	Warnings []string
}

// Coefficient is one row of a Summary's coefficient table.
type Coefficient struct {
	Name      string
	Estimate  float64
	StdError  float64
	Statistic float64 // Estimate / StdError
	PValue    float64 // two-sided
	// Lower and Upper bound the Wald confidence interval at the Summary's Level.
	Lower, Upper float64
	// Aliased: the column is a linear combination of earlier ones, and the
	// coefficient is not estimable (R's NA): every number above is NaN.
	Aliased bool
}

// LeastSquares holds the fit figures of a linear model.
type LeastSquares struct {
	// ResidualStdError is sigma, the square root of the residual variance.
	ResidualStdError float64
	// RSquared is 1 - RSS/TSS (about the mean with an intercept, about 0
	// without), AdjRSquared its adjustment for the degrees of freedom.
	RSquared, AdjRSquared float64
	// FStatistic tests every coefficient but the intercept against zero,
	// on FNumDF and FDenDF degrees of freedom, with upper-tail FPValue.
	FStatistic     float64
	FNumDF, FDenDF int
	FPValue        float64
}

// SetFeatureNames names the coefficients of X's columns (the intercept
// keeps "(Intercept)"), for example with features.Table.FeatureNames.
func (s *Summary) SetFeatureNames(names []string) error {
	first := len(s.Coefficients) - len(names)
	if first != 0 && !(first == 1 && s.Coefficients[0].Name == interceptName) {
		return fmt.Errorf("Summary.SetFeatureNames: %d names for %d coefficients: %w", len(names), len(s.Coefficients), ErrShape)
	}
	for j, n := range names {
		s.Coefficients[first+j].Name = n
	}
	return nil
}

// ConfidenceIntervals returns the Wald interval of every coefficient at
// the given level in (0, 1), as [lower, upper] pairs in Coefficients order.
func (s *Summary) ConfidenceIntervals(level float64) ([][2]float64, error) {
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("Summary.ConfidenceIntervals: level %v is not in (0, 1): %w", level, ErrConfig)
	}
	q := s.quantile(1 - (1-level)/2)
	out := make([][2]float64, len(s.Coefficients))
	for j, c := range s.Coefficients {
		out[j] = [2]float64{c.Estimate - q*c.StdError, c.Estimate + q*c.StdError}
	}
	return out, nil
}

func (s *Summary) quantile(p float64) float64 {
	if s.Statistic == "t" {
		if s.DFResidual <= 0 {
			return math.NaN()
		}
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.DFResidual)}.Quantile(p)
	}
	return distuv.UnitNormal.Quantile(p)
}

// fillTests sets each coefficient's statistic, p-value and interval from its estimate and standard error.
func (s *Summary) fillTests() {
	if s.Level == 0 {
		s.Level = 0.95
	}
	q := s.quantile(1 - (1-s.Level)/2)
	for j := range s.Coefficients {
		c := &s.Coefficients[j]
		if c.Aliased {
			c.Estimate, c.StdError, c.Statistic, c.PValue, c.Lower, c.Upper = nan(), nan(), nan(), nan(), nan(), nan()
			continue
		}
		c.Statistic = c.Estimate / c.StdError
		c.PValue = s.twoSided(c.Statistic)
		c.Lower, c.Upper = c.Estimate-q*c.StdError, c.Estimate+q*c.StdError
	}
}

func nan() float64 { return math.NaN() }

// twoSided returns P(|T| >= |stat|) under the summary's test distribution,
// computed from the lower tail so that small p-values keep their digits.
func (s *Summary) twoSided(stat float64) float64 {
	if math.IsNaN(stat) {
		return math.NaN()
	}
	if s.Statistic == "t" {
		if s.DFResidual <= 0 {
			return math.NaN()
		}
		return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.DFResidual)}.CDF(-math.Abs(stat))
	}
	return 2 * distuv.UnitNormal.CDF(-math.Abs(stat))
}

// fUpperTail returns P(F > f) for F ~ F(d1, d2), as the lower tail of the
// complementary beta variable (distuv.F.Survival is 1 - CDF, which loses the
// digits of small p-values).
func fUpperTail(f, d1, d2 float64) float64 {
	if math.IsNaN(f) || d1 <= 0 || d2 <= 0 {
		return math.NaN()
	}
	if math.IsInf(f, 1) {
		return 0
	}
	if f <= 0 {
		return 1
	}
	return mathext.RegIncBeta(d2/2, d1/2, d2/(d2+d1*f))
}

// quartiles returns the minimum, quartiles and maximum of x as R's
// quantile (type 7: linear interpolation between order statistics).
func quartiles(x []float64) [5]float64 {
	var q [5]float64
	if len(x) == 0 {
		for i := range q {
			q[i] = math.NaN()
		}
		return q
	}
	s := slices.Sorted(slices.Values(x))
	for k := range q {
		h := float64(len(s)-1) * float64(k) / 4
		lo := int(math.Floor(h))
		q[k] = s[lo]
		if lo+1 < len(s) {
			q[k] += (h - float64(lo)) * (s[lo+1] - s[lo])
		}
	}
	return q
}

const interceptName = "(Intercept)"

// coefficientNames returns "(Intercept)" (when intercept is set) and x1, x2, ... for p columns.
func coefficientNames(p int, intercept bool) []string {
	var names []string
	if intercept {
		names = append(names, interceptName)
	}
	for j := 1; j <= p; j++ {
		names = append(names, fmt.Sprintf("x%d", j))
	}
	return names
}

// glmSummary computes R's summary.glm from the final IRLS state.
func glmSummary(pr *irlsProblem, fit *irlsFit, nullDev float64, intercept bool) *Summary {
	f := pr.family
	nOK := 0
	for _, w := range pr.w {
		if w > 0 {
			nOK++
		}
	}
	rank := fit.qr.rank
	s := &Summary{Model: "GLM", Family: f.String(), Link: f.Link(), Observations: nOK, Rank: rank,
		DFResidual: nOK - rank, DFNull: nOK, Deviance: fit.deviance, NullDeviance: nullDev,
		Iterations: fit.iterations, Statistic: "z", Dispersion: 1}
	if intercept {
		s.DFNull--
	}
	if f.estimatesDispersion() {
		s.Statistic = "t"
		s.Dispersion = math.NaN()
		if s.DFResidual > 0 {
			// R: sum of working weights times squared working residuals, over DFResidual.
			sum := 0.0
			for i, ww := range fit.workWeight {
				if ww > 0 {
					r := (pr.y[i] - fit.mu[i]) / f.muEta(fit.eta[i])
					sum += ww * r * r
				}
			}
			s.Dispersion = sum / float64(s.DFResidual)
		}
	}
	cov := fit.qr.unscaledCovariance()
	names := coefficientNames(len(pr.cols)-btoi(intercept), intercept)
	s.Coefficients = make([]Coefficient, len(fit.coef))
	for j, b := range fit.coef {
		c := Coefficient{Name: names[j], Estimate: b, Aliased: math.IsNaN(b)}
		if !c.Aliased {
			c.StdError = math.Sqrt(s.Dispersion * cov[j][j])
		}
		s.Coefficients[j] = c
	}
	if f.estimatesDispersion() && s.DFResidual <= 0 {
		for j := range s.Coefficients {
			s.Coefficients[j].StdError = math.NaN()
		}
	}
	s.fillTests()
	params := float64(rank)
	if f.estimatesDispersion() {
		params++
	}
	s.AIC = f.aic(pr.y, fit.mu, pr.w, fit.deviance) + 2*float64(rank)
	s.LogLikelihood = params - s.AIC/2
	s.Residuals = quartiles(f.devianceResiduals(pr.y, fit.mu, pr.w))
	return s
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// leastSquaresSummary computes R's summary.lm for a full-rank fit. coef
// starts with the intercept when there is one; covUnscaled is (X^T X)^{-1}
// of the design with the intercept column, in the same order.
func leastSquaresSummary(coef []float64, covUnscaled [][]float64, intercept bool, y, fitted []float64) *Summary {
	n, rank := len(y), len(coef)
	rss, mss, mean := 0.0, 0.0, 0.0
	res := make([]float64, n)
	for i, v := range y {
		res[i] = v - fitted[i]
		rss += res[i] * res[i]
	}
	if intercept {
		for _, f := range fitted {
			mean += f / float64(n)
		}
	}
	for _, f := range fitted {
		mss += (f - mean) * (f - mean)
	}
	df := n - rank
	s := &Summary{Model: "LinearRegression", Family: "gaussian", Link: "identity", Statistic: "t",
		Observations: n, Rank: rank, DFResidual: df, DFNull: n - btoi(intercept),
		Deviance: rss, NullDeviance: mss + rss, Residuals: quartiles(res)}
	s.Dispersion = math.NaN()
	if df > 0 {
		s.Dispersion = rss / float64(df)
	}
	names := coefficientNames(rank-btoi(intercept), intercept)
	s.Coefficients = make([]Coefficient, rank)
	for j, b := range coef {
		s.Coefficients[j] = Coefficient{Name: names[j], Estimate: b, StdError: math.Sqrt(covUnscaled[j][j] * s.Dispersion)}
	}
	s.fillTests()
	// R's logLik.lm and AIC: sigma is a parameter too.
	fn := float64(n)
	s.LogLikelihood = -fn / 2 * (math.Log(2*math.Pi) + 1 - math.Log(fn) + math.Log(rss))
	s.AIC = -2*s.LogLikelihood + 2*float64(rank+1)
	ls := &LeastSquares{ResidualStdError: math.Sqrt(s.Dispersion)}
	if k := rank - btoi(intercept); k > 0 {
		dfInt := btoi(intercept)
		ls.RSquared = mss / (mss + rss)
		ls.AdjRSquared = 1 - (1-ls.RSquared)*(float64(n-dfInt)/float64(df))
		ls.FStatistic = (mss / float64(k)) / s.Dispersion
		ls.FNumDF, ls.FDenDF = k, df
		ls.FPValue = fUpperTail(ls.FStatistic, float64(k), float64(df))
	}
	s.LeastSquares = ls
	return s
}

// linearSummary computes the summary of a full-rank least-squares fit
// from st.covariance, (Xc^T Xc)^{-1} of the centred design (of X itself
// without an intercept).
func linearSummary(d *design, st *LinearRegressionState, xMean, y []float64, intercept bool) *Summary {
	n, p := d.rows, d.cols
	fitted := make([]float64, n)
	d.mulVec(fitted, st.Coef, st.Intercept)
	coef := st.Coef
	cov := st.covariance
	if intercept {
		// With the intercept b0 = mean(y) - xMean . beta:
		// Var(b0) = 1/n + xMean^T C xMean, Cov(b0, beta) = -C xMean (times sigma^2).
		coef = append([]float64{st.Intercept}, st.Coef...)
		cx := make([]float64, p)
		v0 := 1 / float64(n)
		for a := 0; a < p; a++ {
			for b := 0; b < p; b++ {
				cx[a] += cov[a][b] * xMean[b]
			}
			v0 += xMean[a] * cx[a]
		}
		full := make([][]float64, p+1)
		full[0] = append([]float64{v0}, make([]float64, p)...)
		for a := 0; a < p; a++ {
			full[0][a+1] = -cx[a]
			full[a+1] = append([]float64{-cx[a]}, cov[a]...)
		}
		cov = full
	}
	return leastSquaresSummary(coef, cov, intercept, y, fitted)
}

func (s *Summary) clone() *Summary {
	if s == nil {
		return nil
	}
	c := *s
	c.Coefficients = slices.Clone(s.Coefficients)
	c.Warnings = slices.Clone(s.Warnings)
	if s.LeastSquares != nil {
		ls := *s.LeastSquares
		c.LeastSquares = &ls
	}
	return &c
}

// check validates a restored summary against a model with p columns of X.
func (s *Summary) check(p int) error {
	k := len(s.Coefficients)
	if k != p && !(k == p+1 && s.Coefficients[0].Name == interceptName) {
		return fmt.Errorf("summary has %d coefficients for %d columns: %w", k, p, ErrState)
	}
	if s.Statistic != "t" && s.Statistic != "z" {
		return fmt.Errorf("summary statistic %q, want t or z: %w", s.Statistic, ErrState)
	}
	if !(s.Level > 0 && s.Level < 1) {
		return fmt.Errorf("summary level %v is not in (0, 1): %w", s.Level, ErrState)
	}
	return nil
}

// logisticSummary computes R's summary.glm for an unpenalized two-class fit
// at its optimum theta (laid out [w, b]), from the exact Hessian there; nil
// when the Hessian is singular (a rank-deficient design).
func logisticSummary(l *logisticLoss, theta []float64, res newtonResult, warnings []string) *Summary {
	h := l.hessian()
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return nil
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		return nil
	}
	p, n := l.p, l.d.rows
	rank := len(theta)
	y, mu := make([]float64, n), make([]float64, n)
	nOK := 0
	for i := range y {
		y[i], mu[i] = float64(l.target[i]), sigmoid(l.z[i])
		if l.weight[i] > 0 {
			nOK++
		}
	}
	dev := Binomial.deviance(y, mu, l.weight)
	null := make([]float64, n)
	mean, sw := 0.5, 0.0
	if l.intercept {
		mean = 0
		for i, w := range l.weight {
			mean += w * y[i]
			sw += w
		}
		mean /= sw
	}
	for i := range null {
		null[i] = mean
	}
	s := &Summary{Model: "LogisticRegression", Family: "binomial", Link: "logit", Statistic: "z",
		Observations: nOK, Rank: rank, DFResidual: nOK - rank, DFNull: nOK - btoi(l.intercept), Dispersion: 1,
		Deviance: dev, NullDeviance: Binomial.deviance(y, null, l.weight), Iterations: res.iterations,
		Warnings: slices.Clone(warnings)}
	names := coefficientNames(p, l.intercept)
	order := make([]int, 0, rank) // position in theta of each summary row
	if l.intercept {
		order = append(order, p)
	}
	for j := 0; j < p; j++ {
		order = append(order, j)
	}
	for r, j := range order {
		s.Coefficients = append(s.Coefficients, Coefficient{Name: names[r], Estimate: theta[j], StdError: math.Sqrt(cov.At(j, j))})
	}
	s.fillTests()
	s.AIC = Binomial.aic(y, mu, l.weight, dev) + 2*float64(rank)
	s.LogLikelihood = float64(rank) - s.AIC/2
	s.Residuals = quartiles(Binomial.devianceResiduals(y, mu, l.weight))
	return s
}
