package persist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/dfs"
	"gonum.org/v1/gonum/mat"
)

// Pipeline is a chain of fitted kiln objects that turns raw input into
// predictions, and the unit that Save writes and Load reads.
//
// Steps hold pointers to fitted objects of these kinds (the manifest's kind
// names in brackets):
//
//	*dfs.Definitions            feature definitions [dfs.Definitions]: EntitySet -> Frame
//	*features.Table             table encoder [features.Table]: Frame -> dense matrix
//	*text.CountVectorizer       [text.CountVectorizer]: documents -> sparse counts
//	*text.TfidfTransformer      [text.TfidfTransformer]: sparse counts -> sparse weights
//	*text.HashingVectorizer     [text.HashingVectorizer]: documents -> sparse hashed counts
//	*models.LinearRegression    [models.LinearRegression]: matrix -> values
//	*models.LogisticRegression  [models.LogisticRegression]: matrix -> class labels or probabilities
//	*cluster.KMeans             [cluster.KMeans]: matrix -> cluster ids
//	*cluster.MiniBatchKMeans    [cluster.MiniBatchKMeans]: matrix -> cluster ids
//
// A single learner is a one-step pipeline.
type Pipeline struct {
	Steps []any

	// TextColumn names the column that text steps read when Predict is given a
	// Frame; it defaults to the only input of type string.
	TextColumn string
	// TextPreprocess names a registered preprocessor (see RegisterPreprocessor)
	// applied to each document before the first text step. Functions cannot be
	// saved, so a CountVectorizer's own Preprocess field must be nil in a saved
	// pipeline; name the function here instead.
	TextPreprocess string

	Inputs  []Field            // schema of the raw input rows
	Outputs Outputs            // prediction name and class labels
	Metrics map[string]float64 // figures measured at training time
	Lineage Lineage            // where the model came from; Created and Library are filled in by Save when zero

	ref Ref // set when loaded from a Registry
}

// Ref returns the registry name and version the pipeline was loaded from
// (zero when it was not loaded from a registry), so that a service can attach
// them to every prediction it returns.
func (p *Pipeline) Ref() Ref { return p.ref }

var preprocessors = struct {
	sync.RWMutex
	m map[string]func(string) string
}{m: map[string]func(string) string{
	// "br_to_space" is the IMDB convention of the anchors and the seed books.
	"br_to_space": func(s string) string { return strings.ReplaceAll(s, "<br />", " ") },
}}

// RegisterPreprocessor makes a text preprocessing function available to
// pipelines by name. Register the same name and function in the program that
// saves and in every program that loads. "br_to_space" (every "<br />" becomes
// a space) is built in.
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
		return nil, fmt.Errorf("persist: text preprocessor %q is not registered (see RegisterPreprocessor)", name)
	}
	return f, nil
}

// codec saves, restores and runs one kind of step.
type codec struct {
	kind   string
	match  func(step any) bool
	encode func(step any, b *Bundle, name string) (params any, err error)
	decode func(b *Bundle, name string, params json.RawMessage) (any, error)

	in  []dataKind // what the step takes
	out dataKind   // what a transforming step gives; noData for a final learner
	// apply runs a transforming step; predict a final learner.
	apply   func(p *Pipeline, step, input any) (any, error)
	predict func(step any, x mat.Matrix) ([]float64, error)
}

var codecs []codec // filled by the codec_*.go files' init functions

func codecFor(step any) (codec, error) {
	for _, c := range codecs {
		if c.match(step) {
			return c, nil
		}
	}
	return codec{}, fmt.Errorf("persist: cannot save a step of type %T", step)
}

func codecByKind(kind string) (codec, error) {
	for _, c := range codecs {
		if c.kind == kind {
			return c, nil
		}
	}
	known := make([]string, len(codecs))
	for i, c := range codecs {
		known[i] = c.kind
	}
	sort.Strings(known)
	return codec{}, fmt.Errorf("persist: unknown step kind %q (this reader knows %s)", kind, strings.Join(known, ", "))
}

type pipelineParams struct {
	TextColumn     string `json:"text_column,omitempty"`
	TextPreprocess string `json:"text_preprocess,omitempty"`
}

// Marshal encodes the pipeline as a bundle's bytes.
func Marshal(p *Pipeline) ([]byte, error) {
	b, err := p.bundle()
	if err != nil {
		return nil, err
	}
	return Encode(b)
}

