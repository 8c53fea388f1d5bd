package onnx

import (
	"fmt"
	"os"
	"strconv"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/pipeline"
)

// Export returns the ONNX model (a serialized ModelProto) of a fitted
// pipeline. Inputs, their types, the text column and preprocessor, the
// output's name and the class labels (typed like the target) come from the
// pipeline; Options fields that are set override them. The model's name and
// version default to the registry name and version the pipeline was loaded
// from (Ref). The package documentation lists the graph's inputs and
// outputs and what cannot be exported.
func Export(p *pipeline.Pipeline, opts Options) ([]byte, error) {
	if p == nil || !p.Fitted() {
		return nil, fmt.Errorf("onnx: the pipeline is not fitted: %w", kiln.ErrNotFitted)
	}
	var inputs []Field
	for _, f := range p.Inputs() {
		typ, err := dataset.ParseType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("onnx: input %q: %w", f.Name, err)
		}
		inputs = append(inputs, Field{Name: f.Name, Type: typ})
	}
	ref := p.Ref()
	if opts.Name == "" {
		opts.Name = ref.Name
	}
	if opts.Version == "" && ref.Version > 0 {
		opts.Version = strconv.Itoa(ref.Version)
	}
	if opts.Output == "" {
		opts.Output = p.Outputs().Name
	}
	if opts.TextColumn == "" {
		opts.TextColumn = p.TextColumn
	}
	if opts.TextPreprocess == "" {
		opts.TextPreprocess = p.TextPreprocess
	}
	if opts.Labels == nil {
		labels, err := columnLabels(p.Classes())
		if err != nil {
			return nil, err
		}
		opts.Labels = labels
	}
	return ExportSteps(p.Steps, inputs, opts)
}

// WriteFile exports a fitted pipeline (see Export) to a new .onnx file at
// path, replacing any file there.
func WriteFile(path string, p *pipeline.Pipeline, opts Options) error {
	buf, err := Export(p, opts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("onnx: %w", err)
	}
	return nil
}

// columnLabels turns a classifier's Classes column into Options.Labels; nil
// for a pipeline that does not classify.
func columnLabels(c *dataset.Column) (any, error) {
	if c == nil {
		return nil, nil
	}
	switch c.Type() {
	case dataset.String:
		return c.Strings(), nil
	case dataset.Int64:
		return c.Int64s(), nil
	case dataset.Float64:
		return c.Float64s(), nil
	case dataset.Bool:
		return c.Bools(), nil
	}
	return nil, fmt.Errorf("onnx: class labels of type %s: %w", c.Type(), ErrUnsupported)
}
