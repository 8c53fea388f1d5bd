package dfs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features/dfs"
)

// Planes made out of the flights' tail numbers, and features of each plane
// aggregated from its flights.
func ExampleDFS() {
	flights, err := builtin.Flights()
	if err != nil {
		panic(err)
	}
	es := dfs.NewEntitySet()
	if err := es.AddEntity("flights", flights, "", ""); err != nil {
		panic(err)
	}
	if err := es.NormalizeEntity("flights", "planes", "tailnum"); err != nil {
		panic(err)
	}
	d := dfs.DFS{
		Target:        "planes",
		MaxDepth:      1,
		Aggregations:  []string{"count", "sum", "mode"},
		IgnoreColumns: map[string][]string{"flights": {"year", "month", "day", "dep_time", "arr_time", "flight", "hour", "minute", "air_time", "arr_delay", "dep_delay"}},
		OneHot:        []dfs.OneHot{{Entity: "flights", Column: "origin", DropUnknown: true}},
	}
	fm, defs, err := d.Run(context.Background(), es, dfs.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(fm.NumRows(), "planes")
	for _, f := range defs.Features {
		col, _ := fm.Column(f.Name)
		fmt.Printf("%-28s %s\n", f.Name, col.Format(1)) // plane N0EGMQ
	}
	// Output:
	// 4043 planes
	// COUNT(flights)               371
	// MODE(flights.carrier)        MQ
	// SUM(flights.origin = EWR)    50
	// SUM(flights.origin = JFK)    28
	// SUM(flights.origin = LGA)    293
	// MODE(flights.dest)           ATL
	// SUM(flights.distance)        250866
}

// Definitions saved as JSON and applied to one customer online, as of a
// cutoff time that hides the later transaction.
func ExampleInstance_ScoreRow() {
	day := func(d int) int64 { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC).UnixNano() }
	customers := dataset.MustNew(dataset.NewString("customer", []string{"ann", "bob"}, nil))
	orders := dataset.MustNew(
		dataset.NewString("customer", []string{"ann", "bob", "ann", "ann"}, nil),
		dataset.NewFloat64("amount", []float64{10, 7, 30, 500}, nil),
		dataset.NewTimestamp("time", []int64{day(1), day(2), day(3), day(9)}, nil))
	es := dfs.NewEntitySet()
	for _, err := range []error{
		es.AddEntity("customers", customers, "customer", ""),
		es.AddEntity("orders", orders, "", "time"),
		es.AddRelationship("customers", "orders", "customer"),
	} {
		if err != nil {
			panic(err)
		}
	}
	defs, err := dfs.DFS{Target: "customers", Aggregations: []string{"count", "mean", "time_since_last"}, Transforms: []string{}}.Definitions(es)
	if err != nil {
		panic(err)
	}
	saved, _ := json.Marshal(defs)
	loaded, err := dfs.ParseDefinitions(saved)
	if err != nil {
		panic(err)
	}
	scorer, err := loaded.Compile(es)
	if err != nil {
		panic(err)
	}
	row, _ := scorer.Row("ann")
	vals, err := scorer.NewInstance().ScoreRow(row, time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		panic(err)
	}
	for i, name := range scorer.Names() {
		fmt.Println(name, vals[i].Float)
	}
	// Output:
	// COUNT(orders) 2
	// MEAN(orders.amount) 20
	// TIME_SINCE_LAST(orders.time) 172800
}

// Saved definitions applied bucket by bucket, as a distributed engine would:
// the rows of the buckets are exactly the rows of computing all at once.
func ExampleEntitySet_Partition() {
	customers := dataset.MustNew(dataset.NewInt64("customer", []int64{1, 2, 3, 4}, nil))
	orders := dataset.MustNew(
		dataset.NewInt64("customer", []int64{1, 2, 2, 3, 4, 4, 4}, nil),
		dataset.NewFloat64("amount", []float64{5, 1, 2, 8, 3, 3, 9}, nil))
	es := dfs.NewEntitySet()
	for _, err := range []error{
		es.AddEntity("customers", customers, "customer", ""),
		es.AddEntity("orders", orders, "", ""),
		es.AddRelationship("customers", "orders", "customer"),
	} {
		if err != nil {
			panic(err)
		}
	}
	defs, err := dfs.DFS{Target: "customers", Aggregations: []string{"count", "max"}}.Definitions(es)
	if err != nil {
		panic(err)
	}
	buckets, err := es.Partition("customers", 2)
	if err != nil {
		panic(err)
	}
	for k, b := range buckets {
		fm, err := defs.Compute(context.Background(), b, dfs.Options{})
		if err != nil {
			panic(err)
		}
		fmt.Printf("bucket %d: %v\n", k, fm.Names())
		for i := 0; i < fm.NumRows(); i++ {
			for _, c := range fm.Columns() {
				fmt.Print(" ", c.Format(i))
			}
			fmt.Println()
		}
	}
	// Output:
	// bucket 0: [customer COUNT(orders) MAX(orders.amount)]
	//  1 1 5
	//  3 1 8
	// bucket 1: [customer COUNT(orders) MAX(orders.amount)]
	//  2 2 2
	//  4 3 9
}
