package cluster

import (
	"math"
	"math/rand/v2"
)

// initBlock is the row block of the seeding passes; per-block partial sums
// are reduced in block order, so seeding does not depend on the worker count.
const initBlock = 4096

// kmeansPlusPlus picks k rows as initial centres by greedy k-means++, as
// scikit-learn 1.2.1 does (_kmeans_plusplus): the first centre is a uniformly
// random row; each next one is the best of 2+floor(ln k) candidates drawn with
// probability proportional to the squared distance to the nearest centre so
// far, "best" meaning the lowest total of those distances once it is added.
// Like scikit-learn 1.2.1, seeding ignores sample weights.
func kmeansPlusPlus(p *points, k int, rng *rand.Rand, workers int, cs *centers) {
	n := p.n
	trials := 2 + int(math.Log(float64(k)))
	first := rng.IntN(n)
	p.copyRow(cs.row(0), first)
	cs.refresh()

	closest := make([]float64, n)
	blocks := numBlocks(n, initBlock)
	partial := make([]float64, blocks*trials)
	forBlocks(n, initBlock, workers, func(b, lo, hi int) {
		var s float64
		for i := lo; i < hi; i++ {
			closest[i] = p.sqDist(i, cs, 0)
			s += closest[i]
		}
		partial[b] = s
	})
	pot := sumInOrder(partial[:blocks])

	cand := make([]int, trials)
	candDist := make([]float64, trials*n)
	candPot := make([]float64, trials)
	cum := make([]float64, n)
	// Candidate rows, dense, as a d×trials block (sparse data) or trials×d.
	candRows := make([]float64, trials*p.d)
	candNorms := make([]float64, trials)
	for c := 1; c < k; c++ {
		var s float64
		for i, v := range closest {
			s += v
			cum[i] = s
		}
		for t := range cand {
			r := rng.Float64() * pot
			cand[t] = min(searchLeft(cum, r), n-1)
		}
		for t, i := range cand {
			candNorms[t] = p.sqNorms[i]
			if p.sparse {
				for j := range p.d {
					candRows[j*trials+t] = 0
				}
				cols, vals := p.rankedRow(i)
				for m, r := range cols {
					candRows[int(r)*trials+t] += vals[m]
				}
			} else {
				p.copyRow(candRows[t*p.d:(t+1)*p.d], i)
			}
		}
		forBlocks(n, initBlock, workers, func(b, lo, hi int) {
			sums := partial[b*trials : (b+1)*trials]
			clear(sums)
			dots := make([]float64, trials)
			for i := lo; i < hi; i++ {
				if p.sparse {
					cols, vals := p.rankedRow(i)
					dotsBlocked(cols, vals, candRows, trials, dots)
				}
				for t := 0; t < trials; t++ {
					var dt float64
					if p.sparse {
						dt = max(p.sqNorms[i]-2*dots[t]+candNorms[t], 0)
					} else {
						dt = sqDiff(p.row(i), candRows[t*p.d:(t+1)*p.d])
					}
					dt = min(dt, closest[i])
					candDist[t*n+i] = dt
					sums[t] += dt
				}
			}
		})
		for t := range candPot {
			var s float64
			for b := 0; b < blocks; b++ {
				s += partial[b*trials+t]
			}
			candPot[t] = s
		}
		best := 0
		for t := 1; t < trials; t++ {
			if candPot[t] < candPot[best] {
				best = t
			}
		}
		pot = candPot[best]
		copy(closest, candDist[best*n:(best+1)*n])
		p.copyRow(cs.row(c), cand[best])
	}
	cs.refresh()
}

// searchLeft returns the first index i with cum[i] >= r (numpy's
// searchsorted, side="left"), or len(cum) when there is none.
func searchLeft(cum []float64, r float64) int {
	lo, hi := 0, len(cum)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cum[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func sumInOrder(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// randomRows picks k distinct rows uniformly (the first k of a random
// permutation, as scikit-learn's init="random").
func randomRows(p *points, k int, rng *rand.Rand, cs *centers) {
	perm := rng.Perm(p.n)
	for c := 0; c < k; c++ {
		p.copyRow(cs.row(c), perm[c])
	}
	cs.refresh()
}
