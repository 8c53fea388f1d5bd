// Package cluster groups rows of a matrix with k-means, following
// scikit-learn 1.2.1 where users will compare results.
//
// # KMeans
//
// KMeans minimises the within-cluster sum of squared distances (inertia).
// Configuration is exported fields with useful zero values; the learned
// state is read through methods:
//
//	km := &cluster.KMeans{K: 10, Seed: 1}
//	err := km.Fit(ctx, X) // X: *mat.Dense, *sparse.CSR or any mat.Matrix
//	km.Labels(); km.Sizes(); km.Centroids(); km.Inertia(); km.Iterations()
//	ids, err := km.Predict(Y)      // nearest centroid, as float64 cluster ids
//	dist, err := km.Transform(Y)   // Euclidean distance to every centroid
//
// Seeding is scikit-learn's greedy k-means++ (2+floor(ln K) candidates per
// centre, the one that lowers the potential most is kept), K random rows,
// or given centroids. NInit starts are made (10 by default, scikit-learn
// 1.2.1's n_init; one from given centroids) and the one of lowest inertia
// kept. Each start iterates Lloyd's algorithm, or Elkan's (the same result,
// fewer distances, n×K bounds in memory), until the labels stop changing,
// the squared centre shift falls to Tol × the mean per-feature variance of X
// (scikit-learn's tol), or MaxIter. A start that stops on the tolerance ends
// with one more assignment so that labels match the final centroids.
// Optional sample weights (FitWeighted) weigh the means and the inertia, as
// in scikit-learn 1.2.1 (whose seeding ignores them, as here).
//
// Sparse input (*sparse.CSR) has its own path: squared row norms are
// computed once, distances are ||x||² - 2x·c + ||c||² over the nonzeros of
// each row against a feature-major copy of the centroids (features ordered
// by how many rows use them, so that the frequent words' rows share the
// cache), and rows are never densified. It costs 4 bytes per nonzero (the
// reordered column indices) and K×features floats beyond scikit-learn's
// layout. On the 50,000 IMDB reviews' bag of words it is faster per
// iteration than scikit-learn (see BENCHMARKS.md).
//
// Empty clusters are handled as scikit-learn does: after an assignment, each
// cluster left with no weight takes the row farthest from its own centre (the
// i-th empty cluster the i-th farthest row; ties to the lower row index) and
// that row's weight moves out of its old cluster's mean. If the data has
// fewer distinct rows than K, Fit still succeeds (scikit-learn warns): with
// k-means++ seeding every distinct row gets a cluster of its own, the other
// clusters stay empty with centroids on data rows, and the inertia is 0.
//
// Workers goroutines share each iteration (0 = GOMAXPROCS). The result does
// not depend on Workers: every row's label is computed on its own, and sums
// over rows are formed in fixed row chunks reduced in a fixed order, so the
// same Seed gives bit-identical labels, centroids and inertia with 1, 2 or 8
// workers. Random numbers come from math/rand/v2's PCG seeded with (Seed,
// start), so results differ from scikit-learn's numpy streams; from given
// centroids they match scikit-learn's iteration for iteration.
//
// # MiniBatchKMeans
//
// MiniBatchKMeans updates the centres from random batches of rows with a
// per-centre learning rate, for data too large for many full passes, with
// scikit-learn's early stopping and reassignment of starved centres. Fit
// samples batches from the whole data; PartialFit takes one step on a batch
// the caller streams in.
//
// # Sweeps over K
//
// Sweep fits many (K, seed) pairs at once with bounded concurrency (the book
// Effective Data Science Infrastructure's ManyKmeansFlow as one call) and
// reports each fit's inertia, iterations and a silhouette score on a seeded
// sample of rows. Silhouette computes scikit-learn's silhouette_score.
// TopTerms lists the heaviest vocabulary terms of each centroid, the book's
// top_words.
//
// # Saving
//
// KMeans.State and MiniBatchKMeans.State return the fitted model as plain
// values (exported fields only); NewKMeansFromState and
// NewMiniBatchKMeansFromState rebuild it.
//
// Errors: K <= 0, K above the row count, NaN or infinite values (reported by
// row and column), empty input, mismatched widths or weights are returned
// as errors, never panics. They wrap the root package's sentinels
// (kiln.ErrConfig, kiln.ErrNonFinite, kiln.ErrEmpty, kiln.ErrShape,
// kiln.ErrNotFitted) for errors.Is. Fitted models predict and transform
// from many goroutines at once.
package cluster
