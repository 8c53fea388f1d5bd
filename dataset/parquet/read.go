package parquet

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/ipc"
	pq "github.com/apache/arrow/go/v14/parquet"
	"github.com/apache/arrow/go/v14/parquet/file"
	"github.com/apache/arrow/go/v14/parquet/metadata"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/arrowcol"
	"golang.org/x/sync/errgroup"
)

// Options configures Read and ReadFile. The zero value reads every column on
// all cores.
type Options struct {
	// Columns lists the columns to read, in the order wanted in the frame; nil
	// reads all of them in file order. Only the named columns are decoded.
	Columns []string

	// Workers is how many (row group, column) chunks are decoded at once;
	// 0 means GOMAXPROCS. The frame is the same whatever the number.
	Workers int

	// arrowOnly makes every column go through pqarrow, bypassing the page
	// decoder: the tests compare the two.
	arrowOnly bool
}

// ReadFile reads a Parquet file into a frame; see Read. Errors name the file.
func ReadFile(path string, opts Options) (*dataset.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	f, err := read(fh, st.Size(), opts)
	if err != nil {
		return nil, fmt.Errorf("parquet: %s: %w", path, err)
	}
	return f, nil
}

// Read reads the Parquet data held in r (size bytes) into a frame. Column
// types map as described for arrowconv.FromRecord (Parquet int32/int64 ->
// Int64, float/double -> Float64, timestamps and dates -> Timestamp in
// nanoseconds UTC, UTF-8 strings -> String, boolean -> Bool); nested columns
// and other types are an error naming the column, reported before any data
// is decoded.
//
// Columns are decoded in parallel (opts.Workers), one (column, row group)
// chunk per task, each into its rows of the frame's column; the output is
// the same for any number of workers. Flat int64, double and timestamp
// columns and dictionary-encoded string columns, in PLAIN or dictionary
// pages (v1 or v2), uncompressed, Snappy or Zstandard (what pyarrow, Polars,
// Spark and Write produce by default), are decoded by the package's own page
// decoder straight from the file's bytes into the frame; other columns go
// through the Arrow library's pqarrow reader (a column of 8-byte values
// whole, by one task, its decoded buffer adopted without a copy). A string
// column stored dictionary-encoded in every row group (the usual case for
// low-cardinality text, and for columns that a kiln writer stored from a
// dictionary-encoded frame column) is read as a dictionary-encoded String
// column without materializing a string per row; the row groups'
// dictionaries are merged in order of first appearance.
//
// Memory: the frame (8 bytes a row for numbers and timestamps, 4 for
// dictionary codes, 16 plus the text for plain strings), its large columns
// on huge pages (see internal/bigmem), and per worker a column chunk as
// stored, one decompressed page and its dictionary indices, reused from
// task to task (or one decoded Arrow chunk for columns pqarrow reads).
//
// Corrupt input gives an error, never a panic: the magic bytes are checked
// first, a stored Arrow schema is checked before pqarrow decodes it, a row
// group claiming more rows than 2^20 plus 1,024 per stored byte is refused
// (so is a legitimate file packing more, such as a huge constant column
// in one page), every page header, size, level and dictionary index is
// checked against the bytes present before use, and any panic left inside
// the Arrow library is recovered into an error.
func Read(r io.ReaderAt, size int64, opts Options) (*dataset.Frame, error) {
	f, err := read(r, size, opts)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return f, nil
}