func (p *Pipeline) bundle() (*Bundle, error) {
	if len(p.Steps) == 0 {
		return nil, errors.New("persist: pipeline has no steps")
	}
	if p.TextPreprocess != "" {
		if _, err := preprocessor(p.TextPreprocess); err != nil {
			return nil, err
		}
	}
	lin := p.Lineage
	if lin.Created.IsZero() {
		lin.Created = time.Now().UTC().Truncate(time.Second)
	}
	if lin.Library == "" {
		lin.Library = LibraryVersion
	}
	b := NewBundle(Manifest{
		Format:  FormatName,
		Version: Version{FormatMajor, FormatMinor},
		Inputs:  p.Inputs,
		Outputs: p.Outputs,
		Metrics: p.Metrics,
		Lineage: lin,
	})
	for i, step := range p.Steps {
		c, err := codecFor(step)
		if err != nil {
			return nil, fmt.Errorf("persist: step %d: %w", i, err)
		}
		name := fmt.Sprintf("step%d", i)
		params, err := c.encode(step, b, name)
		if err != nil {
			return nil, fmt.Errorf("persist: step %d (%s): %w", i, c.kind, err)
		}
		raw, err := json.Marshal(params)
		if err != nil {
			return nil, fmt.Errorf("persist: step %d (%s): %w", i, c.kind, err)
		}
		b.Manifest.Steps = append(b.Manifest.Steps, Step{Kind: c.kind, Name: name, Params: raw})
	}
	pp, _ := json.Marshal(pipelineParams{p.TextColumn, p.TextPreprocess})
	b.Manifest.Steps[0].Params = withPipelineParams(b.Manifest.Steps[0].Params, pp)
	return b, nil
}

