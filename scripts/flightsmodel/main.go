// Command flightsmodel fits the model that scripts/bench-predict.sh scores
// the 3,000,000 flights of vega-datasets' flights-3m.parquet with: a linear
// regression of the delay in minutes on the distance and the origin and
// destination airports (one-hot, the 50 most frequent of each, the others
// as "unknown"), fitted on 200,000 rows sampled with seed 1. With -csv it
// also writes the whole file as CSV, and with -head-parquet and -head-csv
// its first -head rows, for the runs of the benchmark.
//
//	go run ./scripts/flightsmodel -data data/vega/flights-3m.parquet -o flights.kiln [-csv flights.csv] \
//		[-head 300000 -head-parquet head.parquet -head-csv head.csv]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

func main() {
	data := flag.String("data", "data/vega/flights-3m.parquet", "the flights Parquet file")
	out := flag.String("o", "flights.kiln", "the bundle to write")
	csv := flag.String("csv", "", "also write the flights as CSV to this file")
	head := flag.Int("head", 300_000, "rows of -head-parquet and -head-csv")
	headParquet := flag.String("head-parquet", "", "also write the first -head flights as Parquet to this file")
	headCSV := flag.String("head-csv", "", "also write the first -head flights as CSV to this file")
	flag.Parse()
	flights, err := parquet.ReadFile(*data, parquet.Options{})
	if err != nil {
		log.Fatal(err)
	}
	first, err := flights.Slice(0, min(*head, flights.NumRows()))
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range []struct {
		path string
		f    *dataset.Frame
		csv  bool
	}{{*csv, flights, true}, {*headParquet, first, false}, {*headCSV, first, true}} {
		switch {
		case w.path == "":
		case w.csv:
			err = dataset.WriteCSVFile(w.path, w.f, dataset.CSVOptions{})
		default:
			err = parquet.WriteFile(w.path, w.f, parquet.WriteOptions{})
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	train, err := flights.Sample(200_000, 1)
	if err != nil {
		log.Fatal(err)
	}
	p := pipeline.New(
		&features.Table{Numeric: []string{"distance"}, Categorical: []string{"origin", "destination"}, TopN: 50, DropFirst: true},
		&models.LinearRegression{},
	)
	if err := p.Fit(context.Background(), train, "delay"); err != nil {
		log.Fatal(err)
	}
	if err := persist.Save(*out, p, persist.SaveOptions{Overwrite: true}); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fitted on %d rows: train R^2 %.4f; saved %s\n", train.NumRows(), p.Metrics["train_r2"], *out)
}
