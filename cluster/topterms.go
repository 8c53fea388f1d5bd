package cluster

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

func nan() float64 { return math.NaN() }

// Term is one vocabulary entry with its weight in a centroid.
type Term struct {
	Term   string
	Weight float64
}

// TopTerms returns, for each centroid (row of centroids), the n terms of
// largest weight, largest first, ties broken by vocabulary order. With
// k-means on a count matrix, a centroid's weights are the mean counts of its
// cluster, so this ranks words as the book's top_words (which sums the
// counts) does. vocabulary[j] names feature j.
func TopTerms(centroids mat.Matrix, vocabulary []string, n int) ([][]Term, error) {
	if centroids == nil {
		return nil, errNotFitted
	}
	k, d := centroids.Dims()
	if len(vocabulary) != d {
		return nil, fmt.Errorf("cluster: vocabulary has %d terms; the centroids have %d features", len(vocabulary), d)
	}
	if n <= 0 {
		return nil, fmt.Errorf("cluster: n = %d terms; it must be at least 1", n)
	}
	n = min(n, d)
	out := make([][]Term, k)
	idx := make([]int, d)
	row := make([]float64, d)
	for c := 0; c < k; c++ {
		mat.Row(row, c, centroids)
		for j := range idx {
			idx[j] = j
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case row[a] > row[b]:
				return -1
			case row[a] < row[b]:
				return 1
			}
			return 0
		})
		terms := make([]Term, n)
		for t, j := range idx[:n] {
			terms[t] = Term{vocabulary[j], row[j]}
		}
		out[c] = terms
	}
	return out, nil
}
