package beam_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	kbeam "github.com/kiln-ml/kiln/beam"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/features/dfs"
)

func init() {
	register.DoFn2x0[int, func(*kbeam.FeatureRow) bool](&printFeaturesFn{})
	register.Iter1[kbeam.FeatureRow]()
}

// printFeaturesFn prints the feature rows, gathered under one key, in plane
// order with the features' names.
type printFeaturesFn struct{ Defs string }

func (f *printFeaturesFn) ProcessElement(_ int, rows func(*kbeam.FeatureRow) bool) {
	defs, err := dfs.ParseDefinitions([]byte(f.Defs))
	if err != nil {
		fmt.Println(err)
		return
	}
	var all []kbeam.FeatureRow
	for r := (kbeam.FeatureRow{}); rows(&r); r = (kbeam.FeatureRow{}) {
		all = append(all, r)
	}
	fm, err := kbeam.FeatureFrame(defs, all)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range fm.NumRows() {
		var cells []string
		for _, c := range fm.Columns() {
			cells = append(cells, c.Name()+"="+c.Format(i))
		}
		fmt.Println(strings.Join(cells, " "))
	}
}

// Deep feature synthesis of planes from their flights on Beam: the
// definitions come from features/dfs (saved definitions work alike), the
// flights arrive in batches, and each plane gets the features features/dfs
// computes in process. A flight without a plane is a dead letter.
func ExampleDFS() {
	flights := dataset.MustNew(
		dataset.NewString("tailnum", []string{"N1", "N2", "N1", "N1", "N2", ""}, []bool{true, true, true, true, true, false}),
		dataset.NewInt64("distance", []int64{200, 1000, 300, 700, 1000, 500}, nil),
		dataset.NewString("dest", []string{"BOS", "SFO", "BOS", "ORD", "LAX", "BOS"}, nil),
	)
	es := dfs.NewEntitySet()
	es.AddEntity("flights", flights, "", "")
	es.NormalizeEntity("flights", "planes", "tailnum")
	defs, err := dfs.DFS{Target: "planes", MaxDepth: 1,
		Aggregations: []string{"count", "sum", "std", "mode"}}.Definitions(es)
	if err != nil {
		fmt.Println(err)
		return
	}

	p, s := beam.NewPipelineWithRoot()
	batches := beam.CreateList(s, kbeam.RowsOf("flights", flights, 2))
	features, dead := kbeam.DFS{Definitions: defs}.Apply(s, batches, beam.PCollection{})
	beam.ParDo0(s, printDeadLetter, dead)

	// Gather the rows in one place to print them (for many parents, write
	// them out instead).
	saved, _ := json.Marshal(defs)
	beam.ParDo0(s, &printFeaturesFn{Defs: string(saved)}, beam.GroupByKey(s, beam.AddFixedKey(s, features)))
	if err := ptest.Run(p); err != nil {
		fmt.Println(err)
	}
	// Output:
	// dead letter: row 5 of flights: the parent key "tailnum" is null: the row belongs to no parent
	// tailnum=N1 COUNT(flights)=3 SUM(flights.distance)=1200 STD(flights.distance)=264.5751311064591 MODE(flights.dest)=BOS
	// tailnum=N2 COUNT(flights)=2 SUM(flights.distance)=2000 STD(flights.distance)=0 MODE(flights.dest)=LAX
}

// A pipeline from Parquet to Parquet: the flights are read from files,
// DFS computes the planes' features, ToRows lays them out as features/dfs's
// matrix (the index, then the features by name and type) and WriteParquet
// writes them, one file per shard.
func ExampleDFS_ToRows() {
	dir, err := os.MkdirTemp("", "dfs-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	flights := dataset.MustNew(
		dataset.NewString("tailnum", []string{"N1", "N2", "N1", "N1", "N2"}, nil),
		dataset.NewInt64("distance", []int64{200, 1000, 300, 700, 1000}, nil),
		dataset.NewString("dest", []string{"BOS", "SFO", "BOS", "ORD", "LAX"}, nil),
	)
	if err := parquet.WriteFile(filepath.Join(dir, "flights.parquet"), flights, parquet.WriteOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	es := dfs.NewEntitySet()
	es.AddEntity("flights", flights, "", "")
	es.NormalizeEntity("flights", "planes", "tailnum")
	defs, err := dfs.DFS{Target: "planes", MaxDepth: 1, Aggregations: []string{"count", "mean", "mode"}}.Definitions(es)
	if err != nil {
		fmt.Println(err)
		return
	}

	p, s := beam.NewPipelineWithRoot()
	rows, badFiles := kbeam.ReadParquet(s, filepath.Join(dir, "*.parquet"), kbeam.ReadOptions{})
	d := kbeam.DFS{Definitions: defs, Shards: 1}
	features, dead := d.Apply(s, rows, beam.PCollection{})
	kbeam.WriteParquet(s, filepath.Join(dir, "out", "planes"), d.ToRows(s, features))
	kbeam.WriteDeadLetters(s, filepath.Join(dir, "out", "dead.jsonl"), beam.Flatten(s, badFiles, dead))
	if err := ptest.Run(p); err != nil {
		fmt.Println(err)
		return
	}

	files, _ := filepath.Glob(filepath.Join(dir, "out", "planes-*.parquet"))
	for _, name := range files {
		f, err := parquet.ReadFile(name, parquet.Options{})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, c := range f.Columns() {
			fmt.Printf("%s (%s):", c.Name(), c.Type())
			for i := range f.NumRows() {
				fmt.Print(" ", c.Format(i))
			}
			fmt.Println()
		}
	}
	// Output:
	// tailnum (string): N1 N2
	// COUNT(flights) (int64): 3 2
	// MEAN(flights.distance) (float64): 400 1000
	// MODE(flights.dest) (string): BOS LAX
}
