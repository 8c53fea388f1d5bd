package models

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

type learner interface {
	kiln.TargetFitter[mat.Matrix]
	kiln.Predictor
}

func learners() map[string]func() learner {
	return map[string]func() learner{
		"LinearRegression":   func() learner { return &LinearRegression{} },
		"Ridge":              func() learner { return &LinearRegression{Alpha: 1} },
		"LogisticRegression": func() learner { return &LogisticRegression{} },
		"GLM":                func() learner { return &GLM{} },
		"GLM binomial":       func() learner { return &GLM{Family: Binomial} },
	}
}

func TestBadInputIsAnError(t *testing.T) {
	X := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 9})
	y := []float64{0, 1, 0, 1}
	withNaN := mat.DenseCopyOf(X)
	withNaN.Set(2, 1, math.NaN())
	withInf := mat.DenseCopyOf(X)
	withInf.Set(0, 0, math.Inf(-1))
	sparseInf := sparse.NewCSR(2, 2, []int{0, 1, 2}, []int{0, 1}, []float64{1, math.Inf(1)})
	badIndex := sparse.NewCSR(2, 2, []int{0, 1, 2}, []int{0, 5}, []float64{1, 2})
	badPtr := sparse.NewCSR(2, 2, []int{0, 3, 2}, []int{0, 1}, []float64{1, 2})
	emptyCSR := sparse.NewCSR(0, 3, []int{0}, nil, nil)
	for name, newLearner := range learners() {
		fitCases := []struct {
			what string
			X    mat.Matrix
			y    []float64
			want error
		}{
			{"length mismatch", X, y[:3], ErrShape},
			{"NaN in X", withNaN, y, ErrNonFinite},
			{"Inf in X", withInf, y, ErrNonFinite},
			{"Inf in sparse X", sparseInf, y[:2], ErrNonFinite},
			{"NaN in y", X, []float64{0, math.NaN(), 1, 0}, ErrNonFinite},
			{"Inf in y", X, []float64{0, 1, math.Inf(1), 0}, ErrNonFinite},
			{"empty dense", &mat.Dense{}, nil, ErrEmpty},
			{"empty sparse", emptyCSR, nil, ErrEmpty},
			{"nil X", nil, y, ErrEmpty},
			{"CSR column index out of range", badIndex, y[:2], ErrShape},
			{"CSR row pointer decreasing", badPtr, y[:2], ErrShape},
		}
		for _, c := range fitCases {
			err := newLearner().Fit(context.Background(), c.X, c.y)
			if !errors.Is(err, c.want) {
				t.Errorf("%s.Fit, %s: got %v, want %v", name, c.what, err, c.want)
			}
		}
		m := newLearner()
		if _, err := m.Predict(X); !errors.Is(err, ErrNotFitted) {
			t.Errorf("%s.Predict before Fit: %v", name, err)
		}
		if err := m.Fit(context.Background(), X, y); err != nil {
			t.Fatalf("%s.Fit: %v", name, err)
		}
		if _, err := m.Predict(mat.NewDense(2, 3, nil)); !errors.Is(err, ErrShape) {
			t.Errorf("%s.Predict with 3 columns: %v", name, err)
		}
		if _, err := m.Predict(withNaN); !errors.Is(err, ErrNonFinite) {
			t.Errorf("%s.Predict with NaN: %v", name, err)
		}
	}
	var lr LogisticRegression
	err := lr.Fit(context.Background(), X, []float64{3, 3, 3, 3})
	if !errors.Is(err, ErrSingleClass) {
		t.Errorf("single class: %v", err)
	}
	t.Logf("example message: %v", err)
	for what, m := range map[string]*LogisticRegression{
		"negative C":       {C: -1},
		"unknown penalty":  {Penalty: 7},
		"both weightings":  {BalancedClassWeight: true, ClassWeight: map[float64]float64{0: 2}},
		"unknown class":    {ClassWeight: map[float64]float64{5: 2}},
		"negative MaxIter": {MaxIter: -1},
	} {
		if err := m.Fit(context.Background(), X, y); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", what, err)
		}
	}
	if err := (&LinearRegression{Alpha: -1}).Fit(context.Background(), X, y); !errors.Is(err, ErrConfig) {
		t.Errorf("negative Alpha: %v", err)
	}
}

// FuzzFitPredict feeds random shapes and values (including NaN, Inf and
// huge numbers) to Fit and Predict of every learner, dense and sparse: they
// must return an error or a finite result, never panic.
func FuzzFitPredict(f *testing.F) {
	f.Add(uint8(4), uint8(2), uint8(2), false, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add(uint8(3), uint8(1), uint8(1), true, []byte{0xff, 0xf8, 0, 0, 0, 0, 0, 1, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0})
	f.Add(uint8(0), uint8(3), uint8(3), true, []byte{})
	f.Add(uint8(6), uint8(3), uint8(4), false, []byte("a longer seed with more bytes to spread over the matrix cells"))
	f.Fuzz(func(t *testing.T, rows, cols, predictCols uint8, useSparse bool, data []byte) {
		r, c, pc := int(rows%24), int(cols%6), int(predictCols%6)
		next := func(i int) float64 {
			if len(data) == 0 {
				return 0
			}
			// Mostly small integers, sometimes raw float64 bit patterns (NaN, Inf, 1e300, subnormals).
			b := data[i%len(data)]
			if b < 0xf0 || len(data) < 8 {
				return float64(int(b)%7 - 3)
			}
			start := (i * 3) % (len(data) - 7)
			return math.Float64frombits(binary.LittleEndian.Uint64(data[start:]))
		}
		build := func(r, c, offset int) mat.Matrix {
			vals := make([]float64, r*c)
			for i := range vals {
				vals[i] = next(i + offset)
			}
			if r == 0 || c == 0 {
				return sparse.NewCSR(r, c, make([]int, r+1), nil, nil)
			}
			d := mat.NewDense(r, c, vals)
			if useSparse {
				return toCSR(d)
			}
			return d
		}
		X := build(r, c, 0)
		y := make([]float64, r)
		for i := range y {
			y[i] = next(r*c + i)
		}
		P := build(3, pc, 7)
		for name, newLearner := range learners() {
			m := newLearner()
			if err := m.Fit(context.Background(), X, y); err != nil {
				continue
			}
			pred, err := m.Predict(P)
			if pc != c || pc == 0 {
				if err == nil {
					t.Fatalf("%s: Predict with %d columns after fitting %d: no error", name, pc, c)
				}
				continue
			}
			if err != nil {
				continue // non-finite values in P
			}
			for _, v := range pred {
				if math.IsNaN(v) {
					t.Fatalf("%s: NaN prediction without an error", name)
				}
			}
		}
	})
}

func TestFitCancelled(t *testing.T) {
	X, y := breastCancer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var m LogisticRegression
	if err := m.Fit(ctx, X, y); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: %v", err)
	}
	if m.Coef() != nil {
		t.Error("a cancelled fit left a model")
	}
}
