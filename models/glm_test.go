package models

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// rCoef is one row of R's coef(summary(fit)) and confint: estimate,
// standard error, z or t value, p-value, and the 95% Wald interval.
type rCoef struct {
	name                       string
	est, se, stat, p, lo, upAt float64
}

// rFit holds R's fit figures: deviance, null deviance, AIC, logLik, iterations and degrees of freedom.
type rFit struct {
	deviance, null, aic, loglik float64
	iter, dfResidual, dfNull    int
	dispersion                  float64
}

// R's inference for lm and glm fits, the values Summary must reproduce: from
// R 4.2.2 (Debian r-base-core 4.2.2.20221110) with options(digits = 15), by
// models/testdata/r_reference.R on the embedded data:
// coef(summary(fit)), confint.default(fit) (confint(fit) for lm),
// deviance, null.deviance, aic, logLik and iter of glm(...) or summary(lm(...)).
var (
	rMtcarsAm = []rCoef{
		{"(Intercept)", 18.8662987172040957, 7.4435580602052740, 2.53458071591690, 0.01125819871661369, 4.27719300236893396, 33.455404432039259},
		{"wt", -8.0834751824446283, 3.0686751130546961, -2.63419061472362, 0.00843381259970702, -14.09796788428620928, -2.068982480603046},
		{"hp", 0.0362555960822165, 0.0177341536507693, 2.04439393027610, 0.04091464645902994, 0.00149729363040912, 0.071013898534024},
	}
	rMtcarsAmFit = rFit{10.059110472267, 43.2297332768578, 16.059110472267, -5.02955523613349, 8, 29, 31, 1}

	rIris = []rCoef{
		{"(Intercept)", -45.27234304105276, 13.60958154478839, -3.32650514580951, 0.000879423960679545, -71.94663271349899, -18.5980533686065},
		{"Petal.Length", 5.75453221498009, 2.30562079370031, 2.49587106028160, 0.012564826468856224, 1.23559849732084, 10.2734659326393},
		{"Petal.Width", 10.44669976212031, 3.75527661177805, 2.78187224061079, 0.005404631138495654, 3.08649285104972, 17.8069066731909},
	}
	rIrisFit = rFit{20.5635081033936, 138.629436111989, 26.5635081033936, -10.2817540516968, 8, 97, 99, 1}

	rWarpbreaks = []rCoef{
		// R's 2*pnorm(-81.3) underflows to 0.
		{"(Intercept)", 3.691963144953793, 0.0454106925991773, 81.30162597477484, 0, 3.602959822946386, 3.780966466961200},
		{"woolB", -0.205988442648863, 0.0515711686464422, -3.99425586146910, 6.48977528174030e-05, -0.307066075836531, -0.104910809461195},
		{"tensionM", -0.321320431600191, 0.0602658019343353, -5.33172083149739, 9.72864194870672e-08, -0.439439232890913, -0.203201630309470},
		{"tensionH", -0.518488496517343, 0.0639594433127196, -8.10651984543198, 5.20902138971251e-16, -0.643846701881505, -0.393130291153182},
	}
	rWarpbreaksFit = rFit{210.391888762454, 297.372211804605, 493.055966417958, -242.527983208979, 4, 50, 53, 1}

	rMtcarsCarb = []rCoef{
		{"(Intercept)", 0.13878829120667022, 0.39866590912809258, 0.3481318267473859, 0.727741183257023305, -0.64258253254830899, 0.92015911496164948},
		{"wt", 0.00448193576039678, 0.13097186556388490, 0.0342205995241826, 0.972701240115070087, -0.25221820373283932, 0.26118207525363291},
		{"hp", 0.00548724024869095, 0.00164414587828072, 3.3374412338818336, 0.000845536001988402, 0.00226477354193075, 0.00870970695545114},
	}
	rMtcarsCarbFit = rFit{12.2780388367179, 27.0433574501321, 107.643688494126, -50.8218442470628, 4, 29, 31, 1}

	// lm(mpg ~ wt + hp, mtcars); intervals from confint (t quantiles).
	rMtcarsMpg = []rCoef{
		{"(Intercept)", 37.227270116447201, 1.59878753799939410, 23.28468869793086, 2.56545851198376e-20, 33.9573824522584715, 40.4971577806359306},
		{"wt", -3.877830742404682, 0.63273349437739534, -6.12869521981041, 1.11964713620004e-06, -5.1719160406755371, -2.5837454441338270},
		{"hp", -0.031772946982161, 0.00902970967585572, -3.51871191020878, 1.45122853156942e-03, -0.0502407768710736, -0.0133051170932484},
	}
)

