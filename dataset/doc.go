// Package dataset holds kiln's tabular data: a Frame of named, typed columns
// (float64, int64, string, bool, timestamp) with null masks.
//
// Low-cardinality string columns are dictionary-encoded, so that one-hot
// encoding and group-by work on small integer codes. Frames are immutable;
// operations return new frames that share unchanged columns.
//
// Readers turn CSV and JSON Lines into frames and report bad input as errors
// that name the file, line and column. Frames convert to gonum matrices for
// the models. The Arrow-based formats live in their own packages, so that a
// program that reads CSV or scores frames links no Arrow, Parquet, Thrift or
// gRPC code: dataset/parquet (Parquet), dataset/arrowipc (Arrow IPC files and
// streams) and dataset/arrowconv (Arrow records).
//
// # Reading and writing
//
// ReadCSV and ReadCSVFile read RFC 4180 text (gzip detected by content) on all
// cores, with exact type inference over every value, null masks and
// dictionary strings; WriteCSV writes what ReadCSV reads back unchanged.
// ReadJSONL reads JSON Lines. Parse errors are *ParseError values naming
// file, line, column and column name. parquet.ReadFile (column projection,
// row groups in parallel) and arrowipc.ReadFile, in the packages named above,
// give frames of the same types.
//
// # Operations
//
// Select, Drop, WithColumn, Filter (by mask), DropNulls (pandas' dropna),
// Slice, Take and Concat reshape frames. Sort orders rows by several keys (stable, nulls last, linear-time
// radix sort). Join is a hash join (inner or left) on one or more key
// columns, where nulls never match, as in SQL. GroupBy returns the distinct
// key tuples in order of first appearance with the rows of each group in a
// compact CSR layout; deep feature synthesis and one-hot encoding build on it.
// Describe summarizes every column as pandas' describe does, and Table prints
// a frame for people.
//
// # Splits
//
// Shuffle, Sample, TrainTestSplit, KFold and StratifiedKFold are seeded
// (math/rand/v2's PCG; see NewRand): the same seed gives the same rows. They
// follow scikit-learn's conventions (test size ceil(fraction*n), the first
// n%k folds one row larger, stratified folds dealt as StratifiedKFold does),
// but shuffled rows differ from scikit-learn's, whose generator is numpy's.
// The *Index functions return row numbers for use on matrices.
//
// ToDense and FromDense convert to and from gonum matrices; a null cell or a
// string or timestamp column (named, or present when no columns are named) is
// an error naming the column and the row. Column.ToFloat64 is one numeric
// column as float64s, nulls as NaN.
package dataset
