package dfs

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
)

// Entity is one table of an EntitySet: a frame, the column that identifies its
// rows (Index), and optionally the Timestamp column that says when each row
// became known (TimeIndex), which cutoff times compare against. Each column
// has a LogicalType.
type Entity struct {
	Name      string
	Frame     *dataset.Frame
	Index     string
	TimeIndex string

	keys  keyIndex               // index value -> row
	types map[string]LogicalType // column -> logical type
}

// Relationship links a child's foreign-key column to its parent's index:
// every child row belongs to the parent row whose index equals its key.
type Relationship struct {
	Parent   string // parent entity; the key is its Index column
	Child    string // child entity
	ChildKey string // column of the child holding the parent's index value
}

func (r Relationship) String() string {
	return fmt.Sprintf("%s.%s -> %s", r.Child, r.ChildKey, r.Parent)
}

// EntitySet is a set of related tables: entities joined by parent-child
// relationships that form a directed acyclic graph. Build it with AddEntity,
// AddRelationship and NormalizeEntity; an EntitySet is then read-only and safe
// to share between goroutines.
type EntitySet struct {
	entities      map[string]*Entity
	order         []string // entity names in insertion order
	relationships []Relationship
}

// NewEntitySet returns an empty EntitySet.
func NewEntitySet() *EntitySet {
	return &EntitySet{entities: map[string]*Entity{}}
}

// Entity returns the named entity, or an error listing the entities there are.
func (es *EntitySet) Entity(name string) (*Entity, error) {
	e, ok := es.entities[name]
	if !ok {
		return nil, fmt.Errorf("dfs: no entity %q (have %s)", name, strings.Join(es.order, ", "))
	}
	return e, nil
}

// Entities returns the entity names in the order they were added.
func (es *EntitySet) Entities() []string { return slices.Clone(es.order) }

// Relationships returns the relationships in the order they were added.
func (es *EntitySet) Relationships() []Relationship { return slices.Clone(es.relationships) }

// AddEntity adds a table. index names a non-null, unique Int64 or String
// column; it may be empty for an entity that is only ever a child (flights
// need no id to be aggregated into planes), which then cannot be a parent or
// a target; timeIndex, if not empty, names a Timestamp column without nulls.
// String columns are dictionary-encoded on the way in, so that grouping and
// one-hot encoding work on integer codes.
//
// Each column gets a logical type inferred from its storage: the index is
// LogicalIndex, Float64 and Int64 columns are LogicalNumeric, Bool columns
// LogicalBoolean, Timestamp columns (the time index among them)
// LogicalDatetime and String columns LogicalCategorical. AddRelationship
// makes a child's key LogicalID; SetLogicalTypes declares the rest (an Int64
// id column is the usual case).
func (es *EntitySet) AddEntity(name string, f *dataset.Frame, index, timeIndex string) error {
	if name == "" {
		return fmt.Errorf("dfs: entity name is empty")
	}
	if strings.ContainsAny(name, ".()[]=") {
		return fmt.Errorf("dfs: entity name %q contains one of . ( ) [ ] =, which feature names use", name)
	}
	if _, dup := es.entities[name]; dup {
		return fmt.Errorf("dfs: entity %q already exists", name)
	}
	if f == nil {
		return fmt.Errorf("dfs: entity %q: frame is nil", name)
	}
	cols := make([]*dataset.Column, f.NumCols())
	for i, c := range f.Columns() {
		cols[i] = dataset.DictEncode(c)
	}
	f, err := dataset.New(cols...)
	if err != nil {
		return fmt.Errorf("dfs: entity %q: %w", name, err)
	}
	var keys keyIndex
	if index != "" {
		ic, err := f.Column(index)
		if err != nil {
			return fmt.Errorf("dfs: entity %q: index: %w", name, err)
		}
		if ic.Type() != dataset.Int64 && ic.Type() != dataset.String {
			return fmt.Errorf("dfs: entity %q: index column %q is %s, want int64 or string", name, index, ic.Type())
		}
		if ic.NullCount() > 0 {
			return fmt.Errorf("dfs: entity %q: index column %q has %d nulls", name, index, ic.NullCount())
		}
		if keys, err = newKeyIndex(ic); err != nil {
			return fmt.Errorf("dfs: entity %q: %w", name, err)
		}
	}
	if timeIndex != "" {
		tc, err := f.Column(timeIndex)
		if err != nil {
			return fmt.Errorf("dfs: entity %q: time index: %w", name, err)
		}
		if tc.Type() != dataset.Timestamp {
			return fmt.Errorf("dfs: entity %q: time index %q is %s, want timestamp", name, timeIndex, tc.Type())
		}
		if tc.NullCount() > 0 {
			return fmt.Errorf("dfs: entity %q: time index %q has %d nulls", name, timeIndex, tc.NullCount())
		}
	}
	types := make(map[string]LogicalType, f.NumCols())
	for _, c := range f.Columns() {
		types[c.Name()] = inferLogicalType(c.Type())
	}
	if index != "" {
		types[index] = LogicalIndex
	}
	es.entities[name] = &Entity{Name: name, Frame: f, Index: index, TimeIndex: timeIndex, keys: keys, types: types}
	es.order = append(es.order, name)
	return nil
}

