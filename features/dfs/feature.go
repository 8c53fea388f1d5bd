package dfs

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Kind says how a feature is computed.
type Kind string

// The kinds of feature.
const (
	Identity  Kind = "identity"  // a column of the entity itself
	Transform Kind = "transform" // a row-wise primitive of another feature of the same entity
	Direct    Kind = "direct"    // a feature of the parent, copied to each child row
	Aggregate Kind = "aggregate" // an aggregation primitive over a child's rows
)

// ValueType is the logical type of a feature's values.
type ValueType string

// The value types features have.
const (
	Float       ValueType = "float"       // real number; output as a Float64 column
	Integer     ValueType = "integer"     // whole number; output as an Int64 column
	Boolean     ValueType = "boolean"     // true/false; output as a Bool column
	Categorical ValueType = "categorical" // string from a small set; output as a String column
	Datetime    ValueType = "datetime"    // instant; output as a Timestamp column
)

func (t ValueType) numeric() bool { return t == Float || t == Integer }

// Feature is the definition of one feature: a plain value that marshals to
// JSON and can be computed again on any EntitySet with the same schema.
//
// A feature describes rows of Entity. Identity reads Column; Transform applies
// Primitive to Input (Value and Values parametrize the one-hot primitives
// "equal" and "is_unknown"); Direct reads Input, a feature of the parent
// reached through the child column ChildKey; Aggregate applies Primitive to
// Input, a feature of Child (nil for count), over the child rows whose column
// ChildKey points at the row.
type Feature struct {
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Entity    string    `json:"entity"`
	Type      ValueType `json:"type"`
	Column    string    `json:"column,omitempty"`
	Primitive string    `json:"primitive,omitempty"`
	Value     string    `json:"value,omitempty"`
	Values    []string  `json:"values,omitempty"`
	Child     string    `json:"child,omitempty"`
	ChildKey  string    `json:"child_key,omitempty"`
	Input     *Feature  `json:"input,omitempty"`
}

// Depth is the number of primitives and relationship hops stacked in the
// feature: 0 for a column, 1 for SUM(flights.distance), 2 for
// MEAN(flights.MONTH(date)).
func (f *Feature) Depth() int {
	if f.Kind == Identity {
		return 0
	}
	if f.Input == nil {
		return 1
	}
	if f.Primitive == "equal" || f.Primitive == "is_unknown" {
		return f.Input.Depth() // one-hot columns stand in for the column they encode
	}
	return f.Input.Depth() + 1
}

// featureName builds the Featuretools name of a feature from its parts.
func featureName(f *Feature, es *EntitySet) string {
	switch f.Kind {
	case Identity:
		return f.Column
	case Transform:
		switch f.Primitive {
		case "equal":
			return f.Input.Name + " = " + f.Value
		case "is_unknown":
			return f.Input.Name + " is unknown"
		}
		return strings.ToUpper(f.Primitive) + "(" + f.Input.Name + ")"
	case Direct:
		return linkName(es, f.Entity, f.ChildKey, f.Input.Entity) + "." + f.Input.Name
	case Aggregate:
		if f.Input == nil {
			return strings.ToUpper(f.Primitive) + "(" + f.Child + ")"
		}
		return strings.ToUpper(f.Primitive) + "(" + f.Child + "." + f.Input.Name + ")"
	}
	return ""
}

// linkName names the parent reached through child.childKey: the parent's name,
// or parent[childKey] when the child has several relationships to that parent
// (flights.origin and flights.dest both point at airports).
func linkName(es *EntitySet, child, childKey, parent string) string {
	if es == nil {
		return parent
	}
	n := 0
	for _, r := range es.relationships {
		if r.Child == child && r.Parent == parent {
			n++
		}
	}
	if n > 1 {
		return parent + "[" + childKey + "]"
	}
	return parent
}

// Definitions are the features DFS chose for a target entity, in the order of
// the feature matrix's columns. They marshal to JSON with encoding/json (read
// them back with ParseDefinitions) and are computed on new data with Compute
// or Compile.
type Definitions struct {
	Target   string     `json:"target"`
	Index    string     `json:"index"` // the target's index column, the matrix's first column
	Features []*Feature `json:"features"`
}

// Names returns the feature names in order.
func (d *Definitions) Names() []string {
	out := make([]string, len(d.Features))
	for i, f := range d.Features {
		out[i] = f.Name
	}
	return out
}

// ParseDefinitions reads definitions marshaled to JSON. It checks their
// shape (kinds, nesting, primitives); whether the columns and relationships
// exist is checked when they are compiled against an EntitySet.
func ParseDefinitions(data []byte) (*Definitions, error) {
	var d Definitions
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dfs: definitions: %w", err)
	}
	if d.Target == "" {
		return nil, fmt.Errorf("dfs: definitions: no target entity")
	}
	for i, f := range d.Features {
		if f == nil {
			return nil, fmt.Errorf("dfs: definitions: feature %d is null", i)
		}
		if err := checkShape(f, 0); err != nil {
			return nil, fmt.Errorf("dfs: definitions: feature %d (%q): %w", i, f.Name, err)
		}
		if f.Entity != d.Target {
			return nil, fmt.Errorf("dfs: definitions: feature %d (%q) describes %q, not the target %q", i, f.Name, f.Entity, d.Target)
		}
	}
	return &d, nil
}

// checkShape checks one feature tree without an EntitySet.
func checkShape(f *Feature, depth int) error {
	if depth > 32 {
		return fmt.Errorf("features nest more than 32 deep")
	}
	if f.Entity == "" {
		return fmt.Errorf("no entity")
	}
	switch f.Kind {
	case Identity:
		if f.Column == "" || f.Input != nil {
			return fmt.Errorf("identity feature needs a column and no input")
		}
		return nil
	case Transform:
		if _, ok := transforms[f.Primitive]; !ok {
			return unknownPrimitive(f.Primitive, "transform")
		}
		if f.Input == nil {
			return fmt.Errorf("transform %s has no input", f.Primitive)
		}
		if f.Input.Entity != f.Entity {
			return fmt.Errorf("transform input describes %q, not %q", f.Input.Entity, f.Entity)
		}
	case Direct:
		if f.Input == nil || f.ChildKey == "" {
			return fmt.Errorf("direct feature needs an input and a child key")
		}
	case Aggregate:
		if _, ok := aggregations[f.Primitive]; !ok {
			return unknownPrimitive(f.Primitive, "aggregation")
		}
		if f.Child == "" || f.ChildKey == "" {
			return fmt.Errorf("aggregation needs a child entity and key")
		}
		if f.Input == nil {
			if f.Primitive != "count" {
				return fmt.Errorf("aggregation %s has no input", f.Primitive)
			}
			return nil
		}
		if f.Input.Entity != f.Child {
			return fmt.Errorf("aggregation input describes %q, not the child %q", f.Input.Entity, f.Child)
		}
	default:
		return fmt.Errorf("unknown kind %q", f.Kind)
	}
	return checkShape(f.Input, depth+1)
}
