package cluster

import "math"

// elkan keeps the bounds of Elkan's algorithm (Elkan, ICML 2003) as
// scikit-learn's _k_means_elkan does: upper[i] >= d(x_i, c_label) and
// lower[i*k+j] <= d(x_i, c_j), plus half the distances between centres.
// A row is re-examined only where the triangle inequality allows a closer centre.
type elkan struct {
	p        *points
	k        int
	upper    []float64
	lower    []float64
	half     []float64 // half[a*k+b] = d(c_a, c_b)/2
	nextHalf []float64 // nextHalf[a] = min over b != a of half[a*k+b]
}

func newElkan(p *points, cs *centers) *elkan {
	k := cs.k
	e := &elkan{p: p, k: k, upper: make([]float64, p.n), lower: make([]float64, p.n*k),
		half: make([]float64, k*k), nextHalf: make([]float64, k)}
	e.centreDistances(cs)
	return e
}

func (e *elkan) centreDistances(cs *centers) {
	k := e.k
	for a := 0; a < k; a++ {
		e.half[a*k+a] = 0
		for b := a + 1; b < k; b++ {
			h := math.Sqrt(sqDiff(cs.row(a), cs.row(b))) / 2
			e.half[a*k+b], e.half[b*k+a] = h, h
		}
	}
	for a := 0; a < k; a++ {
		m := math.Inf(1)
		for b := 0; b < k; b++ {
			if b != a && e.half[a*k+b] < m {
				m = e.half[a*k+b]
			}
		}
		e.nextHalf[a] = m
	}
}

func (e *elkan) dist(i int, cs *centers, c int) float64 { return math.Sqrt(e.p.sqDist(i, cs, c)) }

// initBounds labels every row, computing only the distances it must.
func (e *elkan) initBounds(cs *centers, labels []int, workers int) {
	k := e.k
	forBlocks(e.p.n, assignBlock, workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			lower := e.lower[i*k : (i+1)*k]
			best, bestD := 0, e.dist(i, cs, 0)
			lower[0] = bestD
			for j := 1; j < k; j++ {
				if bestD > e.half[best*k+j] {
					d := e.dist(i, cs, j)
					lower[j] = d
					if d < bestD {
						best, bestD = j, d
					}
				}
			}
			labels[i], e.upper[i] = best, bestD
		}
	})
}

// assign relabels every row whose bounds allow a closer centre.
func (e *elkan) assign(cs *centers, labels []int, workers int) {
	k := e.k
	forBlocks(e.p.n, assignBlock, workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			label, up := labels[i], e.upper[i]
			if e.nextHalf[label] >= up {
				continue
			}
			lower := e.lower[i*k : (i+1)*k]
			tight := false
			for j := 0; j < k; j++ {
				if j == label || up <= lower[j] || up <= e.half[label*k+j] {
					continue
				}
				if !tight {
					up = e.dist(i, cs, label)
					lower[label] = up
					tight = true
					if up <= lower[j] || up <= e.half[label*k+j] {
						continue
					}
				}
				d := e.dist(i, cs, j)
				lower[j] = d
				if d < up {
					label, up = j, d
				}
			}
			labels[i], e.upper[i] = label, up
		}
	})
}

// moved loosens the bounds by how far each centre moved, then recomputes the
// centre-to-centre distances.
func (e *elkan) moved(cs *centers, labels []int, shift []float64, workers int) {
	k := e.k
	forBlocks(e.p.n, assignBlock, workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			e.upper[i] += shift[labels[i]]
			lower := e.lower[i*k : (i+1)*k]
			for j, s := range shift {
				lower[j] = max(lower[j]-s, 0)
			}
		}
	})
	e.centreDistances(cs)
}
