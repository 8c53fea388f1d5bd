package models

import (
	"context"
	"errors"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Optima from scikit-learn 1.2.1's newton-cg at tol 1e-12
// (testdata/sklearn_newton.py, output in testdata/sklearn_newton_output.txt):
// intercept then coefficients, per class row.
var (
	bcOptimum = []float64{0.2145027180014, -0.3630925324337, -0.3876754427738, -0.351062119095, -0.4356098028929,
		-0.1618311028296, 0.5626540334731, -0.8599171198468, -0.962280223393, 0.07620903177101, 0.3222262371412,
		-1.290942289775, 0.2689219013174, -0.6599745965488, -1.012557731597, -0.2772129587502, 0.7363240129509,
		0.1105393207483, -0.3334076190371, 0.2957930259397, 0.6809196729485, -1.029262261948, -1.314607634228,
		-0.823347382683, -1.010706831034, -0.6706819629519, 0.04456425196549, -0.8733339164739, -0.9120031219526,
		-0.8878373244417, -0.4798189081541}
	bcBalancedOptimum = []float64{-0.2277124067936, -0.301440355831, -0.3353055869524, -0.2946102345295,
		-0.390506387641, -0.1684947963203, 0.6546885620422, -0.8494107727302, -0.981364649741, 0.09884478612684,
		0.2888901512474, -1.357801651462, 0.2509924938726, -0.639832556208, -1.038086209341, -0.2615423482275,
		0.74012963437, 0.136844947479, -0.3640935446574, 0.3055179806466, 0.6884552459831, -1.059843032827,
		-1.342805558534, -0.8282759476344, -1.035944396871, -0.5941723790171, 0.02954542952617, -0.8422179200714,
		-0.9403994839169, -0.8638314444503, -0.5540831996201}
	irisRawOptimum = []float64{9.84956805033, -0.4235099199523, 0.9673505795, -2.517152378109, -1.07933664742,
		2.237205632259, 0.5344615089154, -0.3215878551579, -0.2063920710519, -0.9442984659177,
		-12.08677368259, -0.110951588963, -0.645762724342, 2.723544449161, 2.023635113338}
	irisNoInterceptOptimum = []float64{0, -0.4592131231175, 0.8338335115694, -0.9749104491941, -0.8435351352618,
		0, 0.2616514055835, -0.8898748726423, 0.3209399862969, -0.3082568743404,
		0, 0.1975617175341, 0.0560413610729, 0.6539704628972, 1.151792009602}
)

// The Newton solver reaches the optimum that L-BFGS (here and in
// scikit-learn) stops short of: on the raw iris data L-BFGS's relative
// reduction test stops 1.2e-3 away (TestLogisticIrisMultinomial).
func TestLogisticNewtonReachesOptimum(t *testing.T) {
	Xb, yb := breastCancer(t)
	Xi, yi := iris(t)
	for _, tc := range []struct {
		name string
		m    LogisticRegression
		X    *mat.Dense
		y    []float64
		want []float64
	}{
		{"breast cancer C=1", LogisticRegression{Tol: 1e-10}, Xb, yb, bcOptimum},
		{"breast cancer balanced", LogisticRegression{Tol: 1e-10, BalancedClassWeight: true}, Xb, yb, bcBalancedOptimum},
		{"iris raw multinomial", LogisticRegression{Tol: 1e-10}, Xi, yi, irisRawOptimum},
		{"iris no intercept C=0.3", LogisticRegression{Tol: 1e-10, NoIntercept: true, C: 0.3}, standardize(Xi), yi, irisNoInterceptOptimum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m // AutoSolver: few parameters, so Newton
			if err := m.Fit(context.Background(), tc.X, tc.y); err != nil {
				t.Fatal(err)
			}
			st, _ := m.State()
			if st.Solver != Newton || !st.Converged {
				t.Errorf("solver %v, converged %v; want Newton, converged", st.Solver, st.Converged)
			}
			// newton-cg's answers are the optimum to about 1e-9 (its line search gives up
			// there); the Newton solver's, at Tol 1e-10, to rounding.
			compare(t, tc.name, params(&m), tc.want, 5e-9)
			t.Logf("%d Newton iterations", m.Iterations())
		})
	}
}

// LogisticRegression{Penalty: NoPenalty}.Summary is the exact maximum
// likelihood inference: R 4.2.2's estimates at glm.control(epsilon = 1e-15)
// and standard errors from the information matrix at them
// (testdata/r_reference.R, "information at the estimates"), which differ from
// summary.glm's in the eighth digit because R takes the weights of the
// iteration before the last.
func TestLogisticSummaryMatchesExactR(t *testing.T) {
	amX, am := mtcarsResponse(t, []string{"wt", "hp"}, "am")
	irisX, virginica := irisVersicolorVirginica(t)
	for _, tc := range []struct {
		name string
		X    *mat.Dense
		y    []float64
		coef []rCoef
		fit  rFit
	}{
		{"mtcars am ~ wt + hp", amX, am, []rCoef{
			{"(Intercept)", 18.8662987172040957, 7.4435584279818112, 2.53458059068656, 0.01125820274076417, 4.27719228154016662, 33.4554051528680247},
			{"x1", -8.0834751824446283, 3.0686752753906301, -2.63419047537235, 0.00843381606129208, -14.09796820245879445, -2.0689821624304630},
			{"x2", 0.0362555960822165, 0.0177341543319471, 2.04439385174990, 0.04091465421038593, 0.00149729229532516, 0.0710138998691079},
		}, rFit{10.05911047226699, 43.22973327685781, 16.05911047226699, -5.02955523613349, -1, 29, 31, 1}},
		{"iris virginica ~ petals", irisX, virginica, []rCoef{
			{"(Intercept)", -45.27234377212944, 13.61166839756396, -3.32599520131064, 0.000881034453999386, -71.95072360085683, -18.5939639434020},
			{"x1", 5.75453231888794, 2.30591243194581, 2.49555544224724, 0.012576010076279192, 1.23502700077099, 10.2740376370049},
			{"x2", 10.44669989466628, 3.75565098093316, 2.78159497453371, 0.005409250078993777, 3.08575923353477, 17.8076405557978},
		}, rFit{20.5635081033936, 138.6294361119891, 26.5635081033936, -10.2817540516968, -1, 97, 99, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := LogisticRegression{Penalty: NoPenalty, Tol: 1e-10}
			if err := m.Fit(context.Background(), tc.X, tc.y); err != nil {
				t.Fatal(err)
			}
			s, err := m.Summary()
			if err != nil {
				t.Fatal(err)
			}
			checkCoefficients(t, s, tc.coef)
			tc.fit.iter = s.Iterations // Newton's own count
			checkGLMFit(t, s, tc.fit)
		})
	}
	logWorst(t)
}

