package onnx_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/onnx"
	"github.com/kiln-ml/kiln/pipeline"
)

// Export a fitted pipeline for ONNX Runtime: the model reads one [N, 1]
// input per column and gives the predicted species and the probabilities.
func ExampleWriteFile() {
	iris, err := builtin.Iris()
	if err != nil {
		panic(err)
	}
	p := pipeline.New(
		&features.Table{Numeric: []string{"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"}, Scale: true},
		&models.LogisticRegression{MaxIter: 1000},
	)
	if err := p.Fit(context.Background(), iris, "Species"); err != nil {
		panic(err)
	}
	path := filepath.Join(os.TempDir(), "iris.onnx")
	defer os.Remove(path)
	if err := onnx.WriteFile(path, p, onnx.Options{Name: "iris", Version: "1"}); err != nil {
		panic(err)
	}
	fmt.Println("inputs:", p.Inputs())
	fmt.Println("outputs: Species (string), probabilities (double, one column per class)")
	// Output:
	// inputs: [{Sepal.Length float64} {Sepal.Width float64} {Petal.Length float64} {Petal.Width float64}]
	// outputs: Species (string), probabilities (double, one column per class)
}

// A setting that ONNX cannot express is refused, naming it.
func ExampleExportSteps_unsupported() {
	planes, err := builtin.Planes()
	if err != nil {
		panic(err)
	}
	enc := &features.Table{Numeric: []string{"seats"}, Hashed: []string{"manufacturer"}, HashBuckets: 16, Impute: features.ImputeMedian}
	if err := enc.Fit(context.Background(), planes); err != nil {
		panic(err)
	}
	_, err = onnx.ExportSteps([]any{enc}, []onnx.Field{{Name: "seats", Type: dataset.Int64}, {Name: "manufacturer", Type: dataset.String}}, onnx.Options{})
	fmt.Println(errors.Is(err, onnx.ErrUnsupported))
	fmt.Println(err)
	// Output:
	// true
	// onnx: step 0 (*features.Table): Table.Hashed [manufacturer]: the FNV-1a hash of "COLUMN=VALUE" has no ai.onnx or ai.onnx.ml operator: cannot be exported to ONNX faithfully
}
