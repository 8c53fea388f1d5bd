package onnx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/onnx"
	pb "github.com/kiln-ml/kiln/onnx/internal/onnxpb"
	"github.com/kiln-ml/kiln/pipeline"
	"google.golang.org/protobuf/proto"
)

// smallFrame is a few rows of every input type.
func smallFrame(t *testing.T) *dataset.Frame {
	return dataset.MustNew(
		dataset.NewFloat64("price", []float64{1.5, 2, 3.25, 4}, nil),
		dataset.NewFloat64("weight", []float64{0.5, 1.5, 1, 2}, nil),
		dataset.NewTimestamp("when", []int64{0, 1e9, 2e9, 3e9}, nil),
		dataset.NewString("city", []string{"Oslo", "Lima", "Oslo", "Pune"}, nil),
		dataset.NewString("note", []string{"red apples", "green pears", "red pears", "ripe apples"}, nil),
	)
}

func fields(f *dataset.Frame) []onnx.Field {
	var out []onnx.Field
	for _, c := range f.Columns() {
		out = append(out, onnx.Field{Name: c.Name(), Type: c.Type()})
	}
	return out
}

// Settings that ONNX cannot express faithfully are refused with an error
// that names the setting and wraps ErrUnsupported.
func TestUnsupportedSettings(t *testing.T) {
	f := smallFrame(t)
	docs := []string{"red apples", "green pears", "red pears", "ripe apples"}
	fitTable := func(tb *features.Table) *features.Table {
		if err := tb.Fit(ctx, f); err != nil {
			t.Fatal(err)
		}
		return tb
	}
	fitCV := func(cv *text.CountVectorizer) *text.CountVectorizer {
		if err := cv.Fit(ctx, docs); err != nil {
			t.Fatal(err)
		}
		return cv
	}
	hashing := &text.HashingVectorizer{NFeatures: 8}
	cases := []struct {
		name  string
		steps []any
		want  string
	}{
		{"hashed table columns", []any{fitTable(&features.Table{Numeric: []string{"price"}, Hashed: []string{"city"}, HashBuckets: 4})}, "Table.Hashed"},
		{"float categorical", []any{fitTable(&features.Table{Categorical: []string{"price"}})}, `Table.Categorical column "price" is float64`},
		{"timestamp categorical", []any{fitTable(&features.Table{Categorical: []string{"when"}})}, `Table.Categorical column "when" is timestamp`},
		{"preprocess function", []any{fitCV(&text.CountVectorizer{Preprocess: strings.ToUpper})}, "CountVectorizer.Preprocess"},
		{"hashing vectorizer first", []any{hashing}, "*text.HashingVectorizer"},
		{"hashing vectorizer after a table", []any{fitTable(&features.Table{Numeric: []string{"price"}}), hashing}, "MurmurHash3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := onnx.ExportSteps(c.steps, fields(f), onnx.Options{TextColumn: "note"})
			if err == nil {
				t.Fatal("exported; want a refusal")
			}
			if !errors.Is(err, onnx.ErrUnsupported) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q: want it to wrap ErrUnsupported and name %q", err, c.want)
			}
		})
	}
}

// Misuse is an error naming what is wrong, never a panic.
func TestBadSteps(t *testing.T) {
	f := smallFrame(t)
	fitted := &features.Table{Numeric: []string{"price", "weight"}}
	if err := fitted.Fit(ctx, f); err != nil {
		t.Fatal(err)
	}
	wrongWidth, err := models.NewLinearRegressionFromState(models.LinearRegressionState{Coef: []float64{1, 2, 3}, Intercept: 0, Rank: 3})
	if err != nil {
		t.Fatal(err)
	}
	rightWidth, err := models.NewLinearRegressionFromState(models.LinearRegressionState{Coef: []float64{1, 2}, Intercept: 0, Rank: 2})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		steps  []any
		inputs []onnx.Field
		want   error
	}{
		{"no steps", nil, fields(f), kiln.ErrEmpty},
		{"unfitted table", []any{&features.Table{Numeric: []string{"price"}}}, fields(f), kiln.ErrNotFitted},
		{"unfitted model", []any{fitted, &models.LinearRegression{}}, fields(f), kiln.ErrNotFitted},
		{"unfitted k-means", []any{fitted, &cluster.KMeans{K: 2}}, fields(f), kiln.ErrNotFitted},
		{"model of another width", []any{fitted, wrongWidth}, fields(f), kiln.ErrShape},
		{"column missing from the schema", []any{fitted}, fields(f)[1:], kiln.ErrShape},
		{"step after the model", []any{fitted, rightWidth, fitted}, fields(f), onnx.ErrUnsupported},
		{"unknown step", []any{"tokens"}, fields(f), onnx.ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := onnx.ExportSteps(c.steps, c.inputs, onnx.Options{})
			if !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
	if _, err := onnx.Export(pipeline.New(&models.LinearRegression{}), onnx.Options{}); !errors.Is(err, kiln.ErrNotFitted) {
		t.Errorf("unfitted pipeline: %v", err)
	}
}

// The model carries its name and version in metadata_props, declares the
// opsets it uses, and the same pipeline exports to the same bytes.
func TestMetadataAndDeterminism(t *testing.T) {
	f := smallFrame(t)
	p := pipeline.New(&features.Table{Numeric: []string{"price"}, Categorical: []string{"city"}, TopN: 1}, &models.LinearRegression{})
	if err := p.Fit(ctx, f, "weight"); err != nil {
		t.Fatal(err)
	}
	opts := onnx.Options{Name: "shipping", Version: "7"}
	a, err := onnx.Export(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := onnx.Export(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("two exports of one pipeline differ")
	}
	var m pb.ModelProto
	if err := proto.Unmarshal(a, &m); err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{}
	for _, kv := range m.GetMetadataProps() {
		meta[kv.GetKey()] = kv.GetValue()
	}
	if meta["name"] != "shipping" || meta["version"] != "7" {
		t.Errorf("metadata_props %v, want name shipping, version 7", meta)
	}
	opsets := map[string]int64{}
	for _, o := range m.GetOpsetImport() {
		opsets[o.GetDomain()] = o.GetVersion()
	}
	if opsets[""] != 17 || opsets["ai.onnx.ml"] != 3 || m.GetIrVersion() != 8 {
		t.Errorf("IR %d, opsets %v; want IR 8, ai.onnx 17, ai.onnx.ml 3", m.GetIrVersion(), opsets)
	}
	var in, out []string
	for _, v := range m.GetGraph().GetInput() {
		in = append(in, v.GetName())
	}
	for _, v := range m.GetGraph().GetOutput() {
		out = append(out, v.GetName())
	}
	if strings.Join(in, ",") != "price,city" || strings.Join(out, ",") != "weight" {
		t.Errorf("inputs %v, outputs %v; want price,city and weight", in, out)
	}
}
