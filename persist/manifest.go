package persist

import (
	"encoding/json"
	"fmt"

	"github.com/kiln-ml/kiln/pipeline"
)

// FormatName is the value of Manifest.Format in every kiln bundle.
const FormatName = "kiln"

// The format version this package writes. A reader accepts any minor version
// of its own major version (fields it does not know are ignored) and refuses a
// newer major version.
const (
	FormatMajor = 1
	FormatMinor = 2
)

// Manifest describes what a bundle holds; it is stored as JSON in the header's
// metadata, where any safetensors reader can see it.
type Manifest struct {
	Format  string  `json:"format"`  // always "kiln"
	Version Version `json:"version"` // format version of the file
	// Steps are the pipeline's steps in order, for example a
	// text.CountVectorizer followed by a models.LogisticRegression. A bundle of
	// a single learner has one step.
	Steps []Step `json:"steps"`
	// Inputs is the schema of the raw rows the pipeline accepts.
	Inputs []Field `json:"inputs,omitempty"`
	// Outputs names what the pipeline predicts, e.g. the class labels.
	Outputs Outputs `json:"outputs"`
	// Profile is each input's training distribution (format 1.1), against
	// which a server measures drift.
	Profile []InputProfile     `json:"profile,omitempty"`
	Metrics map[string]float64 `json:"metrics,omitempty"`
	Lineage Lineage            `json:"lineage"`
}

// Version is a format version, major.minor.
type Version struct {
	Major int `json:"major"`
	Minor int `json:"minor"`
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Step is one step of a pipeline: its kind (the Go type that reads it, such as
// "models.LogisticRegression"), a name unique in the bundle that prefixes its
// tensors, and its hyperparameters as plain JSON.
type Step struct {
	Kind   string          `json:"kind"`
	Name   string          `json:"name"`
	Params json.RawMessage `json:"params,omitempty"`
}

// Field, Outputs, Lineage and InputProfile are the pipeline package's types,
// stored in the manifest as they are.
type (
	Field        = pipeline.Field
	Outputs      = pipeline.Outputs
	Lineage      = pipeline.Lineage
	InputProfile = pipeline.InputProfile
)

func (m *Manifest) decode(s string) error {
	if s == "" {
		return corrupt("no %s in the header metadata (a safetensors file, but not a kiln bundle)", metaManifest)
	}
	if err := json.Unmarshal([]byte(s), m); err != nil {
		return corrupt("manifest: %v", err)
	}
	if m.Format != FormatName {
		return corrupt("manifest format is %q, not %q (not a kiln bundle)", m.Format, FormatName)
	}
	if m.Version.Major > FormatMajor {
		return fmt.Errorf("%w: the bundle is format %s, newer than this reader (%d.%d): upgrade kiln in the loading program",
			ErrUnsupportedVersion, m.Version, FormatMajor, FormatMinor)
	}
	if m.Version.Major < 1 || m.Version.Minor < 0 {
		return corrupt("invalid format version %s", m.Version)
	}
	seen := make(map[string]bool, len(m.Steps))
	for i, st := range m.Steps {
		if st.Kind == "" || st.Name == "" {
			return corrupt("manifest step %d has no kind or name", i)
		}
		if seen[st.Name] {
			return corrupt("manifest step name %q is repeated", st.Name)
		}
		seen[st.Name] = true
	}
	return nil
}
