package features_test

import (
	"context"
	"fmt"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features"
	"gonum.org/v1/gonum/mat"
)

func ExampleTable() {
	train := dataset.MustNew(
		dataset.NewFloat64("rooms", []float64{3, 5, 0, 4}, []bool{true, true, false, true}),
		dataset.NewString("ocean", []string{"INLAND", "NEAR BAY", "INLAND", "ISLAND"}, nil),
	)
	enc := &features.Table{
		Numeric:     []string{"rooms"},
		Categorical: []string{"ocean"},
		Impute:      features.ImputeMedian, // the missing rooms cell becomes 4
		DropFirst:   true,                  // drop "INLAND", the first level in sorted order
	}
	if err := enc.Fit(context.Background(), train); err != nil {
		fmt.Println(err)
		return
	}
	x, _ := enc.Transform(train)
	fmt.Println(enc.FeatureNames())
	fmt.Printf("%v\n", mat.Formatted(x))
	// Output:
	// [rooms ocean = ISLAND ocean = NEAR BAY]
	// ⎡3  0  0⎤
	// ⎢5  0  1⎥
	// ⎢4  0  0⎥
	// ⎣4  1  0⎦
}
