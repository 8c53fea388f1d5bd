// Command quickstart runs kiln's main workflow on real data embedded in the
// binary, with no network: load the California housing data, summarize it,
// split it with a seed, encode it, fit a linear regression, save the fitted
// pipeline as a .kiln bundle, load it back as another service would, and
// score the held-out rows with it.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/metrics"
	"github.com/kiln-ml/kiln/persist"
)

func main() {
	log.SetFlags(0)
	if err := run(os.Stdout); err != nil {
		log.Fatal("quickstart: ", err)
	}
}

func run(w io.Writer) error {
	// 1. Load: 20,640 California districts (StatLib, Pace and Barry 1997).
	houses, err := builtin.CaliforniaHousing()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "California housing: %d rows, %d columns\n\n", houses.NumRows(), houses.NumCols())

	// 2. Summarize: one row per column, as pandas' describe().T.
	fmt.Fprintln(w, houses.Describe().Table(0))

	// 3. Split with a seed: the same seed gives the same rows on every machine.
	train, test, err := houses.TrainTestSplit(0.2, 42, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "seeded split (seed 42): %d training rows, %d test rows\n", train.NumRows(), test.NumRows())

	// 4. Encode: impute the missing bedroom counts with the training median,
	// one-hot encode ocean_proximity (first level dropped, as pandas'
	// get_dummies(drop_first=True)); the test rows get exactly the same columns.
	enc := &features.Table{
		Numeric: []string{"longitude", "latitude", "housing_median_age", "total_rooms",
			"total_bedrooms", "population", "households", "median_income"},
		Categorical: []string{"ocean_proximity"},
		Impute:      features.ImputeMedian,
		DropFirst:   true,
	}
	if err := enc.Fit(context.Background(), train); err != nil {
		return err
	}
	xTrain, err := enc.Transform(train)
	if err != nil {
		return err
	}
	yTrain, err := target(train)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "encoded features: %v\n\n", enc.FeatureNames())

	// 5. Fit ordinary least squares.
	model := &models.LinearRegression{}
	if err := model.Fit(context.Background(), xTrain, yTrain); err != nil {
		return err
	}
	fmt.Fprintf(w, "linear regression: intercept %.2f, median_income coefficient %.2f\n",
		model.Intercept()[0], model.Coef().At(0, 7))

	// 6. Save encoder and model as one pipeline in a .kiln bundle, then load
	// it back as a scoring service would: raw rows in, predictions out.
	dir, err := os.MkdirTemp("", "kiln-quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "housing.kiln")
	inputs, err := persist.FieldsOf(train.Schema(), slices.Concat(enc.Numeric, enc.Categorical)...)
	if err != nil {
		return err
	}
	pipeline := &persist.Pipeline{
		Steps:   []any{enc, model},
		Inputs:  inputs, // the raw columns a scoring service must send
		Outputs: persist.Outputs{Name: "median_house_value"},
		Lineage: persist.Lineage{Rows: train.NumRows(), Seed: 42},
	}
	if err := persist.Save(path, pipeline, persist.SaveOptions{}); err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	loaded, err := persist.Load(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "saved and reloaded %s (%d bytes)\n", filepath.Base(path), info.Size())

	// 7. Score the held-out rows with the reloaded pipeline.
	pred, err := loaded.Predict(test)
	if err != nil {
		return err
	}
	yTest, err := target(test)
	if err != nil {
		return err
	}
	r2, err := metrics.R2(yTest, pred)
	if err != nil {
		return err
	}
	rmse, err := metrics.RMSE(yTest, pred)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out rows: R2 %.4f, RMSE %.0f dollars\n", r2, rmse)
	return nil
}

func target(f *dataset.Frame) ([]float64, error) {
	col, err := f.Column("median_house_value")
	if err != nil {
		return nil, err
	}
	return col.Float64s(), nil
}
