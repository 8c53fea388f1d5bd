// Package charts draws the examples' figures as PNG files with
// gonum.org/v1/plot: line charts with titled, labelled axes and a legend,
// one panel or several stacked in one image.
package charts

import (
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one line of a chart: points (X[i], Y[i]) joined in order.
type Series struct {
	Name  string
	X, Y  []float64
	Plain bool // a reference line: grey, dashed, no point marks
}

// Panel is one chart: a title, axis labels and its lines.
type Panel struct {
	Title, X, Y string
	Series      []Series
	// LogY draws the Y axis on a log scale (every Y must be positive),
	// widened to whole powers of ten so that at least two are labelled.
	LogY bool
	// LegendBottom puts the legend at the bottom right, away from curves
	// that climb to the top right (ROC, calibration).
	LegendBottom bool
	// XMin, XMax, YMin, YMax fix an axis range when Fixed is set, as for
	// a unit square; otherwise the ranges fit the data.
	Fixed                  bool
	XMin, XMax, YMin, YMax float64
}

// Size of one panel in the saved image.
const (
	PanelWidth  = 6 * vg.Inch
	PanelHeight = 3.75 * vg.Inch
	DPI         = 96
)

// Save draws the panels stacked from top to bottom into a PNG file at path
// (its folder is created), each PanelWidth x PanelHeight at DPI.
func Save(path string, panels ...Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("charts: %s: no panels", path)
	}
	plots := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		pl, err := p.plot()
		if err != nil {
			return fmt.Errorf("charts: %s: panel %q: %w", path, p.Title, err)
		}
		plots[i] = []*plot.Plot{pl}
	}
	img := vgimg.NewWith(vgimg.UseWH(PanelWidth, PanelHeight*vg.Length(len(panels))), vgimg.UseDPI(DPI))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadX: vg.Points(4), PadY: vg.Points(12)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("charts: %s: %w", path, err)
	}
	return f.Close()
}

func (p Panel) plot() (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = p.Title
	pl.X.Label.Text = p.X
	pl.Y.Label.Text = p.Y
	pl.Add(plotter.NewGrid())
	pl.Legend.Top = !p.LegendBottom
	pl.Legend.XOffs, pl.Legend.YOffs = -vg.Points(6), vg.Points(6)
	if !p.LegendBottom {
		pl.Legend.YOffs = -vg.Points(6)
	}
	if p.LogY {
		pl.Y.Scale = plot.LogScale{}
		pl.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if p.Fixed {
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = p.XMin, p.XMax, p.YMin, p.YMax
	}
	n := 0
	for _, s := range p.Series {
		if len(s.X) != len(s.Y) || len(s.X) == 0 {
			return nil, fmt.Errorf("series %q: %d x and %d y values", s.Name, len(s.X), len(s.Y))
		}
		xys := make(plotter.XYs, len(s.X))
		for i := range xys {
			if math.IsNaN(s.X[i]) || math.IsNaN(s.Y[i]) || (p.LogY && s.Y[i] <= 0) {
				return nil, fmt.Errorf("series %q: point %d (%v, %v) cannot be drawn", s.Name, i, s.X[i], s.Y[i])
			}
			xys[i].X, xys[i].Y = s.X[i], s.Y[i]
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		if s.Plain {
			line.Color = color.Gray{Y: 150}
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			pl.Add(line)
		} else {
			line.Color = plotutil.Color(n)
			line.Width = vg.Points(1.5)
			pl.Add(line)
			if len(xys) <= 40 { // mark the measured points when they are few
				pts, err := plotter.NewScatter(xys)
				if err != nil {
					return nil, err
				}
				pts.Color = plotutil.Color(n)
				pts.Shape = plotutil.Shape(n)
				pl.Add(pts)
			}
			n++
		}
		if s.Name != "" {
			pl.Legend.Add(s.Name, line)
		}
	}
	if p.LogY && !p.Fixed {
		pl.Y.Min, pl.Y.Max = decades(pl.Y.Min, pl.Y.Max)
	}
	return pl, nil
}

// decades widens [lo, hi] (both positive) to the powers of ten around it,
// at least one decade apart, so that a log axis labels both ends.
func decades(lo, hi float64) (float64, float64) {
	a, b := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if b <= a {
		b = a + 1
	}
	return math.Pow(10, a), math.Pow(10, b)
}

// Check decodes the file at path as a PNG and returns its size, or an error
// unless it is a PNG of sensible size for a figure (400 to 3000 pixels a
// side): how the examples' tests check the figures they write.
func Check(path string) (width, height int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	b := img.Bounds()
	if b.Dx() < 400 || b.Dy() < 300 || b.Dx() > 3000 || b.Dy() > 3000 {
		return b.Dx(), b.Dy(), fmt.Errorf("%s: %d x %d pixels, not the size of a figure", path, b.Dx(), b.Dy())
	}
	return b.Dx(), b.Dy(), nil
}
