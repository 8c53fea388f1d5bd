package charts

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestSaveWritesAPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "chart.png")
	err := Save(path,
		Panel{Title: "inertia over K", X: "K", Y: "inertia", Series: []Series{{Name: "k-means", X: []float64{5, 10, 15}, Y: []float64{3, 2, 1.5}}}},
		Panel{Title: "time over documents", X: "documents", Y: "seconds (log scale)", LogY: true, Series: []Series{
			{Name: "plain", X: []float64{1, 2}, Y: []float64{1, 4}},
			{Name: "multicore", X: []float64{1, 2}, Y: []float64{0.01, 0.02}},
			{X: []float64{1, 2}, Y: []float64{1, 1}, Plain: true},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	w, h, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	if w != int(PanelWidth/vg.Inch*DPI) || h != int(2*PanelHeight/vg.Inch*DPI) {
		t.Errorf("%d x %d pixels, want two stacked %v x %v panels at %d dpi", w, h, PanelWidth, PanelHeight, DPI)
	}
}

func TestBadSeries(t *testing.T) {
	dir := t.TempDir()
	for name, p := range map[string]Panel{
		"lengths":  {Series: []Series{{X: []float64{1, 2}, Y: []float64{1}}}},
		"empty":    {Series: []Series{{}}},
		"log zero": {LogY: true, Series: []Series{{X: []float64{1}, Y: []float64{0}}}},
	} {
		if err := Save(filepath.Join(dir, name+".png"), p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := Save(filepath.Join(dir, "none.png")); err == nil {
		t.Error("no panels: no error")
	}
}

func TestCheckRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not.png")
	if err := os.WriteFile(path, []byte("not a picture"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Check(path); err == nil {
		t.Error("a text file passed as a PNG")
	}
}

// TestLogAxisSpansDecades: a log axis whose data lie between two powers of
// ten (10 ms to 260 ms) is widened to them, so that both ends are labelled.
func TestLogAxisSpansDecades(t *testing.T) {
	for _, c := range []struct{ lo, hi, wantLo, wantHi float64 }{
		{0.0101, 0.26, 0.01, 1},
		{0.0096, 0.26, 0.001, 1},
		{2, 3, 1, 10},
		{10, 10, 10, 100},
	} {
		pl, err := Panel{LogY: true, Series: []Series{{X: []float64{1, 2}, Y: []float64{c.lo, c.hi}}}}.plot()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(pl.Y.Min/c.wantLo-1) > 1e-12 || math.Abs(pl.Y.Max/c.wantHi-1) > 1e-12 {
			t.Errorf("data %v to %v: axis %v to %v, want %v to %v", c.lo, c.hi, pl.Y.Min, pl.Y.Max, c.wantLo, c.wantHi)
		}
	}
}