const (
	estTol = 1e-8 // estimates and standard errors, relative
	fitTol = 1e-9 // deviance, AIC, sigma, R^2, F, relative
	pTol   = 1e-6 // p-values, relative
)

// worstError records the largest relative error seen per tolerance class, for the test log.
var worstError = map[float64]float64{}

func checkClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if want == 0 && got == 0 {
		return
	}
	e := relErr(got, want)
	if !(e <= tol) {
		t.Errorf("%s: got %.15g, R %.15g (relative error %.2g > %.0g)", what, got, want, e, tol)
	}
	worstError[tol] = math.Max(worstError[tol], e)
}

// logWorst logs the largest relative errors met so far, by tolerance.
func logWorst(t *testing.T) {
	t.Helper()
	t.Logf("largest relative errors: estimates/std. errors %.2g (tolerance %.0g), fit figures %.2g (%.0g), p-values %.2g (%.0g)",
		worstError[estTol], estTol, worstError[fitTol], fitTol, worstError[pTol], pTol)
}

func checkCoefficients(t *testing.T, s *Summary, want []rCoef) {
	t.Helper()
	if len(s.Coefficients) != len(want) {
		t.Fatalf("%d coefficients, want %d", len(s.Coefficients), len(want))
	}
	for j, w := range want {
		c := s.Coefficients[j]
		checkClose(t, w.name+" estimate", c.Estimate, w.est, estTol)
		checkClose(t, w.name+" std. error", c.StdError, w.se, estTol)
		checkClose(t, w.name+" statistic", c.Statistic, w.stat, estTol)
		checkClose(t, w.name+" p-value", c.PValue, w.p, pTol)
		checkClose(t, w.name+" lower 95%", c.Lower, w.lo, estTol)
		checkClose(t, w.name+" upper 95%", c.Upper, w.upAt, estTol)
	}
}

func checkGLMFit(t *testing.T, s *Summary, want rFit) {
	t.Helper()
	checkClose(t, "deviance", s.Deviance, want.deviance, fitTol)
	checkClose(t, "null deviance", s.NullDeviance, want.null, fitTol)
	checkClose(t, "AIC", s.AIC, want.aic, fitTol)
	checkClose(t, "log-likelihood", s.LogLikelihood, want.loglik, fitTol)
	checkClose(t, "dispersion", s.Dispersion, want.dispersion, fitTol)
	if s.Iterations != want.iter || s.DFResidual != want.dfResidual || s.DFNull != want.dfNull {
		t.Errorf("iterations %d, df %d and %d; R %d, %d and %d", s.Iterations, s.DFResidual, s.DFNull, want.iter, want.dfResidual, want.dfNull)
	}
}

// mtcarsResponse returns the named mtcars columns and the response column.
func mtcarsResponse(t testing.TB, cols []string, response string) (*mat.Dense, []float64) {
	tb := loadTable(t, "mtcars.csv")
	return tb.floats(t, cols, nil), column(tb.floats(t, []string{response}, nil), 0)
}

// irisVersicolorVirginica returns Petal.Length and Petal.Width of rows 51-150 and 1 for virginica.
func irisVersicolorVirginica(t testing.TB) (*mat.Dense, []float64) {
	X, y := iris(t)
	sub := mat.DenseCopyOf(X.Slice(50, 150, 2, 4))
	out := make([]float64, 100)
	for i := range out {
		out[i] = y[50+i] - 1
	}
	return sub, out
}

