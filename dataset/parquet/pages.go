package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow/go/v14/arrow"
	pq "github.com/apache/arrow/go/v14/parquet"
	"github.com/apache/arrow/go/v14/parquet/compress"
	"github.com/apache/arrow/go/v14/parquet/metadata"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
	"github.com/apache/arrow/go/v14/parquet/schema"
	"github.com/golang/snappy"
	"github.com/kiln-ml/kiln/dataset/internal/arrowcol"
	"github.com/kiln-ml/kiln/internal/bigmem"
	"github.com/klauspost/compress/zstd"
)

// The page decoder: the columns of the commonest shapes (flat int64, double,
// timestamp and dictionary-encoded string columns, PLAIN or dictionary
// pages, uncompressed, Snappy or Zstandard) are decoded here straight from
// their column chunk's bytes into the frame's column, one (column, row
// group) chunk per task. Each worker keeps its scratch buffers (the chunk's
// bytes, a decompressed page, dictionary indices) from task to task, so a
// read allocates little besides the frame; the frame's columns are advised
// for huge pages (see bigmem). The Arrow library's reader allocates fresh
// buffers for every page and builds an Arrow array before the frame copies
// or adopts it; in a fresh process on a machine where first touching memory
// is expensive, that costs as much as the decoding. Anything else (nested
// or other types, other encodings and codecs, encryption) is read by
// pqarrow, chunk by chunk when the decoder meets it.

// errFallback says that a chunk uses something the page decoder leaves to
// pqarrow.
var errFallback = errors.New("left to pqarrow")

type pageKind uint8

const (
	pageNone       pageKind = iota
	pageInt64               // INT64 -> Int64
	pageTimestamp           // INT64 TIMESTAMP -> Timestamp (scaled to ns)
	pageDouble              // DOUBLE -> Float64
	pageDictString          // BYTE_ARRAY, dictionary pages -> dictionary String
)

// pageColumn says how the page decoder reads one column.
type pageColumn struct {
	kind   pageKind
	leaf   int   // the Parquet leaf column
	maxDef int   // 0 (required) or 1 (optional)
	mult   int64 // timestamps: nanoseconds per stored unit
}

// pageColumnFor returns how the page decoder reads a manifest field, or kind
// pageNone when pqarrow reads it.
func pageColumnFor(meta *metadata.FileMetaData, sf pqarrow.SchemaField) pageColumn {
	if !sf.IsLeaf() || sf.ColIndex < 0 || sf.ColIndex >= meta.Schema.NumColumns() {
		return pageColumn{}
	}
	// Old parquet-mr files under-state their chunk sizes (PARQUET-816);
	// pqarrow pads for them.
	if meta.WriterVersion().LessThan(metadata.Parquet816FixedVersion) {
		return pageColumn{}
	}
	descr := meta.Schema.Column(sf.ColIndex)
	if descr.MaxRepetitionLevel() != 0 || descr.MaxDefinitionLevel() > 1 {
		return pageColumn{}
	}
	c := pageColumn{leaf: sf.ColIndex, maxDef: int(descr.MaxDefinitionLevel())}
	phys := descr.PhysicalType()
	switch dt := sf.Field.Type.(type) {
	case *arrow.Int64Type:
		if phys == pq.Types.Int64 {
			c.kind = pageInt64
		}
	case *arrow.Float64Type:
		if phys == pq.Types.Double {
			c.kind = pageDouble
		}
	case *arrow.TimestampType:
		lt, ok := descr.LogicalType().(interface{ TimeUnit() schema.TimeUnitType })
		if phys != pq.Types.Int64 || !ok {
			break
		}
		units := map[schema.TimeUnitType]arrow.TimeUnit{schema.TimeUnitMillis: arrow.Millisecond, schema.TimeUnitMicros: arrow.Microsecond, schema.TimeUnitNanos: arrow.Nanosecond}
		if u, ok := units[lt.TimeUnit()]; ok && u == dt.Unit {
			c.kind, c.mult = pageTimestamp, int64(dt.Unit.Multiplier())
		}
	case *arrow.DictionaryType:
		if phys == pq.Types.ByteArray && dt.ValueType.ID() == arrow.STRING {
			c.kind = pageDictString
		}
	}
	return c
}

// pageScratch is one worker's reusable memory.
type pageScratch struct {
	chunk   []byte  // the column chunk as stored
	page    []byte  // a decompressed page
	indices []int32 // dictionary indices or definition levels of a page
	dict    []int64 // a chunk's dictionary of 8-byte values
	valid   []bool  // the chunk's validity
}

