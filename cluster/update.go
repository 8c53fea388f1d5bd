package cluster

import (
	"math"
	"sort"
)

// chunkRows is how many rows of one cluster are summed into one partial sum.
// It fixes the summation order independently of the number of workers.
const chunkRows = 2048

// updater computes the centroid step of Lloyd and Elkan: each centroid
// becomes the weighted mean of the rows labelled with it. The rows of each
// cluster are summed in row order, in fixed chunks reduced in chunk order,
// so the result is bit-for-bit the same whatever the number of workers.
type updater struct {
	k, d     int
	order    []int     // row indices grouped by label, in row order within a label
	start    []int     // order[start[c]:start[c+1]] are the rows of cluster c
	sums     []float64 // k×d weighted sums; for sparse data in rank order (see points.rank)
	weightIn []float64 // total weight per cluster
	extra    []float64 // partial sums of the second and later chunks of a cluster
}

func newUpdater(n, k, d int) *updater {
	return &updater{k: k, d: d, order: make([]int, n), start: make([]int, k+1),
		sums: make([]float64, k*d), weightIn: make([]float64, k)}
}

type chunk struct {
	cluster, lo, hi int
	dst             []float64
}

// update writes the new centres into next and returns the squared total
// shift Σ_c ||next_c - old_c||² and the per-centre shifts. dist[i] is the
// squared distance of row i to old[labels[i]], used to relocate empty clusters
// (nil: computed here when needed).
func (u *updater) update(p *points, w []float64, labels []int, dist []float64, old, next *centers, shift []float64, workers int) float64 {
	k, d := u.k, u.d
	// Group rows by label (counting sort keeps row order within a label).
	clear(u.start)
	for _, l := range labels {
		u.start[l+1]++
	}
	for c := 0; c < k; c++ {
		u.start[c+1] += u.start[c]
	}
	fill := make([]int, k)
	copy(fill, u.start[:k])
	for i, l := range labels {
		u.order[fill[l]] = i
		fill[l]++
	}
	// Plan the chunks: the first of each cluster sums straight into sums.
	var chunks []chunk
	nExtra := 0
	for c := 0; c < k; c++ {
		for lo := u.start[c]; lo < u.start[c+1]; lo += chunkRows {
			if lo > u.start[c] {
				nExtra++
			}
		}
	}
	if cap(u.extra) < nExtra*d {
		u.extra = make([]float64, nExtra*d)
	}
	extra := u.extra[:nExtra*d]
	e := 0
	for c := 0; c < k; c++ {
		dst := u.sums[c*d : (c+1)*d]
		clear(dst)
		for lo := u.start[c]; lo < u.start[c+1]; lo += chunkRows {
			ch := chunk{cluster: c, lo: lo, hi: min(lo+chunkRows, u.start[c+1]), dst: dst}
			if lo > u.start[c] {
				ch.dst = extra[e*d : (e+1)*d]
				e++
			}
			chunks = append(chunks, ch)
		}
	}
	forTasks(len(chunks), workers, func(t int) {
		ch := chunks[t]
		if t > 0 && chunks[t-1].cluster == ch.cluster {
			clear(ch.dst)
		}
		u.accumulate(p, w, u.order[ch.lo:ch.hi], ch.dst)
	})
	// Reduce the extra chunks of each cluster in chunk order.
	first := make([]int, k+1) // chunks[first[c]:first[c+1]] belong to cluster c
	for t, ch := range chunks {
		first[ch.cluster+1] = t + 1
	}
	for c := 1; c <= k; c++ {
		first[c] = max(first[c], first[c-1])
	}
	forTasks(k, workers, func(c int) {
		dst := u.sums[c*d : (c+1)*d]
		for _, ch := range chunks[first[c]:first[c+1]] {
			if &ch.dst[0] == &dst[0] {
				continue
			}
			for j, v := range ch.dst {
				dst[j] += v
			}
		}
	})
	for c := 0; c < k; c++ {
		var s float64
		for _, i := range u.order[u.start[c]:u.start[c+1]] {
			s += w[i]
		}
		u.weightIn[c] = s
	}
	u.relocateEmpty(p, w, labels, dist, old)
	sq := make([]float64, k)
	forTasks(k, min(workers, max(1, k*d/65536)), func(c int) {
		dst, sum := next.row(c), u.sums[c*d:(c+1)*d]
		if wc := u.weightIn[c]; wc > 0 {
			inv := 1 / wc
			if p.sparse {
				for j, r := range p.rank {
					dst[j] = sum[r] * inv
				}
			} else {
				for j, v := range sum {
					dst[j] = v * inv
				}
			}
		} else {
			// Only possible when a relocation took the last point of a
			// cluster (all points already sit on their centres): keep the centre.
			copy(dst, old.row(c))
		}
		sq[c] = sqDiff(dst, old.row(c))
		shift[c] = math.Sqrt(sq[c])
	})
	next.refreshOn(workers)
	return sumInOrder(sq)
}

// accumulate adds w_i x_i for the given rows into dst (sparse rows in rank
// order: 4-byte indices, and the frequent words' sums close together).
func (u *updater) accumulate(p *points, w []float64, rows []int, dst []float64) {
	for _, i := range rows {
		wi := w[i]
		if p.sparse {
			cols, vals := p.rankedRow(i)
			vals = vals[:len(cols)]
			for n, r := range cols {
				dst[r] += wi * vals[n]
			}
		} else {
			for j, v := range p.row(i) {
				dst[j] += wi * v
			}
		}
	}
}

// relocateEmpty gives each cluster of zero weight the point farthest from its
// own centre, as scikit-learn does: the i-th empty cluster (in index order)
// takes the i-th farthest point (ties broken by row index), whose weighted
// row moves from its cluster's sum to the empty one. Labels are left as they
// are; the next assignment step settles them.
func (u *updater) relocateEmpty(p *points, w []float64, labels []int, dist []float64, old *centers) {
	var empty []int
	for c, wc := range u.weightIn {
		if wc == 0 {
			empty = append(empty, c)
		}
	}
	if len(empty) == 0 {
		return
	}
	if dist == nil { // Elkan keeps only bounds: compute the exact distances
		dist = make([]float64, p.n)
		for i, l := range labels {
			dist[i] = p.sqDist(i, old, l)
		}
	}
	far := farthest(dist, len(empty))
	d := u.d
	row := make([]float64, d)
	for n, c := range empty {
		if n >= len(far) {
			break
		}
		i := far[n]
		from := labels[i]
		p.copyRow(row, i)
		src, dst := u.sums[from*d:(from+1)*d], u.sums[c*d:(c+1)*d]
		for j, v := range row {
			r := j
			if p.sparse {
				r = int(p.rank[j])
			}
			src[r] -= w[i] * v
			dst[r] = w[i] * v
		}
		u.weightIn[c] = w[i]
		u.weightIn[from] -= w[i]
	}
}

// farthest returns the indices of the m largest distances, largest first,
// ties broken by the smaller index.
func farthest(dist []float64, m int) []int {
	idx := make([]int, len(dist))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return dist[idx[a]] > dist[idx[b]] })
	if m > len(idx) {
		m = len(idx)
	}
	return idx[:m]
}