// warpbreaksDesign returns the treatment-coded dummies woolB, tensionM,
// tensionH (R's default contrasts, first level as baseline) and breaks.
func warpbreaksDesign(t testing.TB) (*mat.Dense, []float64) {
	tb := loadTable(t, "warpbreaks.csv")
	wool, tension := tb.col(t, "wool"), tb.col(t, "tension")
	X := mat.NewDense(len(tb.rows), 3, nil)
	for i, r := range tb.rows {
		X.Set(i, 0, b2f(r[wool] == "B"))
		X.Set(i, 1, b2f(r[tension] == "M"))
		X.Set(i, 2, b2f(r[tension] == "H"))
	}
	return X, column(tb.floats(t, []string{"breaks"}, nil), 0)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestGLMMatchesR(t *testing.T) {
	ctx := context.Background()
	amX, am := mtcarsResponse(t, []string{"wt", "hp"}, "am")
	_, carb := mtcarsResponse(t, []string{"wt", "hp"}, "carb")
	irisX, virginica := irisVersicolorVirginica(t)
	wbX, breaks := warpbreaksDesign(t)
	for _, tc := range []struct {
		name  string
		fam   Family
		X     *mat.Dense
		y     []float64
		names []string
		coef  []rCoef
		fit   rFit
	}{
		{"binomial mtcars am ~ wt + hp", Binomial, amX, am, []string{"wt", "hp"}, rMtcarsAm, rMtcarsAmFit},
		{"binomial iris virginica ~ petals", Binomial, irisX, virginica, []string{"Petal.Length", "Petal.Width"}, rIris, rIrisFit},
		{"poisson warpbreaks breaks ~ wool + tension", Poisson, wbX, breaks, []string{"woolB", "tensionM", "tensionH"}, rWarpbreaks, rWarpbreaksFit},
		{"poisson mtcars carb ~ wt + hp", Poisson, amX, carb, []string{"wt", "hp"}, rMtcarsCarb, rMtcarsCarbFit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := GLM{Family: tc.fam}
			if err := m.Fit(ctx, tc.X, tc.y); err != nil {
				t.Fatal(err)
			}
			s := namedSummary(t, &m, tc.names)
			checkCoefficients(t, s, tc.coef)
			checkGLMFit(t, s, tc.fit)
			for j, c := range s.Coefficients {
				if c.Name != tc.coef[j].name {
					t.Errorf("coefficient %d named %q, want %q", j, c.Name, tc.coef[j].name)
				}
			}
			if len(s.Warnings) != 0 {
				t.Errorf("warnings %q; R gives none", s.Warnings)
			}
			// The fitted model predicts R's fitted values: the mean at the estimates.
			pred, err := m.Predict(tc.X)
			if err != nil {
				t.Fatal(err)
			}
			dev := 0.0
			for i, mu := range pred {
				dev += tc.fam.devianceResidual(tc.y[i], mu, 1)
			}
			checkClose(t, "deviance of the predictions", dev, tc.fit.deviance, fitTol)
		})
	}
	logWorst(t)
}

// The Gaussian family is least squares with t tests: R 4.2.2's
// summary(glm(mpg ~ wt + hp, gaussian, mtcars)) has lm's coefficient table,
// dispersion 6.72578464625745 (sigma^2), deviance 195.047754741466 (RSS),
// null deviance 1126.04718750000, AIC 156.652338825641, 2 iterations. Its
// intervals use t quantiles, as R's confint for lm (confint.default would
// use normal ones).
func TestGLMGaussianMatchesLM(t *testing.T) {
	X, mpg := mtcarsResponse(t, []string{"wt", "hp"}, "mpg")
	calls := 0
	m := GLM{Progress: func(p kiln.Progress) {
		calls++
		if p.Stage != "iteration" || p.Done != int64(calls) || p.Total != 25 {
			t.Errorf("progress %+v at call %d", p, calls)
		}
	}}
	if err := m.Fit(context.Background(), X, mpg); err != nil {
		t.Fatal(err)
	}
	if calls != m.Iterations() {
		t.Errorf("Progress called %d times for %d iterations", calls, m.Iterations())
	}
	s, err := m.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if s.Statistic != "t" {
		t.Errorf("statistic %q, want t", s.Statistic)
	}
	checkCoefficients(t, s, rMtcarsMpg)
	checkGLMFit(t, s, rFit{195.047754741466, 1126.04718750000, 156.652338825641, -74.3261694128207, 2, 29, 31, 6.72578464625745})
}