// grow returns s resized to n elements, reallocating when it is too small:
// buffers of 64 KiB and more on whole huge pages (see bigmem.MakeHuge),
// which a fresh process faults in 2 MiB at a time.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	var zero T
	if n*int(unsafe.Sizeof(zero)) >= 64<<10 {
		return bigmem.MakeHuge[T](n)
	}
	return make([]T, n, max(n, 2*cap(s)))
}

// Parquet encodings the decoder reads (parquet-format Encoding).
const (
	encPlain      = 0
	encPlainDict  = 2
	encRLE        = 3
	encRLEDict    = 8
	maxPlainRatio = 1024 // see decompress
)

// readPageChunk decodes column c of row group rg (rows [off, off+rows) of
// the frame) into b. It returns errFallback, having left b's validity and
// dictionaries untouched, when the chunk needs pqarrow.
func readPageChunk(r io.ReaderAt, size int64, meta *metadata.FileMetaData, c pageColumn, rg, off, rows int, b *arrowcol.Builder, s *pageScratch) error {
	cc, err := meta.RowGroup(rg).ColumnChunk(c.leaf)
	if err != nil {
		return errFallback
	}
	codec := cc.Compression()
	if cc.CryptoMetadata() != nil || (codec != compress.Codecs.Uncompressed && codec != compress.Codecs.Snappy && codec != compress.Codecs.Zstd) {
		return errFallback
	}
	start, length := cc.DataPageOffset(), cc.TotalCompressedSize()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
		start = cc.DictionaryPageOffset()
	}
	if start < 4 || length <= 0 || start > size || length > size-start {
		return errFallback // pqarrow gives its own error
	}
	s.chunk = grow(s.chunk, int(length))
	if n, err := r.ReadAt(s.chunk, start); n < len(s.chunk) { // io.ReaderAt may say io.EOF with every byte read
		return fmt.Errorf("reading the column chunk at %d: %w", start, err)
	}
	s.valid = grow(s.valid, rows)
	d := chunkDecoder{c: c, codec: codec, b: b, s: s, off: off, rows: rows}
	if err := d.pages(s.chunk); err != nil {
		return err
	}
	if d.nulls > 0 {
		copy(b.ValidSlot(off, rows), s.valid[:rows])
	}
	if c.kind == pageDictString {
		b.AddDictionary(off, rows, d.levels)
	}
	return nil
}

// chunkDecoder decodes the pages of one column chunk.
type chunkDecoder struct {
	c         pageColumn
	codec     compress.Compression
	b         *arrowcol.Builder
	s         *pageScratch
	off, rows int
	done      int // rows decoded
	nulls     int

	haveDict bool
	dict     []int64  // int64, double bits or raw timestamps
	levels   []string // string dictionary
}

func (d *chunkDecoder) pages(buf []byte) error {
	for d.done < d.rows {
		if len(buf) == 0 {
			return fmt.Errorf("the column chunk ends after %d of its %d rows", d.done, d.rows)
		}
		h, n, err := readPageHeader(buf)
		if err != nil {
			return err
		}
		buf = buf[n:]
		if int64(h.compressed) > int64(len(buf)) {
			return fmt.Errorf("a page of %d bytes with %d left in the column chunk", h.compressed, len(buf))
		}
		body := buf[:h.compressed]
		buf = buf[h.compressed:]
		switch h.typ {
		case pageDictionary:
			if d.haveDict || d.done > 0 {
				return fmt.Errorf("a second dictionary page, or one after the data")
			}
			if h.encoding != encPlain && h.encoding != encPlainDict {
				return errFallback
			}
			data, err := d.decompress(body, int(h.uncompressed))
			if err != nil {
				return err
			}
			if err := d.dictionary(data, int(h.numValues)); err != nil {
				return err
			}
		case pageData, pageDataV2:
			if err := d.dataPage(h, body); err != nil {
				return err
			}
		}
	}
	return nil
}

var (
	zstdOnce    sync.Once
	zstdDecoder *zstd.Decoder
	zstdErr     error
)