// The pipeline-level settings ride along in the first step's params under the
// key "pipeline", so the manifest needs no field a minor version lacks.
func withPipelineParams(params, pp json.RawMessage) json.RawMessage {
	if string(pp) == "{}" {
		return params
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(params, &m) != nil || m == nil {
		m = map[string]json.RawMessage{}
	}
	m["pipeline"] = pp
	out, _ := json.Marshal(m)
	return out
}

// Unmarshal decodes and verifies a bundle and rebuilds its pipeline.
func Unmarshal(buf []byte) (*Pipeline, error) {
	b, err := Decode(buf)
	if err != nil {
		return nil, err
	}
	return fromBundle(b)
}

func fromBundle(b *Bundle) (*Pipeline, error) {
	m := b.Manifest
	if len(m.Steps) == 0 {
		return nil, errors.New("persist: bundle has no steps")
	}
	p := &Pipeline{Inputs: m.Inputs, Outputs: m.Outputs, Metrics: m.Metrics, Lineage: m.Lineage}
	var head struct {
		Pipeline pipelineParams `json:"pipeline"`
	}
	if len(m.Steps[0].Params) > 0 {
		if err := json.Unmarshal(m.Steps[0].Params, &head); err != nil {
			return nil, fmt.Errorf("persist: step %q: params: %v", m.Steps[0].Name, err)
		}
	}
	p.TextColumn, p.TextPreprocess = head.Pipeline.TextColumn, head.Pipeline.TextPreprocess
	if p.TextPreprocess != "" {
		if _, err := preprocessor(p.TextPreprocess); err != nil {
			return nil, err
		}
	}
	for _, st := range m.Steps {
		c, err := codecByKind(st.Kind)
		if err != nil {
			return nil, err
		}
		step, err := c.decode(b, st.Name, st.Params)
		if err != nil {
			return nil, fmt.Errorf("persist: step %q (%s): %w", st.Name, st.Kind, err)
		}
		p.Steps = append(p.Steps, step)
	}
	if err := p.checkChain(); err != nil {
		return nil, err
	}
	return p, nil
}

// SaveOptions tune Save.
type SaveOptions struct {
	Overwrite bool // replace an existing file (the default refuses)
}

// Save writes the pipeline to path atomically (see WriteFile).
func Save(path string, p *Pipeline, opts SaveOptions) error {
	b, err := p.bundle()
	if err != nil {
		return err
	}
	return WriteFile(path, b, opts.Overwrite)
}

// Load reads, verifies and rebuilds the pipeline saved at path. It never runs
// code from the file and returns an error, not a model, for any file that is
// corrupt, truncated, of a newer major version, or of an unknown step kind.
func Load(path string) (*Pipeline, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	p, err := Unmarshal(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// PublishPipeline saves p as the next version of name in the registry.
func (r *Registry) PublishPipeline(name string, p *Pipeline) (Ref, error) {
	b, err := p.bundle()
	if err != nil {
		return Ref{}, err
	}
	return r.Publish(name, b)
}

// LoadPipeline loads the version that ref ("latest", an alias or a number)
// names; the pipeline's Ref method reports it.
func (r *Registry) LoadPipeline(name, ref string) (*Pipeline, error) {
	resolved, err := r.Resolve(name, ref)
	if err != nil {
		return nil, err
	}
	b, err := r.Open(resolved)
	if err != nil {
		return nil, err
	}
	p, err := fromBundle(b)
	if err != nil {
		return nil, err
	}
	p.ref = resolved
	return p, nil
}

// checkChain verifies that each step's output is an input the next accepts.
func (p *Pipeline) checkChain() error {
	for i := 1; i < len(p.Steps); i++ {
		prev, err := codecFor(p.Steps[i-1])
		if err != nil {
			return err
		}
		next, err := codecFor(p.Steps[i])
		if err != nil {
			return err
		}
		if prev.out == noData || !slices.Contains(next.in, prev.out) {
			return fmt.Errorf("persist: step %d (%s) cannot take the output of step %d (%s)", i, next.kind, i-1, prev.kind)
		}
	}
	return nil
}

// dataKind is what flows between steps.
type dataKind int

const (
	noData    dataKind = iota
	entitySet          // *dfs.EntitySet
	frame              // *dataset.Frame
	documents          // []string, or a Frame's text column
	matrix             // mat.Matrix, dense or *sparse.CSR
)

// Predict runs every step on input and returns the last step's predictions:
// values for a linear model, class labels for a classifier, cluster ids (as
// float64) for k-means. input is what the first step takes: a *dataset.Frame,
// a []string of documents (or a Frame holding them), a mat.Matrix, or a
// *dfs.EntitySet for a pipeline that starts with feature definitions.
func (p *Pipeline) Predict(input any) ([]float64, error) {
	x, last, err := p.modelInput(input)
	if err != nil {
		return nil, err
	}
	return last.predict(p.Steps[len(p.Steps)-1], x)
}

// PredictProba returns class probabilities (one column per class, in the order
// of the model's classes) from a pipeline that ends in a LogisticRegression.
func (p *Pipeline) PredictProba(input any) (*mat.Dense, error) {
	x, _, err := p.modelInput(input)
	if err != nil {
		return nil, err
	}
	lr, ok := p.Steps[len(p.Steps)-1].(interface {
		PredictProba(mat.Matrix) (*mat.Dense, error)
	})
	if !ok {
		return nil, fmt.Errorf("persist: the last step (%T) gives no probabilities", p.Steps[len(p.Steps)-1])
	}
	return lr.PredictProba(x)
}

// modelInput runs all steps but the last and returns their output, the final
// learner's input matrix, and the last step's codec.
func (p *Pipeline) modelInput(input any) (mat.Matrix, codec, error) {
	if len(p.Steps) == 0 {
		return nil, codec{}, errors.New("persist: pipeline has no steps")
	}
	last, err := codecFor(p.Steps[len(p.Steps)-1])
	if err != nil {
		return nil, codec{}, err
	}
	if last.predict == nil {
		return nil, codec{}, fmt.Errorf("persist: the last step (%s) makes features, not predictions; use Transform", last.kind)
	}
	v, err := p.run(p.Steps[:len(p.Steps)-1], input)
	if err != nil {
		return nil, codec{}, err
	}
	x, err := asMatrix(v)
	if err != nil {
		return nil, codec{}, fmt.Errorf("persist: last step (%s): %w", last.kind, err)
	}
	return x, last, nil
}

// Transform runs the steps that make features (all but a final learner) and
// returns their output: a matrix, or a Frame for a pipeline of feature
// definitions alone.
func (p *Pipeline) Transform(input any) (any, error) {
	steps := p.Steps
	if n := len(steps); n > 0 {
		if c, err := codecFor(steps[n-1]); err == nil && c.predict != nil {
			steps = steps[:n-1]
		}
	}
	return p.run(steps, input)
}

func (p *Pipeline) run(steps []any, v any) (any, error) {
	for i, step := range steps {
		c, err := codecFor(step)
		if err != nil {
			return nil, err
		}
		if v, err = c.apply(p, step, v); err != nil {
			return nil, fmt.Errorf("persist: step %d (%s): %w", i, c.kind, err)
		}
	}
	return v, nil
}

// documents extracts the text input of a text step.
func (p *Pipeline) documents(v any) ([]string, error) {
	var docs []string
	switch in := v.(type) {
	case []string:
		docs = in
	case *dataset.Frame:
		name := p.TextColumn
		if name == "" {
			for _, f := range p.Inputs {
				if f.Type == dataset.String.String() {
					if name != "" {
						return nil, errors.New("several string inputs: set TextColumn")
					}
					name = f.Name
				}
			}
		}
		if name == "" {
			return nil, errors.New("no text column: set TextColumn or a string input")
		}
		col, err := in.Column(name)
		if err != nil {
			return nil, err
		}
		if col.Type() != dataset.String {
			return nil, fmt.Errorf("text column %q is %s, not string", name, col.Type())
		}
		docs = col.Strings()
	default:
		return nil, fmt.Errorf("text step needs documents ([]string or a Frame), got %T", v)
	}
	if p.TextPreprocess != "" {
		f, err := preprocessor(p.TextPreprocess)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(docs))
		for i, d := range docs {
			out[i] = f(d)
		}
		docs = out
	}
	return docs, nil
}

func asFrame(v any) (*dataset.Frame, error) {
	f, ok := v.(*dataset.Frame)
	if !ok {
		return nil, fmt.Errorf("needs a *dataset.Frame, got %T", v)
	}
	return f, nil
}

func asEntitySet(v any) (*dfs.EntitySet, error) {
	es, ok := v.(*dfs.EntitySet)
	if !ok {
		return nil, fmt.Errorf("needs a *dfs.EntitySet, got %T", v)
	}
	return es, nil
}

func asMatrix(v any) (mat.Matrix, error) {
	switch m := v.(type) {
	case mat.Matrix: // dense, *sparse.CSR and the other sparse formats
		return m, nil
	}
	return nil, fmt.Errorf("needs a matrix, got %T", v)
}

var background = context.Background()
