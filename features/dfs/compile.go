package dfs

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/kiln-ml/kiln/dataset"
)

// rowExpr computes a row-local feature (identity, transform or direct) for any
// set of rows of its entity.
type rowExpr struct {
	typ ValueType
	id  int // scratch slot

	// Identity: the column, read where it is (a chunk of rows at a time by
	// the streaming path, gathered by row by the per-instance path), so that
	// no input is copied whole.
	col   *dataset.Column
	codes []int32 // a string column's dictionary codes

	via    []int32 // direct: child row -> parent row (-1 none); base describes the parent
	base   *rowExpr
	input  *rowExpr // transform
	apply  func(b, in *buffer)
	levels []string // categorical
	rank   []int32  // categorical: order of levels as strings

	// One-hot transforms: "equal" matches level code, "is_unknown" rows whose
	// level is not known (or null).
	onehot string
	code   float64
	known  []bool
}

// aggGroup computes all aggregations of one input over one child relationship.
type aggGroup struct {
	link   *link
	row    *rowExpr  // row-local input, or
	nested *aggGroup // an aggregation over grandchildren (one output)
	typ    ValueType // input type ("" for count only)
	rank   []int32   // categorical input
	outs   []aggOut

	nestedLevels []string // categorical nested input

	// ordered holds the row-local input's values in link order (child row
	// link.rows[k] at k), so that a parent's rows are one contiguous slice;
	// built once by Scorer.prepare for the per-instance path.
	ordered  []float64
	orderedT []int64
}

type aggOut struct {
	prim string
	slot int
}

// output is one column of the result.
type output struct {
	name    string // the feature's name, or the name DFS gives it if empty
	feature *Feature
	row     *rowExpr // row-local on the target, or nil
	levels  []string // categorical result
}

// Scorer is a set of definitions compiled against one EntitySet: row-local
// features resolved to columns and per-parent indexes of child rows built
// once, so that features can be computed for the whole target (Compute) or one
// instance at a time (ScoreRow) for online scoring. A Scorer is read-only and
// safe for concurrent use.
type Scorer struct {
	prepared   sync.Once
	defs       *Definitions
	es         *EntitySet
	target     *Entity
	outs       []output
	groups     []*aggGroup
	nexprs     int
	needCutoff bool
}

type compiler struct {
	es     *EntitySet
	exprs  map[string]*rowExpr // by entity + "\x00" + feature name
	links  map[string]*link
	nexprs int
	cutoff bool
}

// Compile resolves the definitions against an EntitySet: every entity,
// column, relationship and primitive must exist and fit, or the error names
// the feature and what is wrong.
func (d *Definitions) Compile(es *EntitySet) (*Scorer, error) {
	target, err := es.Entity(d.Target)
	if err != nil {
		return nil, err
	}
	if target.Index == "" {
		return nil, fmt.Errorf("dfs: target %q has no index", d.Target)
	}
	if target.Index != d.Index && d.Index != "" {
		return nil, fmt.Errorf("dfs: target %q has index %q, the definitions expect %q", d.Target, target.Index, d.Index)
	}
	c := &compiler{es: es, exprs: map[string]*rowExpr{}, links: map[string]*link{}}
	s := &Scorer{defs: d, es: es, target: target}
	groups := map[string]*aggGroup{}
	names := map[string]bool{}
	for i, f := range d.Features {
		if f == nil {
			return nil, fmt.Errorf("dfs: feature %d is nil", i)
		}
		if f.Entity != d.Target {
			return nil, fmt.Errorf("dfs: feature %q describes %q, not the target %q", f.Name, f.Entity, d.Target)
		}
		typ, err := c.check(f, 0)
		if err != nil {
			return nil, fmt.Errorf("dfs: feature %q: %w", f.Name, err)
		}
		if typ == Datetime {
			return nil, fmt.Errorf("dfs: feature %q is a datetime: datetimes are inputs to primitives, not outputs", f.Name)
		}
		out := output{feature: f, name: f.Name}
		if out.name == "" {
			out.name = featureName(f, es)
		}
		if names[out.name] || out.name == target.Index {
			return nil, fmt.Errorf("dfs: feature %d: name %q is used twice", i, out.name)
		}
		names[out.name] = true
		if f.Kind == Aggregate {
			g, levels, err := c.group(f, groups)
			if err != nil {
				return nil, fmt.Errorf("dfs: feature %q: %w", f.Name, err)
			}
			if len(g.outs) == 0 {
				s.groups = append(s.groups, g)
			}
			g.outs = append(g.outs, aggOut{prim: f.Primitive, slot: i})
			out.levels = levels
		} else {
			e, err := c.expr(f)
			if err != nil {
				return nil, fmt.Errorf("dfs: feature %q: %w", f.Name, err)
			}
			out.row = e
			out.levels = e.levels
		}
		s.outs = append(s.outs, out)
	}
	s.nexprs = c.nexprs
	s.needCutoff = c.cutoff
	return s, nil
}

