package dfs

import (
	"fmt"
	"maps"
)

// Partition splits the EntitySet into n buckets by the target's index, the
// way a distributed engine spreads the work (the book's Spark jobs apply
// saved definitions bucket by bucket): target row r goes to bucket
// hash(key) mod n (FNV-1a of the key's text, stable everywhere), its
// descendants follow it through the relationships (a row with several
// partitioned parents follows the first relationship declared), and the other
// entities are shared by all buckets. Rows keep their relative order, so
// computing each bucket and stacking the results gives exactly the features
// of computing all at once.
func (es *EntitySet) Partition(target string, n int) ([]*EntitySet, error) {
	t, err := es.Entity(target)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("dfs: partition into %d buckets", n)
	}
	if t.Index == "" {
		return nil, fmt.Errorf("dfs: partition: target %q has no index", target)
	}
	idx, _ := t.Frame.Column(t.Index)
	// bucket[e][row] is the bucket of each row of each partitioned entity.
	bucket := map[string][]int32{}
	b := make([]int32, t.Frame.NumRows())
	for i := range b {
		b[i] = int32(keyHash(idx, i) % uint32(n))
	}
	bucket[target] = b
	for changed := true; changed; {
		changed = false
		for _, r := range es.relationships {
			pb, ok := bucket[r.Parent]
			if !ok {
				continue
			}
			if _, done := bucket[r.Child]; done {
				continue
			}
			c := es.entities[r.Child]
			kc, _ := c.Frame.Column(r.ChildKey)
			parents := parentRows(kc, es.entities[r.Parent].keys)
			cb := make([]int32, len(parents))
			for i, p := range parents {
				cb[i] = -1 // no parent: in no bucket, as it is in no aggregation
				if p >= 0 {
					cb[i] = pb[p]
				}
			}
			bucket[r.Child] = cb
			changed = true
		}
	}
	out := make([]*EntitySet, n)
	for k := range out {
		part := &EntitySet{entities: map[string]*Entity{}, order: es.order, relationships: es.relationships}
		for _, name := range es.order {
			e := es.entities[name]
			rb, ok := bucket[name]
			if !ok {
				part.entities[name] = e
				continue
			}
			var rows []int
			for i, v := range rb {
				if v == int32(k) {
					rows = append(rows, i)
				}
			}
			f := e.Frame.Take(rows)
			keys := keyIndex{}
			if e.Index != "" {
				ic, _ := f.Column(e.Index)
				if keys, err = newKeyIndex(ic); err != nil {
					return nil, err
				}
			}
			part.entities[name] = &Entity{Name: name, Frame: f, Index: e.Index, TimeIndex: e.TimeIndex, keys: keys, types: maps.Clone(e.types)}
		}
		out[k] = part
	}
	return out, nil
}