// decompress returns a page's body decompressed to size bytes, in the
// worker's scratch unless it is stored uncompressed. A page claiming more
// than 64 MiB and over 1,024 times its stored size is left to pqarrow, so
// that a corrupt header cannot make the decoder allocate without bound.
func (d *chunkDecoder) decompress(src []byte, size int) ([]byte, error) {
	if d.codec == compress.Codecs.Uncompressed {
		if len(src) != size {
			return nil, fmt.Errorf("an uncompressed page of %d bytes whose header says %d", len(src), size)
		}
		return src, nil
	}
	if size > 64<<20 && size/maxPlainRatio > len(src) {
		return nil, errFallback
	}
	d.s.page = grow(d.s.page, size)
	dst := d.s.page
	switch d.codec {
	case compress.Codecs.Snappy:
		n, err := snappy.DecodedLen(src)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if n != size {
			return nil, fmt.Errorf("snappy: a page of %d bytes whose header says %d", n, size)
		}
		out, err := snappy.Decode(dst, src)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		return out, nil
	case compress.Codecs.Zstd:
		var hdr zstd.Header
		if err := hdr.Decode(src); err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if hdr.HasFCS && hdr.FrameContentSize != uint64(size) {
			return nil, fmt.Errorf("zstd: a page of %d bytes whose header says %d", hdr.FrameContentSize, size)
		}
		zstdOnce.Do(func() { zstdDecoder, zstdErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0)) })
		if zstdErr != nil {
			return nil, zstdErr
		}
		out, err := zstdDecoder.DecodeAll(src, dst[:0])
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if len(out) != size {
			return nil, fmt.Errorf("zstd: a page of %d bytes whose header says %d", len(out), size)
		}
		return out, nil
	}
	return nil, errFallback
}

// dictionary decodes a PLAIN dictionary page of n entries.
func (d *chunkDecoder) dictionary(data []byte, n int) error {
	d.haveDict = true
	if d.c.kind != pageDictString {
		if n > len(data)/8 {
			return fmt.Errorf("a dictionary of %d entries in %d bytes", n, len(data))
		}
		d.s.dict = grow(d.s.dict, n)
		d.dict = d.s.dict
		for i := range d.dict {
			d.dict[i] = int64(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return nil
	}
	if n > len(data)/4 {
		return fmt.Errorf("a dictionary of %d entries in %d bytes", n, len(data))
	}
	text := string(data) // one copy; each level is a substring of it
	d.levels = make([]string, n)
	pos := 0
	for i := range d.levels {
		if pos+4 > len(text) {
			return fmt.Errorf("dictionary entry %d: truncated", i)
		}
		m := int(binary.LittleEndian.Uint32(data[pos:]))
		pos += 4
		if m > len(text)-pos {
			return fmt.Errorf("dictionary entry %d: %d bytes, %d left", i, m, len(text)-pos)
		}
		d.levels[i] = text[pos : pos+m]
		pos += m
		if !utf8.ValidString(d.levels[i]) {
			return fmt.Errorf("dictionary entry %d: invalid UTF-8", i)
		}
	}
	return nil
}

// dataPage decodes a data page (v1 or v2) into the next rows.
func (d *chunkDecoder) dataPage(h pageHeader, body []byte) error {
	n := int(h.numValues)
	if h.typ == pageDataV2 && h.numRows != h.numValues {
		return fmt.Errorf("a flat column's page of %d values in %d rows", h.numValues, h.numRows)
	}
	if n > d.rows-d.done {
		return fmt.Errorf("a page of %d rows past the row group's %d (%d decoded)", n, d.rows, d.done)
	}
	var levels, values []byte
	if h.typ == pageData {
		data, err := d.decompress(body, int(h.uncompressed))
		if err != nil {
			return err
		}
		if d.c.maxDef > 0 {
			if h.defEncoding != encRLE {
				return errFallback
			}
			if len(data) < 4 {
				return fmt.Errorf("definition levels truncated")
			}
			m := binary.LittleEndian.Uint32(data)
			if uint64(m) > uint64(len(data)-4) {
				return fmt.Errorf("definition levels of %d bytes in a page of %d", m, len(data))
			}
			levels, values = data[4:4+m], data[4+m:]
		} else {
			values = data
		}
	} else {
		lv := int64(h.defBytes) + int64(h.repBytes)
		if h.repBytes != 0 || lv > int64(len(body)) || lv > int64(h.uncompressed) || (d.c.maxDef == 0 && h.defBytes != 0) {
			return fmt.Errorf("levels of %d bytes in a page of %d", lv, len(body))
		}
		levels = body[:h.defBytes]
		values = body[lv:]
		if h.v2Compressed {
			var err error
			if values, err = d.decompress(values, int(h.uncompressed)-int(lv)); err != nil {
				return err
			}
		} else if len(values) != int(h.uncompressed)-int(lv) {
			return fmt.Errorf("an uncompressed page of %d bytes whose header says %d", len(values), int(h.uncompressed)-int(lv))
		}
	}

	// The chunk's validity is written from its first page with nulls on;
	// a chunk without nulls writes none.
	valid := d.s.valid[d.done : d.done+n]
	nulls := 0
	if d.c.maxDef > 0 {
		var err error
		if nulls, err = d.definitionLevels(levels, valid); err != nil {
			return fmt.Errorf("definition levels: %w", err)
		}
		if nulls > 0 && d.nulls == 0 {
			fillTrue(d.s.valid[:d.done])
		} else if nulls == 0 && d.nulls > 0 {
			fillTrue(valid)
		}
	}
	d.nulls += nulls
	nv := n - nulls
	at := d.off + d.done

	if d.c.kind == pageDictString {
		codes := d.b.CodeSlot(at, n)
		if h.encoding != encPlainDict && h.encoding != encRLEDict {
			return errFallback
		}
		if err := d.indices(values, codes[:nv], len(d.levels)); err != nil {
			return err
		}
		scatter(codes, valid, nv)
		d.done += n
		return nil
	}

	var vals []int64
	if d.c.kind == pageDouble {
		f := d.b.Float64Slot(at, n)
		vals = unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(f))), len(f)) // float64 bits moved as int64
	} else {
		vals = d.b.Int64Slot(at, n)
	}
	dense := vals[:nv]
	switch h.encoding {
	case encPlain:
		if nv > len(values)/8 {
			return fmt.Errorf("%d values in %d bytes", nv, len(values))
		}
		for i := range dense {
			dense[i] = int64(binary.LittleEndian.Uint64(values[8*i:]))
		}
	case encPlainDict, encRLEDict:
		d.s.indices = grow(d.s.indices, nv)
		idx := d.s.indices
		if err := d.indices(values, idx, len(d.dict)); err != nil {
			return err
		}
		dict := d.dict
		for i, k := range idx {
			dense[i] = dict[k]
		}
	default:
		return errFallback
	}
	scatter(vals, valid, nv)
	if d.c.kind == pageTimestamp && d.c.mult != 1 {
		mult := d.c.mult
		lo, hi := math.MinInt64/mult, math.MaxInt64/mult
		for i, v := range vals {
			if v < lo || v > hi {
				return fmt.Errorf("row %d: timestamp value %d is outside the nanosecond timestamp range (years 1677-2262)", at+i, v)
			}
			vals[i] = v * mult
		}
	}
	d.done += n
	return nil
}

