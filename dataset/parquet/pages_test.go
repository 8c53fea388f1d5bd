package parquet_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/memory"
	pq "github.com/apache/arrow/go/v14/parquet"
	"github.com/apache/arrow/go/v14/parquet/compress"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// The page decoder (pages.go) against pqarrow, the reader it replaces for
// the commonest columns: every file below is read both ways and the frames
// must be identical, representation included (the same null masks or none,
// zeros under nulls, the same dictionary levels in the same order).

// sameFrame fails unless got is want down to its representation.
func sameFrame(t *testing.T, name string, want, got *dataset.Frame) {
	t.Helper()
	frametest.Equal(t, name, want, got)
	for k, w := range want.Columns() {
		g := got.Col(k)
		if (w.Valid() == nil) != (g.Valid() == nil) || !slices.Equal(w.Valid(), g.Valid()) {
			t.Fatalf("%s: column %q: null masks differ (nil %v and %v)", name, w.Name(), w.Valid() == nil, g.Valid() == nil)
		}
		switch w.Type() {
		case dataset.Int64, dataset.Timestamp:
			if !slices.Equal(w.Int64s(), g.Int64s()) {
				t.Fatalf("%s: column %q: values differ (under nulls too)", name, w.Name())
			}
		case dataset.Float64:
			wb, gb := w.Float64s(), g.Float64s()
			for i := range wb {
				if math.Float64bits(wb[i]) != math.Float64bits(gb[i]) {
					t.Fatalf("%s: column %q row %d: %v, want %v", name, w.Name(), i, gb[i], wb[i])
				}
			}
		case dataset.String:
			wc, wl, wok := w.Dict()
			gc, gl, gok := g.Dict()
			if wok != gok || !slices.Equal(wc, gc) || !slices.Equal(wl, gl) {
				t.Fatalf("%s: column %q: dictionary codes or levels differ: %v, want %v", name, w.Name(), gl, wl)
			}
		}
	}
}

// readBothWays reads data through the page decoder and through pqarrow and
// compares the frames, for one and for several workers.
func readBothWays(t *testing.T, name string, data []byte) *dataset.Frame {
	t.Helper()
	want, err := parquet.ReadThroughArrow(bytes.NewReader(data), int64(len(data)), parquet.Options{Workers: 1})
	if err != nil {
		t.Fatalf("%s: pqarrow: %v", name, err)
	}
	var got *dataset.Frame
	for _, workers := range []int{1, 3} {
		got, err = parquet.Read(bytes.NewReader(data), int64(len(data)), parquet.Options{Workers: workers})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameFrame(t, fmt.Sprintf("%s/workers%d", name, workers), want, got)
	}
	return got
}

// randomFrame has the decoder's column kinds with and without nulls, over
// rows enough for several pages, and dictionaries that change from row group
// to row group (the codes of later groups must be remapped).
func randomFrame(t *testing.T, rows int, seed uint64) *dataset.Frame {
	rng := rand.New(rand.NewPCG(seed, 1))
	ints, floats, times := make([]int64, rows), make([]float64, rows), make([]int64, rows)
	plain := make([]int64, rows)
	codes, validA, validB := make([]int32, rows), make([]bool, rows), make([]bool, rows)
	var levels []string
	for k := range 300 {
		levels = append(levels, fmt.Sprintf("level-%03d-é", k))
	}
	for i := range rows {
		ints[i] = int64(rng.IntN(500)) - 250
		floats[i] = float64(rng.IntN(1000)) / 8
		if i%97 == 0 {
			floats[i] = math.NaN()
		}
		times[i] = int64(rng.IntN(1e6)) * 1000 // whole microseconds
		plain[i] = rng.Int64()
		codes[i] = int32(rng.IntN(1 + 299*i/rows)) // later rows reach later levels
		validA[i] = rng.IntN(10) != 0
		validB[i] = i%1000 != 999
	}
	dict, err := dataset.NewDictString("city", codes, levels, validA)
	if err != nil {
		t.Fatal(err)
	}
	dictFull, err := dataset.NewDictString("carrier", slices.Clone(codes), levels, nil)
	if err != nil {
		t.Fatal(err)
	}
	return dataset.MustNew(
		dataset.NewInt64("small", ints, validA),
		dataset.NewInt64("small_full", slices.Clone(ints), nil),
		dataset.NewInt64("wide", plain, validB), // too many distinct values for a small dictionary
		dataset.NewFloat64("x", floats, validB),
		dataset.NewTimestamp("at", times, validA),
		dict, dictFull,
		dataset.NewString("note", make([]string, rows), nil), // pqarrow's, between page-decoded columns
	)
}

