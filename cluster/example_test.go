package cluster_test

import (
	"context"
	"fmt"

	"github.com/kiln-ml/kiln/cluster"
	"gonum.org/v1/gonum/mat"
)

// Two well separated groups of points.
var points = mat.NewDense(6, 2, []float64{
	1, 1,
	1.5, 2,
	1, 1.5,
	8, 8,
	9, 8.5,
	8.5, 9,
})

func ExampleKMeans() {
	km := &cluster.KMeans{K: 2, NInit: 5, Seed: 1}
	if err := km.Fit(context.Background(), points); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(km.Labels())
	fmt.Printf("inertia %.4f\n", km.Inertia())
	fmt.Printf("centroid of the first row: %.4f\n", mat.Row(nil, km.Labels()[0], km.Centroids()))
	labels, _ := km.Predict(mat.NewDense(1, 2, []float64{0, 0}))
	fmt.Println("a new point at the origin joins cluster", labels[0])
	// Output:
	// [1 1 1 0 0 0]
	// inertia 1.6667
	// centroid of the first row: [1.1667 1.5000]
	// a new point at the origin joins cluster 1
}

func ExampleSweep() {
	// Three fits at once, each the best of ten starts. The values agree with
	// scikit-learn 1.2.1's KMeans(K, n_init=10) and silhouette_score.
	sw := &cluster.Sweep{Ks: []int{1, 2, 3}, Base: cluster.KMeans{NInit: 10}, Concurrency: 3}
	results, err := sw.Run(context.Background(), points)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Printf("K=%d inertia %.3f silhouette %.3f\n", r.K, r.Inertia, r.Silhouette)
	}
	// Output:
	// K=1 inertia 155.833 silhouette NaN
	// K=2 inertia 1.667 silhouette 0.913
	// K=3 inertia 0.917 silhouette 0.581
}

func ExampleTopTerms() {
	// Centroids of a count matrix: mean counts of each word in each cluster.
	centroids := mat.NewDense(2, 4, []float64{
		2.5, 0.1, 0, 1.2,
		0, 3.0, 1.8, 0.2,
	})
	top, _ := cluster.TopTerms(centroids, []string{"horror", "musical", "dance", "gore"}, 2)
	for c, terms := range top {
		fmt.Println(c, terms[0].Term, terms[1].Term)
	}
	// Output:
	// 0 horror gore
	// 1 musical dance
}

func ExampleMiniBatchKMeans_PartialFit() {
	mb := &cluster.MiniBatchKMeans{K: 2, Seed: 1}
	// Stream the data in two batches, five times over.
	for pass := 0; pass < 5; pass++ {
		for _, rows := range [][2]int{{0, 3}, {3, 6}} {
			batch := points.Slice(rows[0], rows[1], 0, 2)
			if err := mb.PartialFit(batch, nil); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	labels, _ := mb.Predict(points)
	fmt.Println(labels[0] != labels[3], labels[0] == labels[1], labels[3] == labels[5])
	// Output: true true true
}
