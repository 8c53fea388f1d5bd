package persist

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/kiln-ml/kiln/models"
)

// Tensors of models.LinearRegression (NAME is the step's name):
//
//	NAME.coef       F64 [features]
//	NAME.intercept  F64 [1]
//	NAME.singular   F64 [k]  singular values of the centred design (empty for sparse fits)
//
// Params hold effective values from format 1.1 (max_iter 10 x features, at
// least 1000, and tol 1e-12 when the model was left at its defaults); in 1.0
// a zero stood for the default.
type linearParams struct {
	NoIntercept bool    `json:"no_intercept"`
	Alpha       float64 `json:"alpha"`
	MaxIter     int     `json:"max_iter,omitempty"`
	Tol         float64 `json:"tol,omitempty"`
	Rank        int     `json:"rank"`
	Iterations  int     `json:"iterations,omitempty"`
	// Summary is the inference of an ordinary least-squares fit (format 1.2).
	Summary *summaryJSON `json:"summary,omitempty"`
}

// Tensors of models.LogisticRegression:
//
//	NAME.coef       F64 [rows, features]  one row for two classes (for classes[1]), else one per class
//	NAME.intercept  F64 [rows]
//	NAME.classes    F64 [classes]         sorted labels
//
// Params hold effective values from format 1.1 (c 1, max_iter 100, tol 1e-4
// by default); in 1.0 a zero stood for the default. Format 1.2 adds the
// solver setting and the solver that ran (absent before: lbfgs, the only
// one), ftol (2.220446049250313e-09 by default; negative turns the test
// off), the accept flags, and the summary of an unpenalized two-class
// Newton fit.
type logisticParams struct {
	C                   float64      `json:"c"`
	Penalty             string       `json:"penalty"` // "l2" or "none"
	NoIntercept         bool         `json:"no_intercept"`
	MaxIter             int          `json:"max_iter,omitempty"`
	Tol                 float64      `json:"tol,omitempty"`
	ClassWeight         [][2]float64 `json:"class_weight,omitempty"` // (label, weight) pairs, sorted by label
	BalancedClassWeight bool         `json:"balanced_class_weight,omitempty"`
	Iterations          int          `json:"iterations"`
	Converged           bool         `json:"converged"`
	Solver              string       `json:"solver,omitempty"`        // "auto", "lbfgs" or "newton"
	FittedSolver        string       `json:"fitted_solver,omitempty"` // "lbfgs" or "newton"; absent when not known
	FTol                float64      `json:"ftol,omitempty"`
	AcceptNotConverged  bool         `json:"accept_not_converged,omitempty"`
	AcceptSeparation    bool         `json:"accept_separation,omitempty"`
	Summary             *summaryJSON `json:"summary,omitempty"`
}

// Tensors of models.GLM (format 1.2):
//
//	NAME.coef       F64 [features]  (0 for aliased columns)
//	NAME.intercept  F64 [1]
type glmParams struct {
	Family             string       `json:"family"` // "gaussian", "binomial" or "poisson"
	Link               string       `json:"link"`   // the family's canonical link, for readers
	NoIntercept        bool         `json:"no_intercept"`
	MaxIter            int          `json:"max_iter"`
	Tol                float64      `json:"tol"`
	AcceptNotConverged bool         `json:"accept_not_converged,omitempty"`
	AcceptSeparation   bool         `json:"accept_separation,omitempty"`
	Iterations         int          `json:"iterations"`
	Converged          bool         `json:"converged"`
	Summary            *summaryJSON `json:"summary,omitempty"`
}

func init() {
	mustRegister(Codec{Kind: "models.LinearRegression", Step: (*models.LinearRegression)(nil), Encode: encodeLinear, Decode: decodeLinear})
	mustRegister(Codec{Kind: "models.LogisticRegression", Step: (*models.LogisticRegression)(nil), Encode: encodeLogistic, Decode: decodeLogistic})
	mustRegister(Codec{Kind: "models.GLM", Step: (*models.GLM)(nil), Encode: encodeGLM, Decode: decodeGLM})
}

func encodeLinear(step any, b *Bundle, name string) (any, error) {
	m := step.(*models.LinearRegression)
	st, err := m.State()
	if err != nil {
		return nil, err
	}
	b.PutFloat64s(name+".coef", st.Coef)
	b.PutFloat64s(name+".intercept", []float64{st.Intercept})
	b.PutFloat64s(name+".singular", st.Singular)
	p := linearParams{m.NoIntercept, m.Alpha, m.MaxIter, m.Tol, st.Rank, st.Iterations, encodeSummary(st.Summary)}
	if p.MaxIter == 0 { // models.LinearRegression's LSQR default
		p.MaxIter = max(1000, 10*len(st.Coef))
	}
	if p.Tol == 0 {
		p.Tol = 1e-12
	}
	return p, nil
}

