package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/dfs"
	"github.com/kiln-ml/kiln/models"
)

// onlineScorer predicts one plane at a time, as a request handler would:
// ScoreRow computes the plane's features from its flights alone (no
// allocation once warm), and the encoder and model of the saved pipeline turn
// them into a prediction.
type onlineScorer struct {
	defs   *dfs.Definitions
	scorer *dfs.Scorer
	inst   *dfs.Instance
	vals   []dfs.Value
	enc    *features.Table
	model  *models.LinearRegression
}

func (o *onlineScorer) features(row int) error {
	var err error
	o.vals, err = o.inst.ScoreRow(row, time.Time{}, o.vals)
	return err
}

func (o *onlineScorer) predict(row int) (float64, error) {
	if err := o.features(row); err != nil {
		return 0, err
	}
	frame, err := o.frame()
	if err != nil {
		return 0, err
	}
	x, err := o.enc.Transform(frame)
	if err != nil {
		return 0, err
	}
	y, err := o.model.Predict(x)
	if err != nil {
		return 0, err
	}
	return y[0], nil
}

// frame turns the computed values into the one-row Frame the encoder reads,
// each column typed as its feature.
func (o *onlineScorer) frame() (*dataset.Frame, error) {
	cols := make([]*dataset.Column, len(o.defs.Features))
	for i, f := range o.defs.Features {
		v, valid := o.vals[i], []bool{!o.vals[i].Null}
		switch f.Type {
		case dfs.Categorical:
			cols[i] = dataset.NewString(f.Name, []string{v.Str}, valid)
		case dfs.Integer:
			cols[i] = dataset.NewInt64(f.Name, []int64{int64(v.Float)}, valid)
		case dfs.Boolean:
			cols[i] = dataset.NewBool(f.Name, []bool{v.Float != 0}, valid)
		case dfs.Float:
			cols[i] = dataset.NewFloat64(f.Name, []float64{v.Float}, valid)
		default:
			return nil, fmt.Errorf("feature %s: type %s is not encoded by this example", f.Name, f.Type)
		}
	}
	return dataset.New(cols...)
}

// timing returns the median time of n runs of computing the features alone,
// and of the whole prediction.
func (o *onlineScorer) timing(row, n int) (features, prediction time.Duration) {
	median := func(run func()) time.Duration {
		d := make([]time.Duration, n)
		for i := range d {
			start := time.Now()
			run()
			d[i] = time.Since(start)
		}
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
		return d[n/2]
	}
	return median(func() { o.features(row) }), median(func() { o.predict(row) })
}