func TestGLMSeparationIsAnError(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		x    []float64
	}{
		// Every x below 3.5 is a failure, every x above a success. R 4.2.2's glm
		// warns "fitted probabilities numerically 0 or 1 occurred" (25 iterations).
		{"complete", []float64{1, 2, 3, 3.2, 3.8, 4, 5, 6}},
		// Two rows at x = 3.5, one of each class: separated but for the tie. R
		// warns the same (21 iterations).
		{"quasi-complete", []float64{1, 2, 3, 3.5, 3.5, 4, 5, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			X := mat.NewDense(8, 1, tc.x)
			y := []float64{0, 0, 0, 0, 1, 1, 1, 1}
			m := GLM{Family: Binomial}
			err := m.Fit(ctx, X, y)
			if !errors.Is(err, ErrSeparation) {
				t.Fatalf("separated data: got %v, want ErrSeparation", err)
			}
			t.Log(err)
			if m.Coef() != nil {
				t.Error("a failed fit left coefficients")
			}
			// Accepting it keeps the fit, with R's warning in the summary.
			m.AcceptSeparation = true
			if err := m.Fit(ctx, X, y); err != nil {
				t.Fatal(err)
			}
			s, _ := m.Summary()
			if !slices.Contains(s.Warnings, "fitted probabilities numerically 0 or 1 occurred") {
				t.Errorf("warnings %q lack R's", s.Warnings)
			}
		})
	}
}

func TestGLMNotConvergedIsAnError(t *testing.T) {
	X, am := mtcarsResponse(t, []string{"wt", "hp"}, "am")
	// R needs 8 iterations (rMtcarsAmFit); 3 are not enough.
	m := GLM{Family: Binomial, MaxIter: 3}
	err := m.Fit(context.Background(), X, am)
	if !errors.Is(err, ErrNotConverged) {
		t.Fatalf("3 iterations: got %v, want ErrNotConverged", err)
	}
	m.AcceptNotConverged = true
	if err := m.Fit(context.Background(), X, am); err != nil {
		t.Fatal(err)
	}
	if m.Converged() || m.Iterations() != 3 {
		t.Errorf("accepted fit: converged %v after %d iterations, want false after 3", m.Converged(), m.Iterations())
	}
}

