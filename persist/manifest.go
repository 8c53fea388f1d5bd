package persist

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// FormatName is the value of Manifest.Format in every kiln bundle.
const FormatName = "kiln"

// The format version this package writes. A reader accepts any minor version
// of its own major version (fields it does not know are ignored) and refuses a
// newer major version.
const (
	FormatMajor = 1
	FormatMinor = 0
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
	Outputs Outputs            `json:"outputs"`
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

// Field is a named, typed input column.
type Field struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Outputs describes predictions: their name and, for classifiers, the labels.
type Outputs struct {
	Name    string    `json:"name,omitempty"`
	Classes []float64 `json:"classes,omitempty"`
}

// Lineage records where a model came from.
type Lineage struct {
	DataFingerprint string    `json:"data_fingerprint,omitempty"` // e.g. SHA-256 of the training rows
	Rows            int       `json:"rows,omitempty"`
	Seed            uint64    `json:"seed,omitempty"`
	Created         time.Time `json:"created"`
	Library         string    `json:"library"` // kiln version that wrote the file
}

func (m *Manifest) decode(s string) error {
	if s == "" {
		return errors.New("persist: not a kiln bundle: no kiln.manifest in the header metadata")
	}
	if err := json.Unmarshal([]byte(s), m); err != nil {
		return fmt.Errorf("persist: corrupt manifest: %v", err)
	}
	if m.Format != FormatName {
		return fmt.Errorf("persist: not a kiln bundle: format %q", m.Format)
	}
	if m.Version.Major > FormatMajor {
		return fmt.Errorf("persist: bundle format version %s is newer than this reader (%d.%d): upgrade kiln to read it", m.Version, FormatMajor, FormatMinor)
	}
	if m.Version.Major < 1 {
		return fmt.Errorf("persist: invalid bundle format version %s", m.Version)
	}
	seen := make(map[string]bool, len(m.Steps))
	for i, st := range m.Steps {
		if st.Kind == "" || st.Name == "" {
			return fmt.Errorf("persist: manifest step %d has no kind or name", i)
		}
		if seen[st.Name] {
			return fmt.Errorf("persist: manifest step name %q is repeated", st.Name)
		}
		seen[st.Name] = true
	}
	return nil
}

// FieldsOf returns the named columns of a schema as manifest input fields (all
// columns when no names are given), so that a saved pipeline records the raw
// rows it expects: Pipeline{Inputs: persist.FieldsOf(train.Schema(), ...)}.
func FieldsOf(s dataset.Schema, names ...string) ([]Field, error) {
	if len(names) == 0 {
		out := make([]Field, len(s))
		for i, f := range s {
			out[i] = Field{f.Name, f.Type.String()}
		}
		return out, nil
	}
	byName := make(map[string]dataset.Type, len(s))
	for _, f := range s {
		byName[f.Name] = f.Type
	}
	out := make([]Field, len(names))
	for i, n := range names {
		t, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("persist: schema has no column %q", n)
		}
		out[i] = Field{n, t.String()}
	}
	return out, nil
}
