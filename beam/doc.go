// Package beam runs kiln's heavy steps on Apache Beam, so that they scale past
// one machine: the same pipeline runs in-process on the prism runner (no Java,
// no cluster: what the tests and examples use) and on Dataflow, Flink or Spark
// through their portable runners.
//
// It is a module of its own, github.com/kiln-ml/kiln/beam, so that users of
// the core module never download the Beam SDK:
//
//	go get github.com/kiln-ml/kiln/beam
//
// Its package name is beam, as Apache Beam's is: import one of them under
// another name, for example
//
//	import (
//		"github.com/apache/beam/sdks/v2/go/pkg/beam"
//		kbeam "github.com/kiln-ml/kiln/beam"
//	)
//
// # Transforms
//
// Score scores rows with a saved kiln pipeline (a .kiln bundle): each
// worker loads the bundle once, in Setup, from a local path or any Beam
// filesystem, and scores batches of rows through Pipeline.Predict and
// PredictProba; every output row carries the prediction, the probability
// of each class (classifiers) and the model's name and version. Rows that
// cannot be scored go to a dead-letter output with the reason; a missing or
// corrupt bundle fails the job at Setup. ReadParquet, ReadCSV and ReadJSONL
// read files matched by a glob into batches (Rows) with kiln's own readers,
// and WriteParquet, WriteCSV, WriteJSONL and WriteDeadLetters write the
// results:
//
//	rows, badFiles := kbeam.ReadParquet(s, "gs://bucket/flights/*.parquet", kbeam.ReadOptions{})
//	scored, dead := kbeam.Score{Model: "gs://bucket/registry/delay/4/model.kiln"}.Apply(s, rows)
//	kbeam.WriteParquet(s, "gs://bucket/scored/part", scored)
//	kbeam.WriteDeadLetters(s, "gs://bucket/scored/dead.jsonl", beam.Flatten(s, badFiles, dead))
//
// On the 3,000,000 rows of flights-3m.parquet its output equals in-process
// scoring bit for bit on every row (TestScoreFlights3M).
//
// Cooccurrence computes the word co-occurrence matrix of a collection of
// documents with the same vocabulary rules as text.CountVectorizer (MinDF,
// MaxDF) and the same counts as linalg.Cooccurrence: the documents are
// tokenized and their document frequencies counted in one global pass, each
// worker counts batches of documents with the linalg kernel, and the partial
// rows are added per term. On the 50,000 IMDB reviews it gives linalg's
// matrix row for row (see BENCHMARKS.md for the commands and the times).
//
// DFS computes the aggregation features of saved deep feature synthesis
// definitions (features/dfs) over child rows keyed by their parent: each
// batch of rows becomes one mergeable accumulator per parent (counts, exact
// sums of x, x² and x³, extremes, value counts), CombinePerKey merges them,
// and the last step finishes count, sum, mean, min, max, std, skew,
// num_unique, mode and percent_true with features/dfs's names and
// semantics; cutoff times (a side input) and a training window choose the
// rows of each instance as dfs.Options does:
//
//	flights, bad := kbeam.ReadParquet(s, "gs://bucket/flights/*.parquet", kbeam.ReadOptions{})
//	features, dead := kbeam.DFS{Definitions: defs}.Apply(s, flights, beam.PCollection{})
//
// DFS.ApplyWithParents also takes the target's own rows (the planes
// table): the target's columns among the definitions' features come from
// them, joined by key, and every parent gets a row, as in features/dfs.
//
// DFS.ToRows lays the feature rows out as features/dfs's matrix (the index
// column, then the features with their Featuretools names and types) in
// batches of Rows, for WriteParquet, WriteCSV and WriteJSONL:
//
//	kbeam.WriteParquet(s, "gs://bucket/features/part", d.ToRows(s, features))
//
// The sums are exact until the one final rounding, so the result does not
// depend on the runner's bundles. On the 334,264 nycflights13 flights with
// a tail number it gives features/dfs's 4,043 x 40 planes matrix: counts,
// sums, extremes, means, modes and distinct counts bit for bit, std and skew
// to features/dfs's own rounding (below 1e-13; TestDFSFlightsPlanes).
//
// KMeans clusters the rows of a matrix (RowBlock batches, dense or sparse,
// from BlocksOf) with Lloyd's iterations: the centroids are a side input of
// each pass, every worker sums the rows nearest each centroid, the partial
// sums are combined per cluster in an order fixed by the rows' indices, and
// the passes stop at convergence as cluster.KMeans's do. It seeds with
// k-means++ on a seeded sample, or from given centres; from the same start
// it reaches cluster.KMeans's inertia (to 1e-9 on the IMDB counts):
//
//	result := kbeam.KMeans{K: 8, Seed: 1}.Apply(s, blocks)
//
// # Runners
//
// Every transform is plain Beam: pick the runner with the --runner flag of
// beamx.Run (the example binary in examples/ shows the flags). Prism runs in
// the calling process; for Dataflow, Flink and Spark, the Go binary is staged
// to the workers by the runner (Dataflow: --runner=dataflow --project
// --region --staging_location gs://...; Flink and Spark: --runner=flink or
// --runner=spark with --endpoint of their Beam job server and
// --environment_type=DOCKER or LOOPBACK). Configuration travels with the
// transforms (their exported fields are serialized into the pipeline);
// large inputs are read on the workers, never through the launching program.
//
// # Determinism
//
// Results do not depend on how a runner splits the data into bundles: counts
// are integers, and floating-point sums are formed in an order fixed by the
// data, not by the runner, or (DFS) kept exact until they are rounded once.
package beam