// Prior weights and offsets, against R 4.2.2 (models/testdata/r_reference.R).
func TestGLMWeightsAndOffsetMatchR(t *testing.T) {
	ctx := context.Background()
	X, am := mtcarsResponse(t, []string{"wt", "hp"}, "am")
	hp, carb := mtcarsResponse(t, []string{"hp"}, "carb")
	_, mpg := mtcarsResponse(t, []string{"wt"}, "mpg")
	_, gear := mtcarsResponse(t, []string{"wt"}, "gear")
	_, cyl := mtcarsResponse(t, []string{"wt"}, "cyl")
	_, wt := mtcarsResponse(t, []string{"wt"}, "wt")
	logWt := make([]float64, len(wt))
	for i, v := range wt {
		logWt[i] = math.Log(v)
	}
	// Share of manual cars among the cars with 1, 2, 3, 4, 6 and 8 carburettors, out of 7, 10, 3, 10, 1, 1 cars.
	carbs := mat.NewDense(6, 1, []float64{1, 2, 3, 4, 6, 8})
	share := []float64{4.0 / 7, 0.4, 0, 0.3, 1, 1}
	cars := []float64{7, 10, 3, 10, 1, 1}
	zeroFirst := append([]float64{0}, cyl[1:]...)
	for _, tc := range []struct {
		name              string
		fam               Family
		X                 mat.Matrix
		y, weight, offset []float64
		coef              []rCoef
		fit               rFit
	}{
		{"poisson carb ~ hp, offset log(wt)", Poisson, hp, carb, nil, logWt, []rCoef{
			{"(Intercept)", -0.68367757921036554, 0.28461277743509894, -2.40213241784714, 0.0162998069108410, -1.241508372523073556, -0.12584678589765752},
			{"hp", 0.00327859299220833, 0.00150822209603505, 2.17381312793877, 0.0297191722190075, 0.000322532003292111, 0.00623465398112454},
		}, rFit{16.9570054590214, 21.5427814483013, 110.3226551164292, -53.1613275582146, 4, 30, 31, 1}},
		{"binomial am ~ wt + hp, weights gear", Binomial, X, am, gear, nil, []rCoef{
			{"(Intercept)", 20.7237443854518943, 4.41246371681473892, 4.69663791375307, 2.64478682890729e-06, 12.0754744174052639, 29.3720143534985247},
			{"wt", -8.7155383149124361, 1.77523524270068767, -4.90951176794653, 9.13034210535217e-07, -12.1949354546920041, -5.2361411751328673},
			{"hp", 0.0386490192774468, 0.00956525068382124, 4.04056522458091, 5.33225321479491e-05, 0.0199014724340601, 0.0573965661208336},
		}, rFit{33.9951493403126, 163.4471154116142, 39.9951493403126, -16.9975746701563, 7, 29, 31, 1}},
		{"binomial share ~ carb, weights cars", Binomial, carbs, share, cars, nil, []rCoef{
			{"(Intercept)", -0.5864220927521101, 0.734985661547877, -0.797868752319749, 0.424946658402390, -2.026967518539294, 0.854123333035074},
			{"carb", 0.0731733429752253, 0.225401844302065, 0.324635067657940, 0.745457283337843, -0.368606153905727, 0.514952839856177},
		}, rFit{7.88615713177462, 7.99150042976820, 19.74449530888637, -7.87224765444319, 4, 4, 5, 1}},
		// lm(mpg ~ wt + hp, weights = cyl) gives the table (t intervals from confint);
		// glm(..., gaussian, weights = cyl) the fit figures.
		{"gaussian mpg ~ wt + hp, weights cyl", Gaussian, X, mpg, cyl, nil, []rCoef{
			{"(Intercept)", 35.9352916124199737, 1.66154395573710656, 21.62765028775787, 1.94939720884474e-19, 32.537052662440018, 39.3335305623999290},
			{"wt", -3.6040095890346748, 0.58353355146746577, -6.17618229486777, 9.83411522894629e-07, -4.797469705674906, -2.4105494723944441},
			{"hp", -0.0302139239979704, 0.00814061747327458, -3.71150273270571, 8.70334046980504e-04, -0.046863356159575, -0.0135644918363658},
		}, rFit{1104.4290750566781, 5858.4509090909087, 155.2314631958082, -73.6157315979041, 2, 29, 31, 38.0837612088510}},
		// A zero weight drops the row: R's lm and glm(..., weights = cyl) on mtcars[-1, ] (R's own
		// zero-weight AIC is Inf, from log(0) in gaussian()$aic; kiln leaves the row out).
		{"gaussian mpg ~ wt + hp, first weight 0", Gaussian, X, mpg, zeroFirst, nil, []rCoef{
			{"(Intercept)", 36.2297310187413402, 1.70091762484507858, 21.30010912318060, 7.72691345642518e-19, 32.745559208403278717, 39.713902829079401613},
			{"wt", -3.6494918009543986, 0.58802681086370789, -6.20633572063481, 1.05230545151238e-06, -4.854010119894699216, -2.444973482014098032},
			{"hp", -0.0306365406788523, 0.00818576590017886, -3.74266025347523, 8.34051275473727e-04, -0.047404322009842695, -0.013868759347861991},
		}, rFit{1074.518829193012, 5824.412499999999, 150.777084776292, -71.388542388146, 2, 28, 30, 38.375672471179}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := GLM{Family: tc.fam}
			if err := m.FitWeighted(ctx, tc.X, tc.y, tc.weight, tc.offset); err != nil {
				t.Fatal(err)
			}
			s, err := m.Summary()
			if err != nil {
				t.Fatal(err)
			}
			checkCoefficients(t, s, tc.coef)
			checkGLMFit(t, s, tc.fit)
		})
	}
	logWorst(t)
}

