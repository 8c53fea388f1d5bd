package cluster

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// centers holds K centroids row-major, plus what the distance kernels need:
// their squared norms and, for sparse data, a transposed copy so that one
// nonzero x[j] meets the K values c[·][j] in one contiguous run.
type centers struct {
	k, d    int
	c       []float64 // k×d row-major
	t       []float64 // d×k, only for sparse data: row rank[j] holds feature j
	rank    []int32   // the feature order of the points these centres serve
	sqNorms []float64
}

// newCenters makes room for k centres of p's width, with the feature-major
// table in p's feature order when p is sparse.
func newCenters(k int, p *points) *centers {
	cs := &centers{k: k, d: p.d, c: make([]float64, k*p.d), sqNorms: make([]float64, k)}
	if p.sparse {
		cs.t = make([]float64, p.d*k)
		cs.rank = p.rank
	}
	return cs
}

func (cs *centers) row(c int) []float64 { return cs.c[c*cs.d : (c+1)*cs.d] }

// refresh recomputes the norms and the transposed copy after c changed.
func (cs *centers) refresh() { cs.refreshOn(1) }

// refreshOn is refresh on up to workers goroutines: norms per centre, the
// transposed copy per block of features.
func (cs *centers) refreshOn(workers int) {
	forTasks(cs.k, min(workers, max(1, cs.k*cs.d/65536)), func(c int) {
		var s float64
		for _, v := range cs.row(c) {
			s += v * v
		}
		cs.sqNorms[c] = s
	})
	if cs.t != nil {
		k := cs.k
		forBlocks(cs.d, 4096, min(workers, max(1, cs.k*cs.d/65536)), func(_, lo, hi int) {
			for c := 0; c < k; c++ {
				row := cs.row(c)
				for j := lo; j < hi; j++ {
					cs.t[int(cs.rank[j])*k+c] = row[j]
				}
			}
		})
	}
}

// sqDist is the squared distance from row i to centre c. Dense rows use the
// differences; sparse rows use ||x||² - 2x·c + ||c||², clamped at zero as
// scikit-learn does, touching only the nonzeros of the row.
func (p *points) sqDist(i int, cs *centers, c int) float64 {
	if p.sparse {
		cols, vals := p.sparseRow(i)
		cr := cs.row(c)
		var dot float64
		for k, j := range cols {
			dot += vals[k] * cr[j]
		}
		return max(p.sqNorms[i]-2*dot+cs.sqNorms[c], 0)
	}
	return sqDiff(p.row(i), cs.row(c))
}

func sqDiff(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for j, v := range a {
		dv := v - b[j]
		s += dv * dv
	}
	return s
}

// nearest finds, for rows [lo, hi), the closest centre (the first one on
// ties) and the squared distance to it. dots is scratch of length k.
func (p *points) nearest(cs *centers, lo, hi int, labels []int, dist []float64, dots []float64) {
	k := cs.k
	if !p.sparse {
		for i := lo; i < hi; i++ {
			x := p.row(i)
			best, bestD := 0, math.Inf(1)
			for c := 0; c < k; c++ {
				if d := sqDiff(x, cs.row(c)); d < bestD {
					best, bestD = c, d
				}
			}
			labels[i], dist[i] = best, bestD
		}
		return
	}
	dots = dots[:k]
	for i := lo; i < hi; i++ {
		labels[i], dist[i] = p.nearestSparse(i, cs, dots)
	}
}

// nearestOne returns the closest centre of row i and the squared distance
// to it. dots is scratch of length k.
func (p *points) nearestOne(i int, cs *centers, dots []float64) (int, float64) {
	if p.sparse {
		return p.nearestSparse(i, cs, dots)
	}
	x := p.row(i)
	best, bestD := 0, math.Inf(1)
	for c := 0; c < cs.k; c++ {
		if d := sqDiff(x, cs.row(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}

func (p *points) nearestSparse(i int, cs *centers, dots []float64) (int, float64) {
	sparseDots(p, i, cs, dots)
	best, bestD := 0, math.Inf(1)
	for c, dot := range dots {
		if d := cs.sqNorms[c] - 2*dot; d < bestD {
			best, bestD = c, d
		}
	}
	return best, max(p.sqNorms[i]+bestD, 0)
}

// sparseDots sets dots[c] = x_i · c for every centre, against the
// feature-major centres. Up to 16 centres are summed in registers
// (dotsBlocked); more are summed with gonum's vectorised axpy, one table row
// per nonzero, which measured faster for K = 50 on the IMDB bag of words.
func sparseDots(p *points, i int, cs *centers, dots []float64) {
	cols, vals := p.rankedRow(i)
	k := cs.k
	if k <= 16 {
		dotsBlocked(cols, vals, cs.t, k, dots[:k])
		return
	}
	dots = dots[:k]
	clear(dots)
	vals = vals[:len(cols)]
	for n, r := range cols {
		floats.AddScaled(dots, vals[n], cs.t[int(r)*k:int(r)*k+k])
	}
}