func decodeLinear(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p linearParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	coef, icpt, err := vectorModel(b, name)
	if err != nil {
		return nil, err
	}
	sing, err := b.float64s(name+".singular", -1)
	if err != nil {
		return nil, err
	}
	m, err := models.NewLinearRegressionFromState(models.LinearRegressionState{
		Coef: coef, Intercept: icpt, Rank: p.Rank, Singular: sing, Iterations: p.Iterations, Summary: p.Summary.decode()})
	if err != nil {
		return nil, asCorrupt(err)
	}
	m.NoIntercept, m.Alpha, m.MaxIter, m.Tol = p.NoIntercept, p.Alpha, p.MaxIter, p.Tol
	return m, nil
}

func encodeLogistic(step any, b *Bundle, name string) (any, error) {
	m := step.(*models.LogisticRegression)
	st, err := m.State()
	if err != nil {
		return nil, err
	}
	if len(st.Coef) == 0 {
		return nil, fmt.Errorf("model has no coefficients")
	}
	rows, cols := len(st.Coef), len(st.Coef[0])
	flat := make([]float64, 0, rows*cols)
	for _, r := range st.Coef {
		flat = append(flat, r...)
	}
	b.PutFloat64s(name+".coef", flat, rows, cols)
	b.PutFloat64s(name+".intercept", st.Intercept)
	b.PutFloat64s(name+".classes", st.Classes)
	p := logisticParams{C: m.C, Penalty: "l2", NoIntercept: m.NoIntercept, MaxIter: m.MaxIter, Tol: m.Tol,
		BalancedClassWeight: m.BalancedClassWeight, Iterations: st.Iterations, Converged: st.Converged,
		Solver: m.Solver.String(), FittedSolver: st.Solver.String(), FTol: m.FTol,
		AcceptNotConverged: m.AcceptNotConverged, AcceptSeparation: m.AcceptSeparation, Summary: encodeSummary(st.Summary)}
	if p.FTol == 0 {
		p.FTol = 2.220446049250313e-09 // scipy's default ftol, which models.LogisticRegression takes for 0
	}
	if st.Solver == models.AutoSolver {
		p.FittedSolver = "" // a model built from a state that does not say
	}
	if m.Penalty == models.NoPenalty {
		p.Penalty = "none"
	}
	// models.LogisticRegression's defaults (scikit-learn's), spelled out.
	if p.C == 0 {
		p.C = 1
	}
	if p.MaxIter == 0 {
		p.MaxIter = 100
	}
	if p.Tol == 0 {
		p.Tol = 1e-4
	}
	for label, w := range m.ClassWeight {
		p.ClassWeight = append(p.ClassWeight, [2]float64{label, w})
	}
	sort.Slice(p.ClassWeight, func(i, j int) bool { return p.ClassWeight[i][0] < p.ClassWeight[j][0] })
	return p, nil
}

func decodeLogistic(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p logisticParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	classes, err := b.float64s(name+".classes", -1)
	if err != nil {
		return nil, err
	}
	t, err := b.tensor(name+".coef", F64, []int{-1, -1})
	if err != nil {
		return nil, err
	}
	shape := t.Shape
	if shape[0] < 1 || shape[1] < 1 {
		// An empty row or column would let the row count ask for memory that no byte backs.
		return nil, corrupt("tensor %q has shape %v; want at least one row and one feature", name+".coef", shape)
	}
	flat, err := b.float64s(name+".coef", shape[0], shape[1])
	if err != nil {
		return nil, err
	}
	icpt, err := b.float64s(name+".intercept", shape[0])
	if err != nil {
		return nil, err
	}
	for _, t := range []struct {
		n string
		v []float64
	}{{".coef", flat}, {".intercept", icpt}, {".classes", classes}} {
		if err := finite(name+t.n, t.v); err != nil {
			return nil, err
		}
	}
	coef := make([][]float64, shape[0])
	for i := range coef {
		coef[i] = flat[i*shape[1] : (i+1)*shape[1]]
	}
	// Before format 1.2 the only solver was L-BFGS.
	solver, err := parseSolver(p.Solver)
	if err != nil {
		return nil, err
	}
	fitted, err := parseSolver(p.FittedSolver)
	if err != nil {
		return nil, err
	}
	if fitted == models.AutoSolver {
		return nil, corrupt("fitted_solver %q: want lbfgs or newton", p.FittedSolver)
	}
	m, err := models.NewLogisticRegressionFromState(models.LogisticRegressionState{
		Classes: classes, Coef: coef, Intercept: icpt, Iterations: p.Iterations, Converged: p.Converged,
		Solver: fitted, Summary: p.Summary.decode()})
	if err != nil {
		return nil, asCorrupt(err)
	}
	m.Solver, m.FTol, m.AcceptNotConverged, m.AcceptSeparation = solver, p.FTol, p.AcceptNotConverged, p.AcceptSeparation
	switch p.Penalty {
	case "l2":
		m.Penalty = models.L2
	case "none":
		m.Penalty = models.NoPenalty
	default:
		return nil, corrupt("unknown penalty %q", p.Penalty)
	}
	m.C, m.NoIntercept, m.MaxIter, m.Tol, m.BalancedClassWeight = p.C, p.NoIntercept, p.MaxIter, p.Tol, p.BalancedClassWeight
	if len(p.ClassWeight) > 0 {
		m.ClassWeight = make(map[float64]float64, len(p.ClassWeight))
		for _, cw := range p.ClassWeight {
			m.ClassWeight[cw[0]] = cw[1]
		}
	}
	return m, nil
}

