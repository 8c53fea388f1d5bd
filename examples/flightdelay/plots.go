package main

import (
	"fmt"
	"path/filepath"

	"github.com/kiln-ml/kiln/examples/internal/charts"
	"github.com/kiln-ml/kiln/models/metrics"
)

// calibration is scikit-learn's calibration_curve(y, p, n_bins,
// strategy="uniform"): the bins cut [0, 1] into equal parts at the edges
// numpy's linspace makes (k times 1/bins; a probability on an inner edge
// goes to the lower bin, as numpy's searchsorted puts it), and for each bin
// that holds predictions it gives the fraction of them that were positive
// and their mean predicted probability.
func calibration(late []bool, p []float64, bins int) (observed, predicted []float64) {
	sum := make([]float64, bins)
	pos := make([]float64, bins)
	n := make([]float64, bins)
	step := 1 / float64(bins)
	for i, v := range p {
		b := 0
		for b < bins-1 && float64(b+1)*step < v {
			b++
		}
		sum[b] += v
		n[b]++
		if late[i] {
			pos[b]++
		}
	}
	for b := range n {
		if n[b] > 0 {
			observed = append(observed, pos[b]/n[b])
			predicted = append(predicted, sum[b]/n[b])
		}
	}
	return observed, predicted
}

// plotModel writes the ROC and calibration curves of the held-out month's
// predictions to dir/flightdelay.png and returns its path.
func plotModel(dir, month string, late []bool, p []float64, auc float64) (string, error) {
	y := boolsToFloats(late)
	fpr, tpr, _, err := metrics.ROCCurve(y, p)
	if err != nil {
		return "", err
	}
	observed, predicted := calibration(late, p, 10)
	path := filepath.Join(dir, "flightdelay.png")
	diagonal := []float64{0, 1}
	return path, charts.Save(path,
		charts.Panel{
			Title: fmt.Sprintf("ROC curve, %s held out (ROC AUC %.3f)", month, auc),
			X:     "false positive rate (on-time flights flagged)", Y: "true positive rate (late flights flagged)",
			Fixed: true, XMax: 1, YMax: 1, LegendBottom: true,
			Series: []charts.Series{
				{Name: "logistic regression on DFS features", X: fpr, Y: tpr},
				{Name: "chance", X: diagonal, Y: diagonal, Plain: true},
			},
		},
		charts.Panel{
			Title: fmt.Sprintf("Calibration, %s held out (10 bins of predicted probability)", month),
			X:     "mean predicted probability of arriving > 15 min late", Y: "fraction that arrived > 15 min late",
			Fixed: true, XMax: 1, YMax: 1, LegendBottom: true,
			Series: []charts.Series{
				{Name: "model", X: predicted, Y: observed},
				{Name: "perfectly calibrated", X: diagonal, Y: diagonal, Plain: true},
			},
		},
	)
}

func boolsToFloats(b []bool) []float64 {
	out := make([]float64, len(b))
	for i, v := range b {
		if v {
			out[i] = 1
		}
	}
	return out
}
