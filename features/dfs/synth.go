package dfs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
)

// DFS configures deep feature synthesis: which features to build for the rows
// of Target by stacking primitives along the EntitySet's relationships.
//
// From the target, aggregations reach down to children (and, with enough
// depth, grandchildren: MEAN(sessions.SUM(transactions.amount))); direct
// features reach up from an entity to its parents (flights.airlines.name, or
// planes.year on flights), and transforms apply row-wise
// (MONTH(flights.date)). An entity already on the path is not visited again,
// so features never go back the way they came.
type DFS struct {
	Target string
	// MaxDepth bounds the stacking (0 means 2): SUM(flights.distance) has
	// depth 1, MEAN(flights.MONTH(date)) depth 2.
	MaxDepth int
	// Aggregations and Transforms name the primitives to use; nil means
	// DefaultAggregations and DefaultTransforms. An empty, non-nil slice uses none.
	Aggregations []string
	Transforms   []string
	// IgnoreEntities are not visited; IgnoreColumns[entity] lists columns not used.
	IgnoreEntities []string
	IgnoreColumns  map[string][]string
	// OneHot replaces categorical columns by one-hot columns before synthesis,
	// as Featuretools' encode_features does.
	OneHot []OneHot
}

// OneHot encodes one categorical column as booleans "col = value" for its
// TopN most frequent values (ties: smaller value first), plus "col is
// unknown" (true for other values and nulls) unless DropUnknown is set. The
// values are chosen from the data DFS runs on and kept in the definitions, so
// new data is encoded the same way.
type OneHot struct {
	Entity, Column string
	TopN           int // 0 means 10
	DropUnknown    bool
}

// Run synthesizes the feature definitions and computes the feature matrix.
func (d DFS) Run(ctx context.Context, es *EntitySet, opt Options) (*dataset.Frame, *Definitions, error) {
	defs, err := d.Definitions(es)
	if err != nil {
		return nil, nil, err
	}
	fm, err := defs.Compute(ctx, es, opt)
	if err != nil {
		return nil, nil, err
	}
	return fm, defs, nil
}

type synth struct {
	es      *EntitySet
	cfg     DFS
	aggs    []string
	trans   []string
	onehot  map[string][]*Feature // entity + "." + column -> encoded features
	logical map[*Feature]LogicalType
}

// Definitions synthesizes the features without computing them.
func (d DFS) Definitions(es *EntitySet) (*Definitions, error) {
	target, err := es.Entity(d.Target)
	if err != nil {
		return nil, err
	}
	if target.Index == "" {
		return nil, fmt.Errorf("dfs: target %q has no index", d.Target)
	}
	s := &synth{es: es, cfg: d, aggs: d.Aggregations, trans: d.Transforms, onehot: map[string][]*Feature{},
		logical: map[*Feature]LogicalType{}}
	if s.aggs == nil {
		s.aggs = DefaultAggregations
	}
	if s.trans == nil {
		s.trans = DefaultTransforms
	}
	for _, p := range s.aggs {
		if _, ok := aggregations[p]; !ok {
			return nil, fmt.Errorf("dfs: %w", unknownPrimitive(p, "aggregation"))
		}
	}
	for _, p := range s.trans {
		if _, ok := transforms[p]; !ok || p == "equal" || p == "is_unknown" {
			return nil, fmt.Errorf("dfs: %w", unknownPrimitive(p, "transform"))
		}
	}
	for e, cols := range d.IgnoreColumns {
		ent, err := es.Entity(e)
		if err != nil {
			return nil, fmt.Errorf("dfs: IgnoreColumns: %w", err)
		}
		for _, c := range cols {
			if !ent.Frame.Has(c) {
				return nil, fmt.Errorf("dfs: IgnoreColumns: entity %q has no column %q", e, c)
			}
		}
	}
	for _, e := range d.IgnoreEntities {
		if _, err := es.Entity(e); err != nil {
			return nil, fmt.Errorf("dfs: IgnoreEntities: %w", err)
		}
	}
	for _, oh := range d.OneHot {
		fs, err := es.OneHotFeatures(oh)
		if err != nil {
			return nil, err
		}
		s.onehot[oh.Entity+"."+oh.Column] = fs
	}
	depth := d.MaxDepth
	if depth <= 0 {
		depth = 2
	}
	defs := &Definitions{Target: d.Target, Index: target.Index}
	for _, f := range s.build(d.Target, depth, []string{d.Target}, true) {
		if f.Type != Datetime {
			defs.Features = append(defs.Features, f)
		}
	}
	return defs, nil
}

