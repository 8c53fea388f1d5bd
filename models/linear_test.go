package models

import (
	"math"
	"testing"

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

func TestLinearRegressionLongleyNIST(t *testing.T) {
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
	var m LinearRegression
	if err := m.Fit(X, y); err != nil {
		t.Fatal(err)
	}
	got := append([]float64{m.Intercept()}, m.Coef()...)
	for j, want := range longleyCertified {
		if e := relErr(got[j], want); e > 1e-8 {
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
	if err := m.Fit(X, y); err != nil {
		t.Fatal(err)
	}
	got := append([]float64{m.Intercept()}, m.Coef()...)
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
	if err := m.Fit(X, y); err != nil {
		t.Fatal(err)
	}
	// R 4.2.2: coef(lm(mpg ~ wt + hp, mtcars)) = 37.22727012, -3.877830742, -0.03177294698;
	// summary(...)$r.squared = 0.8267854519.
	got := append([]float64{m.Intercept()}, m.Coef()...)
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

var _ = mat.NewDense
