package dataset

import "testing"

func TestTable(t *testing.T) {
	f := opsSample()
	want := "  f   i  s  b      t\n" +
		"1.5  10  x  true   1970-01-01T00:00:05Z\n" +
		"2.5  20  y  false  1970-01-01T00:00:04Z\n" +
		"... 3 more rows\n"
	if got := f.Table(2); got != want {
		t.Errorf("table:\n%s\nwant\n%s", got, want)
	}
	if got := MustNew(NewFloat64("x", []float64{1.0 / 3, 0}, []bool{true, false})).Table(0); got != "       x\n0.333333\n    null\n" {
		t.Errorf("float table:\n%q", got)
	}
}
