package pipeline

import (
	"strconv"
	"time"
)

// Field is one raw input column of a pipeline: its name and its dataset type
// ("float64", "int64", "string", "bool", "timestamp").
type Field struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Output kinds: what the last step of a pipeline gives.
const (
	Values   = "value"    // a regression: one number per row
	Classes  = "class"    // a classifier: one label per row, and probabilities
	Clusters = "cluster"  // k-means: one cluster id per row
	Features = "features" // no final predictor: Transform gives a matrix
)

// Outputs describes a pipeline's predictions.
type Outputs struct {
	// Name is the name of the prediction column: the target's name, or
	// "cluster" for k-means.
	Name string `json:"name,omitempty"`
	// Kind is Values, Classes, Clusters or Features.
	Kind string `json:"kind,omitempty"`
	// Type is the dataset type of the predicted column: float64 for values,
	// int64 for cluster ids, the target's type for class labels.
	Type string `json:"type,omitempty"`
	// Classes are a classifier's labels in the order of its probability
	// columns: for a numeric target the labels themselves, for a string or
	// bool target the codes 0..k-1 that the model was fitted on.
	Classes []float64 `json:"classes,omitempty"`
	// Labels are the labels of a classifier whose target was a string or a
	// bool: Labels[c] is the label of class code c ("false", "true" for a
	// bool target).
	Labels []string `json:"labels,omitempty"`
}

// Lineage records where a fitted pipeline came from.
type Lineage struct {
	// DataFingerprint is "sha256:" and the hex digest of the training rows'
	// input and target columns (see Fit).
	DataFingerprint string    `json:"data_fingerprint,omitempty"`
	Rows            int       `json:"rows,omitempty"`
	Seed            uint64    `json:"seed,omitempty"`
	Created         time.Time `json:"created"`
	Library         string    `json:"library"` // the kiln version that fitted it
}

// LibraryVersion is the kiln version that Fit records in Lineage.Library.
const LibraryVersion = "0.2.0"

// Ref names one published version of a model, so that predictions can say
// which model made them.
type Ref struct {
	Name    string
	Version int
}

// String returns "NAME@VERSION".
func (r Ref) String() string { return r.Name + "@" + strconv.Itoa(r.Version) }

// Meta is everything a fitted pipeline records besides its steps: what Fit
// learned about its inputs and outputs, and where it came from. A loader
// rebuilds a pipeline from its steps and its Meta with Assemble.
type Meta struct {
	Names          []string // step names, as StepNames returns them; nil means the defaults
	TextColumn     string
	TextPreprocess string
	Inputs         []Field
	Outputs        Outputs
	Profile        []InputProfile
	Metrics        map[string]float64
	Lineage        Lineage
	Ref            Ref
}
