package main

import (
	"context"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/metrics"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// housingInputs are the raw columns the housing model reads.
var housingInputs = []string{"longitude", "latitude", "housing_median_age", "total_rooms",
	"total_bedrooms", "population", "households", "median_income", "ocean_proximity"}

// publishHousing trains examples/quickstart's California housing regression
// on a seeded split, publishes it as the next version of name, points alias
// at it, and returns its reference and held-out R².
func publishHousing(reg *persist.Registry, name, alias string, seed uint64) (persist.Ref, float64, error) {
	houses, err := builtin.CaliforniaHousing()
	if err != nil {
		return persist.Ref{}, 0, err
	}
	train, test, err := houses.TrainTestSplit(0.2, seed, "")
	if err != nil {
		return persist.Ref{}, 0, err
	}
	enc := &features.Table{Numeric: housingInputs[:8], Categorical: housingInputs[8:],
		Impute: features.ImputeMedian, DropFirst: true}
	p := pipeline.New(enc, &models.LinearRegression{})
	p.Lineage.Seed = seed
	if err := p.Fit(context.Background(), train, "median_house_value"); err != nil {
		return persist.Ref{}, 0, err
	}
	pred, err := p.Predict(test)
	if err != nil {
		return persist.Ref{}, 0, err
	}
	r2, err := metrics.R2(target(test), pred.Float64s())
	if err != nil {
		return persist.Ref{}, 0, err
	}
	p.Metrics["test_r2"] = r2
	ref, err := reg.Publish(name, p)
	if err != nil {
		return persist.Ref{}, 0, err
	}
	return ref, r2, reg.SetAlias(name, alias, ref.Version)
}

func target(f *dataset.Frame) []float64 {
	col, _ := f.Column("median_house_value") // present in the embedded data
	return col.Float64s()
}
