package onnx

import (
	"errors"
	"fmt"
	"sort"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	pb "github.com/kiln-ml/kiln/onnx/internal/onnxpb"
	"github.com/kiln-ml/kiln/persist"
	"google.golang.org/protobuf/proto"
)

// libraryVersion is written as the model's producer_version.
const libraryVersion = persist.LibraryVersion

// ErrUnsupported is wrapped by every error that refuses a step or a setting
// the exporter cannot express faithfully in ONNX. The message names the step
// and the setting.
var ErrUnsupported = errors.New("cannot be exported to ONNX faithfully")

// Field is one raw input column of the exported model: its name and the type
// of its values in a kiln Frame.
type Field struct {
	Name string
	Type dataset.Type
}

// Options names the model and its outputs.
type Options struct {
	// Name and Version are written to the model's metadata_props ("name",
	// "version") and Name to the graph's name; for a model from a registry,
	// its registry name and version.
	Name, Version string

	// Output names the prediction output; "" means "prediction".
	Output string

	// TextColumn is the input that text steps read; "" means the only String
	// input.
	TextColumn string

	// TextPreprocess names the preprocessor applied to each document before
	// tokenizing (a pipeline's TextPreprocess); it is recorded in the
	// metadata for whoever produces the tokens.
	TextPreprocess string

	// Labels are a classifier's class labels, in the order of its Classes:
	// a []string, []int64, []float64 or []bool, which sets the type of the
	// label output. nil means the classifier's Classes as doubles.
	Labels any
}

// ExportSteps returns the ONNX model (serialized ModelProto) of a chain of
// fitted steps that read the given raw inputs: a *features.Table or a
// *text.CountVectorizer first, then optionally a *text.TfidfTransformer
// after the vectorizer, and last optionally a *models.LinearRegression,
// *models.LogisticRegression, *cluster.KMeans or *cluster.MiniBatchKMeans.
// The package documentation lists the graph's inputs and outputs and what
// cannot be exported. Errors name the step and the setting; those that
// refuse a setting wrap ErrUnsupported.
func ExportSteps(steps []any, inputs []Field, opts Options) ([]byte, error) {
	m, err := build(steps, inputs, opts)
	if err != nil {
		return nil, err
	}
	buf, err := proto.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("onnx: encoding the model: %w", err)
	}
	return buf, nil
}

// value is the matrix flowing between steps: a double tensor [N, width].
type value struct {
	name   string
	width  int
	sparse bool // kiln holds this matrix as a *sparse.CSR (after text steps)
}

func build(steps []any, inputs []Field, opts Options) (*pb.ModelProto, error) {
	if len(steps) == 0 {
		return nil, fmt.Errorf("onnx: no steps: %w", kiln.ErrEmpty)
	}
	g := newGraph()
	meta := []*pb.StringStringEntryProto{
		{Key: proto.String("name"), Value: proto.String(opts.Name)},
		{Key: proto.String("version"), Value: proto.String(opts.Version)},
	}
	output := opts.Output
	if output == "" {
		output = "prediction"
	}
	var cur value
	var err error
	rest, first := steps[1:], 1 // the steps after the one that reads the inputs
	switch s := steps[0].(type) {
	case *features.Table:
		cur, err = g.table(s, inputs)
	case *text.CountVectorizer:
		var m []*pb.StringStringEntryProto
		cur, m, err = g.countVectorizer(s, inputs, opts)
		meta = append(meta, m...)
	case *models.LinearRegression, *models.LogisticRegression, *cluster.KMeans, *cluster.MiniBatchKMeans:
		// A model alone reads the numeric input columns as its matrix.
		cur, err = g.columns(inputs)
		rest = steps
		first = 0
	default:
		return nil, stepError(0, steps[0], "must be a *features.Table, a *text.CountVectorizer or a model to come first")
	}
	if err != nil {
		return nil, fmt.Errorf("onnx: step 0 (%T): %w", steps[0], err)
	}
	final := false
	for k, step := range rest {
		i := first + k
		if final {
			return nil, stepError(i, step, "follows a predictor, which must be the last step")
		}
		switch s := step.(type) {
		case *text.TfidfTransformer:
			if !cur.sparse {
				return nil, stepError(i, step, "a TfidfTransformer must follow the CountVectorizer")
			}
			cur, err = g.tfidf(s, cur)
		case *models.LinearRegression:
			err = g.linear(s, cur, output)
			final = true
		case *models.LogisticRegression:
			err = g.logistic(s, cur, output, opts.Labels)
			final = true
		case *cluster.KMeans:
			err = g.kmeans(s.Centroids(), cur, output, "KMeans")
			final = true
		case *cluster.MiniBatchKMeans:
			err = g.kmeans(s.Centroids(), cur, output, "MiniBatchKMeans")
			final = true
		case *text.HashingVectorizer:
			return nil, fmt.Errorf("onnx: step %d (*text.HashingVectorizer): the term hash (MurmurHash3) has no ai.onnx or ai.onnx.ml operator: %w", i, ErrUnsupported)
		default:
			return nil, stepError(i, step, "is not a step the exporter knows")
		}
		if err != nil {
			return nil, fmt.Errorf("onnx: step %d (%T): %w", i, step, err)
		}
	}
	if !final {
		g.identity(cur.name, "features")
		g.outputs = append(g.outputs, valueInfo("features", tDouble, "N", cur.width))
	}
	sort.SliceStable(meta, func(i, j int) bool { return meta[i].GetKey() < meta[j].GetKey() })
	name := opts.Name
	if name == "" {
		name = "kiln"
	}
	return g.model(name, meta, "exported by kiln (github.com/kiln-ml/kiln)"), nil
}

func stepError(i int, step any, msg string) error {
	return fmt.Errorf("onnx: step %d (%T) %s: %w", i, step, msg, ErrUnsupported)
}

// rowsOf returns a [rows, cols] matrix's data in row order.
func rowsOf(m interface {
	Dims() (int, int)
	At(int, int) float64
}) (data []float64, rows, cols int) {
	rows, cols = m.Dims()
	data = make([]float64, 0, rows*cols)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			data = append(data, m.At(i, j))
		}
	}
	return data, rows, cols
}

// transposed returns a [rows, cols] matrix as a [cols, rows] constant.
func (g *graph) transposed(name string, m interface {
	Dims() (int, int)
	At(int, int) float64
}) string {
	rows, cols := m.Dims()
	data := make([]float64, 0, rows*cols)
	for j := 0; j < cols; j++ {
		for i := 0; i < rows; i++ {
			data = append(data, m.At(i, j))
		}
	}
	return g.doubles(name, data, int64(cols), int64(rows))
}

// columns reads numeric inputs, each [N, 1], as one [N, columns] double
// matrix, in the order given.
func (g *graph) columns(inputs []Field) (value, error) {
	if len(inputs) == 0 {
		return value{}, fmt.Errorf("no input columns: %w", kiln.ErrEmpty)
	}
	var blocks []string
	for _, f := range inputs {
		elem, ok := inputElem(f.Type)
		if !ok || elem == tString {
			return value{}, fmt.Errorf("input column %q is %s, not numeric: %w", f.Name, f.Type, ErrUnsupported)
		}
		g.used[f.Name]++
		g.inputs = append(g.inputs, valueInfo(f.Name, elem, "N", 1))
		x := f.Name
		if elem != tDouble {
			x = g.cast(x, tDouble)
		}
		blocks = append(blocks, x)
	}
	out := blocks[0]
	if len(blocks) > 1 {
		out = g.op("Concat", blocks, attrInt("axis", 1))
	}
	return value{name: out, width: len(inputs)}, nil
}