// AddRelationship declares parent the parent of child: child's column
// childKey holds values of parent's index. The key types must match (int64 or
// string), and the relationship must not close a cycle. The key becomes
// LogicalID (Featuretools' "foreign_key"), whatever it was.
func (es *EntitySet) AddRelationship(parent, child, childKey string) error {
	p, err := es.Entity(parent)
	if err != nil {
		return fmt.Errorf("dfs: relationship %s.%s -> %s: %w", child, childKey, parent, err)
	}
	c, err := es.Entity(child)
	if err != nil {
		return fmt.Errorf("dfs: relationship %s.%s -> %s: %w", child, childKey, parent, err)
	}
	r := Relationship{Parent: parent, Child: child, ChildKey: childKey}
	kc, err := c.Frame.Column(childKey)
	if err != nil {
		return fmt.Errorf("dfs: relationship %s: key column: %w", r, err)
	}
	if p.Index == "" {
		return fmt.Errorf("dfs: relationship %s: parent %q has no index", r, parent)
	}
	pc, _ := p.Frame.Column(p.Index)
	if kc.Type() != pc.Type() {
		return fmt.Errorf("dfs: relationship %s: key type mismatch: child column %q is %s, parent index %q is %s",
			r, childKey, kc.Type(), p.Index, pc.Type())
	}
	for _, old := range es.relationships {
		if old.Child == child && old.ChildKey == childKey {
			return fmt.Errorf("dfs: relationship %s: column %s.%s already links to %s", r, child, childKey, old.Parent)
		}
	}
	if parent == child || es.reaches(child, parent) {
		return fmt.Errorf("dfs: relationship %s would close a cycle: %s is already an ancestor of %s", r, child, parent)
	}
	es.relationships = append(es.relationships, r)
	c.types[childKey] = LogicalID
	return nil
}

// reaches reports whether there is a parent -> child path from a to b.
func (es *EntitySet) reaches(a, b string) bool {
	seen := map[string]bool{}
	stack := []string{a}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e == b {
			return true
		}
		if seen[e] {
			continue
		}
		seen[e] = true
		for _, r := range es.relationships {
			if r.Parent == e {
				stack = append(stack, r.Child)
			}
		}
	}
	return false
}

// relationship returns the relationship of child's column childKey.
func (es *EntitySet) relationship(child, childKey string) (Relationship, error) {
	for _, r := range es.relationships {
		if r.Child == child && r.ChildKey == childKey {
			return r, nil
		}
	}
	return Relationship{}, fmt.Errorf("dfs: no relationship from %s.%s", child, childKey)
}

