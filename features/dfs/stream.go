package dfs

import (
	"math"
)

// The streaming path computes an aggregation group for all parents in one
// sequential pass over the child rows, with running states per parent (kept
// by key id, small enough to stay in cache), instead of gathering each
// parent's rows from all over the child's columns. It applies when every instance uses all the data
// (no cutoffs) and each parent's rows are aggregated in row order, and gives
// bit for bit what the per-instance kernels give: the same operations in the
// same order per parent.

// streamChunk is the number of child rows read at a time: their key ids and
// values converted to float64 (48 KiB) stay in cache.
const streamChunk = 4096

// maxModeCells bounds key ids x levels of the count table mode and
// num_unique use; larger groups fall back to the per-instance path.
const maxModeCells = 1 << 24

// streamable reports whether the output can be computed by streaming.
func (g *aggGroup) streamable(prim string) bool {
	if !g.link.rowOrder || g.nested != nil {
		return false
	}
	switch prim {
	case "count":
		return true
	case "median", "time_since_last":
		return false
	case "mode", "num_unique":
		// Level codes count in a key ids x levels table; whole numbers (ids)
		// take the per-instance path.
		return g.row != nil && g.typ == Categorical && int64(g.link.parents.numKeyIDs()+1)*int64(len(g.rank)) <= maxModeCells
	}
	return g.row != nil
}

// stream computes outs of group g for every parent into res[parent*nf+slot].
// One pass over the child rows updates every running state the outputs need
// (skew takes a second pass, from the means).
func (w *worker) stream(g *aggGroup, outs []aggOut, nparents int, res []float64, nf int) {
	l := g.link
	n := l.children
	rowsOf := func(p int) int { return int(l.offsets[p+1] - l.offsets[p]) }
	// Running states are kept by key id (see parentMap.keyIDs), plus one that
	// no row reaches, read for the parents that no key id names.
	nstates := l.parents.numKeyIDs() + 1
	need := map[string]bool{}
	for _, o := range outs {
		need[o.prim] = true
	}
	kahan := need["sum"] || need["mean"] || need["skew"]
	var sum, comp, mean, m2, lo, hi, first, last []float64
	var cnt, wcnt, trues, counts []int32
	if kahan {
		sum, comp, cnt = make([]float64, nstates), make([]float64, nstates), make([]int32, nstates)
	}
	if need["std"] {
		mean, m2, wcnt = make([]float64, nstates), make([]float64, nstates), make([]int32, nstates)
	}
	if need["min"] || need["max"] {
		// lo > hi until a value comes: then both are that value, as the
		// per-instance kernel starts from its first value.
		lo, hi = make([]float64, nstates), make([]float64, nstates)
		for k := range lo {
			lo[k], hi[k] = math.Inf(1), math.Inf(-1)
		}
	}
	if need["first"] || need["last"] {
		first, last = make([]float64, nstates), make([]float64, nstates)
		for p := range first {
			first[p], last[p] = math.NaN(), math.NaN()
		}
	}
	nl := len(g.rank)
	if need["mode"] || need["num_unique"] {
		counts = make([]int32, nstates*nl)
	}
	if need["percent_true"] {
		trues = make([]int32, nstates)
	}
	var gotFirst []bool
	if first != nil {
		gotFirst = make([]bool, nstates)
	}
	// each walks the child rows in chunks, calling fn with the chunk's key
	// ids and values: an identity is read from its column a chunk at a time,
	// other inputs are gathered.
	var idx, keyBuf []int32
	var valueBuf []float64
	each := func(fn func(keys []int32, vals []float64)) {
		keyBuf = grow(keyBuf, streamChunk)
		for a := 0; a < n; a += streamChunk {
			b := min(n, a+streamChunk)
			keys := l.parents.keyIDs(a, b, keyBuf)
			if e := g.row; e.col != nil {
				valueBuf = grow(valueBuf, streamChunk)
				fn(keys, e.chunk(a, b, valueBuf))
				continue
			}
			idx = grow(idx, b-a)
			for k := range idx {
				idx[k] = int32(a + k)
			}
			fn(keys, w.gather(g.row, idx, 0).f)
		}
	}
	if len(need) > 1 || !need["count"] {
		// One tight loop per running state: the chunk stays in cache, and
		// each loop has no branches but its own.
		each(func(keys []int32, vals []float64) {
			if first != nil {
				for k, p := range keys {
					if p >= 0 {
						if !gotFirst[p] {
							first[p], gotFirst[p] = vals[k], true
						}
						last[p] = vals[k]
					}
				}
			}
			if trues != nil {
				for k, p := range keys {
					if p >= 0 && vals[k] == 1 {
						trues[p]++
					}
				}
			}
			if kahan {
				for k, p := range keys {
					v := vals[k]
					if p < 0 || v != v {
						continue
					}
					cnt[p]++
					y := v - comp[p]
					t := sum[p] + y
					comp[p] = t - sum[p] - y
					sum[p] = t
				}
			}
			if mean != nil {
				for k, p := range keys {
					v := vals[k]
					if p < 0 || v != v {
						continue
					}
					wcnt[p]++
					old := mean[p]
					mean[p] += (v - old) / float64(wcnt[p])
					m2[p] += (v - mean[p]) * (v - old)
				}
			}
			if lo != nil {
				for k, p := range keys {
					v := vals[k]
					if p < 0 || v != v {
						continue
					}
					if v < lo[p] {
						lo[p] = v
					}
					if v > hi[p] {
						hi[p] = v
					}
				}
			}
			if counts != nil {
				for k, p := range keys {
					if v := vals[k]; p >= 0 && v == v {
						counts[int(p)*nl+int(v)]++
					}
				}
			}
		})
	}
	var sm2, sm3 []float64
	if need["skew"] {
		avg := make([]float64, nstates)
		for p := range avg {
			avg[p] = sum[p] / float64(cnt[p]) // NaN where there are no values
		}
		sm2, sm3 = make([]float64, nstates), make([]float64, nstates)
		each(func(keys []int32, vals []float64) {
			for k, p := range keys {
				v := vals[k]
				if p < 0 || v != v {
					continue
				}
				d := v - avg[p]
				d2 := d * d
				sm2[p] += d2
				sm3[p] += d2 * d
			}
		})
	}
	for _, o := range outs {
		for p := 0; p < nparents; p++ {
			k := l.parents.state(p)
			v := math.NaN()
			switch o.prim {
			case "count":
				v = float64(rowsOf(p))
			case "sum":
				v = sum[k]
			case "mean":
				if cnt[k] > 0 {
					v = sum[k] / float64(cnt[k])
				}
			case "skew":
				v = SkewFromMoments(int(cnt[k]), sm2[k], sm3[k])
			case "std":
				if wcnt[k] >= 2 {
					v = math.Sqrt(m2[k] / float64(wcnt[k]-1))
				}
			case "min":
				if lo[k] <= hi[k] {
					v = lo[k]
				}
			case "max":
				if lo[k] <= hi[k] {
					v = hi[k]
				}
			case "first":
				v = first[k]
			case "last":
				v = last[k]
			case "percent_true":
				if rows := rowsOf(p); rows > 0 {
					v = float64(trues[k]) / float64(rows)
				}
			case "mode", "num_unique":
				row := counts[k*nl : (k+1)*nl]
				distinct, best, bestN := 0, -1, int32(0)
				for level, c := range row {
					if c == 0 {
						continue
					}
					distinct++
					if c > bestN || c == bestN && g.rank[level] < g.rank[best] {
						best, bestN = level, c
					}
				}
				if o.prim == "num_unique" {
					v = float64(distinct)
				} else if best >= 0 {
					v = float64(best)
				}
			}
			res[p*nf+o.slot] = v
		}
	}
}

