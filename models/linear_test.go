package models

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"
)

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// NIST StRD, Longley (https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml),
// certified values for y = Employed (persons) on x1 GNP deflator, x2 GNP (dollars),
// x3 Unemployed, x4 Armed Forces, x5 Population (persons), x6 Year.
var longleyCertified = []float64{
	-3482258.63459582,      // intercept
	15.0618722713733,       // GNP deflator
	-0.358191792925910e-01, // GNP
	-2.02022980381683,      // Unemployed
	-1.03322686717359,      // Armed Forces
	-0.511041056535807e-01, // Population
	1829.15146461355,       // Year
}

// The embedded longley.csv is R's datasets::longley, whose units differ from
// NIST's: GNP, Population and Employed are in thousands, Unemployed and
// Armed.Forces in tens. nistScale converts each column to NIST's units.
var longleyColumns = []string{"GNP.deflator", "GNP", "Unemployed", "Armed.Forces", "Population", "Year"}
var nistScale = []float64{1, 1000, 10, 10, 1000, 1}

// longleyNIST returns the embedded Longley data in NIST's units.
func longleyNIST(t testing.TB) (*mat.Dense, []float64) {
	tb := loadTable(t, "longley.csv")
	X := tb.floats(t, longleyColumns, nil)
	y := column(tb.floats(t, []string{"Employed"}, nil), 0)
	n, p := X.Dims()
	// Convert to NIST's units; the products are integers, so rounding makes them exact.
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			X.Set(i, j, math.Round(X.At(i, j)*nistScale[j]*10)/10)
		}
		y[i] = math.Round(y[i] * 1000)
	}
	return X, y
}

func TestLinearRegressionLongleyNIST(t *testing.T) {
	X, y := longleyNIST(t)
	_, p := X.Dims()
	var m LinearRegression
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	got := linearParams(&m)
	worst := 0.0
	for j, want := range longleyCertified {
		worst = math.Max(worst, relErr(got[j], want))
	}
	t.Logf("largest relative error against NIST: %.2g", worst)
	// NIST asks for agreement to about 7 significant digits; the QR + SVD solve gives about 13.
	for j, want := range longleyCertified {
		if e := relErr(got[j], want); e > 1e-11 {
			t.Errorf("coefficient %d: got %.15g, NIST certified %.15g (relative error %.2g)", j, got[j], want, e)
		}
	}
	if m.Rank() != p || m.RankDeficient() {
		t.Errorf("rank %d, want %d", m.Rank(), p)
	}
	// R 4.2.2, summary(lm(Employed ~ ., longley)): Multiple R-squared 0.9955 (NIST: 0.995479004577296).
	r2, err := m.Score(X, y)
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(r2, 0.995479004577296); e > 1e-10 {
		t.Errorf("R2 %.15g, NIST certified 0.995479004577296", r2)
	}
}

// In R's units (the data as embedded), every certified coefficient rescales by
// (1000 / unit of its column): the README's "NIST/1000" holds for the
// intercept and Year only.
func TestLinearRegressionLongleyRUnits(t *testing.T) {
	tb := loadTable(t, "longley.csv")
	X := tb.floats(t, longleyColumns, nil)
	y := column(tb.floats(t, []string{"Employed"}, nil), 0)
	var m LinearRegression
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	got := linearParams(&m)
	want := []float64{longleyCertified[0] / 1000}
	for j, s := range nistScale {
		want = append(want, longleyCertified[j+1]*s/1000)
	}
	// R 4.2.2, coef(lm(Employed ~ ., longley)): (Intercept) -3482.258634596, Year 1.829151465.
	for j := range want {
		if e := relErr(got[j], want[j]); e > 1e-8 {
			t.Errorf("coefficient %d: got %.12g, want %.12g", j, got[j], want[j])
		}
	}
	if e := relErr(got[0], -3482.258634596); e > 1e-10 {
		t.Errorf("intercept %.12g, R -3482.258634596", got[0])
	}
}

func TestLinearRegressionMtcars(t *testing.T) {
	tb := loadTable(t, "mtcars.csv")
	X := tb.floats(t, []string{"wt", "hp"}, nil)
	y := column(tb.floats(t, []string{"mpg"}, nil), 0)
	var m LinearRegression
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	// R 4.2.2: coef(lm(mpg ~ wt + hp, mtcars)) = 37.22727012, -3.877830742, -0.03177294698;
	// summary(...)$r.squared = 0.8267854519.
	got := linearParams(&m)
	for j, want := range []float64{37.22727012, -3.877830742, -0.03177294698} {
		if e := relErr(got[j], want); e > 1e-9 {
			t.Errorf("coefficient %d: got %.12g, R %.12g", j, got[j], want)
		}
	}
	r2, _ := m.Score(X, y)
	if e := relErr(r2, 0.8267854519); e > 1e-9 {
		t.Errorf("R2 %.12g, R 0.8267854519", r2)
	}
}

