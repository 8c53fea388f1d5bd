package cluster

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Silhouette returns the mean silhouette coefficient of the clustering
// labels of X's rows, as scikit-learn's silhouette_score with the Euclidean
// metric: for each row, a = mean distance to the other rows of its cluster,
// b = the lowest mean distance to the rows of another cluster, s = (b-a)/max(a,b),
// and s = 0 for a row alone in its cluster.
//
// If 0 < sampleSize < rows, the score is computed on sampleSize rows drawn
// without replacement with the given seed (the same rows for the same seed,
// so scores of different clusterings compare fairly). The work is
// O(sampleSize² × nonzeros per row), spread over workers (0 = GOMAXPROCS).
func Silhouette(X mat.Matrix, labels []int, sampleSize int, seed uint64, workers int) (float64, error) {
	p, err := newPoints(X)
	if err != nil {
		return 0, err
	}
	if len(labels) != p.n {
		return 0, fmt.Errorf("cluster: %d labels for %d rows", len(labels), p.n)
	}
	return silhouette(p, labels, sampleSize, seed, effectiveWorkers(workers))
}

func silhouette(p *points, labels []int, sampleSize int, seed uint64, workers int) (float64, error) {
	rows := make([]int, p.n)
	for i := range rows {
		rows[i] = i
	}
	if sampleSize > 0 && sampleSize < p.n {
		rows = rand.New(rand.NewPCG(seed, 0)).Perm(p.n)[:sampleSize]
	}
	q := p.subset(rows)
	k := 0
	lab := make([]int, len(rows))
	for n, i := range rows {
		if labels[i] < 0 {
			return 0, fmt.Errorf("cluster: label %d is negative", i)
		}
		lab[n] = labels[i]
		k = max(k, labels[i]+1)
	}
	size := make([]int, k)
	distinct := 0
	for _, l := range lab {
		if size[l] == 0 {
			distinct++
		}
		size[l]++
	}
	if distinct < 2 || distinct > q.n-1 {
		return 0, errors.New("cluster: the silhouette needs between 2 and rows-1 distinct labels")
	}
	s := make([]float64, q.n)
	forBlocks(q.n, 64, workers, func(_, lo, hi int) {
		sums := make([]float64, k)
		var scratch []float64
		if q.sparse {
			scratch = make([]float64, q.d)
		}
		for i := lo; i < hi; i++ {
			clear(sums)
			if q.sparse {
				cols, vals := q.sparseRow(i)
				for n, j := range cols {
					scratch[j] += vals[n]
				}
				for j := 0; j < q.n; j++ {
					if j == i {
						continue
					}
					cj, vj := q.sparseRow(j)
					var dot float64
					for n, c := range cj {
						dot += vj[n] * scratch[c]
					}
					sums[lab[j]] += math.Sqrt(max(q.sqNorms[i]+q.sqNorms[j]-2*dot, 0))
				}
				for _, j := range cols {
					scratch[j] = 0
				}
			} else {
				x := q.row(i)
				for j := 0; j < q.n; j++ {
					if j != i {
						sums[lab[j]] += math.Sqrt(sqDiff(x, q.row(j)))
					}
				}
			}
			own := lab[i]
			if size[own] == 1 {
				continue // s = 0
			}
			a := sums[own] / float64(size[own]-1)
			b := math.Inf(1)
			for c, sc := range sums {
				if c != own && size[c] > 0 {
					b = min(b, sc/float64(size[c]))
				}
			}
			if m := max(a, b); m > 0 {
				s[i] = (b - a) / m
			}
		}
	})
	return sumInOrder(s) / float64(q.n), nil
}