func read(r io.ReaderAt, size int64, opts Options) (f *dataset.Frame, err error) {
	defer arrowcol.RecoverAsError(&err, "parquet reader")
	rdr, fr, start, err := open(r, size)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	fields, err := selectParquetFields(fr, opts.Columns)
	if err != nil {
		return nil, err
	}
	nrg := len(start) - 1
	total := start[nrg]

	// Tasks: columns that the page decoder reads (pages.go), and other
	// columns but those of 8-byte values, are read one row group per task,
	// each chunk decoded into its slot of the column. Another column of
	// 8-byte values is read whole by one task, so that pqarrow's single
	// decoded chunk is adopted in place (see arrowcol.Builder.FillOwned);
	// those go first, being the largest tasks.
	type task struct {
		field, rgLo, rgHi int
		pages             pageColumn
	}
	meta := rdr.MetaData()
	var whole, perGroup []task
	builders := make([]*arrowcol.Builder, len(fields))
	for i, fi := range fields {
		sf := fr.Manifest.Fields[fi]
		if !sf.IsLeaf() {
			return nil, fmt.Errorf("column %q: nested Parquet type %s is not supported", sf.Field.Name, sf.Field.Type)
		}
		pc := pageColumnFor(meta, sf)
		switch id := sf.Field.Type.ID(); {
		case pc.kind == pageNone && (id == arrow.INT64 || id == arrow.FLOAT64 || id == arrow.TIMESTAMP || id == arrow.DATE64):
			builders[i], err = arrowcol.NewLazyBuilder(sf.Field.Name, sf.Field.Type, total)
			if nrg > 0 {
				whole = append(whole, task{field: i, rgLo: 0, rgHi: nrg})
			}
		default:
			builders[i], err = arrowcol.NewBuilder(sf.Field.Name, sf.Field.Type, total)
			for rg := 0; rg < nrg; rg++ {
				perGroup = append(perGroup, task{field: i, rgLo: rg, rgHi: rg + 1, pages: pc})
			}
		}
		if err != nil {
			return nil, err
		}
	}
	tasks := append(whole, perGroup...)

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(tasks), 1))
	var next atomic.Int64
	g, ctx := errgroup.WithContext(context.Background())
	for w := 0; w < workers; w++ {
		g.Go(func() (err error) {
			defer arrowcol.RecoverAsError(&err, "parquet reader")
			var scratch pageScratch
			for {
				k := int(next.Add(1) - 1)
				if k >= len(tasks) {
					return nil
				}
				if ctx.Err() != nil {
					return nil // another task failed
				}
				t := tasks[k]
				b := builders[t.field]
				if t.pages.kind != pageNone && !opts.arrowOnly {
					err := readPageChunk(r, size, meta, t.pages, t.rgLo, start[t.rgLo], start[t.rgLo+1]-start[t.rgLo], b, &scratch)
					if err == nil {
						continue
					}
					if !errors.Is(err, errFallback) {
						return fmt.Errorf("column %q row group %d: %w", b.Name(), t.rgLo, err)
					}
				}
				if err := readParquetChunks(ctx, fr, fields[t.field], t.rgLo, t.rgHi, start, b); err != nil {
					return err
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// Finishing a column merges its row groups' dictionaries and checks its
	// codes: a pass over the column, so the columns are finished in parallel.
	cols := make([]*dataset.Column, len(builders))
	var finish errgroup.Group
	finish.SetLimit(workers)
	for i, b := range builders {
		finish.Go(func() (err error) {
			defer arrowcol.RecoverAsError(&err, "parquet reader")
			cols[i], err = b.Column()
			return err
		})
	}
	if err := finish.Wait(); err != nil {
		return nil, err
	}
	return dataset.New(cols...)
}

// open reads and checks a file's footer and returns its readers, and the
// first row of each row group (start[len(start)-1] is the number of rows).
// The caller closes rdr.
func open(r io.ReaderAt, size int64) (rdr *file.Reader, fr *pqarrow.FileReader, start []int, err error) {
	if err := checkMagic(r, size); err != nil {
		return nil, nil, nil, err
	}
	rdr, err = file.NewParquetReader(io.NewSectionReader(r, 0, size), file.WithReadProps(pq.NewReaderProperties(arrowcol.Allocator)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading the Parquet footer: %w", err)
	}
	defer func() {
		if err != nil {
			rdr.Close()
		}
	}()
	meta := rdr.MetaData()

	props := pqarrow.ArrowReadProperties{}
	dict := make(map[int]bool)
	for leaf := 0; leaf < meta.Schema.NumColumns(); leaf++ {
		if meta.Schema.Column(leaf).PhysicalType() == pq.Types.ByteArray && dictionaryEncoded(meta, leaf) {
			props.SetReadDict(leaf, true)
			dict[leaf] = true
		}
	}
	if err := checkStoredArrowSchema(meta); err != nil {
		return nil, nil, nil, err
	}
	fr, err = pqarrow.NewFileReader(rdr, props, arrowcol.Allocator)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading the Parquet schema: %w", err)
	}
	// pqarrow lets an Arrow schema stored in the file (pyarrow and polars store
	// one) override the dictionary read asked for above, for instance with
	// large_string; the column readers follow the manifest's field types, so
	// ask there again.
	for i := range fr.Manifest.Fields {
		sf := &fr.Manifest.Fields[i]
		switch id := sf.Field.Type.ID(); {
		case sf.IsLeaf() && dict[sf.ColIndex] && (id == arrow.STRING || id == arrow.LARGE_STRING):
			field := *sf.Field
			field.Type = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
			sf.Field = &field
		}
	}

	// Row offsets of the row groups, from the footer.
	nrg := rdr.NumRowGroups()
	start = make([]int, nrg+1)
	for rg := 0; rg < nrg; rg++ {
		rows := meta.RowGroup(rg).NumRows()
		if limit := plausibleRows(meta.RowGroup(rg)); rows < 0 || rows > limit {
			return nil, nil, nil, fmt.Errorf("row group %d: the footer claims %d rows, implausible for its size (limit %d): corrupt footer", rg, rows, limit)
		}
		start[rg+1] = start[rg] + int(rows)
	}
	return rdr, fr, start, nil
}

// plausibleRows bounds the rows a row group may claim: 2^20 plus 1,024 per
// stored byte of its column chunks. A corrupt footer then fails cleanly
// instead of making the reader allocate columns for billions of rows; the
// price is that a file packing more than 1,024 rows into each byte (a huge
// constant column in one page) is refused.
func plausibleRows(rg *metadata.RowGroupMetaData) int64 {
	var stored int64
	for c := 0; c < rg.NumColumns(); c++ {
		if cc, err := rg.ColumnChunk(c); err == nil && cc.TotalCompressedSize() > 0 {
			stored += cc.TotalCompressedSize()
		}
	}
	return 1<<20 + 1024*min(stored, 1<<40)
}

// readParquetChunks decodes one column of row groups [rgLo, rgHi) into its
// builder: the whole column when the task covers every row group (the builder
// then adopts the decoded buffer), else into the rows' slot.
func readParquetChunks(ctx context.Context, fr *pqarrow.FileReader, field, rgLo, rgHi int, start []int, b *arrowcol.Builder) error {
	sf := fr.Manifest.Fields[field]
	groups := make([]int, 0, rgHi-rgLo)
	for rg := rgLo; rg < rgHi; rg++ {
		groups = append(groups, rg)
	}
	where := func(err error) error {
		if rgHi-rgLo == 1 {
			return fmt.Errorf("column %q row group %d: %w", b.Name(), rgLo, err)
		}
		return fmt.Errorf("column %q: %w", b.Name(), err)
	}
	cr, err := fr.GetFieldReader(ctx, field, map[int]bool{sf.ColIndex: true}, groups)
	if err != nil {
		return where(err)
	}
	defer cr.Release()
	off, rows := start[rgLo], start[rgHi]-start[rgLo]
	chunked, err := cr.NextBatch(int64(rows))
	if err != nil {
		return where(err)
	}
	defer chunked.Release()
	if chunked.Len() != rows {
		return where(fmt.Errorf("decoded %d rows, the footer says %d", chunked.Len(), rows))
	}
	if rgLo == 0 && rgHi == len(start)-1 && !b.Allocated() {
		return b.FillOwned(chunked.Chunks())
	}
	for _, ch := range chunked.Chunks() {
		if err := b.Fill(off, ch); err != nil {
			if rgHi-rgLo == 1 {
				return fmt.Errorf("%w (row group %d)", err, rgLo)
			}
			return err
		}
		off += ch.Len()
	}
	return nil
}

// selectParquetFields returns the manifest indices of the wanted columns, or
// of every column, checking names and types before anything is decoded.
func selectParquetFields(fr *pqarrow.FileReader, names []string) ([]int, error) {
	all := fr.Manifest.Fields
	have := make([]string, len(all))
	for i, sf := range all {
		have[i] = sf.Field.Name
	}
	var fields []int
	if names == nil {
		for i := range all {
			fields = append(fields, i)
		}
	} else {
		for _, name := range names {
			i := slices.Index(have, name)
			if i < 0 {
				return nil, fmt.Errorf("column %q is not in the file (it has %s)", name, strings.Join(have, ", "))
			}
			fields = append(fields, i)
		}
	}
	for _, i := range fields {
		if _, _, err := arrowcol.ArrowType(all[i].Field.Name, all[i].Field.Type); err != nil {
			return nil, err
		}
	}
	return fields, nil
}

// dictionaryEncoded reports whether a column is stored with a dictionary in
// every row group: its chunks list a dictionary encoding and, where the
// writer recorded page encoding statistics, no data page fell back to plain.
func dictionaryEncoded(meta *metadata.FileMetaData, leaf int) bool {
	if len(meta.RowGroups) == 0 {
		return false
	}
	for rg := 0; rg < len(meta.RowGroups); rg++ {
		cc, err := meta.RowGroup(rg).ColumnChunk(leaf)
		if err != nil || !slices.ContainsFunc(cc.Encodings(), isDictionaryEncoding) {
			return false
		}
		for _, st := range cc.EncodingStats() {
			const dictionaryPage = 2 // parquet-format PageType DICTIONARY_PAGE
			if int32(st.PageType) != dictionaryPage && !isDictionaryEncoding(st.Encoding) {
				return false // a data page fell back to plain encoding
			}
		}
	}
	return true
}

func isDictionaryEncoding(e pq.Encoding) bool {
	return e == pq.Encodings.RLEDict || e == pq.Encodings.PlainDict
}

var magic = []byte("PAR1")

// checkMagic gives clear errors for the commonest bad inputs: an empty
// or short file, and a file that is not Parquet at all.
func checkMagic(r io.ReaderAt, size int64) error {
	if size == 0 {
		return fmt.Errorf("empty file, not Parquet")
	}
	if size < 12 {
		return fmt.Errorf("%d bytes is too short for a Parquet file (header, footer length and magic take 12)", size)
	}
	head, tail := make([]byte, 4), make([]byte, 4)
	if _, err := r.ReadAt(head, 0); err != nil {
		return err
	}
	if _, err := r.ReadAt(tail, size-4); err != nil {
		return err
	}
	if !bytes.Equal(head, magic) {
		return fmt.Errorf("not a Parquet file: starts with %q, want magic \"PAR1\"", head)
	}
	if !bytes.Equal(tail, magic) {
		return fmt.Errorf("truncated or corrupt Parquet file: ends with %q, want magic \"PAR1\"", tail)
	}
	return nil
}

// checkStoredArrowSchema checks the Arrow schema that pyarrow, polars and
// Write store in the footer (key "ARROW:schema", a base64 IPC schema
// message) before pqarrow decodes it, for the reason given on
// arrowcol.CheckedMessageReader: a corrupt one would make arrow allocate without bound.
func checkStoredArrowSchema(meta *metadata.FileMetaData) error {
	stored := meta.KeyValueMetadata().FindValue("ARROW:schema")
	if stored == nil {
		return nil
	}
	// Decoded as pqarrow decodes it: padded base64, else unpadded.
	var decoded []byte
	var err error
	if len(*stored)%4 == 0 {
		decoded, err = base64.StdEncoding.DecodeString(*stored)
	}
	if len(decoded) == 0 || err != nil {
		decoded, err = base64.RawStdEncoding.DecodeString(*stored)
	}
	if err == nil {
		var msg *ipc.Message
		msgs := arrowcol.NewCheckedMessageReader(bytes.NewReader(decoded))
		if msg, err = msgs.Message(); err == nil && msg.Type() != ipc.MessageSchema {
			err = fmt.Errorf("a %s message, not a schema", msg.Type())
		}
		msgs.Release()
	}
	if err != nil {
		return fmt.Errorf("corrupt Arrow schema stored in the Parquet footer: %w", err)
	}
	return nil
}
