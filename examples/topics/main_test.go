package main

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/cluster"
	"github.com/kiln-ml/kiln/examples/internal/charts"
)

// scikit-learn 1.2.1 (Debian python3-sklearn, run with /usr/bin/python3) on
// the embedded sample with "<br />" replaced by a space:
// CountVectorizer(min_df=10, max_df=0.1) gives a 5000 x 6443 matrix with
// 319,870 non-zeros; KMeans(n_clusters=K, n_init=1, random_state=s) over
// s = 0..9 gives a median inertia of 510383.55 for K=5 and 506820.40 for
// K=10 (ranges 508829-514695 and 505813-508826).
var sklearnMedianInertia = map[int]float64{5: 510383.55, 10: 506820.40}

func TestTopics(t *testing.T) {
	var out, bars bytes.Buffer
	plot := filepath.Join(t.TempDir(), "topics.png")
	rep, err := run(context.Background(), &out, config{Ks: []int{5, 10}, K: 10, SilhouetteSample: 500, TopWords: 10, Progress: &bars, Plot: plot})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := charts.Check(plot); err != nil {
		t.Errorf("figure: %v", err)
	}
	// Not a terminal: each task ends with one line saying how long it took.
	for _, want := range []string{"loading reviews: done in ", "vectorizing: count 5000/5000 (100%), done in ", "k-means sweep: fit 2/2 (100%), value "} {
		if !strings.Contains(bars.String(), want) {
			t.Errorf("progress lines lack %q:\n%s", want, bars.String())
		}
	}
	if r, c := rep.X.Dims(); r != 5000 || c != 6443 || rep.X.NNZ() != 319870 {
		t.Errorf("bag of words %d x %d, %d non-zeros; scikit-learn: 5000 x 6443, 319870", r, c, rep.X.NNZ())
	}
	for _, res := range rep.Sweep {
		want := sklearnMedianInertia[res.K]
		if rel := math.Abs(res.Inertia-want) / want; rel > 0.01 {
			t.Errorf("K=%d: inertia %.2f is %.2f%% from scikit-learn's median %.2f", res.K, res.Inertia, 100*rel, want)
		}
		if res.Silhouette < -1 || res.Silhouette > 1 {
			t.Errorf("K=%d: silhouette %v outside [-1, 1]", res.K, res.Silhouette)
		}
	}

	// The chosen model's inertia is the squared distance of each review to
	// its own centroid, and each centroid is the mean of its reviews.
	km := rep.Chosen
	labels, cent := km.Labels(), km.Centroids()
	rows, cols := rep.X.Dims()
	sums := make([][]float64, km.K)
	counts := make([]int, km.K)
	for c := range sums {
		sums[c] = make([]float64, cols)
	}
	centNorm := make([]float64, km.K) // ||c||², so that ||x-c||² = ||x||² - 2x·c + ||c||² over x's non-zeros
	for c := range centNorm {
		for j := 0; j < cols; j++ {
			centNorm[c] += cent.At(c, j) * cent.At(c, j)
		}
	}
	var inertia float64
	for i := 0; i < rows; i++ {
		c := labels[i]
		counts[c]++
		inertia += centNorm[c]
		rep.X.DoRowNonZero(i, func(_, j int, v float64) {
			sums[c][j] += v
			inertia += v*v - 2*v*cent.At(c, j)
		})
	}
	if math.Abs(inertia-km.Inertia())/inertia > 1e-9 {
		t.Errorf("inertia %v, recomputed from labels and centroids %v", km.Inertia(), inertia)
	}
	for c := range sums {
		for j := range sums[c] {
			if counts[c] > 0 && math.Abs(sums[c][j]/float64(counts[c])-cent.At(c, j)) > 1e-9 {
				t.Fatalf("centroid %d, term %d: %v, mean of its reviews %v", c, j, cent.At(c, j), sums[c][j]/float64(counts[c]))
			}
		}
	}

	// Top words: the heaviest terms of each centroid, heaviest first.
	for c, terms := range rep.Top {
		if len(terms) != 10 {
			t.Fatalf("cluster %d: %d top words", c, len(terms))
		}
		best := 0.0
		for j := 0; j < cols; j++ {
			best = math.Max(best, cent.At(c, j))
		}
		if terms[0].Weight != best {
			t.Errorf("cluster %d: top word %q weighs %v, the centroid's largest weight is %v", c, terms[0].Term, terms[0].Weight, best)
		}
		for k, term := range terms {
			j, ok := rep.Vocab.Index(term.Term)
			if !ok || cent.At(c, j) != term.Weight || (k > 0 && term.Weight > terms[k-1].Weight) {
				t.Errorf("cluster %d: top word %d %+v is not the centroid's weight or out of order", c, k, term)
			}
		}
	}

	// A sweep's fit is the fit one would make alone with the same K and seed.
	alone := &cluster.KMeans{K: 10, Seed: 0, NInit: 1} // a sweep makes one start per seed
	if err := alone.Fit(context.Background(), rep.X); err != nil {
		t.Fatal(err)
	}
	if alone.Inertia() != km.Inertia() {
		t.Errorf("K=10 alone: inertia %v, in the sweep %v", alone.Inertia(), km.Inertia())
	}
	if !strings.Contains(out.String(), "top words of the 10 clusters for K = 10") {
		t.Errorf("report lacks the top words:\n%s", out.String())
	}
}

func TestTopicsChosenKNotSwept(t *testing.T) {
	_, err := run(context.Background(), new(bytes.Buffer), config{Ks: []int{5, 10}, K: 7})
	if err == nil || !strings.Contains(err.Error(), "-k 7") {
		t.Errorf("K outside the sweep: error %v, want one naming it", err)
	}
}
