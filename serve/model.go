package serve

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

// scorer is what the server needs of a fitted pipeline: the methods of
// *pipeline.Pipeline that scoring uses, so that tests can wrap one.
type scorer interface {
	Predict(*dataset.Frame) (*dataset.Column, error)
	PredictProba(*dataset.Frame) (*mat.Dense, error) // columns in Classes order
	Classes() *dataset.Column                        // nil unless a classifier
	Inputs() []pipeline.Field
	Outputs() pipeline.Outputs
	Profile() []pipeline.InputProfile // nil when the bundle records no training distribution
}

var _ scorer = (*pipeline.Pipeline)(nil)

// field is one raw input column of a model.
type field struct {
	Name string
	Type dataset.Type
}

// outputSpec describes a model's predictions.
type outputSpec struct {
	Name string
	Kind string       // "value", "class" or "cluster"
	Type dataset.Type // the type of the prediction column
}

// inputProfile is the training distribution of one input, the baseline of
// the population stability index. A numeric input has Edges (ascending bin
// edges: bin 0 holds x <= Edges[0], bin i holds Edges[i-1] < x <= Edges[i],
// the last bin x > Edges[len-1]) and Fractions, one per bin; a categorical
// input has Categories and Fractions, one per category, plus a last fraction
// for values outside them. Fractions and Null are shares of all training
// rows, so that together they sum to 1.
type inputProfile struct {
	Name       string
	Edges      []float64
	Categories []string
	Fractions  []float64
	Null       float64
	Seen       []string // every distinct training value, sorted; nil when not recorded
}

// describe reads what the server needs from a model's metadata.
func describeModel(m scorer) ([]field, outputSpec, []inputProfile, error) {
	if len(m.Inputs()) == 0 {
		return nil, outputSpec{}, nil, errors.New("the bundle records no input schema, so requests cannot be typed")
	}
	var inputs []field
	for _, f := range m.Inputs() {
		t, err := dataset.ParseType(f.Type)
		if err != nil {
			return nil, outputSpec{}, nil, fmt.Errorf("input %q: %v", f.Name, err)
		}
		inputs = append(inputs, field{f.Name, t})
	}
	o := m.Outputs()
	out := outputSpec{Name: o.Name, Kind: o.Kind, Type: dataset.Float64}
	if out.Name == "" {
		out.Name = "prediction"
	}
	if o.Type != "" {
		t, err := dataset.ParseType(o.Type)
		if err != nil {
			return nil, outputSpec{}, nil, fmt.Errorf("output %q: %v", o.Name, err)
		}
		out.Type = t
	}
	switch out.Kind {
	case pipeline.Values, pipeline.Classes, pipeline.Clusters:
	default:
		return nil, outputSpec{}, nil, fmt.Errorf("the model makes %q, not predictions", out.Kind)
	}
	var profile []inputProfile
	for _, p := range m.Profile() {
		ip := inputProfile{Name: p.Name, Edges: p.Edges, Categories: p.Levels, Null: p.Nulls, Seen: p.SeenValues}
		for _, f := range p.Fractions { // shares of the non-null values -> of all rows
			ip.Fractions = append(ip.Fractions, f*(1-p.Nulls))
		}
		profile = append(profile, ip)
	}
	return inputs, out, profile, nil
}

// knownCategories returns, per string input, the categories seen in
// training, sorted: the profile's list of every distinct training value
// (pipeline.InputProfile.SeenValues, recorded up to pipeline.MaxSeen
// values), or, for a bundle written before profiles held that list, its
// most frequent levels when they cover every training value (the last,
// "other" bin is empty). nil for other inputs and where the bundle does not
// say which values were seen, so that no value is reported there.
func knownCategories(inputs []field, profile []inputProfile) [][]string {
	out := make([][]string, len(inputs))
	for _, p := range profile {
		known := p.Seen
		if known == nil && len(p.Categories) > 0 && len(p.Fractions) == len(p.Categories)+1 && p.Fractions[len(p.Categories)] == 0 {
			known = slices.Sorted(slices.Values(p.Categories))
		}
		if known == nil {
			continue
		}
		for i, f := range inputs {
			if f.Name == p.Name && f.Type == dataset.String {
				out[i] = known
			}
		}
	}
	return out
}

// nonFinite returns the first row of a prediction column or probability
// matrix that is NaN or infinite, or -1.
func nonFinite(pred *dataset.Column, proba *mat.Dense) (row int, value float64) {
	if pred != nil && pred.Type() == dataset.Float64 {
		for i, v := range pred.Float64s() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return i, v
			}
		}
	}
	if proba != nil {
		r, c := proba.Dims()
		raw := proba.RawMatrix()
		for i := 0; i < r; i++ {
			for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return i, v
				}
			}
		}
	}
	return -1, 0
}
