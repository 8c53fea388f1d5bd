package persist

import (
	"bytes"
	"context"
	"github.com/kiln-ml/kiln/pipeline"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/models"
	"gonum.org/v1/gonum/mat"
)

// pythonReader extracts the numpy-only reader from FORMAT.md, so that the
// code in the specification is the code that is tested.
func pythonReader(t *testing.T) string {
	t.Helper()
	spec, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(spec)
	i := strings.Index(s, "```python\n")
	j := strings.Index(s[i+10:], "```")
	if i < 0 || j < 0 {
		t.Fatal("FORMAT.md has no python block")
	}
	path := filepath.Join(t.TempDir(), "reader.py")
	if err := os.WriteFile(path, []byte(s[i+10:i+10+j]), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// python returns Debian's interpreter with numpy, or skips; CI sets
// KILN_REQUIRE_PYTHON=1 so that there a missing numpy fails instead.
func python(t *testing.T) string {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		if os.Getenv("KILN_REQUIRE_PYTHON") != "" {
			t.Fatalf("python3 with numpy is required (KILN_REQUIRE_PYTHON is set): %v", err)
		}
		t.Skipf("%s with numpy is not available (apt-get install python3-numpy): %v", py, err)
	}
	return py
}

func TestPythonReaderReproducesPredictions(t *testing.T) {
	py := python(t)
	reader := pythonReader(t)
	dir := t.TempDir()

	bc, err := builtin.BreastCancer()
	if err != nil {
		t.Fatal(err)
	}
	feat, _ := bc.Drop("target", "target_name")
	xbc, err := feat.ToDense()
	if err != nil {
		t.Fatal(err)
	}
	standardize(xbc)
	tc, _ := bc.Column("target")
	ybc := make([]float64, bc.NumRows())
	for i, v := range tc.Int64s() {
		ybc[i] = float64(v)
	}
	logit := &models.LogisticRegression{C: 1}
	if err := logit.Fit(context.Background(), xbc, ybc); err != nil {
		t.Fatal(err)
	}

	longley, _ := builtin.Longley()
	xl, _ := longley.ToDense("GNP.deflator", "GNP", "Unemployed", "Armed.Forces", "Population", "Year")
	yl, _ := longley.Column("Employed")
	linear := &models.LinearRegression{}
	if err := linear.Fit(context.Background(), xl, yl.Float64s()); err != nil {
		t.Fatal(err)
	}

	cars, _ := builtin.MTCars()
	xc, _ := cars.ToDense("wt", "hp")
	carb, _ := cars.ToDense("carb")
	am, _ := cars.ToDense("am")
	poisson := &models.GLM{Family: models.Poisson}
	if err := poisson.Fit(context.Background(), xc, mat.Col(nil, 0, carb)); err != nil {
		t.Fatal(err)
	}
	binomial := &models.GLM{Family: models.Binomial}
	if err := binomial.Fit(context.Background(), xc, mat.Col(nil, 0, am)); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name  string
		model any
		x     *mat.Dense
	}{{"longley_linear", linear, xl}, {"breast_cancer_logistic", logit, xbc},
		{"mtcars_poisson_glm", poisson, xc}, {"mtcars_binomial_glm", binomial, xc}}
	for _, c := range cases {
		p := assembled(t, []any{c.model}, pipeline.Meta{})
		modelPath := filepath.Join(dir, c.name+".kiln")
		if err := Save(modelPath, p, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		data := NewBundle(Manifest{Format: FormatName, Version: Version{FormatMajor, FormatMinor}})
		r, k := c.x.Dims()
		data.PutFloat64s("X", mat.DenseCopyOf(c.x).RawMatrix().Data, r, k)
		dataPath := filepath.Join(dir, c.name+".data.kiln")
		if err := WriteFile(dataPath, data, false); err != nil {
			t.Fatal(err)
		}
		var want []float64
		if lr, ok := c.model.(*models.LogisticRegression); ok {
			proba, _ := lr.PredictProba(c.x)
			want = proba.RawMatrix().Data
		} else {
			want, _ = c.model.(kiln.Predictor).Predict(c.x)
		}
		var stderr bytes.Buffer
		cmd := exec.Command(py, reader, modelPath, dataPath)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: reader failed: %v\n%s", c.name, err, stderr.String())
		}
		got := strings.Fields(string(out))
		if len(got) != len(want) {
			t.Fatalf("%s: python gave %d values, kiln %d", c.name, len(got), len(want))
		}
		worst := 0.0
		for i, g := range got {
			v, err := strconv.ParseFloat(g, 64)
			if err != nil {
				t.Fatal(err)
			}
			worst = math.Max(worst, math.Abs(v-want[i])/math.Max(1, math.Abs(want[i])))
		}
		if worst > 1e-12 {
			t.Errorf("%s: python and kiln differ by %g (relative)", c.name, worst)
		}
		t.Logf("%s: %d values, largest relative difference %.3g", c.name, len(got), worst)
	}
}

// standardize centres each column and divides by its population standard
// deviation, as the models anchor does for breast cancer.
func standardize(x *mat.Dense) {
	r, c := x.Dims()
	for j := 0; j < c; j++ {
		var m, ss float64
		for i := 0; i < r; i++ {
			m += x.At(i, j)
		}
		m /= float64(r)
		for i := 0; i < r; i++ {
			ss += (x.At(i, j) - m) * (x.At(i, j) - m)
		}
		sd := math.Sqrt(ss / float64(r))
		for i := 0; i < r; i++ {
			x.Set(i, j, (x.At(i, j)-m)/sd)
		}
	}
}
