package arrowcol

import (
	"fmt"
	"math"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/bitutil"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/internal/bigmem"
)

// Builder assembles one frame column of n rows from Arrow chunks that
// land at known row offsets. Fill may be called from several goroutines at
// once for disjoint row ranges (the Parquet reader does so, one row group per
// goroutine); Column is called once, after every Fill has returned.
type Builder struct {
	name   string
	arrow  arrow.DataType
	typ    dataset.Type
	dict   bool
	n      int
	floats []float64
	ints   []int64
	bools  []bool
	strs   []string
	codes  []int32

	validOnce sync.Once
	valid     []bool // allocated (all true) by the first chunk that has nulls

	mu    sync.Mutex
	dicts []dictChunk // dictionary columns: each chunk's rows and dictionary
}

// dictChunk records where a dictionary chunk's codes were written; its codes
// index its own dictionary until column() merges the dictionaries.
type dictChunk struct {
	off, n int
	levels []string
	null   []bool // null[k]: dictionary entry k is null; nil if none
}

// ArrowType maps an Arrow type to a frame type, or returns an error naming
// the column for types a frame cannot hold.
func ArrowType(name string, dt arrow.DataType) (typ dataset.Type, dict bool, err error) {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return dataset.Int64, false, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return dataset.Float64, false, nil
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return dataset.Timestamp, false, nil
	case arrow.STRING, arrow.LARGE_STRING:
		return dataset.String, false, nil
	case arrow.BOOL:
		return dataset.Bool, false, nil
	case arrow.DICTIONARY:
		d := dt.(*arrow.DictionaryType)
		switch d.ValueType.ID() {
		case arrow.STRING, arrow.LARGE_STRING:
			if arrow.IsInteger(d.IndexType.ID()) {
				return dataset.String, true, nil
			}
		}
	}
	return 0, false, fmt.Errorf("column %q: unsupported Arrow type %s (want integers, floats, bool, date, timestamp, string or dictionary<string>)", name, dt)
}

// NewBuilder returns a builder for a column of n rows of Arrow type dt, its
// memory allocated, or an error naming the column for a type a frame cannot hold.
func NewBuilder(name string, dt arrow.DataType, n int) (*Builder, error) {
	typ, dict, err := ArrowType(name, dt)
	if err != nil {
		return nil, err
	}
	b := &Builder{name: name, arrow: dt, typ: typ, dict: dict, n: n}
	b.allocate()
	return b, nil
}

// NewLazyBuilder is NewBuilder for a column that one goroutine fills with a single call to FillOwned; it allocates nothing
// unless the chunk cannot be adopted in place.
func NewLazyBuilder(name string, dt arrow.DataType, n int) (*Builder, error) {
	typ, dict, err := ArrowType(name, dt)
	if err != nil {
		return nil, err
	}
	return &Builder{name: name, arrow: dt, typ: typ, dict: dict, n: n}, nil
}

func (b *Builder) allocate() {
	n, typ := b.n, b.typ
	switch { // large columns are on huge pages, whole: see bigmem
	case typ == dataset.Float64:
		b.floats = bigmem.MakeAligned[float64](n)
	case typ == dataset.Int64 || typ == dataset.Timestamp:
		b.ints = bigmem.MakeAligned[int64](n)
	case typ == dataset.Bool:
		b.bools = bigmem.MakeAligned[bool](n)
	case b.dict:
		b.codes = bigmem.MakeAligned[int32](n)
	default:
		b.strs = bigmem.Make[string](n)
	}
}

// FillOwned fills the whole column from chunks that the caller owns and
// will not use again (fresh from the Parquet decoder). A single chunk of
// 8-byte values (int64, float64, date64, timestamps) is adopted in place:
// timestamps are scaled to nanoseconds and null slots zeroed inside the
// chunk's own buffer, which the column then views, saving a copy and an
// allocation of the column's size. Other chunks are copied as by Fill.
func (b *Builder) FillOwned(chunks []arrow.Array) error {
	if len(chunks) == 1 && chunks[0].Len() == b.n && b.n > 0 {
		if ok, err := b.adopt(chunks[0]); ok || err != nil {
			return err
		}
	}
	b.allocate()
	off := 0
	for _, ch := range chunks {
		if err := b.Fill(off, ch); err != nil {
			return err
		}
		off += ch.Len()
	}
	return nil
}

