package persist

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kiln-ml/kiln/pipeline"
)

// ErrUnsupported is wrapped by errors about a step that cannot be saved or a
// step kind this reader does not know.
var ErrUnsupported = errors.New("unsupported step")

// pipelineParams are the pipeline-level settings. They ride in the first
// step's params under the key "pipeline", as format 1.0 defined them.
type pipelineParams struct {
	TextColumn     string `json:"text_column,omitempty"`
	TextPreprocess string `json:"text_preprocess,omitempty"`
}

// Marshal encodes a fitted pipeline as a bundle's bytes.
func Marshal(p *pipeline.Pipeline) ([]byte, error) {
	b, err := bundleOf(p)
	if err != nil {
		return nil, err
	}
	return Encode(b)
}

// bundleOf turns a fitted pipeline into a bundle. It refuses a pipeline
// that is not fitted, and checks the chain of steps as Load does, so that a
// bundle that cannot be read back is never written.
func bundleOf(p *pipeline.Pipeline) (*Bundle, error) {
	if p == nil || !p.Fitted() {
		return nil, errors.New("persist: the pipeline is not fitted: call its Fit method before saving it")
	}
	m := p.Meta()
	if _, err := pipeline.Assemble(p.Steps, m); err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	lin := m.Lineage
	if lin.Created.IsZero() {
		lin.Created = time.Now().UTC().Truncate(time.Second)
	}
	if lin.Library == "" {
		lin.Library = pipeline.LibraryVersion
	}
	b := NewBundle(Manifest{
		Format:  FormatName,
		Version: Version{FormatMajor, FormatMinor},
		Inputs:  m.Inputs,
		Outputs: m.Outputs,
		Profile: m.Profile,
		Metrics: m.Metrics,
		Lineage: lin,
	})
	for i, step := range p.Steps {
		c, err := codecFor(step)
		if err != nil {
			return nil, fmt.Errorf("persist: step %d (%s): %w", i, m.Names[i], err)
		}
		name := m.Names[i]
		params, err := c.Encode(step, b, name)
		if err != nil {
			return nil, fmt.Errorf("persist: step %d (%s, %s): %w", i, name, c.Kind, err)
		}
		raw, err := json.Marshal(params)
		if err != nil {
			return nil, fmt.Errorf("persist: step %d (%s, %s): %w", i, name, c.Kind, err)
		}
		b.Manifest.Steps = append(b.Manifest.Steps, Step{Kind: c.Kind, Name: name, Params: raw})
	}
	pp, _ := json.Marshal(pipelineParams{m.TextColumn, m.TextPreprocess})
	b.Manifest.Steps[0].Params = withPipelineParams(b.Manifest.Steps[0].Params, pp)
	return b, nil
}

// withPipelineParams adds the pipeline-level settings to the first step's
// params under the key "pipeline".
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
func Unmarshal(buf []byte) (*pipeline.Pipeline, error) {
	b, err := Decode(buf)
	if err != nil {
		return nil, err
	}
	return pipelineOf(b, pipeline.Ref{})
}

// pipelineOf rebuilds the pipeline a bundle holds.
func pipelineOf(b *Bundle, ref pipeline.Ref) (*pipeline.Pipeline, error) {
	m := b.Manifest
	if len(m.Steps) == 0 {
		return nil, prefixed(corrupt("the bundle has no steps"))
	}
	var head struct {
		Pipeline pipelineParams `json:"pipeline"`
	}
	if len(m.Steps[0].Params) > 0 {
		if err := json.Unmarshal(m.Steps[0].Params, &head); err != nil {
			return nil, fmt.Errorf("persist: step %q: %w", m.Steps[0].Name, corrupt("params: %v", err))
		}
	}
	steps := make([]any, 0, len(m.Steps))
	names := make([]string, 0, len(m.Steps))
	for _, st := range m.Steps {
		c, err := codecByKind(st.Kind)
		if err != nil {
			return nil, fmt.Errorf("persist: step %q: %w", st.Name, err)
		}
		step, err := c.Decode(b, st.Name, st.Params)
		if err != nil {
			return nil, fmt.Errorf("persist: step %q (%s): %w", st.Name, st.Kind, err)
		}
		steps = append(steps, step)
		names = append(names, st.Name)
	}
	p, err := pipeline.Assemble(steps, pipeline.Meta{
		Names:          names,
		TextColumn:     head.Pipeline.TextColumn,
		TextPreprocess: head.Pipeline.TextPreprocess,
		Inputs:         m.Inputs,
		Outputs:        m.Outputs,
		Profile:        m.Profile,
		Metrics:        m.Metrics,
		Lineage:        m.Lineage,
		Ref:            ref,
	})
	if err != nil {
		// A bundle whose steps do not chain, or whose outputs do not match
		// its model, breaks the format's rules: corrupt, whatever wrote it.
		return nil, fmt.Errorf("persist: %w: %w", ErrCorrupt, err)
	}
	return p, nil
}

// SaveOptions tune Save.
type SaveOptions struct {
	Overwrite bool // replace an existing file (the default refuses)
}

// Save writes a fitted pipeline to path atomically (see WriteFile).
func Save(path string, p *pipeline.Pipeline, opts SaveOptions) error {
	b, err := bundleOf(p)
	if err != nil {
		return err
	}
	return WriteFile(path, b, opts.Overwrite)
}

// Load reads, verifies and rebuilds the pipeline saved at path. It never runs
// code from the file and returns an error, not a model, for any file that is
// corrupt, truncated, of a newer major version, or of an unknown step kind.
func Load(path string) (*pipeline.Pipeline, error) {
	buf, err := readBundleFile(path)
	if err != nil {
		return nil, err
	}
	p, err := Unmarshal(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Publish saves a fitted pipeline as the next version of name in the
// registry and returns its reference. The registry's root is created if it
// does not exist.
func (r *Registry) Publish(name string, p *pipeline.Pipeline) (Ref, error) {
	b, err := bundleOf(p)
	if err != nil {
		return Ref{}, err
	}
	return r.PublishBundle(name, b)
}

// Load loads the version of name that ref ("latest", an alias or a
// number) names; the pipeline's Ref method reports it.
func (r *Registry) Load(name, ref string) (*pipeline.Pipeline, error) {
	resolved, err := r.Resolve(name, ref)
	if err != nil {
		return nil, err
	}
	b, err := r.ReadBundle(resolved)
	if err != nil {
		return nil, err
	}
	return pipelineOf(b, resolved)
}
