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
	ref, err := reg.PublishPipeline("cancer", p)
	if err != nil {
		panic(err)
	}
	if err := reg.SetAlias("cancer", "production", ref.Version); err != nil {
		panic(err)
	}
	live, err := reg.LoadPipeline("cancer", "production")
	if err != nil {
		panic(err)
	}
	fmt.Println("serving", live.Ref())
	// Output:
	// serving cancer@1
}
