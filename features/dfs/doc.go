// Package dfs is deep feature synthesis: it turns related tables into one
// row of features per entity, with Featuretools' names and semantics, fast
// enough to run on every request.
//
// An EntitySet holds the tables (entities: dataset frames with an index
// column and an optional time index) and the parent-child relationships
// between them, over as many levels as needed; NormalizeEntity makes a parent
// out of a child's column, as Featuretools' normalize_entity makes planes out
// of flights.tailnum:
//
//	es := dfs.NewEntitySet()
//	es.AddEntity("flights", flights, "", "date") // no index needed: flights are only a child
//	es.NormalizeEntity("flights", "planes", "tailnum")
//
// DFS stacks primitives along the relationships, up to MaxDepth: aggregations
// over children (count, sum, mean, min, max, std, skew, median, mode,
// num_unique, percent_true, first, last, time_since_last), transforms of a
// row (year, month, day, weekday, hour, is_weekend, absolute), direct features
// from parents, and one-hot columns of the top values of a categorical column
// ("carrier = UA", "carrier is unknown"). Features are named as Featuretools
// names them: COUNT(flights), SUM(flights.distance), MODE(flights.dest),
// SUM(flights.carrier = UA), MEAN(sessions.SUM(transactions.amount)),
// MEAN(flights.airports[dest].alt).
//
//	fm, defs, err := dfs.DFS{Target: "planes", MaxDepth: 2}.Run(ctx, es, dfs.Options{})
//
// Which primitives apply to a column follows its LogicalType, as Woodwork's
// logical types and semantic tags decide it for Featuretools: an entity's
// index is LogicalIndex (only counted), relationship keys are LogicalID,
// Timestamp columns LogicalDatetime, and the rest are inferred from storage
// (numbers are LogicalNumeric, strings LogicalCategorical, booleans
// LogicalBoolean). Sums, means, deviations and extremes take quantities only;
// num_unique and mode take categories and ids, whole numbers included; the
// date parts (DAY, MONTH, ...) are ordinals, counted but never averaged. An
// Int64 column that names things rather than measures them is declared:
//
//	es.SetLogicalTypes("ratings", map[string]dfs.LogicalType{"userId": dfs.LogicalID})
//
// so that DFS builds NUM_UNIQUE(ratings.userId), not SUM(ratings.userId).
// Logical types steer synthesis only: definitions saved by any version
// compute the same values.
//
// Values follow pandas: nulls are skipped (the count of a column and
// num_unique exclude them), std is the sample deviation (ddof 1), skew is
// pandas' bias-corrected G1 (null below 3 values, 0 without variance), mode
// breaks ties toward the smallest value, and the sum of no values is 0.
//
// The feature matrix is a dataset.Frame: the target's index, then one column
// per feature, in a deterministic order. The definitions (Definitions, a tree
// of plain Feature values) marshal to JSON and are computed again on any
// EntitySet with the same schema: on new data as a whole (Compute), bucket by
// bucket after Partition (the buckets give exactly the all-at-once result),
// or one instance at a time for online scoring (Scorer.NewInstance and
// ScoreRow: a few microseconds per plane, no allocation).
//
// Cutoff times (Options.Cutoffs, one per instance, and TrainingWindow) keep
// the future out of training rows: only child rows whose time index is at or
// before the instance's cutoff (and within the window) are used, at every
// level.
//
// Computing all instances without cutoffs streams each child table once, in
// row order, with per-parent running states; with cutoffs, and for single
// instances, each parent's child rows are read from a per-parent index built
// once. Both paths give the same bits. Work is spread over Options.Workers
// goroutines and the result does not depend on their number. Bad input (a
// missing column, mismatched key types, a relationship cycle, an unknown
// primitive) is an error that names it, never a panic.
package dfs
