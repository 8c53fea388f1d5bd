package main

import (
	"context"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/metrics"
	"github.com/kiln-ml/kiln/persist"
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
	if err := enc.Fit(context.Background(), train); err != nil {
		return persist.Ref{}, 0, err
	}
	x, err := enc.Transform(train)
	if err != nil {
		return persist.Ref{}, 0, err
	}
	model := &models.LinearRegression{}
	if err := model.Fit(context.Background(), x, target(train)); err != nil {
		return persist.Ref{}, 0, err
	}
	pipeline := &persist.Pipeline{
		Steps:   []any{enc, model},
		Outputs: persist.Outputs{Name: "median_house_value"},
		Lineage: persist.Lineage{Rows: train.NumRows(), Seed: seed},
	}
	// The input schema lets a server type JSON rows as the model was trained.
	schema := houses.Schema()
	for _, f := range schema {
		if contains(housingInputs, f.Name) {
			pipeline.Inputs = append(pipeline.Inputs, persist.Field{Name: f.Name, Type: f.Type.String()})
		}
	}
	pred, err := pipeline.Predict(test)
	if err != nil {
		return persist.Ref{}, 0, err
	}
	r2, err := metrics.R2(target(test), pred)
	if err != nil {
		return persist.Ref{}, 0, err
	}
	pipeline.Metrics = map[string]float64{"test_r2": r2}
	ref, err := reg.PublishPipeline(name, pipeline)
	if err != nil {
		return persist.Ref{}, 0, err
	}
	return ref, r2, reg.SetAlias(name, alias, ref.Version)
}

func target(f *dataset.Frame) []float64 {
	col, _ := f.Column("median_house_value") // present in the embedded data
	return col.Float64s()
}