// check validates a feature tree against the EntitySet and returns its type.
func (c *compiler) check(f *Feature, depth int) (ValueType, error) {
	if depth > 32 {
		return "", fmt.Errorf("features nest more than 32 deep")
	}
	e, err := c.es.Entity(f.Entity)
	if err != nil {
		return "", err
	}
	var typ ValueType
	switch f.Kind {
	case Identity:
		col, err := e.Frame.Column(f.Column)
		if err != nil {
			return "", fmt.Errorf("entity %q: %w", f.Entity, err)
		}
		typ = columnType(col.Type())
	case Transform:
		tr, ok := transforms[f.Primitive]
		if !ok {
			return "", unknownPrimitive(f.Primitive, "transform")
		}
		if f.Input == nil || f.Input.Entity != f.Entity {
			return "", fmt.Errorf("transform %s needs an input feature of %q", f.Primitive, f.Entity)
		}
		in, err := c.check(f.Input, depth+1)
		if err != nil {
			return "", err
		}
		if f.Input.Kind == Aggregate {
			return "", fmt.Errorf("transform %s of an aggregation is not supported", f.Primitive)
		}
		t, ok := tr.output(in)
		if !ok {
			return "", fmt.Errorf("transform %s does not apply to %s feature %q", f.Primitive, in, f.Input.Name)
		}
		typ = t
	case Direct:
		r, err := c.es.relationship(f.Entity, f.ChildKey)
		if err != nil {
			return "", err
		}
		if f.Input == nil || f.Input.Entity != r.Parent {
			return "", fmt.Errorf("direct feature through %s needs an input feature of %q", r, r.Parent)
		}
		if f.Input.Kind == Aggregate {
			return "", fmt.Errorf("direct feature of an aggregation is not supported (its value would depend on the cutoff of another entity)")
		}
		if typ, err = c.check(f.Input, depth+1); err != nil {
			return "", err
		}
	case Aggregate:
		ag, ok := aggregations[f.Primitive]
		if !ok {
			return "", unknownPrimitive(f.Primitive, "aggregation")
		}
		r, err := c.es.relationship(f.Child, f.ChildKey)
		if err != nil {
			return "", err
		}
		if r.Parent != f.Entity {
			return "", fmt.Errorf("relationship %s leads to %q, not %q", r, r.Parent, f.Entity)
		}
		var in ValueType
		if f.Input != nil {
			if f.Input.Entity != f.Child {
				return "", fmt.Errorf("aggregation input %q describes %q, not the child %q", f.Input.Name, f.Input.Entity, f.Child)
			}
			if in, err = c.check(f.Input, depth+1); err != nil {
				return "", err
			}
		}
		t, ok := ag.output(in)
		if !ok {
			if in == "" {
				return "", fmt.Errorf("aggregation %s needs an input feature", f.Primitive)
			}
			return "", fmt.Errorf("aggregation %s does not apply to %s feature %q", f.Primitive, in, f.Input.Name)
		}
		if f.Primitive == "time_since_last" {
			c.cutoff = true
		}
		typ = t
	default:
		return "", fmt.Errorf("unknown kind %q", f.Kind)
	}
	if f.Type != "" && f.Type != typ {
		return "", fmt.Errorf("type is %s on this data, the definition says %s", typ, f.Type)
	}
	return typ, nil
}

