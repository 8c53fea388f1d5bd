package pipeline_test

import (
	"fmt"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/pipeline"
)

// A classifier of iris species from raw rows: the labels are the species'
// names, in the target's own type, and the probabilities come in the order
// of Classes.
func Example() {
	iris, err := builtin.Iris()
	if err != nil {
		panic(err)
	}
	train, test, err := iris.TrainTestSplit(0.2, 1, "Species")
	if err != nil {
		panic(err)
	}
	p := pipeline.New(
		&features.Table{Numeric: []string{"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"}, Scale: true},
		&models.LogisticRegression{C: 1},
	)
	if err := p.Fit(ctx, train, "Species"); err != nil {
		panic(err)
	}
	labels, err := p.Predict(test.Take([]int{0, 1, 2}))
	if err != nil {
		panic(err)
	}
	fmt.Println("steps:", p.StepNames())
	fmt.Println("inputs:", len(p.Inputs()), "columns; classes:", p.Classes().Strings())
	fmt.Println("predicted:", labels.Strings())
	// Output:
	// steps: [table logisticregression]
	// inputs: 4 columns; classes: [setosa versicolor virginica]
	// predicted: [setosa virginica setosa]
}
