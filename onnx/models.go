package onnx

import (
	"fmt"

	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"

	"github.com/kiln-ml/kiln/models"
)

// affine returns x·Wᵀ + b as [N, k] doubles, for coefficients W (k x p) and
// intercepts b (k), in kiln's order of operations: the product, then the
// intercept added.
func (g *graph) affine(coef *mat.Dense, intercept []float64, x value, what string) (string, int, error) {
	if coef == nil {
		return "", 0, fmt.Errorf("%s is not fitted: %w", what, kiln.ErrNotFitted)
	}
	k, p := coef.Dims()
	if p != x.width {
		return "", 0, fmt.Errorf("%s has %d coefficients for %d features: %w", what, p, x.width, kiln.ErrShape)
	}
	z := g.op("MatMul", []string{x.name, g.transposed("coef", coef)})
	z = g.op("Add", []string{z, g.doubles("intercept", intercept, int64(k))})
	return z, k, nil
}

// linear: the values, [N] doubles.
func (g *graph) linear(m *models.LinearRegression, x value, output string) error {
	z, _, err := g.affine(m.Coef(), m.Intercept(), x, "LinearRegression")
	if err != nil {
		return err
	}
	g.nodeTo("", "Squeeze", []string{z, g.axes(1)}, output)
	g.outputs = append(g.outputs, valueInfo(output, tDouble, "N"))
	return nil
}

// logistic: the label ([N], typed like labels) and "probabilities" ([N, K]
// doubles in Classes order), computed as kiln computes them: for two classes
// p1 = sigmoid(z), p0 = 1 - p1 and the label is class 1 when z > 0; for
// more, a softmax over z and the first class of largest z.
func (g *graph) logistic(m *models.LogisticRegression, x value, output string, labels any) error {
	z, k, err := g.affine(m.Coef(), m.Intercept(), x, "LogisticRegression")
	if err != nil {
		return err
	}
	classes := m.Classes()
	labelConst, elem, err := g.labels(classes, labels)
	if err != nil {
		return err
	}
	var proba, index string
	if k == 1 {
		p1 := g.sigmoid(z)
		p0 := g.op("Sub", []string{g.scalar("one", 1), p1})
		proba = g.op("Concat", []string{p0, p1}, attrInt("axis", 1))
		positive := g.op("Greater", []string{z, g.scalar("zero", 0)})
		index = g.op("Squeeze", []string{g.cast(positive, tInt64), g.axes(1)})
	} else {
		proba = g.op("Softmax", []string{z}, attrInt("axis", 1))
		index = g.op("ArgMax", []string{z}, attrInt("axis", 1), attrInt("keepdims", 0))
	}
	g.nodeTo("", "Gather", []string{labelConst, index}, output)
	g.identity(proba, "probabilities")
	g.outputs = append(g.outputs,
		valueInfo(output, elem, "N"),
		valueInfo("probabilities", tDouble, "N", len(classes)))
	return nil
}

// sigmoid is kiln's logistic function, which keeps full relative precision
// on both sides of 0: 1/(1+exp(-z)) for z >= 0, exp(z)/(1+exp(z)) below,
// that is e/(1+e) or 1/(1+e) with e = exp(-|z|).
func (g *graph) sigmoid(z string) string {
	e := g.op("Exp", []string{g.op("Neg", []string{g.op("Abs", []string{z})})})
	den := g.op("Add", []string{g.scalar("one", 1), e})
	nonNegative := g.op("GreaterOrEqual", []string{z, g.scalar("zero", 0)})
	num := g.op("Where", []string{nonNegative, g.scalar("one", 1), e})
	return g.op("Div", []string{num, den})
}

// labels adds the class labels as a constant and returns its element type.
func (g *graph) labels(classes []float64, labels any) (string, int32, error) {
	n := int64(len(classes))
	switch l := labels.(type) {
	case nil:
		return g.doubles("classes", classes, n), tDouble, nil
	case []float64:
		if len(l) == len(classes) {
			return g.doubles("classes", l, n), tDouble, nil
		}
	case []int64:
		if len(l) == len(classes) {
			return g.int64s("classes", l, n), tInt64, nil
		}
	case []string:
		if len(l) == len(classes) {
			return g.strs("classes", l, n), tString, nil
		}
	case []bool:
		if len(l) == len(classes) {
			ints := make([]int64, len(l))
			for i, b := range l {
				if b {
					ints[i] = 1
				}
			}
			return g.cast(g.int64s("classes", ints, n), tBool), tBool, nil
		}
	default:
		return "", 0, fmt.Errorf("labels of type %T: want []string, []int64, []float64 or []bool: %w", labels, kiln.ErrConfig)
	}
	return "", 0, fmt.Errorf("%d labels for %d classes: %w", lenOf(labels), len(classes), kiln.ErrShape)
}

func lenOf(labels any) int {
	switch l := labels.(type) {
	case []float64:
		return len(l)
	case []int64:
		return len(l)
	case []string:
		return len(l)
	case []bool:
		return len(l)
	}
	return 0
}

// kmeans: the cluster id ([N] int64, the nearest centroid, ties to the
// first) and "distances" ([N, K] Euclidean distances), in kiln's arithmetic:
// for dense rows the squared differences summed; for rows kiln holds sparse
// (after text steps) ‖c‖² − 2x·c to choose the cluster and ‖x‖² added back
// (at least 0) for the distances.
func (g *graph) kmeans(c *mat.Dense, x value, output, what string) error {
	if c == nil {
		return fmt.Errorf("%s is not fitted: %w", what, kiln.ErrNotFitted)
	}
	k, p := c.Dims()
	if p != x.width {
		return fmt.Errorf("%s has centroids of %d features for %d: %w", what, p, x.width, kiln.ErrShape)
	}
	var sq, nearest string
	if !x.sparse {
		data, _, _ := rowsOf(c)
		cents := g.doubles("centroids", data, 1, int64(k), int64(p))
		diff := g.op("Sub", []string{g.op("Unsqueeze", []string{x.name, g.axes(1)}), cents}) // [N, K, p]
		sq = g.op("ReduceSum", []string{g.op("Mul", []string{diff, diff}), g.axes(2)}, attrInt("keepdims", 0))
		nearest = sq
	} else {
		norms := make([]float64, k)
		for j := range norms {
			row := c.RawRowView(j)
			for _, v := range row {
				norms[j] += v * v
			}
		}
		dots := g.op("MatMul", []string{x.name, g.transposed("centroids", c)}) // [N, K]
		twice := g.op("Mul", []string{g.scalar("two", 2), dots})
		nearest = g.op("Sub", []string{g.doubles("centroid_sqnorms", norms, int64(k)), twice})
		xx := g.op("ReduceSum", []string{g.op("Mul", []string{x.name, x.name}), g.axes(1)}, attrInt("keepdims", 1))
		sq = g.op("Max", []string{g.op("Add", []string{xx, nearest}), g.scalar("zero", 0)})
	}
	g.nodeTo("", "ArgMin", []string{nearest}, output, attrInt("axis", 1), attrInt("keepdims", 0))
	g.nodeTo("", "Sqrt", []string{sq}, "distances")
	g.outputs = append(g.outputs,
		valueInfo(output, tInt64, "N"),
		valueInfo("distances", tDouble, "N", k))
	return nil
}
