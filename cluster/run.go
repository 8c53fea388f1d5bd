package cluster

import (
	"context"
	"math"
	"slices"

	"github.com/kiln-ml/kiln"
)

// assignBlock is the row block of the assignment step.
const assignBlock = 512

func sqrt(x float64) float64 { return math.Sqrt(x) }

// run is one start of k-means from given centres, scikit-learn's
// _kmeans_single_lloyd / _kmeans_single_elkan.
type run struct {
	p        *points
	w        []float64
	k        int
	maxIter  int
	tol      float64 // absolute: already multiplied by the mean variance
	workers  int
	start    int
	progress kiln.ProgressFunc

	centers    *centers
	labels     []int
	inertia    float64
	iterations int
}

// fit iterates from cs until the labels stop changing (strict convergence),
// the centres move less than tol in total squared shift, or maxIter. Like
// scikit-learn, a run that did not converge strictly ends with one more
// assignment so that the labels match the final centres.
func (r *run) fit(ctx context.Context, cs *centers, algo Algorithm) error {
	p, n, k := r.p, r.p.n, r.k
	labels := make([]int, n)
	old := make([]int, n)
	for i := range old {
		old[i] = -1
	}
	dist := make([]float64, n)
	next := newCenters(k, p)
	shift := make([]float64, k)
	u := newUpdater(n, k, p.d)
	var el *elkan
	if algo == Elkan {
		el = newElkan(p, cs)
		el.initBounds(cs, labels, r.workers)
	}
	strict := false
	iter := 0
	for iter < r.maxIter {
		if err := ctx.Err(); err != nil {
			return err
		}
		var total float64
		if el != nil {
			el.assign(cs, labels, r.workers)
			total = u.update(p, r.w, labels, nil, cs, next, shift, r.workers)
		} else {
			r.assign(cs, labels, dist)
			total = u.update(p, r.w, labels, dist, cs, next, shift, r.workers)
		}
		cs, next = next, cs
		if el != nil {
			el.moved(cs, labels, shift, r.workers)
		}
		iter++
		if r.progress != nil {
			r.progress(kiln.Progress{Stage: "iteration", Done: int64(iter), Total: int64(r.maxIter), Value: total})
		}
		if slices.Equal(labels, old) {
			strict = true
			break
		}
		if total <= r.tol {
			break
		}
		copy(old, labels)
	}
	if !strict {
		r.assign(cs, labels, dist)
	}
	r.centers, r.labels, r.iterations = cs, labels, iter
	r.inertia = inertia(p, r.w, cs, labels, r.workers)
	return nil
}

// assign labels every row with its nearest centre (Lloyd's E-step).
func (r *run) assign(cs *centers, labels []int, dist []float64) {
	forBlocks(r.p.n, assignBlock, r.workers, func(_, lo, hi int) {
		r.p.nearest(cs, lo, hi, labels, dist, make([]float64, cs.k))
	})
}

// inertia is Σ w_i ||x_i - c_{label_i}||², summed in fixed blocks.
func inertia(p *points, w []float64, cs *centers, labels []int, workers int) float64 {
	partial := make([]float64, numBlocks(p.n, assignBlock))
	forBlocks(p.n, assignBlock, workers, func(b, lo, hi int) {
		var s float64
		for i := lo; i < hi; i++ {
			s += w[i] * p.sqDist(i, cs, labels[i])
		}
		partial[b] = s
	})
	return sumInOrder(partial)
}