func TestGLMBadInputIsAnError(t *testing.T) {
	ctx := context.Background()
	X := mat.NewDense(4, 1, []float64{1, 2, 3, 4})
	y := []float64{0, 1, 0, 1}
	withNaN := mat.NewDense(4, 1, []float64{1, math.NaN(), 3, 4})
	for _, c := range []struct {
		what              string
		m                 GLM
		X                 mat.Matrix
		y, weight, offset []float64
		want              error
	}{
		{"unknown family", GLM{Family: 7}, X, y, nil, nil, ErrConfig},
		{"negative MaxIter", GLM{MaxIter: -1}, X, y, nil, nil, ErrConfig},
		{"NaN Tol", GLM{Tol: math.NaN()}, X, y, nil, nil, ErrConfig},
		{"binomial y above 1", GLM{Family: Binomial}, X, []float64{0, 2, 0, 1}, nil, nil, ErrConfig},
		{"negative count", GLM{Family: Poisson}, X, []float64{0, -1, 0, 1}, nil, nil, ErrConfig},
		{"y length", GLM{}, X, y[:3], nil, nil, ErrShape},
		{"NaN in X", GLM{}, withNaN, y, nil, nil, ErrNonFinite},
		{"nil X", GLM{}, nil, y, nil, nil, ErrEmpty},
		{"empty X", GLM{}, &mat.Dense{}, nil, nil, nil, ErrEmpty},
		{"weights length", GLM{}, X, y, []float64{1, 1}, nil, ErrShape},
		{"negative weight", GLM{}, X, y, []float64{1, -1, 1, 1}, nil, ErrConfig},
		{"NaN weight", GLM{}, X, y, []float64{1, math.NaN(), 1, 1}, nil, ErrNonFinite},
		{"all weights 0", GLM{}, X, y, []float64{0, 0, 0, 0}, nil, ErrEmpty},
		{"offset length", GLM{}, X, y, nil, []float64{0}, ErrShape},
		{"Inf offset", GLM{}, X, y, nil, []float64{0, math.Inf(1), 0, 0}, ErrNonFinite},
	} {
		m := c.m
		if err := m.FitWeighted(ctx, c.X, c.y, c.weight, c.offset); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, err, c.want)
		}
	}
	var unfitted GLM
	if _, err := unfitted.Predict(X); !errors.Is(err, ErrNotFitted) {
		t.Errorf("Predict before Fit: %v", err)
	}
	if _, err := unfitted.Summary(); !errors.Is(err, ErrNotFitted) {
		t.Errorf("Summary before Fit: %v", err)
	}
	m := GLM{Family: Poisson}
	if err := m.Fit(ctx, X, []float64{1, 3, 2, 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(mat.NewDense(2, 2, nil)); !errors.Is(err, ErrShape) {
		t.Errorf("Predict with 2 columns: %v", err)
	}
	if _, err := m.PredictOffset(X, []float64{1}); !errors.Is(err, ErrShape) {
		t.Errorf("PredictOffset with a short offset: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := m.Fit(cancelled, X, []float64{1, 3, 2, 5}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestGLMStateRoundTrip(t *testing.T) {
	wbX, breaks := warpbreaksDesign(t)
	m := GLM{Family: Poisson}
	if err := m.Fit(context.Background(), wbX, breaks); err != nil {
		t.Fatal(err)
	}
	st, err := m.State()
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewGLMFromState(st)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := m.Predict(wbX)
	b, _ := back.Predict(wbX)
	if !slices.Equal(a, b) {
		t.Error("restored model predicts differently")
	}
	s1, _ := m.Summary()
	s2, _ := back.Summary()
	if s1.String() != s2.String() {
		t.Error("restored summary differs")
	}
	st.Summary.Coefficients[0].Name = "renamed" // a copy: the model's summary is untouched
	if s, _ := m.Summary(); s.Coefficients[0].Name != interceptName {
		t.Error("State shares the summary with the model")
	}
	for what, bad := range map[string]GLMState{
		"unknown family":   {Family: 9, Coef: []float64{1}},
		"no coefficients":  {Family: Poisson},
		"NaN coefficient":  {Family: Poisson, Coef: []float64{math.NaN()}},
		"summary mismatch": {Family: Poisson, Coef: []float64{1, 2}, Summary: s1},
	} {
		if _, err := NewGLMFromState(bad); !errors.Is(err, ErrState) {
			t.Errorf("%s: %v", what, err)
		}
	}
}
