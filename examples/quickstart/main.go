// Command quickstart runs kiln's main workflow on real data embedded in the
// binary, with no network: load the California housing data, summarize it,
// split it with a seed, and encode it for a model.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"log"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
)

func main() {
	log.SetFlags(0)
	if err := run(); err != nil {
		log.Fatal("quickstart: ", err)
	}
}

func run() error {
	// 1. Load: 20,640 California districts (StatLib, Pace and Barry 1997).
	houses, err := builtin.CaliforniaHousing()
	if err != nil {
		return err
	}
	fmt.Printf("California housing: %d rows, %d columns\n\n", houses.NumRows(), houses.NumCols())

	// 2. Summarize: one row per column, as pandas' describe().T.
	fmt.Println(houses.Describe().Table(0))

	// 3. Split with a seed: the same seed gives the same rows on every machine.
	train, test, err := houses.TrainTestSplit(0.2, 42, "")
	if err != nil {
		return err
	}
	fmt.Printf("seeded split (seed 42): %d training rows, %d test rows\n", train.NumRows(), test.NumRows())

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
	if err := enc.Fit(train); err != nil {
		return err
	}
	xTest, err := enc.Transform(test)
	if err != nil {
		return err
	}
	r, c := xTest.Dims()
	fmt.Printf("encoded test matrix: %d x %d, columns %v\n", r, c, enc.FeatureNames())
	return nil
}