// definitionLevels decodes a page's definition levels (maximum 1) and
// returns the number of nulls; it writes valid unless the page is one run of
// valid rows.
func (d *chunkDecoder) definitionLevels(levels []byte, valid []bool) (int, error) {
	// The usual page without nulls is one run of 1s.
	if h, k := binary.Uvarint(levels); k > 0 && h&1 == 0 && h>>1 >= uint64(len(valid)) && k < len(levels) && levels[k] == 1 {
		return 0, nil
	}
	d.s.indices = grow(d.s.indices, len(valid))
	lv := d.s.indices
	if _, err := decodeHybrid(levels, 1, lv); err != nil {
		return 0, err
	}
	nulls := 0
	for i, l := range lv {
		valid[i] = l == 1
		nulls += int(1 - l)
	}
	return nulls, nil
}

// indices decodes a dictionary-encoded page's indices (a bit width byte,
// then the hybrid encoding) and checks them against the dictionary's size.
func (d *chunkDecoder) indices(values []byte, out []int32, dictLen int) error {
	if len(out) == 0 {
		return nil
	}
	if !d.haveDict {
		return fmt.Errorf("a dictionary-encoded page without a dictionary page")
	}
	if len(values) == 0 {
		return fmt.Errorf("dictionary indices missing")
	}
	width := int(values[0])
	if _, err := decodeHybrid(values[1:], width, out); err != nil {
		return fmt.Errorf("dictionary indices: %w", err)
	}
	if width < 32 && dictLen >= 1<<width {
		return nil // no index of width bits is out of range
	}
	for i, k := range out {
		if uint32(k) >= uint32(dictLen) {
			return fmt.Errorf("dictionary index %d out of range [0,%d) in row %d", uint32(k), dictLen, d.off+d.done+i)
		}
	}
	return nil
}

func fillTrue(valid []bool) {
	for i := range valid {
		valid[i] = true
	}
}

// scatter spreads the first nv values of vals to the valid rows, in place,
// and zeroes the null rows (a frame holds zero under nulls).
func scatter[T int32 | int64](vals []T, valid []bool, nv int) {
	if nv == len(vals) {
		return
	}
	k := nv - 1
	for i := len(vals) - 1; i >= 0; i-- {
		if valid[i] {
			vals[i] = vals[k]
			k--
		} else {
			vals[i] = 0
		}
	}
}