// NormalizeEntity makes a new parent entity out of a column of base, as
// Featuretools' normalize_entity does: one row per distinct non-null value of
// base's column index, in ascending order, and a relationship from base to it.
// Each column named in copy is copied to the new entity from the first base row
// (in row order) of each value, as Featuretools' additional_variables do; the
// column stays in base as well.
func (es *EntitySet) NormalizeEntity(base, name, index string, copy ...string) error {
	b, err := es.Entity(base)
	if err != nil {
		return fmt.Errorf("dfs: normalize %s.%s: %w", base, index, err)
	}
	col, err := b.Frame.Column(index)
	if err != nil {
		return fmt.Errorf("dfs: normalize %s into %q: %w", base, name, err)
	}
	var first []int // first base row of each new row
	var keyCol *dataset.Column
	switch {
	case col.Type() == dataset.String:
		codes, levels, _ := col.Dict()
		firstOf := make([]int, len(levels))
		for i := range firstOf {
			firstOf[i] = -1
		}
		for i, k := range codes {
			if !col.IsNull(i) && firstOf[k] < 0 {
				firstOf[k] = i
			}
		}
		order := make([]int32, 0, len(levels))
		for k, f := range firstOf {
			if f >= 0 {
				order = append(order, int32(k))
			}
		}
		slices.SortFunc(order, func(x, y int32) int { return strings.Compare(levels[x], levels[y]) })
		vals := make([]string, len(order))
		for i, k := range order {
			vals[i] = levels[k]
			first = append(first, firstOf[k])
		}
		keyCol = dataset.NewString(index, vals, nil)
	case col.Type() == dataset.Int64:
		firstOf := map[int64]int{}
		var vals []int64
		for i, v := range col.Int64s() {
			if col.IsNull(i) {
				continue
			}
			if _, ok := firstOf[v]; !ok {
				firstOf[v] = i
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		for _, v := range vals {
			first = append(first, firstOf[v])
		}
		keyCol = dataset.NewInt64(index, vals, nil)
	default:
		return fmt.Errorf("dfs: normalize %s.%s: column is %s, want int64 or string", base, index, col.Type())
	}
	cols := []*dataset.Column{keyCol}
	for _, name := range copy {
		c, err := b.Frame.Column(name)
		if err != nil {
			return fmt.Errorf("dfs: normalize %s: copied column: %w", base, err)
		}
		if name == index {
			return fmt.Errorf("dfs: normalize %s: cannot copy the new index %q", base, name)
		}
		cols = append(cols, c.Take(first))
	}
	f, err := dataset.New(cols...)
	if err != nil {
		return fmt.Errorf("dfs: normalize %s into %q: %w", base, name, err)
	}
	if err := es.AddEntity(name, f, index, ""); err != nil {
		return err
	}
	return es.AddRelationship(name, base, index)
}

// keyIndex maps index values to rows.
type keyIndex struct {
	strs map[string]int32
	ints map[int64]int32
}

func newKeyIndex(c *dataset.Column) (keyIndex, error) {
	var k keyIndex
	if c.Type() == dataset.String {
		k.strs = make(map[string]int32, c.Len())
		for i := 0; i < c.Len(); i++ {
			s := c.StringAt(i)
			if _, dup := k.strs[s]; dup {
				return k, fmt.Errorf("index column %q: value %q repeats (row %d)", c.Name(), s, i)
			}
			k.strs[s] = int32(i)
		}
		return k, nil
	}
	k.ints = make(map[int64]int32, c.Len())
	for i, v := range c.Int64s() {
		if _, dup := k.ints[v]; dup {
			return k, fmt.Errorf("index column %q: value %d repeats (row %d)", c.Name(), v, i)
		}
		k.ints[v] = int32(i)
	}
	return k, nil
}

// row returns the row of an index value given as string or int64 (or int).
func (k keyIndex) row(key any) (int, bool) {
	switch v := key.(type) {
	case string:
		if k.strs == nil {
			return 0, false
		}
		r, ok := k.strs[v]
		return int(r), ok
	case int64:
		r, ok := k.ints[v]
		return int(r), ok
	case int:
		r, ok := k.ints[int64(v)]
		return int(r), ok
	}
	return 0, false
}

// parentRows maps each row of the child column to its parent's row, -1 for
// null keys and keys the parent does not have.
func parentRows(child *dataset.Column, parent keyIndex) []int32 {
	return newParentMap(child, parent).fill(0, child.Len(), make([]int32, child.Len()))
}

// parentMap maps child rows to parent rows (-1 for null keys and keys the
// parent does not have). A dictionary-encoded key maps through a table by
// code, filled a chunk of rows at a time, so that a pass over the child needs
// no array as long as the child; an int64 key is looked up once per row.
//
// The streaming path goes further and keeps its running states by key id
// rather than by parent: a dictionary key's ids are its codes, read from the
// column as they are (without nulls, with no copy at all), and an int64
// key's are the parent rows.
type parentMap struct {
	codes  []int32 // dictionary key: its codes, validity and each code's parent row
	valid  []bool
	byCode []int32
	rows   []int32 // int64 key: the parent of every child row

	keyIDOf []int32 // parent row -> its key id (-1: no child row has it)
}

func newParentMap(child *dataset.Column, parent keyIndex) parentMap {
	if codes, levels, ok := child.Dict(); ok {
		byCode := make([]int32, len(levels))
		keyIDOf := make([]int32, len(parent.strs))
		for p := range keyIDOf {
			keyIDOf[p] = -1
		}
		for k, s := range levels {
			byCode[k] = -1
			if r, ok := parent.strs[s]; ok {
				byCode[k], keyIDOf[r] = r, int32(k)
			}
		}
		return parentMap{codes: codes, valid: child.Valid(), byCode: byCode, keyIDOf: keyIDOf}
	}
	rows := make([]int32, child.Len())
	for i, v := range child.Int64s() {
		rows[i] = -1
		if r, ok := parent.ints[v]; ok && !child.IsNull(i) {
			rows[i] = r
		}
	}
	keyIDOf := make([]int32, len(parent.ints))
	for p := range keyIDOf {
		keyIDOf[p] = int32(p)
	}
	return parentMap{rows: rows, keyIDOf: keyIDOf}
}

// fill returns the parent rows of child rows [a, b): in dst (which must hold
// b-a values) for a dictionary key, a slice of the map's own for an int64 key.
func (m parentMap) fill(a, b int, dst []int32) []int32 {
	if m.byCode == nil {
		return m.rows[a:b]
	}
	dst = dst[:b-a]
	if m.valid == nil {
		for i, k := range m.codes[a:b] {
			dst[i] = m.byCode[k]
		}
		return dst
	}
	valid := m.valid[a:b]
	for i, k := range m.codes[a:b] {
		dst[i] = -1
		if valid[i] { // a null's code may be any number
			dst[i] = m.byCode[k]
		}
	}
	return dst
}

// numKeyIDs is the number of key ids: each id k has 0 <= k < numKeyIDs.
func (m parentMap) numKeyIDs() int {
	if m.byCode == nil {
		return len(m.keyIDOf)
	}
	return len(m.byCode)
}

// state returns the index of parent row p's running states among
// numKeyIDs()+1: its key id, or the last, which no row reaches, for a parent
// that no child row names.
func (m parentMap) state(p int) int {
	if k := m.keyIDOf[p]; k >= 0 {
		return int(k)
	}
	return m.numKeyIDs()
}

// keyIDs returns the key ids of child rows [a, b), -1 for null keys: the
// map's own slice where it can, else in dst (which must hold b-a values). The
// id of a code that no parent has collects rows that belong to no parent; no
// parent reads it.
func (m parentMap) keyIDs(a, b int, dst []int32) []int32 {
	switch {
	case m.byCode == nil:
		return m.rows[a:b]
	case m.valid == nil:
		return m.codes[a:b]
	}
	dst = dst[:b-a]
	valid := m.valid[a:b]
	for i, k := range m.codes[a:b] {
		dst[i] = -1
		if valid[i] {
			dst[i] = k
		}
	}
	return dst
}

// keyHash is the bucket hash of an index value (FNV-1a of its decimal or
// string form), stable across runs and machines.
func keyHash(c *dataset.Column, i int) uint32 {
	h := fnv.New32a()
	if c.Type() == dataset.String {
		h.Write([]byte(c.StringAt(i)))
	} else {
		h.Write(strconv.AppendInt(nil, c.Int64s()[i], 10))
	}
	return h.Sum32()
}