func columnType(t dataset.Type) ValueType {
	switch t {
	case dataset.Float64:
		return Float
	case dataset.Int64:
		return Integer
	case dataset.Bool:
		return Boolean
	case dataset.String:
		return Categorical
	}
	return Datetime
}

// expr compiles a checked row-local feature.
func (c *compiler) expr(f *Feature) (*rowExpr, error) {
	key := f.Entity + "\x00" + f.Name + "\x00" + string(f.Kind)
	if e, ok := c.exprs[key]; ok {
		return e, nil
	}
	e := &rowExpr{id: c.nexprs}
	c.nexprs++
	ent, _ := c.es.Entity(f.Entity)
	switch f.Kind {
	case Identity:
		col, _ := ent.Frame.Column(f.Column)
		e.typ = columnType(col.Type())
		e.col = col
		if col.Type() == dataset.String {
			codes, levels, _ := col.Dict() // AddEntity dictionary-encodes strings
			e.codes, e.levels, e.rank = codes, levels, levelRanks(levels)
		}
	case Transform:
		in, err := c.expr(f.Input)
		if err != nil {
			return nil, err
		}
		e.input = in
		e.typ, _ = transforms[f.Primitive].output(in.typ)
		e.apply = transforms[f.Primitive].apply
		switch f.Primitive {
		case "equal":
			code := float64(slices.Index(in.levels, f.Value)) // -1: absent from this data, never equal
			e.onehot, e.code = "equal", code
			e.apply = func(b, in *buffer) {
				b.f = grow(b.f, len(in.f))
				for i, v := range in.f {
					b.f[i] = b2f(v == code) // null compares false, as pandas' ==
				}
			}
		case "is_unknown":
			known := make([]bool, len(in.levels))
			e.onehot, e.known = "is_unknown", known
			for _, v := range f.Values {
				if k := slices.Index(in.levels, v); k >= 0 {
					known[k] = true
				}
			}
			e.apply = func(b, in *buffer) {
				b.f = grow(b.f, len(in.f))
				for i, v := range in.f {
					b.f[i] = b2f(v != v || !known[int(v)])
				}
			}
		}
	case Direct:
		r, _ := c.es.relationship(f.Entity, f.ChildKey)
		base, err := c.expr(f.Input)
		if err != nil {
			return nil, err
		}
		p, _ := c.es.Entity(r.Parent)
		kc, _ := ent.Frame.Column(f.ChildKey)
		e.via = parentRows(kc, p.keys)
		e.base = base
		e.typ = base.typ
		e.levels, e.rank = base.levels, base.rank
	}
	c.exprs[key] = e
	return e, nil
}

// gatherFloats writes an identity's values at rows into dst as float64: nulls
// and row -1 are NaN (nulls are NaN, as in pandas).
func (e *rowExpr) gatherFloats(rows []int32, dst []float64) {
	c := e.col
	switch c.Type() {
	case dataset.Float64:
		gatherAs(rows, c.Float64s(), dst, func(v float64) float64 { return v })
	case dataset.Int64:
		gatherAs(rows, c.Int64s(), dst, func(v int64) float64 { return float64(v) })
	case dataset.Bool:
		gatherAs(rows, c.Bools(), dst, b2f)
	case dataset.String:
		gatherAs(rows, e.codes, dst, func(k int32) float64 { return float64(k) })
	}
	if valid := c.Valid(); valid != nil {
		for i, r := range rows {
			if r >= 0 && !valid[r] {
				dst[i] = math.NaN()
			}
		}
	}
}

