package beam_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	kbeam "github.com/kiln-ml/kiln/beam"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

func init() {
	register.Function1x0(printScored)
	register.Function1x0(printDeadLetter)
}

// printScored prints a batch of Score's output: the kept column, the
// prediction, the probability of each class and the model's identity.
func printScored(r kbeam.Rows) {
	f := r.Frame
	for i := range f.NumRows() {
		line := ""
		for _, c := range f.Columns() {
			if v, ok := c.FloatAt(i); ok && c.Type() == dataset.Float64 {
				line += fmt.Sprintf("%s=%.4f ", c.Name(), v)
			} else {
				line += fmt.Sprintf("%s=%s ", c.Name(), c.Format(i))
			}
		}
		fmt.Println(strings.TrimSpace(line))
	}
}

func printDeadLetter(d kbeam.DeadLetter) {
	fmt.Printf("dead letter: row %d of %s: %s\n", d.Row, d.Source, d.Reason)
}

// A classifier saved in a registry's layout (ROOT/NAME/VERSION/model.kiln)
// scores three irises in a Beam pipeline: every row carries its label, the
// probability of each class and the model's name and version.
func ExampleScore() {
	iris, _ := builtin.Iris()
	p := pipeline.New(
		&features.Table{Numeric: []string{"Petal.Length", "Petal.Width"}},
		&models.LogisticRegression{C: 1},
	)
	if err := p.Fit(context.Background(), iris, "Species"); err != nil {
		fmt.Println(err)
		return
	}
	root, _ := os.MkdirTemp("", "registry")
	defer os.RemoveAll(root)
	model := filepath.Join(root, "iris", "1", persist.ModelFile)
	_ = os.MkdirAll(filepath.Dir(model), 0o755)
	if err := persist.Save(model, p, persist.SaveOptions{}); err != nil {
		fmt.Println(err)
		return
	}

	rows, _ := iris.Select("Petal.Length", "Petal.Width")
	rows = rows.Take([]int{0, 50, 100})
	bp, s := beam.NewPipelineWithRoot()
	scored, dead := kbeam.Score{Model: model, Keep: []string{"Petal.Length"}}.Apply(s, beam.CreateList(s, kbeam.RowsOf("irises", rows, 0)))
	beam.ParDo0(s, printScored, scored)
	beam.ParDo0(s, printDeadLetter, dead)
	if err := ptest.Run(bp); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Petal.Length=1.4000 Species=setosa p(setosa)=0.9798 p(versicolor)=0.0202 p(virginica)=0.0000 model_name=iris model_version=1
	// Petal.Length=4.7000 Species=versicolor p(setosa)=0.0024 p(versicolor)=0.7788 p(virginica)=0.2187 model_name=iris model_version=1
	// Petal.Length=6.0000 Species=virginica p(setosa)=0.0000 p(versicolor)=0.0046 p(virginica)=0.9954 model_name=iris model_version=1
}
