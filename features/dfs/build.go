package dfs

import "fmt"

// The constructors below build feature definitions by hand, checked against
// an EntitySet and named as DFS names them, for features DFS would not choose
// (MODE(sessions.MODE(transactions.product))) or a short list of exactly the
// features a model needs.

// NewIdentity returns the feature of a column of an entity.
func (es *EntitySet) NewIdentity(entity, column string) (*Feature, error) {
	return es.finish(&Feature{Kind: Identity, Entity: entity, Column: column})
}

// NewTransform returns a row-wise primitive (year, month, day, weekday, hour,
// is_weekend, absolute) of a feature.
func (es *EntitySet) NewTransform(primitive string, input *Feature) (*Feature, error) {
	if input == nil {
		return nil, fmt.Errorf("dfs: transform %s: no input", primitive)
	}
	return es.finish(&Feature{Kind: Transform, Entity: input.Entity, Primitive: primitive, Input: input})
}

// NewDirect returns a parent's feature copied to the rows of child through
// its column childKey.
func (es *EntitySet) NewDirect(child, childKey string, input *Feature) (*Feature, error) {
	return es.finish(&Feature{Kind: Direct, Entity: child, ChildKey: childKey, Input: input})
}

// NewAggregate returns an aggregation of a feature of child (nil for count)
// over the child rows of each row of the parent that child.childKey points at.
func (es *EntitySet) NewAggregate(primitive, child, childKey string, input *Feature) (*Feature, error) {
	r, err := es.relationship(child, childKey)
	if err != nil {
		return nil, err
	}
	return es.finish(&Feature{Kind: Aggregate, Entity: r.Parent, Primitive: primitive, Child: child, ChildKey: childKey, Input: input})
}

// finish checks a feature against the EntitySet and fills in its type and name.
func (es *EntitySet) finish(f *Feature) (*Feature, error) {
	t, err := (&compiler{es: es}).check(f, 0)
	if err != nil {
		return nil, fmt.Errorf("dfs: %w", err)
	}
	f.Type = t
	f.Name = featureName(f, es)
	return f, nil
}
