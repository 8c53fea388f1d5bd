// Package parquet reads Parquet files into dataset frames and writes frames
// as Parquet, apart from package dataset so that a program that only scores
// links no Arrow, Parquet or Thrift code.
//
// ReadFile and Read load a whole file, decoding its (column, row group)
// chunks on every core; NewBatches streams a file a fixed number of rows at
// a time; WriteFile, Write and Writer write frames, dictionary-encoded
// String columns with a Parquet dictionary so that reading gives back the
// same encoding.
//
// Reading goes two ways. The commonest columns (flat int64, double,
// timestamp and dictionary-encoded string columns in PLAIN or dictionary
// pages, uncompressed, Snappy or Zstandard) are decoded by the package's own
// page decoder (pages.go: page headers in pageheader.go, the RLE/bit-packed
// hybrid in rle.go), straight from the file's bytes into the frame's
// columns, through scratch buffers that each worker reuses. Everything else
// goes through the Arrow library's pqarrow reader. The tests read every file
// both ways and require identical frames.
package parquet
