package dfs

// worker holds one goroutine's scratch buffers, reused from instance to
// instance so that the hot loop does not allocate.
type worker struct {
	s       *Scorer
	exprBuf []buffer // per rowExpr id
	rowBuf  [][]int32
	groupB  map[*aggGroup]*buffer
	agg     aggState
	one     [1]int32
}

func (s *Scorer) newWorker() *worker {
	return &worker{s: s, exprBuf: make([]buffer, s.nexprs), groupB: map[*aggGroup]*buffer{}}
}

// gather fills the expression's buffer with its values at rows (-1 = null row).
func (w *worker) gather(e *rowExpr, rows []int32, depth int) *buffer {
	b := &w.exprBuf[e.id]
	switch {
	case e.input != nil:
		in := w.gather(e.input, rows, depth)
		e.apply(b, in)
	case e.base != nil:
		for len(w.rowBuf) <= depth {
			w.rowBuf = append(w.rowBuf, nil)
		}
		pr := grow(w.rowBuf[depth], len(rows))
		w.rowBuf[depth] = pr
		for i, r := range rows {
			pr[i] = -1
			if r >= 0 {
				pr[i] = e.via[r]
			}
		}
		return w.gather(e.base, pr, depth+1)
	case e.typ == Datetime: // an identity: the cases above are the others
		b.t = grow(b.t, len(rows))
		e.gatherTimes(rows, b.t)
	default:
		b.f = grow(b.f, len(rows))
		e.gatherFloats(rows, b.f)
	}
	return b
}

// evalGroup computes the group's aggregations for parent row p, writing each
// result into out at its slot; child rows are those with lo <= time <= hi.
func (w *worker) evalGroup(g *aggGroup, p int32, lo, hi int64, out []float64) {
	a, z := g.link.span(p, lo, hi)
	var b buffer
	switch {
	case g.ordered != nil:
		b.f = g.ordered[a:z] // already in per-parent order: no gather
	case g.orderedT != nil:
		b.t = g.orderedT[a:z]
	case g.nested != nil:
		nb := w.groupB[g]
		if nb == nil {
			nb = &buffer{}
			w.groupB[g] = nb
		}
		nb.f = grow(nb.f, z-a)
		var one [1]float64
		for i, r := range g.link.childRows()[a:z] {
			w.evalGroup(g.nested, r, lo, hi, one[:])
			nb.f[i] = one[0]
		}
		b.f = nb.f
	}
	w.agg.reset()
	for _, o := range g.outs {
		out[o.slot] = w.agg.aggregate(o.prim, &b, z-a, g.rank, hi)
	}
}

// instance computes all features of target row r into out: the
// aggregations of groups and the row-local features.
func (w *worker) instance(groups []*aggGroup, r int32, lo, hi int64, out []float64) {
	for _, g := range groups {
		w.evalGroup(g, r, lo, hi, out)
	}
	for i, o := range w.s.outs {
		if o.row != nil {
			w.one[0] = r
			out[i] = w.gather(o.row, w.one[:], 0).f[0]
		}
	}
}
