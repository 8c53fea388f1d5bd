package onnx

import (
	"fmt"
	"strconv"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features"
	pb "github.com/kiln-ml/kiln/onnx/internal/onnxpb"
)

// inputElem is the ONNX element type of an input column of a kiln type.
func inputElem(t dataset.Type) (int32, bool) {
	switch t {
	case dataset.Float64:
		return tDouble, true
	case dataset.Int64:
		return tInt64, true
	case dataset.Bool:
		return tBool, true
	case dataset.String:
		return tString, true
	}
	return 0, false
}

// table converts a fitted features.Table: one graph input [N, 1] per column
// it reads, and the encoded [N, width] double matrix.
func (g *graph) table(t *features.Table, inputs []Field) (value, error) {
	st := t.State()
	if st == nil {
		return value{}, fmt.Errorf("Table is not fitted: %w", kiln.ErrNotFitted)
	}
	if len(st.Hashed) > 0 {
		return value{}, fmt.Errorf("Table.Hashed %v: the FNV-1a hash of \"COLUMN=VALUE\" has no ai.onnx or ai.onnx.ml operator: %w", st.Hashed, ErrUnsupported)
	}
	types := make(map[string]dataset.Type, len(inputs))
	for _, f := range inputs {
		types[f.Name] = f.Type
	}
	declared := make(map[string]string)
	input := func(name string) (string, dataset.Type, error) {
		typ, ok := types[name]
		if !ok {
			return "", 0, fmt.Errorf("Table reads column %q, which the input schema lacks: %w", name, kiln.ErrShape)
		}
		if v, ok := declared[name]; ok {
			return v, typ, nil
		}
		elem, ok := inputElem(typ)
		if !ok {
			return "", 0, fmt.Errorf("input column %q is %s, which no ONNX input of this exporter holds: %w", name, typ, ErrUnsupported)
		}
		declared[name] = name
		g.used[name]++
		g.inputs = append(g.inputs, valueInfo(name, elem, "N", 1))
		return name, typ, nil
	}

	var blocks []string
	width := 0
	for _, nc := range st.Numeric {
		if typ, ok := types[nc.Name]; ok && typ != dataset.Float64 && typ != dataset.Int64 && typ != dataset.Bool {
			return value{}, fmt.Errorf("Table.Numeric column %q is %s, not numeric: %w", nc.Name, typ, kiln.ErrConfig)
		}
		in, typ, err := input(nc.Name)
		if err != nil {
			return value{}, err
		}
		x := in
		switch typ {
		case dataset.Float64:
			if nc.Impute {
				// A missing cell arrives as NaN: Where(IsNaN(x), fill, x).
				x = g.op("Where", []string{g.op("IsNaN", []string{x}), g.scalar(nc.Name+"_fill", nc.Fill), x})
			}
		case dataset.Int64, dataset.Bool:
			x = g.cast(x, tDouble)
		default:
			return value{}, fmt.Errorf("Table.Numeric column %q is %s, not numeric: %w", nc.Name, typ, kiln.ErrConfig)
		}
		if nc.Center != 0 {
			x = g.op("Sub", []string{x, g.scalar(nc.Name+"_center", nc.Center)})
		}
		if nc.Divisor != 1 {
			x = g.op("Div", []string{x, g.scalar(nc.Name+"_divisor", nc.Divisor)})
		}
		blocks = append(blocks, x)
		width++
	}
	for _, cc := range st.Categorical {
		if typ := types[cc.Name]; typ == dataset.Float64 || typ == dataset.Timestamp {
			return value{}, fmt.Errorf("Table.Categorical column %q is %s: kiln compares its cells by their printed text, which ONNX cannot form: %w", cc.Name, typ, ErrUnsupported)
		}
		in, typ, err := input(cc.Name)
		if err != nil {
			return value{}, err
		}
		block, err := g.oneHot(cc, in, typ)
		if err != nil {
			return value{}, err
		}
		if block != "" {
			blocks = append(blocks, block)
		}
		width += len(cc.Levels)
		if cc.Unknown {
			width++
		}
	}
	if len(blocks) == 0 {
		return value{}, fmt.Errorf("Table encodes no columns: %w", kiln.ErrEmpty)
	}
	out := blocks[0]
	if len(blocks) > 1 {
		out = g.op("Concat", blocks, attrInt("axis", 1))
	}
	return value{name: out, width: width}, nil
}

// oneHot encodes one categorical column as [N, levels (+1 unknown)] doubles
// with ai.onnx.ml's OneHotEncoder (zeros=1: a value outside the levels gives
// all zeros) and, when the column has an unknown bucket, 1 minus the row sum.
func (g *graph) oneHot(cc features.CategoricalColumn, in string, typ dataset.Type) (string, error) {
	x := in
	var cats *pb.AttributeProto
	switch typ {
	case dataset.String:
		cats = attrStrings("cats_strings", cc.Levels)
	case dataset.Int64, dataset.Bool:
		// kiln compares the cells' text ("42", "true"); as integers that is
		// the same comparison when each level is an integer's own text.
		ints := make([]int64, len(cc.Levels))
		for i, l := range cc.Levels {
			v, ok := levelInt(l, typ)
			if !ok {
				return "", fmt.Errorf("Table.Categorical column %q (%s): level %q is not the text of a %s value: %w", cc.Name, typ, l, typ, ErrUnsupported)
			}
			ints[i] = v
		}
		if typ == dataset.Bool {
			x = g.cast(x, tInt64)
		}
		cats = attrInts("cats_int64s", ints)
	default:
		return "", fmt.Errorf("Table.Categorical column %q is %s: kiln compares its cells by their printed text, which ONNX cannot form: %w", cc.Name, typ, ErrUnsupported)
	}
	if len(cc.Levels) == 0 {
		if !cc.Unknown {
			return "", nil // no output columns at all
		}
		// Every value is unknown: a column of ones.
		return g.op("ConstantOfShape", []string{g.op("Shape", []string{in})},
			attrTensor("value", doubleTensor(1))), nil
	}
	hot := g.opIn(mlDomain, "OneHotEncoder", []string{x}, cats, attrInt("zeros", 1))
	// [N, 1, L] float -> [N, L] double; cast first, so that the checker's
	// type inference, which knows no output type of OneHotEncoder, knows it.
	hot = g.op("Squeeze", []string{g.cast(hot, tDouble), g.axes(1)})
	if !cc.Unknown {
		return hot, nil
	}
	known := g.op("ReduceSum", []string{hot, g.axes(1)}, attrInt("keepdims", 1))
	unknown := g.op("Sub", []string{g.scalar(cc.Name+"_one", 1), known})
	return g.op("Concat", []string{hot, unknown}, attrInt("axis", 1)), nil
}

// levelInt parses a level of an Int64 or Bool column back into the integer
// OneHotEncoder compares; ok is false unless the level is that value's own
// text, as kiln prints it.
func levelInt(level string, typ dataset.Type) (int64, bool) {
	if typ == dataset.Bool {
		switch level {
		case "true":
			return 1, true
		case "false":
			return 0, true
		}
		return 0, false
	}
	v, err := strconv.ParseInt(level, 10, 64)
	if err != nil || strconv.FormatInt(v, 10) != level {
		return 0, false
	}
	return v, true
}
