package persist_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// Save a fitted pipeline in one program, Load it in another and score raw
// rows: the bundle carries the steps, the input schema and the classes.
func Example() {
	cancer, err := builtin.BreastCancer()
	if err != nil {
		panic(err)
	}
	p := pipeline.New(
		&features.Table{Numeric: []string{"mean radius", "mean texture", "worst area", "worst concave points"}, Scale: true},
		&models.LogisticRegression{C: 1},
	)
	if err := p.Fit(context.Background(), cancer, "target_name"); err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "kiln-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cancer.kiln")
	if err := persist.Save(path, p, persist.SaveOptions{}); err != nil {
		panic(err)
	}

	// Another service:
	scorer, err := persist.Load(path)
	if err != nil {
		panic(err)
	}
	labels, err := scorer.Predict(cancer.Take([]int{0, 19}))
	if err != nil {
		panic(err)
	}
	fmt.Println("inputs:", len(scorer.Inputs()), "columns; classes:", scorer.Classes().Strings())
	fmt.Println("predicted:", labels.Strings())
	// Output:
	// inputs: 4 columns; classes: [benign malignant]
	// predicted: [malignant benign]
}

// A registry keeps numbered versions of a model and movable aliases; a
// pipeline loaded through it knows its name and version.
func ExampleRegistry() {
	cancer, err := builtin.BreastCancer()
	if err != nil {
		panic(err)
	}
	p := pipeline.New(&features.Table{Numeric: []string{"mean radius", "worst area"}, Scale: true}, &models.LogisticRegression{})
	if err := p.Fit(context.Background(), cancer, "target"); err != nil {
		panic(err)
	}
	root, err := os.MkdirTemp("", "kiln-registry")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)
	reg := &persist.Registry{Root: root}
	ref, err := reg.Publish("cancer", p)
	if err != nil {
		panic(err)
	}
	if err := reg.SetAlias("cancer", "production", ref.Version); err != nil {
		panic(err)
	}
	live, err := reg.Load("cancer", "production")
	if err != nil {
		panic(err)
	}
	fmt.Println("serving", live.Ref())
	// Output:
	// serving cancer@1
}

// Promote moves an alias forward only; Rollback walks it back through its
// history; Prune removes the versions nothing points at or rolls back to.
func ExampleRegistry_Rollback() {
	cars, err := builtin.MTCars()
	if err != nil {
		panic(err)
	}
	root, err := os.MkdirTemp("", "kiln-registry")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)
	reg := &persist.Registry{Root: root}
	for i := 1; i <= 4; i++ { // four versions, each promoted to production
		p := pipeline.New(&features.Table{Numeric: []string{"wt", "hp"}}, &models.LinearRegression{})
		if err := p.Fit(context.Background(), cars, "mpg"); err != nil {
			panic(err)
		}
		ref, err := reg.Publish("mpg", p)
		if err != nil {
			panic(err)
		}
		if _, err := reg.Promote("mpg", "production", ref.Version); err != nil {
			panic(err)
		}
	}
	now, _ := reg.Promote("mpg", "production", 2)
	fmt.Println("promote to 2 leaves production at", now.Version)
	from, to, err := reg.Rollback("mpg", "production", 0)
	if err != nil {
		panic(err)
	}
	fmt.Println("rolled back from", from.Version, "to", to.Version)
	removed, err := reg.Prune("mpg", persist.PruneOptions{Keep: 1})
	if err != nil {
		panic(err)
	}
	versions, _ := reg.List("mpg")
	fmt.Println("removed", removed, "kept", versions)
	// Output:
	// promote to 2 leaves production at 4
	// rolled back from 4 to 3
	// removed [mpg@1] kept [2 3 4]
}
