package pipeline

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
)

// inputColumns finds the raw columns the first step reads, and the text
// column of a document step.
func inputColumns(first stage, data *dataset.Frame, target, textColumn string) ([]Field, string, error) {
	schema := data.Schema()
	typeOf := func(name string) (string, error) {
		for _, f := range schema {
			if f.Name == name {
				return f.Type.String(), nil
			}
		}
		return "", fmt.Errorf("pipeline: input column %q is not in the data (it has %s)", name, strings.Join(data.Names(), ", "))
	}
	fields := func(names []string) ([]Field, error) {
		out := make([]Field, 0, len(names))
		for _, n := range names {
			if n == target && target != "" {
				return nil, fmt.Errorf("pipeline: the target %q is also an input of the first step: a model must not learn from its own answer: %w", target, kiln.ErrConfig)
			}
			t, err := typeOf(n)
			if err != nil {
				return nil, err
			}
			out = append(out, Field{n, t})
		}
		return out, nil
	}
	others := func(keep func(dataset.Type) bool) []string {
		var names []string
		for _, f := range schema {
			if f.Name != target && keep(f.Type) {
				names = append(names, f.Name)
			}
		}
		return names
	}
	switch first.in {
	case frameKind:
		names := others(func(dataset.Type) bool { return true })
		if c, ok := first.step.(interface{ Columns() []string }); ok {
			names = c.Columns()
		}
		in, err := fields(names)
		return in, textColumn, err
	case docsKind:
		if textColumn == "" {
			text := others(func(t dataset.Type) bool { return t == dataset.String })
			if len(text) != 1 {
				return nil, "", fmt.Errorf("pipeline: the first step (%T) reads documents, and the data has %d string columns besides the target (%s): set TextColumn: %w",
					first.step, len(text), strings.Join(text, ", "), kiln.ErrConfig)
			}
			textColumn = text[0]
		}
		in, err := fields([]string{textColumn})
		if err == nil && in[0].Type != dataset.String.String() {
			err = fmt.Errorf("pipeline: text column %q is %s, not string", textColumn, in[0].Type)
		}
		return in, textColumn, err
	case matrixKind:
		numeric := func(t dataset.Type) bool { return t == dataset.Float64 || t == dataset.Int64 || t == dataset.Bool }
		if bad := others(func(t dataset.Type) bool { return !numeric(t) }); len(bad) > 0 {
			return nil, "", fmt.Errorf("pipeline: the first step (%T) reads numbers, and columns %s are not numeric: drop them or encode them with a features.Table first: %w",
				first.step, strings.Join(bad, ", "), kiln.ErrConfig)
		}
		in, err := fields(others(numeric))
		return in, textColumn, err
	}
	return nil, textColumn, nil
}

// documents returns the text column of f, preprocessed.
func (p *Pipeline) documents(f *dataset.Frame, textColumn string) ([]string, error) {
	col, err := f.Column(textColumn)
	if err != nil {
		return nil, fmt.Errorf("text column: %w", err)
	}
	if col.Type() != dataset.String {
		return nil, fmt.Errorf("text column %q is %s, not string", textColumn, col.Type())
	}
	docs := col.Strings()
	if n := col.NullCount(); n > 0 {
		return nil, fmt.Errorf("text column %q has %d missing documents (first at row %d)", textColumn, n, firstNull(col))
	}
	if p.TextPreprocess == "" {
		return docs, nil
	}
	fn, err := preprocessor(p.TextPreprocess)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = fn(d)
	}
	return out, nil
}

var preprocessors = struct {
	sync.RWMutex
	m map[string]func(string) string
}{m: map[string]func(string) string{
	// "br_to_space" is the IMDB convention: every "<br />" becomes a space.
	"br_to_space": func(s string) string { return strings.ReplaceAll(s, "<br />", " ") },
}}

// RegisterPreprocessor makes a text preprocessing function available to
// pipelines by name (Pipeline.TextPreprocess). Register the same name and
// function in the program that fits and in every program that loads.
// "br_to_space" (every "<br />" becomes a space) is built in.
func RegisterPreprocessor(name string, f func(string) string) {
	preprocessors.Lock()
	defer preprocessors.Unlock()
	preprocessors.m[name] = f
}

func preprocessor(name string) (func(string) string, error) {
	preprocessors.RLock()
	defer preprocessors.RUnlock()
	f, ok := preprocessors.m[name]
	if !ok {
		known := make([]string, 0, len(preprocessors.m))
		for k := range preprocessors.m {
			known = append(known, k)
		}
		slices.Sort(known)
		return nil, fmt.Errorf("pipeline: text preprocessor %q is not registered (RegisterPreprocessor; known: %s): %w", name, strings.Join(known, ", "), kiln.ErrConfig)
	}
	return f, nil
}
