package dfs

import (
	"math"
	"slices"
	"sync"
)

// link is the per-parent index of a child's rows: the child rows of parent p
// are rows[offsets[p]:offsets[p+1]], in time order (then row order); times
// holds their time-index values, nil when the child has none. Without a time
// index, rows is built on first use (childRows): the streaming path reads
// the child in row order and needs only the offsets and each row's key id
// (parentMap.keyIDs).
type link struct {
	offsets  []int32
	times    []int64
	parents  parentMap // child row -> parent row, -1 for none
	children int       // child rows
	rowOrder bool      // every group is in row order (no time reordering was needed)

	rowsBuilt sync.Once
	rows      []int32
}

// childRows returns the child rows grouped by parent (see link).
func (l *link) childRows() []int32 {
	l.rowsBuilt.Do(func() {
		nparents := len(l.offsets) - 1
		l.rows = make([]int32, l.offsets[nparents])
		next := slices.Clone(l.offsets[:nparents])
		buf := make([]int32, linkChunk)
		for a := 0; a < l.children; a += linkChunk {
			for k, p := range l.parents.fill(a, min(l.children, a+linkChunk), buf) {
				if p >= 0 {
					l.rows[next[p]] = int32(a + k)
					next[p]++
				}
			}
		}
	})
	return l.rows
}

// linkChunk is the number of child rows whose parents are mapped at a time.
const linkChunk = 4096

// span returns the positions [a, b) in rows of parent p's child rows whose
// time t has lo <= t <= hi.
func (l *link) span(p int32, lo, hi int64) (a, b int) {
	a, b = int(l.offsets[p]), int(l.offsets[p+1])
	if l.times != nil && (lo != math.MinInt64 || hi != math.MaxInt64) {
		ts := l.times[a:b]
		i, _ := slices.BinarySearch(ts, lo)
		j := sortSearchAfter(ts, hi)
		return a + i, a + j
	}
	return a, b
}

// sortSearchAfter returns the first index whose time is > hi.
func sortSearchAfter(ts []int64, hi int64) int {
	lo, up := 0, len(ts)
	for lo < up {
		m := int(uint(lo+up) >> 1)
		if ts[m] <= hi {
			lo = m + 1
		} else {
			up = m
		}
	}
	return lo
}

// link returns the per-parent index of child rows for child.childKey.
func (c *compiler) link(child, childKey string) (*link, error) {
	key := child + "\x00" + childKey
	if l, ok := c.links[key]; ok {
		return l, nil
	}
	r, err := c.es.relationship(child, childKey)
	if err != nil {
		return nil, err
	}
	ce, _ := c.es.Entity(child)
	pe, _ := c.es.Entity(r.Parent)
	kc, _ := ce.Frame.Column(childKey)
	var times []int64
	if ce.TimeIndex != "" {
		tc, _ := ce.Frame.Column(ce.TimeIndex)
		times = tc.Int64s()
	}
	l := buildLink(newParentMap(kc, pe.keys), kc.Len(), pe.Frame.NumRows(), times)
	c.links[key] = l
	return l, nil
}

// buildLink counts each parent's child rows; with a time index it also
// groups the child rows by parent (a counting sort, stable, so each group is
// in row order) and orders each group by time where needed.
func buildLink(parents parentMap, children, nparents int, times []int64) *link {
	l := &link{offsets: make([]int32, nparents+1), parents: parents, children: children, rowOrder: true}
	perKey := make([]int32, parents.numKeyIDs()+1) // the last stays 0: see parentMap.state
	buf := make([]int32, linkChunk)
	for a := 0; a < children; a += linkChunk {
		for _, k := range parents.keyIDs(a, min(children, a+linkChunk), buf) {
			if k >= 0 {
				perKey[k]++
			}
		}
	}
	for p := range nparents {
		l.offsets[p+1] = l.offsets[p] + perKey[parents.state(p)]
	}
	if times == nil {
		return l
	}
	rows := l.childRows()
	l.times = make([]int64, len(rows))
	for k, r := range rows {
		l.times[k] = times[r]
	}
	for p := 0; p < nparents; p++ {
		a, b := l.offsets[p], l.offsets[p+1]
		ts, rs := l.times[a:b], rows[a:b]
		if slices.IsSorted(ts) {
			continue
		}
		l.rowOrder = false
		idx := make([]int, len(rs))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int {
			switch {
			case ts[x] < ts[y]:
				return -1
			case ts[x] > ts[y]:
				return 1
			}
			return 0
		})
		ts2, rs2 := make([]int64, len(idx)), make([]int32, len(idx))
		for i, k := range idx {
			ts2[i], rs2[i] = ts[k], rs[k]
		}
		copy(ts, ts2)
		copy(rs, rs2)
	}
	return l
}

// prepare lays out each aggregation input in per-parent order, once, for the
// per-instance path: 8 bytes per child row and input.
func (s *Scorer) prepare() {
	s.prepared.Do(func() {
		w := s.newWorker()
		var walk func(g *aggGroup)
		walk = func(g *aggGroup) {
			switch {
			case g.row != nil:
				b := w.gather(g.row, g.link.childRows(), 0)
				if g.row.typ == Datetime {
					g.orderedT = slices.Clone(b.t)
				} else {
					g.ordered = slices.Clone(b.f)
				}
			case g.nested != nil:
				walk(g.nested)
			}
		}
		for _, g := range s.groups {
			walk(g)
		}
		w.exprBuf = nil
	})
}
