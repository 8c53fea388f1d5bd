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
}

// Tensors of models.LogisticRegression:
//
//	NAME.coef       F64 [rows, features]  one row for two classes (for classes[1]), else one per class
//	NAME.intercept  F64 [rows]
//	NAME.classes    F64 [classes]         sorted labels
//
// Params hold effective values from format 1.1 (c 1, max_iter 100, tol 1e-4
// by default); in 1.0 a zero stood for the default.
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
}

func init() {
	mustRegister(Codec{Kind: "models.LinearRegression", Step: (*models.LinearRegression)(nil), Encode: encodeLinear, Decode: decodeLinear})
	mustRegister(Codec{Kind: "models.LogisticRegression", Step: (*models.LogisticRegression)(nil), Encode: encodeLogistic, Decode: decodeLogistic})
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
	p := linearParams{m.NoIntercept, m.Alpha, m.MaxIter, m.Tol, st.Rank, st.Iterations}
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
	coef, err := b.float64s(name+".coef", -1)
	if err != nil {
		return nil, err
	}
	icpt, err := b.float64s(name+".intercept", 1)
	if err != nil {
		return nil, err
	}
	sing, err := b.float64s(name+".singular", -1)
	if err != nil {
		return nil, err
	}
	if err := finite(name+".coef", coef); err != nil {
		return nil, err
	}
	if err := finite(name+".intercept", icpt); err != nil {
		return nil, err
	}
	m, err := models.NewLinearRegressionFromState(models.LinearRegressionState{
		Coef: coef, Intercept: icpt[0], Rank: p.Rank, Singular: sing, Iterations: p.Iterations})
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
		BalancedClassWeight: m.BalancedClassWeight, Iterations: st.Iterations, Converged: st.Converged}
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
	m, err := models.NewLogisticRegressionFromState(models.LogisticRegressionState{
		Classes: classes, Coef: coef, Intercept: icpt, Iterations: p.Iterations, Converged: p.Converged})
	if err != nil {
		return nil, asCorrupt(err)
	}
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
