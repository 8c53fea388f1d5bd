// Package dataset holds kiln's tabular data: a Frame of named, typed columns
// (float64, int64, string, bool, timestamp) with null masks.
//
// Low-cardinality string columns are dictionary-encoded, so that one-hot
// encoding and group-by work on small integer codes. Frames are immutable;
// operations return new frames that share unchanged columns.
//
// Readers turn CSV, Parquet, Arrow IPC and JSON Lines into frames and report
// bad input as errors that name the file, line and column. Frames convert to
// gonum matrices for the models and to Arrow records for other tools.
package dataset
