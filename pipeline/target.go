package pipeline

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
)

// targetValues returns the numbers the steps are fitted on and fills in the
// outputs' name, type and (for a string or bool target) labels.
func targetValues(data *dataset.Frame, target string, out *Outputs, last stage) ([]float64, error) {
	switch out.Kind {
	case Clusters:
		if target != "" {
			return nil, fmt.Errorf("pipeline: the last step (%T) learns without a target; pass \"\" instead of %q: %w", last.step, target, kiln.ErrConfig)
		}
		out.Name, out.Type = "cluster", dataset.Int64.String()
		return nil, nil
	case Features:
		if target == "" {
			return nil, nil
		}
		out.Name = target
		return numericTarget(data, target)
	}
	if target == "" {
		return nil, fmt.Errorf("pipeline: the last step (%T) learns from a target: name its column: %w", last.step, kiln.ErrConfig)
	}
	col, err := data.Column(target)
	if err != nil {
		return nil, fmt.Errorf("pipeline: target: %w", err)
	}
	out.Name, out.Type = target, col.Type().String()
	if out.Kind == Values {
		out.Type = dataset.Float64.String()
		return numericTarget(data, target)
	}
	// A classifier: numbers are labels as they are; strings and bools are
	// coded by their rank among the sorted labels.
	switch col.Type() {
	case dataset.Float64, dataset.Int64:
		return numericTarget(data, target)
	case dataset.Bool:
		y, err := numericTarget(data, target)
		if err != nil {
			return nil, err
		}
		out.Labels = []string{"false", "true"}
		return y, nil
	case dataset.String:
		if n := col.NullCount(); n > 0 {
			return nil, fmt.Errorf("pipeline: target %q has %d missing labels (first at row %d)", target, n, firstNull(col))
		}
		s := col.Strings()
		levels := slices.Clone(s)
		slices.Sort(levels)
		levels = slices.Compact(levels)
		code := make(map[string]float64, len(levels))
		for i, l := range levels {
			code[l] = float64(i)
		}
		y := make([]float64, len(s))
		for i, v := range s {
			y[i] = code[v]
		}
		out.Labels = levels
		return y, nil
	}
	return nil, fmt.Errorf("pipeline: target %q is %s: a classifier's labels are numbers, bools or strings", target, col.Type())
}

// numericTarget returns a numeric target column as float64s, refusing nulls
// and non-finite values with the row that holds them.
func numericTarget(data *dataset.Frame, target string) ([]float64, error) {
	col, err := data.Column(target)
	if err != nil {
		return nil, fmt.Errorf("pipeline: target: %w", err)
	}
	switch col.Type() {
	case dataset.Float64, dataset.Int64, dataset.Bool:
	default:
		return nil, fmt.Errorf("pipeline: target %q is %s, not a number", target, col.Type())
	}
	y := make([]float64, col.Len())
	for i := range y {
		v, ok := col.FloatAt(i)
		if !ok {
			return nil, fmt.Errorf("pipeline: target %q is missing at row %d", target, i)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("pipeline: target %q is %v at row %d: %w", target, v, i, kiln.ErrNonFinite)
		}
		y[i] = v
	}
	return y, nil
}

func firstNull(c *dataset.Column) int {
	for i := 0; i < c.Len(); i++ {
		if c.IsNull(i) {
			return i
		}
	}
	return -1
}

// complete fills in what a bundle of format 1.0 did not record (the kind,
// the type, a classifier's classes) and checks the rest against the last
// step.
func (o *Outputs) complete(last stage) error {
	switch o.Kind {
	case Values:
		if o.Type == "" {
			o.Type = dataset.Float64.String()
		}
	case Clusters:
		if o.Name == "" {
			o.Name = "cluster"
		}
		if o.Type == "" {
			o.Type = dataset.Int64.String()
		}
	case Classes:
		if classes := last.step.(kiln.Classifier).Classes(); len(o.Classes) == 0 {
			o.Classes = classes
		} else if !slices.Equal(o.Classes, classes) {
			return fmt.Errorf("pipeline: outputs list classes %v but the model has %v: %w", o.Classes, classes, kiln.ErrConfig)
		}
		if o.Type == "" {
			o.Type = dataset.Float64.String()
		}
		switch o.Type {
		case "float64", "int64":
			if len(o.Labels) != 0 {
				return fmt.Errorf("pipeline: numeric classes with labels: %w", kiln.ErrConfig)
			}
		case "string", "bool":
			if len(o.Labels) != len(o.Classes) && !(o.Type == "bool" && len(o.Labels) == 2) {
				return fmt.Errorf("pipeline: %d labels for %d classes: %w", len(o.Labels), len(o.Classes), kiln.ErrConfig)
			}
			for _, c := range o.Classes {
				if c != math.Trunc(c) || c < 0 || int(c) >= len(o.Labels) {
					return fmt.Errorf("pipeline: class code %v has no label: %w", c, kiln.ErrConfig)
				}
			}
			if o.Type == "bool" && !slices.Equal(o.Labels, []string{"false", "true"}) {
				return fmt.Errorf("pipeline: bool labels must be [false true], got %q: %w", o.Labels, kiln.ErrConfig)
			}
		default:
			return fmt.Errorf("pipeline: classes of type %q: %w", o.Type, kiln.ErrConfig)
		}
	}
	return nil
}

// column turns predicted numbers into the prediction column.
func (o *Outputs) column(pred []float64) (*dataset.Column, error) {
	name := o.Name
	if name == "" {
		name = "prediction"
	}
	switch o.Kind {
	case Clusters:
		ids := make([]int64, len(pred))
		for i, v := range pred {
			ids[i] = int64(v)
		}
		return dataset.NewInt64(name, ids, nil), nil
	case Classes:
		switch o.Type {
		case "int64":
			v := make([]int64, len(pred))
			for i, c := range pred {
				v[i] = int64(c)
			}
			return dataset.NewInt64(name, v, nil), nil
		case "bool":
			v := make([]bool, len(pred))
			for i, c := range pred {
				v[i] = c == 1
			}
			return dataset.NewBool(name, v, nil), nil
		case "string":
			codes := make([]int32, len(pred))
			for i, c := range pred {
				if c != math.Trunc(c) || c < 0 || int(c) >= len(o.Labels) {
					return nil, fmt.Errorf("pipeline: predicted class %s has no label", strconv.FormatFloat(c, 'g', -1, 64))
				}
				codes[i] = int32(c)
			}
			return dataset.NewDictString(name, codes, o.Labels, nil)
		}
	}
	return dataset.NewFloat64(name, pred, nil), nil
}
