package parquet_test

import (
	"bytes"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// FuzzRead feeds arbitrary bytes to Read: it must return a
// frame or an error, never panic. Seeds: small files written by Write
// (every type with nulls in one and in three row groups, uncompressed so that
// mutations reach the page encodings, and a dictionary column).
//
//	go test ./dataset/parquet -run '^$' -fuzz FuzzRead -fuzztime 60s -fuzzminimizetime 10x
//
// (The default minimization budget, 60 s per new input, can spend the whole
// run minimizing the first interesting input.)
func FuzzRead(f *testing.F) {
	every := frametest.EveryType(f)
	f.Add(parquetBytes(f, every, parquet.WriteOptions{Compression: parquet.Uncompressed}))
	f.Add(parquetBytes(f, every, parquet.WriteOptions{RowGroupRows: 2}))
	f.Add(parquetBytes(f, every, parquet.WriteOptions{Compression: parquet.Zstd}))
	dict, _ := dataset.NewDictString("s", []int32{1, 0, 1}, []string{"a", "b"}, []bool{true, false, true})
	f.Add(parquetBytes(f, dataset.MustNew(dict, dataset.NewInt64("x", []int64{1, 2, 3}, nil)), parquet.WriteOptions{Compression: parquet.Uncompressed}))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := parquet.Read(bytes.NewReader(data), int64(len(data)), parquet.Options{Workers: 2})
		if err != nil {
			return
		}
		frametest.Consistent(t, fr)
	})
}

// FuzzBatches feeds arbitrary bytes to NewBatches and reads every batch:
// frames or an error, never a panic. Seeds as for FuzzRead.
//
//	go test ./dataset/parquet -run '^$' -fuzz FuzzBatches -fuzztime 60s -fuzzminimizetime 10x
func FuzzBatches(f *testing.F) {
	every := frametest.EveryType(f)
	f.Add(parquetBytes(f, every, parquet.WriteOptions{Compression: parquet.Uncompressed}))
	f.Add(parquetBytes(f, every, parquet.WriteOptions{RowGroupRows: 2}))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parquet.NewBatches(bytes.NewReader(data), int64(len(data)), parquet.BatchOptions{Rows: 3})
		if err != nil {
			return
		}
		defer b.Close()
		for range 1000 { // a footer may claim a million rows, decodable from a few bytes
			fr, err := b.Next()
			if err != nil {
				return
			}
			frametest.Consistent(t, fr)
		}
	})
}