func TestLogisticSeparationIsAnError(t *testing.T) {
	ctx := context.Background()
	Xi, yi := iris(t)
	setosa := make([]float64, 150)
	for i := range setosa {
		setosa[i] = b2f(yi[i] == 0)
	}
	for _, tc := range []struct {
		name string
		X    *mat.Dense
		y    []float64
	}{
		// Setosa's petals are shorter than every other iris's.
		{"iris setosa ~ Petal.Length", mat.DenseCopyOf(Xi.Slice(0, 150, 2, 3)), setosa},
		{"complete", mat.NewDense(8, 1, []float64{1, 2, 3, 3.2, 3.8, 4, 5, 6}), []float64{0, 0, 0, 0, 1, 1, 1, 1}},
		{"quasi-complete", mat.NewDense(8, 1, []float64{1, 2, 3, 3.5, 3.5, 4, 5, 6}), []float64{0, 0, 0, 0, 1, 1, 1, 1}},
	} {
		for _, solver := range []Solver{Newton, LBFGS} {
			t.Run(tc.name+"/"+solver.String(), func(t *testing.T) {
				m := LogisticRegression{Penalty: NoPenalty, Solver: solver}
				err := m.Fit(ctx, tc.X, tc.y)
				if !errors.Is(err, ErrSeparation) {
					t.Fatalf("got %v, want ErrSeparation", err)
				}
				t.Log(err)
				m.AcceptSeparation = true
				if err := m.Fit(ctx, tc.X, tc.y); err != nil {
					t.Fatalf("accepted: %v", err)
				}
				// A penalty makes the estimate exist.
				p := LogisticRegression{Solver: solver}
				if err := p.Fit(ctx, tc.X, tc.y); err != nil {
					t.Errorf("L2: %v", err)
				}
			})
		}
	}
}

func TestLogisticNotConvergedIsAnError(t *testing.T) {
	Xb, yb := breastCancer(t)
	for _, m := range []LogisticRegression{
		{Solver: LBFGS, MaxIter: 5},
		{Solver: Newton, MaxIter: 2, Tol: 1e-10},
	} {
		err := m.Fit(context.Background(), Xb, yb)
		if !errors.Is(err, ErrNotConverged) {
			t.Errorf("%v, MaxIter %d: got %v, want ErrNotConverged", m.Solver, m.MaxIter, err)
			continue
		}
		t.Log(err)
		m.AcceptNotConverged = true
		if err := m.Fit(context.Background(), Xb, yb); err != nil || m.Converged() || m.Iterations() != m.MaxIter {
			t.Errorf("%v accepted: %v, converged %v after %d iterations", m.Solver, err, m.Converged(), m.Iterations())
		}
	}
}

// FTol is L-BFGS's relative-reduction test, scikit-learn's stop on breast
// cancer at Tol 1e-10 (34 iterations); disabled, Tol alone stops it, at the
// optimum.
func TestLogisticFTolDisabledStopsOnTol(t *testing.T) {
	Xb, yb := breastCancer(t)
	m := LogisticRegression{Solver: LBFGS, MaxIter: 10000, Tol: 1e-7, FTol: -1}
	if err := m.Fit(context.Background(), Xb, yb); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d L-BFGS iterations to max |gradient| <= 1e-7", m.Iterations())
	if m.Iterations() <= 34 {
		t.Errorf("%d iterations: the relative-reduction test stopped it", m.Iterations())
	}
	compare(t, "L-BFGS on Tol alone", params(&m), bcOptimum, 1e-6)
}

// A Tol below what rounding allows (the gradient of a sum over 569 rows
// cannot reach 1e-20) stops Newton at the optimum to working precision,
// where its steps no longer lower the gradient, and counts as converged.
func TestLogisticNewtonTolBelowRounding(t *testing.T) {
	Xb, yb := breastCancer(t)
	m := LogisticRegression{Solver: Newton, Tol: 1e-20}
	if err := m.Fit(context.Background(), Xb, yb); err != nil {
		t.Fatal(err)
	}
	if !m.Converged() {
		t.Error("not converged")
	}
	compare(t, "Tol 1e-20", params(&m), bcOptimum, 5e-9)
	t.Logf("%d iterations", m.Iterations())
}