// vectorModel reads the finite NAME.coef [features] and NAME.intercept [1]
// of a linear model or GLM.
func vectorModel(b *Bundle, name string) (coef []float64, intercept float64, err error) {
	if coef, err = b.float64s(name+".coef", -1); err != nil {
		return nil, 0, err
	}
	icpt, err := b.float64s(name+".intercept", 1)
	if err != nil {
		return nil, 0, err
	}
	if err := finite(name+".coef", coef); err != nil {
		return nil, 0, err
	}
	if err := finite(name+".intercept", icpt); err != nil {
		return nil, 0, err
	}
	return coef, icpt[0], nil
}

// parseSolver reads a logistic solver name; "" (a file before format 1.2) is lbfgs.
func parseSolver(name string) (models.Solver, error) {
	for _, s := range []models.Solver{models.AutoSolver, models.LBFGS, models.Newton} {
		if s.String() == name {
			return s, nil
		}
	}
	if name == "" {
		return models.LBFGS, nil
	}
	return 0, corrupt("unknown solver %q", name)
}

func encodeGLM(step any, b *Bundle, name string) (any, error) {
	m := step.(*models.GLM)
	st, err := m.State()
	if err != nil {
		return nil, err
	}
	b.PutFloat64s(name+".coef", st.Coef)
	b.PutFloat64s(name+".intercept", []float64{st.Intercept})
	p := glmParams{Family: st.Family.String(), Link: st.Family.Link(), NoIntercept: m.NoIntercept, MaxIter: m.MaxIter, Tol: m.Tol,
		AcceptNotConverged: m.AcceptNotConverged, AcceptSeparation: m.AcceptSeparation,
		Iterations: st.Iterations, Converged: st.Converged, Summary: encodeSummary(st.Summary)}
	// models.GLM's defaults (R's glm.control), spelled out.
	if p.MaxIter == 0 {
		p.MaxIter = 25
	}
	if p.Tol == 0 {
		p.Tol = 1e-8
	}
	return p, nil
}

func decodeGLM(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p glmParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	family, err := models.ParseFamily(p.Family)
	if err != nil {
		return nil, corrupt("%v", err)
	}
	coef, icpt, err := vectorModel(b, name)
	if err != nil {
		return nil, err
	}
	if p.MaxIter < 0 || p.Tol < 0 || math.IsNaN(p.Tol) {
		return nil, corrupt("max_iter %d and tol %v must not be negative", p.MaxIter, p.Tol)
	}
	m, err := models.NewGLMFromState(models.GLMState{Family: family, Coef: coef, Intercept: icpt,
		Iterations: p.Iterations, Converged: p.Converged, Summary: p.Summary.decode()})
	if err != nil {
		return nil, asCorrupt(err)
	}
	m.NoIntercept, m.MaxIter, m.Tol = p.NoIntercept, p.MaxIter, p.Tol
	m.AcceptNotConverged, m.AcceptSeparation = p.AcceptNotConverged, p.AcceptSeparation
	return m, nil
}

// strictJSON decodes a step's params. Fields a newer minor version adds are
// ignored, as the format's compatibility rule says; a field of the wrong type
// is an error.
func strictJSON(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return corrupt("params: %v", err)
	}
	return nil
}

func finite(name string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return corrupt("tensor %q entry %d is %v", name, i, x)
		}
	}
	return nil
}