// build returns the features of entity e within the depth budget. path holds
// the entities already visited; aggregates says whether aggregations may be
// built (not below a direct feature, whose value would then depend on other
// instances' cutoffs). Which primitives apply follows the logical types of
// the columns (see LogicalType), recorded for every feature built in
// s.logical.
func (s *synth) build(e string, depth int, path []string, aggregates bool) []*Feature {
	ent := s.es.entities[e]
	var out []*Feature
	// Columns of the entity itself, and transforms of them.
	var base []*Feature
	for _, col := range ent.Frame.Columns() {
		name := col.Name()
		if name == ent.Index || slices.Contains(s.cfg.IgnoreColumns[e], name) {
			continue
		}
		if oh, ok := s.onehot[e+"."+name]; ok {
			for _, f := range oh {
				s.logical[f] = LogicalBoolean
			}
			base = append(base, oh...)
			continue
		}
		f := &Feature{Name: name, Kind: Identity, Entity: e, Column: name, Type: columnType(col.Type())}
		s.logical[f] = ent.types[name]
		base = append(base, f)
	}
	out = append(out, base...)
	if depth == 0 {
		return out
	}
	for _, f := range base {
		for _, p := range s.trans {
			lt, apply := transformLogical(p, s.logical[f])
			if t, ok := transforms[p].output(f.Type); ok && apply && f.Depth()+1 <= depth {
				tf := &Feature{Kind: Transform, Entity: e, Primitive: p, Input: f, Type: t}
				tf.Name = featureName(tf, s.es)
				s.logical[tf] = lt
				out = append(out, tf)
			}
		}
	}
	// Direct features from parents not on the path.
	for _, r := range s.es.relationships {
		if r.Child != e || slices.Contains(path, r.Parent) || slices.Contains(s.cfg.IgnoreEntities, r.Parent) {
			continue
		}
		for _, pf := range s.build(r.Parent, depth-1, append(slices.Clone(path), r.Parent), false) {
			f := &Feature{Kind: Direct, Entity: e, ChildKey: r.ChildKey, Input: pf, Type: pf.Type}
			f.Name = featureName(f, s.es)
			s.logical[f] = s.logical[pf]
			out = append(out, f)
		}
	}
	if !aggregates {
		return out
	}
	// Aggregations over children not on the path.
	for _, r := range s.es.relationships {
		if r.Parent != e || slices.Contains(path, r.Child) || slices.Contains(s.cfg.IgnoreEntities, r.Child) {
			continue
		}
		if slices.Contains(s.aggs, "count") {
			f := &Feature{Kind: Aggregate, Entity: e, Primitive: "count", Child: r.Child, ChildKey: r.ChildKey, Type: Integer}
			f.Name = featureName(f, s.es)
			s.logical[f] = LogicalNumeric
			out = append(out, f)
		}
		for _, cf := range s.build(r.Child, depth-1, append(slices.Clone(path), r.Child), true) {
			if cf.Kind == Identity && cf.Column == r.ChildKey {
				continue // the key that links the child to e: one value per parent
			}
			for _, p := range s.aggs {
				if p == "count" {
					continue
				}
				t, ok := aggregations[p].output(cf.Type)
				if !ok || !acceptsLogical(p, s.logical[cf]) || cf.Kind == Aggregate && cf.Primitive == p {
					continue // SUM(x.SUM(y)) adds nothing over the child's own sum
				}
				f := &Feature{Kind: Aggregate, Entity: e, Primitive: p, Child: r.Child, ChildKey: r.ChildKey, Input: cf, Type: t}
				f.Name = featureName(f, s.es)
				s.logical[f] = aggregateLogical(p, s.logical[cf])
				out = append(out, f)
			}
		}
	}
	return out
}

// OneHotFeatures returns the one-hot features of a categorical column: "col =
// value" for its TopN most frequent non-null values, then "col is unknown"
// unless DropUnknown.
func (es *EntitySet) OneHotFeatures(oh OneHot) ([]*Feature, error) {
	ent, err := es.Entity(oh.Entity)
	if err != nil {
		return nil, fmt.Errorf("dfs: one-hot: %w", err)
	}
	col, err := ent.Frame.Column(oh.Column)
	if err != nil {
		return nil, fmt.Errorf("dfs: one-hot of entity %q: %w", oh.Entity, err)
	}
	codes, levels, ok := col.Dict()
	if !ok {
		return nil, fmt.Errorf("dfs: one-hot %s.%s: column is %s, want string", oh.Entity, oh.Column, col.Type())
	}
	top := oh.TopN
	if top <= 0 {
		top = 10
	}
	counts := make([]int, len(levels))
	for i, k := range codes {
		if !col.IsNull(i) {
			counts[k]++
		}
	}
	order := make([]int, 0, len(levels))
	for k, n := range counts {
		if n > 0 {
			order = append(order, k)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(levels[a], levels[b])
	})
	order = order[:min(top, len(order))]
	in := &Feature{Name: oh.Column, Kind: Identity, Entity: oh.Entity, Column: oh.Column, Type: Categorical}
	var out []*Feature
	var values []string
	for _, k := range order {
		f := &Feature{Kind: Transform, Entity: oh.Entity, Primitive: "equal", Value: levels[k], Input: in, Type: Boolean}
		f.Name = featureName(f, es)
		out = append(out, f)
		values = append(values, levels[k])
	}
	if !oh.DropUnknown {
		f := &Feature{Kind: Transform, Entity: oh.Entity, Primitive: "is_unknown", Values: values, Input: in, Type: Boolean}
		f.Name = featureName(f, es)
		out = append(out, f)
	}
	return out, nil
}
