package cluster

import (
	"math/rand/v2"
	"slices"
)

// batchStepper runs scikit-learn's _mini_batch_step on index batches.
type batchStepper struct {
	p       *points
	w       []float64
	cs      *centers
	counts  []float64
	workers int

	labels, members []int
	dist            []float64
	sum             []float64 // k×d scratch for the batch sums
	old             []float64
}

func newBatchStepper(p *points, w []float64, cs *centers, workers int) *batchStepper {
	return &batchStepper{p: p, w: w, cs: cs, counts: make([]float64, cs.k), workers: workers,
		sum: make([]float64, cs.k*cs.d)}
}

// step assigns the rows idx to their nearest centres, moves each centre to
// the weighted mean of everything it has absorbed, and, if reassign, moves
// starved centres to random rows of the batch. It returns the batch inertia
// (before the move) and, if wantShift, Σ of squared centre moves.
func (st *batchStepper) step(idx []int, reassign bool, ratio float64, rng *rand.Rand, wantShift bool) (float64, float64) {
	p, cs, k, d := st.p, st.cs, st.cs.k, st.cs.d
	m := len(idx)
	st.labels = slices.Grow(st.labels[:0], m)[:m]
	st.dist = slices.Grow(st.dist[:0], m)[:m]
	forBlocks(m, assignBlock, st.workers, func(_, lo, hi int) {
		dots := make([]float64, k)
		for j := lo; j < hi; j++ {
			st.labels[j], st.dist[j] = p.nearestOne(idx[j], cs, dots)
		}
	})
	var batchInertia float64
	for j, i := range idx {
		batchInertia += st.w[i] * st.dist[j]
	}
	if wantShift {
		st.old = append(st.old[:0], cs.c...)
	}
	// Group batch positions by label, then update each centre on its own.
	start := make([]int, k+1)
	for _, l := range st.labels {
		start[l+1]++
	}
	for c := 0; c < k; c++ {
		start[c+1] += start[c]
	}
	st.members = slices.Grow(st.members[:0], m)[:m]
	fill := slices.Clone(start[:k])
	for j, l := range st.labels {
		st.members[fill[l]] = idx[j]
		fill[l]++
	}
	forTasks(k, st.workers, func(c int) {
		rows := st.members[start[c]:start[c+1]]
		var wsum float64
		for _, i := range rows {
			wsum += st.w[i]
		}
		if wsum <= 0 {
			return
		}
		sum := st.sum[c*d : (c+1)*d]
		clear(sum)
		for _, i := range rows {
			wi := st.w[i]
			if p.sparse {
				cols, vals := p.sparseRow(i)
				for n, j := range cols {
					sum[j] += wi * vals[n]
				}
			} else {
				for j, v := range p.row(i) {
					sum[j] += wi * v
				}
			}
		}
		centre := cs.row(c)
		old := st.counts[c]
		st.counts[c] = old + wsum
		inv := 1 / st.counts[c]
		for j := range centre {
			centre[j] = (centre[j]*old + sum[j]) * inv
		}
	})
	if reassign && ratio > 0 {
		st.reassign(idx, ratio, rng)
	}
	cs.refresh()
	var shift float64
	if wantShift {
		shift = sqDiff(cs.c, st.old)
	}
	return batchInertia, shift
}

// reassign moves centres whose count is below ratio × the largest count to
// distinct random rows of the batch (at most half the batch), then sets their
// counts to the smallest count among the others.
func (st *batchStepper) reassign(idx []int, ratio float64, rng *rand.Rand) {
	k := st.cs.k
	maxCount := slices.Max(st.counts)
	var low []int
	for c, n := range st.counts {
		if n < ratio*maxCount {
			low = append(low, c)
		}
	}
	if limit := len(idx) / 2; len(low) > limit {
		// Keep only the `limit` smallest counts (scikit-learn: argsort).
		slices.SortStableFunc(low, func(a, b int) int {
			switch {
			case st.counts[a] < st.counts[b]:
				return -1
			case st.counts[a] > st.counts[b]:
				return 1
			}
			return 0
		})
		low = low[:limit]
		slices.Sort(low)
	}
	if len(low) == 0 {
		return
	}
	// Distinct batch positions: a partial Fisher-Yates shuffle.
	pos := make([]int, len(idx))
	for j := range pos {
		pos[j] = j
	}
	for j := range low {
		r := j + rng.IntN(len(pos)-j)
		pos[j], pos[r] = pos[r], pos[j]
	}
	isLow := make([]bool, k)
	for j, c := range low {
		st.p.copyRow(st.cs.row(c), idx[pos[j]])
		isLow[c] = true
	}
	minOther := -1.0
	for c, n := range st.counts {
		if !isLow[c] && (minOther < 0 || n < minOther) {
			minOther = n
		}
	}
	if minOther >= 0 {
		for _, c := range low {
			st.counts[c] = minOther
		}
	}
}
