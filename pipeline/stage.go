package pipeline

import (
	"context"
	"fmt"
	"reflect"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/dfs"
	"gonum.org/v1/gonum/mat"
)

// kind is what flows between steps.
type kind int

const (
	noKind     kind = iota
	frameKind       // *dataset.Frame
	docsKind        // []string: the documents of a Frame's text column
	matrixKind      // mat.Matrix, dense or sparse
	entityKind      // *dfs.EntitySet
)

func (k kind) String() string {
	switch k {
	case frameKind:
		return "a Frame"
	case docsKind:
		return "documents"
	case matrixKind:
		return "a matrix"
	case entityKind:
		return "an EntitySet"
	}
	return "nothing"
}

// stage is one step as the pipeline runs it: what it takes and gives, and
// how to fit, transform and predict with it, found once from the interfaces
// of package kiln that the step satisfies.
type stage struct {
	step any
	in   kind
	out  kind // noKind for a step that only predicts

	fit       func(ctx context.Context, x any, y []float64) error // nil for a step that learns nothing
	needsY    bool                                                // fit uses the target
	transform func(x any) (any, error)                            // nil for a step that only predicts
	predictor kiln.Predictor                                      // non-nil for a step that predicts
}

// newStage finds how a step is used. A step is an encoder of Frames, of
// documents or of EntitySets, a matrix transformer, or a predictor; a step
// with no Fit method is used as it is (for example loaded feature
// definitions).
func newStage(step any) (stage, error) {
	st := stage{step: step}
	if step == nil {
		return st, fmt.Errorf("a nil step")
	}
	// What it takes, in order of preference.
	switch {
	case transformsFrom[*dfs.EntitySet](step) || fitsOn[*dfs.EntitySet](step):
		st.in = entityKind
	case transformsFrom[*dataset.Frame](step) || fitsOn[*dataset.Frame](step):
		st.in = frameKind
	case transformsFrom[[]string](step) || fitsOn[[]string](step):
		st.in = docsKind
	case transformsFrom[mat.Matrix](step) || fitsOn[mat.Matrix](step):
		st.in = matrixKind
	default:
		if _, ok := step.(kiln.Predictor); !ok {
			if t := reflect.TypeOf(step); t.Kind() != reflect.Pointer {
				ptr := reflect.New(t).Interface()
				if _, err := newStage(ptr); err == nil {
					return st, fmt.Errorf("%T is a value: pass a pointer to it (&%T{...}), whose methods make it a step", step, step)
				}
			}
			return st, fmt.Errorf("%T is not a kiln step: it has no Fit, Transform or Predict method of the contract's shapes (see package kiln)", step)
		}
		st.in = matrixKind
	}
	switch st.in {
	case entityKind:
		st.fit, st.needsY = fitterOf[*dfs.EntitySet](step)
		st.transform, st.out = transformerOf[*dfs.EntitySet](step)
	case frameKind:
		st.fit, st.needsY = fitterOf[*dataset.Frame](step)
		st.transform, st.out = transformerOf[*dataset.Frame](step)
	case docsKind:
		st.fit, st.needsY = fitterOf[[]string](step)
		st.transform, st.out = transformerOf[[]string](step)
	case matrixKind:
		st.fit, st.needsY = fitterOf[mat.Matrix](step)
		st.transform, st.out = transformerOf[mat.Matrix](step)
	}
	if p, ok := step.(kiln.Predictor); ok && st.in == matrixKind {
		st.predictor = p
	}
	if st.transform == nil && st.predictor == nil {
		return st, fmt.Errorf("%T takes %s but has no Transform or Predict method of the contract's shapes", step, st.in)
	}
	return st, nil
}

func fitsOn[X any](step any) bool {
	_, a := step.(kiln.Fitter[X])
	_, b := step.(kiln.TargetFitter[X])
	return a || b
}

func transformsFrom[X any](step any) bool {
	f, _ := transformerOf[X](step)
	return f != nil
}

func fitterOf[X any](step any) (fit func(context.Context, any, []float64) error, needsY bool) {
	switch s := step.(type) {
	case kiln.TargetFitter[X]:
		return func(ctx context.Context, x any, y []float64) error { return s.Fit(ctx, x.(X), y) }, true
	case kiln.Fitter[X]:
		return func(ctx context.Context, x any, _ []float64) error { return s.Fit(ctx, x.(X)) }, false
	}
	return nil, false
}

// transformerOf accepts the output types the contract allows: a dense or
// sparse matrix, any mat.Matrix, or (from an EntitySet) a Frame.
func transformerOf[X any](step any) (func(any) (any, error), kind) {
	switch s := step.(type) {
	case kiln.Transformer[X, *mat.Dense]:
		return func(x any) (any, error) { return s.Transform(x.(X)) }, matrixKind
	case kiln.Transformer[X, *sparse.CSR]:
		return func(x any) (any, error) { return s.Transform(x.(X)) }, matrixKind
	case kiln.Transformer[X, mat.Matrix]:
		return func(x any) (any, error) { return s.Transform(x.(X)) }, matrixKind
	case kiln.Transformer[X, *dataset.Frame]:
		return func(x any) (any, error) { return s.Transform(x.(X)) }, frameKind
	}
	return nil, noKind
}

// accepts reports whether a stage can take what the previous one gives: a
// Frame can feed a Frame encoder, a text step (through its text column) or a
// matrix step (through its numeric columns).
func (st stage) accepts(k kind) bool {
	switch k {
	case frameKind:
		return st.in == frameKind || st.in == docsKind || st.in == matrixKind
	default:
		return st.in == k
	}
}