// adopt takes over an owned chunk's value buffer; ok is false when the
// chunk's type needs widening or the buffer is short, and Fill must copy.
func (b *Builder) adopt(arr arrow.Array) (ok bool, err error) {
	if err := CheckBuffers(b.name, arr); err != nil {
		return false, err
	}
	bits, bitOff, err := validity(b.name, arr)
	if err != nil {
		return false, err
	}
	isValid := func(i int) bool { return bits == nil || bitutil.BitIsSet(bits, bitOff+i) }
	var mult int64
	switch dt := arr.DataType().(type) {
	case *arrow.Int64Type, *arrow.Float64Type:
		mult = 0
	case *arrow.TimestampType:
		mult = int64(dt.Unit.Multiplier())
	case *arrow.Date64Type:
		mult = 1e6
	default:
		return false, nil
	}
	vals, err := values[int64](b.name, arr) // float64 bits are moved as int64
	if err != nil {
		return false, err
	}
	if mult > 1 {
		b.ints = vals
		if err := scaleTime(b, 0, vals, isValid, mult); err != nil {
			return true, err
		}
	} else if bits != nil {
		for i := range vals {
			if !isValid(i) {
				vals[i] = 0
			}
		}
	}
	if bits != nil {
		b.ensureValid()
		for i := range b.valid {
			b.valid[i] = isValid(i)
		}
	}
	if b.typ == dataset.Float64 {
		b.floats = unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(vals))), len(vals))
	} else {
		b.ints = vals
	}
	return true, nil
}

// Column returns the finished column; for dictionary columns it merges the
// chunks' dictionaries into one set of levels and rewrites the codes.
func (b *Builder) Column() (*dataset.Column, error) {
	switch {
	case b.typ == dataset.Float64:
		return dataset.NewFloat64(b.name, b.floats, b.valid), nil
	case b.typ == dataset.Int64:
		return dataset.NewInt64(b.name, b.ints, b.valid), nil
	case b.typ == dataset.Timestamp:
		return dataset.NewTimestamp(b.name, b.ints, b.valid), nil
	case b.typ == dataset.Bool:
		return dataset.NewBool(b.name, b.bools, b.valid), nil
	case b.dict:
		return b.mergeDictionaries()
	}
	return dataset.NewString(b.name, b.strs, b.valid), nil
}

func (b *Builder) mergeDictionaries() (*dataset.Column, error) {
	chunks := b.dicts
	// Row order, so that levels come in order of first appearance chunk by chunk.
	for i := 1; i < len(chunks); i++ {
		for j := i; j > 0 && chunks[j].off < chunks[j-1].off; j-- {
			chunks[j], chunks[j-1] = chunks[j-1], chunks[j]
		}
	}
	index := make(map[string]int32)
	levels := []string{}
	for _, ch := range chunks {
		remap := make([]int32, len(ch.levels))
		identity := true
		for k, s := range ch.levels {
			if ch.null != nil && ch.null[k] {
				remap[k] = -1
				identity = false
				continue
			}
			code, ok := index[s]
			if !ok {
				code = int32(len(levels))
				index[s] = code
				levels = append(levels, s)
			}
			remap[k] = code
			identity = identity && code == int32(k)
		}
		if identity {
			continue
		}
		codes := b.codes[ch.off : ch.off+ch.n]
		for i, k := range codes {
			if b.valid != nil && !b.valid[ch.off+i] {
				continue
			}
			if remap[k] < 0 { // the row points at a null dictionary entry
				b.ensureValid()
				b.valid[ch.off+i] = false
				codes[i] = 0
				continue
			}
			codes[i] = remap[k]
		}
	}
	return dataset.NewDictString(b.name, b.codes, levels, b.valid)
}

func (b *Builder) ensureValid() {
	b.validOnce.Do(func() {
		b.valid = make([]bool, b.n)
		for i := range b.valid {
			b.valid[i] = true
		}
	})
}

