package dataset

import (
	"bytes"
	"testing"
)

// FuzzReadParquet feeds arbitrary bytes to ReadParquet: it must return a
// frame or an error, never panic. Seeds: small files written by WriteParquet
// (every type with nulls in one and in three row groups, uncompressed so that
// mutations reach the page encodings, and a dictionary column).
//
//	go test ./dataset -run '^$' -fuzz FuzzReadParquet -fuzztime 60s -fuzzminimizetime 10x
//
// (The default minimization budget, 60 s per new input, can spend the whole
// run minimizing the first interesting input.)
func FuzzReadParquet(f *testing.F) {
	every := everyTypeFrame(f)
	f.Add(parquetBytes(f, every, ParquetWriteOptions{Compression: ParquetUncompressed}))
	f.Add(parquetBytes(f, every, ParquetWriteOptions{RowGroupRows: 2}))
	dict, _ := NewDictString("s", []int32{1, 0, 1}, []string{"a", "b"}, []bool{true, false, true})
	f.Add(parquetBytes(f, MustNew(dict, NewInt64("x", []int64{1, 2, 3}, nil)), ParquetWriteOptions{Compression: ParquetUncompressed}))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ReadParquet(bytes.NewReader(data), int64(len(data)), ParquetOptions{Workers: 2})
		if err != nil {
			return
		}
		checkFrameConsistent(t, fr)
	})
}
