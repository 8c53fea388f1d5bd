package dataset_test

import (
	"sync"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// The operations of scripts/pandas_ops_timing.py, on the same data: nycflights13
// flights repeated 10 times (3,367,760 rows, read with ReadCSVFile's default
// inference) and the embedded planes table. Run side by side with
//
//	flock /tmp/kiln-bench.lock go test ./dataset -run XXX -bench '^BenchmarkFlights10x$' -count 5
//	flock /tmp/kiln-bench.lock /usr/bin/python3 scripts/pandas_ops_timing.py $KILN_DATA/nycflights13/flights10x.csv dataset/builtin/data/nycflights13/planes.csv

var (
	flights10xOnce sync.Once
	flights10x     *dataset.Frame
	flights10xErr  error
)

func loadFlights10x(b *testing.B) (flights, planes *dataset.Frame) {
	path := realdata.Require(b, realdata.Flights10x)
	flights10xOnce.Do(func() { flights10x, flights10xErr = dataset.ReadCSVFile(path, dataset.CSVOptions{}) })
	if flights10xErr != nil {
		b.Fatal(flights10xErr)
	}
	planes, err := builtin.Planes()
	if err != nil {
		b.Fatal(err)
	}
	return flights10x, planes
}

func BenchmarkFlights10x(b *testing.B) {
	flights, planes := loadFlights10x(b)
	ops := []struct {
		name string
		run  func() error
	}{
		{"groupby_carrier_origin", func() error { _, err := flights.GroupBy("carrier", "origin"); return err }},
		{"groupby_tailnum", func() error { _, err := flights.GroupBy("tailnum"); return err }},
		{"groupby_flight", func() error { _, err := flights.GroupBy("flight"); return err }},
		{"groupby_year_month_day_carrier_flight", func() error {
			_, err := flights.GroupBy("year", "month", "day", "carrier", "flight")
			return err
		}},
		{"join_left_planes_on_tailnum", func() error {
			_, err := flights.Join(planes, dataset.JoinOptions{Kind: dataset.LeftJoin, On: []string{"tailnum"}, Suffix: "_plane"})
			return err
		}},
		{"sort_dep_delay", func() error { _, err := flights.Sort(dataset.Asc("dep_delay")); return err }},
		{"sort_carrier_desc_dep_delay", func() error {
			_, err := flights.Sort(dataset.Asc("carrier"), dataset.Desc("dep_delay"))
			return err
		}},
		{"describe", func() error { flights.Describe(); return nil }},
		{"train_test_split", func() error { _, _, err := flights.TrainTestSplit(0.25, 1, ""); return err }},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			for b.Loop() {
				if err := op.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