func TestPageDecoderMatchesArrowKilnFiles(t *testing.T) {
	frames := map[string]*dataset.Frame{"every": frametest.EveryType(t), "random": randomFrame(t, 5000, 7)}
	groups := map[string][]int{"every": {0, 2}, "random": {0, 1500}}
	for fname, f := range frames {
		for _, comp := range []parquet.Compression{parquet.Snappy, parquet.Zstd, parquet.Gzip, parquet.Uncompressed} {
			for _, rowGroup := range groups[fname] {
				name := fmt.Sprintf("%s/codec%d/rowgroup%d", fname, comp, rowGroup)
				got := readBothWays(t, name, parquetBytes(t, f, parquet.WriteOptions{Compression: comp, RowGroupRows: rowGroup}))
				frametest.Equal(t, name+" against the written frame", f, got)
			}
		}
	}
}

// TestPageDecoderMatchesArrowOtherWriters writes with pqarrow's own options
// the way other tools do: data pages v2, PLAIN pages without dictionaries,
// many small pages per chunk, required columns, timestamps in every unit.
func TestPageDecoderMatchesArrowOtherWriters(t *testing.T) {
	const rows = 4000
	rng := rand.New(rand.NewPCG(3, 4))
	mem := memory.NewGoAllocator()
	ints := array.NewInt64Builder(mem)
	sparse := array.NewInt64Builder(mem) // nulls in a few pages only: pages without nulls before and after
	floats := array.NewFloat64Builder(mem)
	strs := array.NewStringBuilder(mem)
	units := []arrow.TimeUnit{arrow.Second, arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond}
	var times []*array.TimestampBuilder
	for _, u := range units {
		times = append(times, array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: u, TimeZone: "UTC"}))
	}
	for i := range rows {
		null := rng.IntN(8) == 0
		if null {
			ints.AppendNull()
			strs.AppendNull()
		} else {
			ints.Append(int64(rng.IntN(100)))
			strs.Append(fmt.Sprintf("s%d", rng.IntN(40)))
		}
		if i >= 2500 && i < 2510 {
			sparse.AppendNull()
		} else {
			sparse.Append(int64(i))
		}
		floats.Append(rng.NormFloat64())
		for _, tb := range times {
			if null {
				tb.AppendNull()
			} else {
				tb.Append(arrow.Timestamp(1_600_000_000 + i))
			}
		}
	}
	fields := []arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: false},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "sparse", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}
	cols := []arrow.Array{ints.NewArray(), floats.NewArray(), strs.NewArray(), sparse.NewArray()}
	for k, tb := range times {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("t%d", k), Type: tb.Type(), Nullable: true})
		cols = append(cols, tb.NewArray())
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecord(schema, cols, rows)
	defer rec.Release()

	cases := map[string][]pq.WriterProperty{
		"v1":              {pq.WithCompression(compress.Codecs.Zstd)},
		"v2":              {pq.WithDataPageVersion(pq.DataPageV2), pq.WithCompression(compress.Codecs.Snappy)},
		"v2-uncompressed": {pq.WithDataPageVersion(pq.DataPageV2)},
		"plain":           {pq.WithDictionaryDefault(false), pq.WithCompression(compress.Codecs.Zstd)},
		"small-pages":     {pq.WithDataPageSize(512), pq.WithDictionaryPageSizeLimit(256), pq.WithCompression(compress.Codecs.Snappy)},
		"v2-small-pages":  {pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(512), pq.WithMaxRowGroupLength(1000)},
		"brotli":          {pq.WithCompression(compress.Codecs.Brotli)},
	}
	for name, props := range cases {
		for _, stored := range []bool{true, false} { // with and without the Arrow schema in the footer
			awp := pqarrow.DefaultWriterProps()
			if stored {
				awp = pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
			}
			readBothWays(t, fmt.Sprintf("%s/stored-schema=%v", name, stored), pqarrowBytes(t, rec, pq.NewWriterProperties(props...), awp))
		}
	}
}