// Fill converts one Arrow chunk into rows [off, off+arr.Len()) of the column.
func (b *Builder) Fill(off int, arr arrow.Array) error {
	if !arrow.TypeEqual(arr.DataType(), b.arrow) {
		if typ, dict, err := ArrowType(b.name, arr.DataType()); err != nil || typ != b.typ || dict != b.dict {
			return fmt.Errorf("column %q: chunk of type %s in a column of type %s", b.name, arr.DataType(), b.arrow)
		}
	}
	n := arr.Len()
	if off < 0 || off+n > b.n {
		return fmt.Errorf("column %q: chunk rows [%d,%d) beyond %d rows", b.name, off, off+n, b.n)
	}
	bits, bitOff, err := validity(b.name, arr)
	if err != nil {
		return err
	}
	isValid := func(i int) bool { return bits == nil || bitutil.BitIsSet(bits, bitOff+i) }
	if bits != nil {
		b.ensureValid()
		valid := b.valid[off : off+n]
		for i := range valid {
			valid[i] = isValid(i)
		}
	}
	switch dt := arr.DataType().(type) {
	case *arrow.Int8Type:
		return widen(b, b.ints[off:off+n], arr, isValid, func(v int8) int64 { return int64(v) })
	case *arrow.Int16Type:
		return widen(b, b.ints[off:off+n], arr, isValid, func(v int16) int64 { return int64(v) })
	case *arrow.Int32Type:
		return widen(b, b.ints[off:off+n], arr, isValid, func(v int32) int64 { return int64(v) })
	case *arrow.Int64Type:
		return widen(b, b.ints[off:off+n], arr, isValid, func(v int64) int64 { return v })
	case *arrow.Uint8Type:
		return widen(b, b.ints[off:off+n], arr, isValid, func(v uint8) int64 { return int64(v) })
	case *arrow.Uint16Type:
		return widen(b, b.ints[off:off+n], arr, isValid, func(v uint16) int64 { return int64(v) })
	case *arrow.Uint32Type:
		return widen(b, b.ints[off:off+n], arr, isValid, func(v uint32) int64 { return int64(v) })
	case *arrow.Uint64Type:
		src, err := values[uint64](b.name, arr)
		if err != nil {
			return err
		}
		dst := b.ints[off : off+n]
		for i, v := range src {
			if !isValid(i) {
				dst[i] = 0
				continue
			}
			if v > math.MaxInt64 {
				return fmt.Errorf("column %q row %d: uint64 value %d exceeds the int64 range", b.name, off+i, v)
			}
			dst[i] = int64(v)
		}
		return nil
	case *arrow.Float32Type:
		return widen(b, b.floats[off:off+n], arr, isValid, func(v float32) float64 { return float64(v) })
	case *arrow.Float64Type:
		return widen(b, b.floats[off:off+n], arr, isValid, func(v float64) float64 { return v })
	case *arrow.Date32Type:
		src, err := values[int32](b.name, arr)
		if err != nil {
			return err
		}
		return scaleTime(b, off, src, isValid, 86400*1e9)
	case *arrow.Date64Type:
		src, err := values[int64](b.name, arr)
		if err != nil {
			return err
		}
		return scaleTime(b, off, src, isValid, 1e6)
	case *arrow.TimestampType:
		src, err := values[int64](b.name, arr)
		if err != nil {
			return err
		}
		return scaleTime(b, off, src, isValid, int64(dt.Unit.Multiplier()))
	case *arrow.BooleanType:
		data := arr.Data()
		bufs := data.Buffers()
		if len(bufs) < 2 || bufs[1] == nil || bufs[1].Len()*8 < data.Offset()+n {
			return fmt.Errorf("column %q: bool buffer too short for %d rows", b.name, n)
		}
		vb, vo := bufs[1].Bytes(), data.Offset()
		dst := b.bools[off : off+n]
		for i := range dst {
			dst[i] = isValid(i) && bitutil.BitIsSet(vb, vo+i)
		}
		return nil
	case *arrow.StringType:
		return fillStrings[int32](b.name, b.strs[off:off+n], arr, isValid, off)
	case *arrow.LargeStringType:
		return fillStrings[int64](b.name, b.strs[off:off+n], arr, isValid, off)
	case *arrow.DictionaryType:
		return b.fillDictionary(off, arr, isValid)
	}
	return fmt.Errorf("column %q: unsupported Arrow type %s", b.name, arr.DataType())
}

func widen[S, D int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | float32 | float64](b *Builder, dst []D, arr arrow.Array, isValid func(int) bool, conv func(S) D) error {
	src, err := values[S](b.name, arr)
	if err != nil {
		return err
	}
	for i, v := range src {
		dst[i] = conv(v)
	}
	if arr.NullN() > 0 {
		for i := range dst {
			if !isValid(i) {
				dst[i] = 0 // a frame holds zero under nulls; Arrow leaves the slot undefined
			}
		}
	}
	return nil
}

// scaleTime converts dates or timestamps counted in units of mult nanoseconds
// to nanoseconds, rejecting values outside the int64 nanosecond range.
func scaleTime[S int32 | int64](b *Builder, off int, src []S, isValid func(int) bool, mult int64) error {
	dst := b.ints[off : off+len(src)]
	lo, hi := math.MinInt64/mult, math.MaxInt64/mult
	for i, v := range src {
		if !isValid(i) {
			dst[i] = 0
			continue
		}
		if int64(v) < lo || int64(v) > hi {
			return fmt.Errorf("column %q row %d: %s value %d is outside the nanosecond timestamp range (years 1677-2262)", b.name, off+i, b.arrow, v)
		}
		dst[i] = int64(v) * mult
	}
	return nil
}