// gatherTimes writes a datetime identity's values at rows into dst: nulls
// and row -1 are nullTime.
func (e *rowExpr) gatherTimes(rows []int32, dst []int64) {
	src, valid := e.col.Int64s(), e.col.Valid()
	for i, r := range rows {
		if r < 0 || valid != nil && !valid[r] {
			dst[i] = nullTime
		} else {
			dst[i] = src[r]
		}
	}
}

func gatherAs[T any](rows []int32, src []T, dst []float64, conv func(T) float64) {
	for i, r := range rows {
		if r < 0 {
			dst[i] = math.NaN()
		} else {
			dst[i] = conv(src[r])
		}
	}
}

// chunk returns an identity's values of rows [a, b) as float64, nulls NaN:
// the column's own slice for a float64 column without nulls, else converted
// into buf (which must hold b-a values).
func (e *rowExpr) chunk(a, b int, buf []float64) []float64 {
	c := e.col
	buf = buf[:b-a]
	switch c.Type() {
	case dataset.Float64:
		if c.Valid() == nil {
			return c.Float64s()[a:b]
		}
		copy(buf, c.Float64s()[a:b])
	case dataset.Int64:
		for i, v := range c.Int64s()[a:b] {
			buf[i] = float64(v)
		}
	case dataset.Bool:
		for i, v := range c.Bools()[a:b] {
			buf[i] = b2f(v)
		}
	case dataset.String:
		for i, k := range e.codes[a:b] {
			buf[i] = float64(k)
		}
	}
	if valid := c.Valid(); valid != nil {
		for i, ok := range valid[a:b] {
			if !ok {
				buf[i] = math.NaN()
			}
		}
	}
	return buf
}

// levelRanks returns each level's position in string order, to break mode ties.
func levelRanks(levels []string) []int32 {
	order := make([]int32, len(levels))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(levels[a], levels[b]) })
	rank := make([]int32, len(levels))
	for r, k := range order {
		rank[k] = int32(r)
	}
	return rank
}

// group returns the aggregation group of an aggregate feature, creating it if
// needed: aggregations of the same input over the same relationship share one
// pass over the child rows.
func (c *compiler) group(f *Feature, groups map[string]*aggGroup) (*aggGroup, []string, error) {
	key := f.Child + "\x00" + f.ChildKey + "\x00"
	if f.Input != nil {
		key += f.Input.Name + "\x00" + string(f.Input.Kind)
	}
	if g, ok := groups[key]; ok && f.Input != nil && f.Input.Kind != Aggregate {
		return g, outLevels(f, g), nil
	}
	l, err := c.link(f.Child, f.ChildKey)
	if err != nil {
		return nil, nil, err
	}
	g := &aggGroup{link: l}
	if f.Input != nil {
		if f.Input.Kind == Aggregate {
			inner, levels, err := c.group(f.Input, map[string]*aggGroup{})
			if err != nil {
				return nil, nil, err
			}
			inner.outs = []aggOut{{prim: f.Input.Primitive, slot: 0}}
			g.nested = inner
			g.typ, _ = c.check(f.Input, 0)
			if levels != nil {
				g.rank = levelRanks(levels)
				g.nestedLevels = levels
			}
		} else {
			e, err := c.expr(f.Input)
			if err != nil {
				return nil, nil, err
			}
			g.row, g.typ, g.rank = e, e.typ, e.rank
		}
		groups[key] = g
	}
	return g, outLevels(f, g), nil
}

// outLevels returns the levels of a categorical aggregation result.
func outLevels(f *Feature, g *aggGroup) []string {
	switch f.Primitive {
	case "mode", "first", "last":
		if g.row != nil {
			return g.row.levels
		}
		return g.nestedLevels
	}
	return nil
}