// californiaDesign builds the design of testdata/sklearn_reference.py: rows with a missing
// total_bedrooms dropped, ocean_proximity one-hot with its first level
// ("<1H OCEAN") dropped, in the order of pandas.get_dummies.
func californiaDesign(t testing.TB) (*mat.Dense, []float64) {
	tb := loadTable(t, "california_housing.csv.gz")
	numeric := []string{"longitude", "latitude", "housing_median_age", "total_rooms", "total_bedrooms",
		"population", "households", "median_income"}
	levels := []string{"INLAND", "ISLAND", "NEAR BAY", "NEAR OCEAN"}
	bed, ocean, target := tb.col(t, "total_bedrooms"), tb.col(t, "ocean_proximity"), tb.col(t, "median_house_value")
	var data, y []float64
	for _, r := range tb.rows {
		if r[bed] == "" {
			continue
		}
		for _, name := range numeric {
			v, err := strconv.ParseFloat(r[tb.col(t, name)], 64)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, v)
		}
		for _, l := range levels {
			if r[ocean] == l {
				data = append(data, 1)
			} else {
				data = append(data, 0)
			}
		}
		v, err := strconv.ParseFloat(r[target], 64)
		if err != nil {
			t.Fatal(err)
		}
		y = append(y, v)
	}
	return mat.NewDense(len(y), len(numeric)+len(levels), data), y
}

func TestLinearRegressionCaliforniaMatchesSklearn(t *testing.T) {
	X, y := californiaDesign(t)
	if n, _ := X.Dims(); n != 20433 {
		t.Fatalf("%d complete rows, want 20433", n)
	}
	var m LinearRegression
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	// scikit-learn 1.2.1 LinearRegression() (testdata/sklearn_reference.py):
	// intercept, then the 8 numeric columns and the 4 dummies.
	want := []float64{-2.269954116133378353e+06, -2.681298928173403692e+04, -2.548218483097466742e+04,
		1.072520041636899805e+03, -6.193263720548202400e+00, 1.005562902566598495e+02, -3.796908288134363829e+01,
		4.961732607337899026e+01, 3.925957287643397285e+04, -3.928430019496572640e+04, 1.529019411190479295e+05,
		-3.954051624860427637e+03, 4.278134324364435088e+03}
	got := linearParams(&m)
	for j := range want {
		if e := relErr(got[j], want[j]); e > 1e-6 {
			t.Errorf("coefficient %d: got %.12g, scikit-learn %.12g (relative %.2g)", j, got[j], want[j], e)
		}
	}
	// scikit-learn r2_score of the training predictions: 0.6464638320.
	r2, err := m.Score(X, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r2-0.6464638320) > 1e-10 {
		t.Errorf("R2 %.10f, scikit-learn 0.6464638320", r2)
	}
}

func mtcarsDesign(t testing.TB, cols ...string) (*mat.Dense, []float64) {
	tb := loadTable(t, "mtcars.csv")
	return tb.floats(t, cols, nil), column(tb.floats(t, []string{"mpg"}, nil), 0)
}