// oneHotStreamable reports whether all outputs of g are counts of a one-hot
// column (sum, mean, percent_true of "c = v" or "c is unknown" over a plain
// categorical column): those are read from one table of level counts per
// parent, shared by every value of the column.
func (g *aggGroup) oneHotStreamable() bool {
	e := g.row
	if e == nil || e.onehot == "" || !g.link.rowOrder || g.nested != nil {
		return false
	}
	in := e.input
	if in.codes == nil || int64(g.link.parents.numKeyIDs()+1)*int64(len(in.levels)+1) > maxModeCells {
		return false
	}
	for _, o := range g.outs {
		switch o.prim {
		case "sum", "mean", "percent_true", "count":
		default:
			return false
		}
	}
	return true
}

// streamOneHot computes the one-hot groups gs, which share input column in
// and link l, from one pass that counts each parent's rows per level.
func streamOneHot(in *rowExpr, l *link, gs []*aggGroup, nparents int, res []float64, nf int) {
	nl := len(in.levels)
	nstates := l.parents.numKeyIDs() + 1 // as in stream: by key id, plus one for no rows
	counts := make([]int32, nstates*nl)
	keyBuf := make([]int32, streamChunk)
	valid := in.col.Valid()
	for a := 0; a < l.children; a += streamChunk {
		b := min(l.children, a+streamChunk)
		codes := in.codes[a:b]
		for k, id := range l.parents.keyIDs(a, b, keyBuf) {
			if id >= 0 && (valid == nil || valid[a+k]) {
				counts[int(id)*nl+int(codes[k])]++
			}
		}
	}
	for _, g := range gs {
		e := g.row
		for p := 0; p < nparents; p++ {
			id := l.parents.state(p)
			rows := int(l.offsets[p+1] - l.offsets[p])
			row := counts[id*nl : (id+1)*nl]
			var hits int32
			if e.onehot == "equal" {
				if e.code >= 0 {
					hits = row[int(e.code)]
				}
			} else {
				hits = int32(rows)
				for k, c := range row {
					if e.known[k] {
						hits -= c
					}
				}
			}
			for _, o := range g.outs {
				v := math.NaN()
				switch o.prim {
				case "count":
					v = float64(rows)
				case "sum":
					v = float64(hits)
				case "mean", "percent_true": // one-hot values are never null
					if rows > 0 {
						v = float64(hits) / float64(rows)
					}
				}
				res[p*nf+o.slot] = v
			}
		}
	}
}
