// Command quickstart runs kiln's main workflow on real data embedded in the
// binary, with no network: load the California housing data, summarize it,
// split it with a seed, build one pipeline (encoder and linear regression),
// choose its ridge penalty by 5-fold cross-validation, save the fitted
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

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/metrics"
	"github.com/kiln-ml/kiln/models/selection"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

func main() {
	log.SetFlags(0)
	if err := run(os.Stdout); err != nil {
		log.Fatal("quickstart: ", err)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()

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
	fmt.Fprintf(w, "seeded split (seed 42): %d training rows, %d test rows\n\n", train.NumRows(), test.NumRows())

	// 4. One pipeline from raw rows to prices: impute the missing bedroom
	// counts with the training median, one-hot encode ocean_proximity (first
	// level dropped, as pandas' get_dummies(drop_first=True)), then a linear
	// regression.
	p := pipeline.New(
		&features.Table{
			Numeric: []string{"longitude", "latitude", "housing_median_age", "total_rooms",
				"total_bedrooms", "population", "households", "median_income"},
			Categorical: []string{"ocean_proximity"},
			Impute:      features.ImputeMedian,
			DropFirst:   true,
		},
		&models.LinearRegression{},
	)

	// 5. Choose the ridge penalty by 5-fold cross-validation on the training
	// rows. Each fold fits the encoder and the model on its own training
	// part, so no statistic of a held-out fold leaks into its model; the
	// best candidate is then refitted on all training rows.
	folds, err := train.KFold(5, 42, true)
	if err != nil {
		return err
	}
	search := selection.PipelineSearch{
		Pipeline: p,
		Grid:     map[string][]any{"linearregression.Alpha": {0.0, 10.0, 100.0, 1000.0, 10000.0}},
		Splits:   folds,
		Score:    selection.PipelineR2,
		Refit:    true,
	}
	res, err := search.Run(ctx, train, "median_house_value")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "5-fold cross-validated R2 by ridge penalty:")
	for c, params := range res.Candidates {
		fmt.Fprintf(w, "  alpha %-7v %.4f ± %.4f\n", params["linearregression.Alpha"], res.Mean[c], res.Std[c])
	}
	best := res.BestPipeline
	fmt.Fprintf(w, "chosen: alpha %v, refitted on all %d training rows\n\n",
		res.Candidates[res.Best]["linearregression.Alpha"], best.Lineage.Rows)

	// 6. Save the fitted pipeline as a .kiln bundle (steps, input schema,
	// training profile, metrics and lineage in one file), then load it back
	// as a scoring service would.
	dir, err := os.MkdirTemp("", "kiln-quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "housing.kiln")
	if err := persist.Save(path, best, persist.SaveOptions{}); err != nil {
		return err
	}
	loaded, err := persist.Load(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "saved and reloaded %s (%d bytes): inputs %d columns, steps %v\n",
		filepath.Base(path), info.Size(), len(loaded.Inputs()), loaded.StepNames())

	// 7. Score the held-out rows with the reloaded pipeline: raw rows in.
	pred, err := loaded.Predict(test)
	if err != nil {
		return err
	}
	truth, err := test.Column("median_house_value")
	if err != nil {
		return err
	}
	r2, err := metrics.R2(truth.Float64s(), pred.Float64s())
	if err != nil {
		return err
	}
	rmse, err := metrics.RMSE(truth.Float64s(), pred.Float64s())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out rows: R2 %.4f, RMSE %.0f dollars\n", r2, rmse)
	return nil
}