func TestLinearRegressionVariantsMatchSklearn(t *testing.T) {
	X, y := mtcarsDesign(t, "wt", "hp", "disp")
	dia := loadTable(t, "diabetes_raw.csv")
	Xd := dia.floats(t, dia.header[:10], nil)
	yd := column(dia.floats(t, []string{"target"}, nil), 0)
	// scikit-learn's load_diabetes scaling: centre each column and divide by its L2 norm.
	n, p := Xd.Dims()
	for j := 0; j < p; j++ {
		col := mat.Col(nil, j, Xd)
		mean := 0.0
		for _, v := range col {
			mean += v / float64(n)
		}
		ss := 0.0
		for _, v := range col {
			ss += (v - mean) * (v - mean)
		}
		for i, v := range col {
			Xd.Set(i, j, (v-mean)/math.Sqrt(ss))
		}
	}
	// All references: scikit-learn 1.2.1 (Ridge / LinearRegression) on the embedded mtcars.csv and
	// diabetes_raw.csv, by testdata/sklearn_reference.py.
	for _, tc := range []struct {
		name string
		m    LinearRegression
		X    *mat.Dense
		y    []float64
		want []float64 // intercept, coefficients
	}{
		{"ridge alpha 10", LinearRegression{Alpha: 10}, X, y,
			[]float64{33.155497713433405, -1.443977976766863, -0.027236286403623, -0.019174652623852}},
		{"ridge no intercept", LinearRegression{Alpha: 10, NoIntercept: true}, X, y,
			[]float64{0, 8.247291321887513, 0.067022087083248, -0.083168077373096}},
		{"ols no intercept", LinearRegression{NoIntercept: true}, X, y,
			[]float64{0, 12.063905633752004, 0.043822273112512, -0.116861533125027}},
		// scikit-learn's documented diabetes OLS: intercept 152.1334842, bmi 519.8459201, s5 751.2736996.
		{"diabetes", LinearRegression{}, Xd, yd, []float64{152.1334841628959, -10.009866299810193,
			-239.8156436724239, 519.8459200544604, 324.38464550232356, -792.1756385522301, 476.7390210052576,
			101.04326793803453, 177.06323767134683, 751.2736995571033, 67.62669218370468}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, input := range []string{"dense", "sparse"} {
				m := tc.m
				var X mat.Matrix = tc.X
				if input == "sparse" {
					X = toCSR(tc.X)
				}
				if err := m.Fit(context.Background(), X, tc.y); err != nil {
					t.Fatal(err)
				}
				got := linearParams(&m)
				tol := 1e-9
				if input == "sparse" {
					tol = 1e-7 // LSQR, an iterative solver
				}
				for j := range tc.want {
					if math.Abs(got[j]-tc.want[j]) > tol*math.Max(1, math.Abs(tc.want[j])) {
						t.Errorf("%s coefficient %d: got %.12g, scikit-learn %.12g", input, j, got[j], tc.want[j])
					}
				}
			}
		})
	}
}

func TestLinearRegressionRankDeficient(t *testing.T) {
	X, y := mtcarsDesign(t, "wt", "hp")
	n, _ := X.Dims()
	dup := mat.NewDense(n, 3, nil)
	for i := 0; i < n; i++ {
		dup.Set(i, 0, X.At(i, 0))
		dup.Set(i, 1, X.At(i, 1))
		dup.Set(i, 2, 2*X.At(i, 0))
	}
	// scikit-learn 1.2.1 LinearRegression().fit([wt, hp, 2*wt], mpg): rank_ 2, the minimum-norm
	// solution splits wt's -3.877830742 as -0.775566148480937 and 2 * -1.551132296961873.
	want := []float64{37.2272701164472, -0.775566148480937, -0.031772946982161, -1.551132296961873}
	for _, input := range []string{"dense", "sparse"} {
		var m LinearRegression
		var in mat.Matrix = dup
		if input == "sparse" {
			in = toCSR(dup)
		}
		if err := m.Fit(context.Background(), in, y); err != nil {
			t.Fatal(err)
		}
		got := linearParams(&m)
		for j := range want {
			if e := relErr(got[j], want[j]); e > 1e-7 {
				t.Errorf("%s coefficient %d: got %.12g, scikit-learn %.12g", input, j, got[j], want[j])
			}
		}
		if input == "dense" && (m.Rank() != 2 || !m.RankDeficient()) {
			t.Errorf("rank %d, want 2 and RankDeficient", m.Rank())
		}
		if input == "sparse" && m.Rank() != -1 {
			t.Errorf("sparse rank %d, want -1 (unknown)", m.Rank())
		}
	}
}

func toCSR(m *mat.Dense) *sparse.CSR {
	r, c := m.Dims()
	indptr := []int{0}
	var ind []int
	var data []float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := m.At(i, j); v != 0 {
				ind = append(ind, j)
				data = append(data, v)
			}
		}
		indptr = append(indptr, len(ind))
	}
	return sparse.NewCSR(r, c, indptr, ind, data)
}

func TestLinearRegressionStateRoundTrip(t *testing.T) {
	X, y := mtcarsDesign(t, "wt", "hp")
	var m LinearRegression
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	st, err := m.State()
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewLinearRegressionFromState(st)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Predict(X)
	p2, _ := back.Predict(X)
	if !slices.Equal(p1, p2) {
		t.Error("restored model predicts differently")
	}
	st.Coef[0] = math.NaN()
	if _, err := NewLinearRegressionFromState(st); !errors.Is(err, ErrState) {
		t.Errorf("NaN state: got %v, want ErrState", err)
	}
}

// linearParams is the intercept followed by the coefficients.
func linearParams(m *LinearRegression) []float64 {
	return append(m.Intercept(), m.Coef().RawRowView(0)...)
}