func (b *Builder) fillDictionary(off int, arr arrow.Array, isValid func(int) bool) error {
	d, ok := arr.(*array.Dictionary)
	if !ok {
		return fmt.Errorf("column %q: malformed dictionary array", b.name)
	}
	dictArr := d.Dictionary()
	levels, err := arrowStrings(dictArr)
	if err != nil {
		return fmt.Errorf("column %q: %w", b.name, err)
	}
	var null []bool
	if dictArr.NullN() > 0 {
		null = make([]bool, dictArr.Len())
		for k := range null {
			null[k] = dictArr.IsNull(k)
		}
	}
	dst := b.codes[off : off+arr.Len()]
	indices := d.Indices()
	var convErr error
	switch indices.DataType().ID() {
	case arrow.INT8:
		convErr = dictCodes[int8](b.name, dst, indices, isValid, len(levels), off)
	case arrow.INT16:
		convErr = dictCodes[int16](b.name, dst, indices, isValid, len(levels), off)
	case arrow.INT32:
		convErr = dictCodes[int32](b.name, dst, indices, isValid, len(levels), off)
	case arrow.INT64:
		convErr = dictCodes[int64](b.name, dst, indices, isValid, len(levels), off)
	case arrow.UINT8:
		convErr = dictCodes[uint8](b.name, dst, indices, isValid, len(levels), off)
	case arrow.UINT16:
		convErr = dictCodes[uint16](b.name, dst, indices, isValid, len(levels), off)
	case arrow.UINT32:
		convErr = dictCodes[uint32](b.name, dst, indices, isValid, len(levels), off)
	case arrow.UINT64:
		convErr = dictCodes[uint64](b.name, dst, indices, isValid, len(levels), off)
	default:
		convErr = fmt.Errorf("column %q: dictionary index type %s", b.name, indices.DataType())
	}
	if convErr != nil {
		return convErr
	}
	b.mu.Lock()
	b.dicts = append(b.dicts, dictChunk{off: off, n: arr.Len(), levels: levels, null: null})
	b.mu.Unlock()
	return nil
}

// dictCodes copies dictionary indices into int32 codes, checking each valid
// row's index against the dictionary's length.
func dictCodes[I int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](name string, dst []int32, indices arrow.Array, isValid func(int) bool, levels, off int) error {
	src, err := values[I](name, indices)
	if err != nil {
		return err
	}
	for i, k := range src {
		if !isValid(i) {
			dst[i] = 0
			continue
		}
		if uint64(k) >= uint64(levels) { // also catches negative k
			return fmt.Errorf("column %q row %d: dictionary index %d out of range [0,%d)", name, off+i, k, levels)
		}
		dst[i] = int32(k)
	}
	return nil
}

// Name returns the column's name.
func (b *Builder) Name() string { return b.name }

// Allocated reports whether the builder holds its column's memory: false for
// a lazy builder that FillOwned has not yet filled.
func (b *Builder) Allocated() bool {
	return b.floats != nil || b.ints != nil || b.bools != nil || b.strs != nil || b.codes != nil
}

// Direct writes, for decoders that produce a column's values themselves
// rather than as Arrow chunks (the Parquet reader's page decoder). Like
// Fill, they may be used from several goroutines for disjoint row ranges of
// a builder made by NewBuilder.

// Int64Slot returns rows [off, off+n) of an Int64 or Timestamp column's values.
func (b *Builder) Int64Slot(off, n int) []int64 { return b.ints[off : off+n : off+n] }

// Float64Slot returns rows [off, off+n) of a Float64 column's values.
func (b *Builder) Float64Slot(off, n int) []float64 { return b.floats[off : off+n : off+n] }

// CodeSlot returns rows [off, off+n) of a dictionary column's codes; each
// range's codes index the dictionary given for it with AddDictionary.
func (b *Builder) CodeSlot(off, n int) []int32 { return b.codes[off : off+n : off+n] }

// ValidSlot returns rows [off, off+n) of the column's validity, allocating it
// (all true) on first use: call it only for ranges that have nulls.
func (b *Builder) ValidSlot(off, n int) []bool {
	b.ensureValid()
	return b.valid[off : off+n : off+n]
}

// AddDictionary records that the codes of rows [off, off+n) index levels;
// Column merges the ranges' dictionaries in row order, as for chunks given
// to Fill.
func (b *Builder) AddDictionary(off, n int, levels []string) {
	b.mu.Lock()
	b.dicts = append(b.dicts, dictChunk{off: off, n: n, levels: levels})
	b.mu.Unlock()
}

// Type returns the column's frame type and whether it is dictionary-encoded.
func (b *Builder) Type() (dataset.Type, bool) { return b.typ, b.dict }
