package dataset

import (
	"fmt"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/bitutil"
	"github.com/apache/arrow/go/v14/arrow/memory"
)

// ToArrow returns the frame as one Arrow record (github.com/apache/arrow/go/v14)
// with these types:
//
//	Float64 -> float64         Int64 -> int64         Bool -> bool
//	Timestamp -> timestamp[ns, tz=UTC]
//	String -> string (large_string past 2 GiB of text)
//	dictionary-encoded String -> dictionary<int32, string>
//
// Every field is nullable; null cells are marked in a validity bitmap.
//
// Float64, Int64 and Timestamp values and the codes of dictionary-encoded
// strings are not copied: the record's value buffers view the frame's slices,
// which is safe because frames are immutable. Validity bitmaps, Bool bitmaps
// and string data are built in memory from mem (memory.DefaultAllocator when
// nil). Release the record when done; it never frees the frame's memory.
func (f *Frame) ToArrow(mem memory.Allocator) (arrow.Record, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	fields := make([]arrow.Field, len(f.cols))
	arrs := make([]arrow.Array, len(f.cols))
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, c := range f.cols {
		a, err := columnToArrow(c, mem)
		if err != nil {
			return nil, err
		}
		arrs[i] = a
		fields[i] = arrow.Field{Name: c.name, Type: a.DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(f.rows)), nil
}

// arrowSchema returns the schema ToArrow gives the frame's records.
func (f *Frame) arrowSchema() (*arrow.Schema, error) {
	empty, err := f.Slice(0, 0)
	if err != nil {
		return nil, err
	}
	rec, err := empty.ToArrow(memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return rec.Schema(), nil
}

// timestampType is the Arrow type of Timestamp columns.
var timestampType = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}

func columnToArrow(c *Column, mem memory.Allocator) (arrow.Array, error) {
	valid := validityBitmap(c, mem)
	if valid != nil {
		defer valid.Release()
	}
	nulls := c.nulls
	switch c.typ {
	case Float64:
		vals := memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(c.floats))
		return makeArray(arrow.PrimitiveTypes.Float64, c.n, []*memory.Buffer{valid, vals}, nulls), nil
	case Int64:
		vals := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.ints))
		return makeArray(arrow.PrimitiveTypes.Int64, c.n, []*memory.Buffer{valid, vals}, nulls), nil
	case Timestamp:
		vals := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.ints))
		return makeArray(timestampType, c.n, []*memory.Buffer{valid, vals}, nulls), nil
	case Bool:
		bits := memory.NewResizableBuffer(mem)
		bits.Resize(int(bitutil.BytesForBits(int64(c.n))))
		b := bits.Bytes()
		for i, v := range c.bools {
			if v {
				bitutil.SetBit(b, i)
			}
		}
		defer bits.Release()
		return makeArray(arrow.FixedWidthTypes.Boolean, c.n, []*memory.Buffer{valid, bits}, nulls), nil
	case String:
		if c.levels != nil {
			codes := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.codes))
			levels := stringsToArrow(c.levels, nil, mem)
			defer levels.Release()
			dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: levels.DataType()}
			data := array.NewData(dt, c.n, []*memory.Buffer{valid, codes}, nil, nulls, 0)
			data.SetDictionary(levels.Data())
			defer data.Release()
			return array.MakeFromData(data), nil
		}
		return stringsToArrow(c.strs, c.valid, mem), nil
	}
	return nil, fmt.Errorf("dataset: column %q: type %v has no Arrow equivalent", c.name, c.typ)
}

// makeArray wraps buffers into an array that holds its own references to them.
func makeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, nulls int) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// validityBitmap packs the null mask into an Arrow validity bitmap, or returns
// nil when the column has no nulls.
func validityBitmap(c *Column, mem memory.Allocator) *memory.Buffer {
	if c.nulls == 0 {
		return nil
	}
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(c.n))))
	b := buf.Bytes()
	for i, v := range c.valid {
		if v {
			bitutil.SetBit(b, i)
		}
	}
	return buf
}

// stringsToArrow copies strings into an Arrow string array, or a
// large_string array when the text exceeds the 2 GiB that int32 offsets address.
func stringsToArrow(strs []string, valid []bool, mem memory.Allocator) arrow.Array {
	total := 0
	for _, s := range strs {
		total += len(s)
	}
	var b interface {
		Reserve(int)
		ReserveData(int)
		AppendNull()
		Append(string)
		NewArray() arrow.Array
		Release()
	}
	if total > 1<<31-1 {
		b = array.NewLargeStringBuilder(mem)
	} else {
		b = array.NewStringBuilder(mem)
	}
	defer b.Release()
	b.Reserve(len(strs))
	b.ReserveData(total)
	for i, s := range strs {
		if valid != nil && !valid[i] {
			b.AppendNull()
		} else {
			b.Append(s)
		}
	}
	return b.NewArray()
}

// FromArrow returns a frame holding the columns of an Arrow record. Types map
// as follows (the Parquet and Arrow IPC readers use the same mapping):
//
//	int8, int16, int32, int64, uint8, uint16, uint32 -> Int64 (narrower ones widened)
//	uint64                                   -> Int64; a value above math.MaxInt64 is an error
//	float32 (widened exactly), float64       -> Float64
//	date32, date64, timestamp (s, ms, us, ns) -> Timestamp: nanoseconds since the epoch, UTC
//	string, large_string                     -> String (plain)
//	dictionary<any integer, string or large_string> -> dictionary-encoded String
//	bool                                     -> Bool
//
// An Arrow timestamp with a time zone holds a UTC instant already; one without
// is read as if it were UTC. Dates and timestamps outside the int64
// nanosecond range (years 1677-2262), invalid UTF-8 and dictionary indices out
// of range are errors naming the column and row. Any other Arrow type
// (decimal, binary, time, duration, list, struct, ...) is an error naming the
// column.
//
// Zero copy: float64, int64 and timestamp[ns] columns without nulls, and
// dictionaries with int32 indices and no nulls, are viewed in place (the
// frame's slices alias the record's buffers); every other column is copied,
// because a frame wants zero values under nulls where Arrow leaves them
// undefined, and narrower types must be widened. The frame keeps the
// buffers it views reachable; with Go's allocator (memory.DefaultAllocator)
// releasing the record afterwards is safe. With an allocator that frees
// memory on Release (memory.Mallocator), keep the record alive while the frame
// is in use. Strings are always copied into Go memory.
func FromArrow(rec arrow.Record) (*Frame, error) {
	cols := make([][]arrow.Array, rec.NumCols())
	for i := range cols {
		cols[i] = []arrow.Array{rec.Column(i)}
	}
	return fromArrowChunks(rec.Schema(), cols, int(rec.NumRows()))
}

// FromArrowTable is FromArrow for a table, whose columns may be split into
// chunks. A column of one chunk is converted as in FromArrow; the chunks of
// a column of several are copied into one contiguous slice, and the chunks'
// dictionaries, if any, are merged into one set of levels (in order of first
// appearance, chunk by chunk).
func FromArrowTable(tbl arrow.Table) (*Frame, error) {
	cols := make([][]arrow.Array, tbl.NumCols())
	for i := range cols {
		cols[i] = tbl.Column(i).Data().Chunks()
	}
	return fromArrowChunks(tbl.Schema(), cols, int(tbl.NumRows()))
}

// fromArrowChunks converts each column given as chunks (in order) into a
// frame column of n rows.
func fromArrowChunks(schema *arrow.Schema, cols [][]arrow.Array, n int) (*Frame, error) {
	if schema.NumFields() != len(cols) {
		return nil, fmt.Errorf("dataset: arrow schema has %d fields for %d columns", schema.NumFields(), len(cols))
	}
	// Check every chunk's buffers against its length before allocating n rows:
	// a corrupt IPC message can claim a length its buffers do not hold.
	for i, chunks := range cols {
		for _, ch := range chunks {
			if err := checkBuffers(schema.Field(i).Name, ch); err != nil {
				return nil, err
			}
		}
	}
	out := make([]*Column, len(cols))
	for i, chunks := range cols {
		name := schema.Field(i).Name
		if c := viewArrow(name, chunks, n); c != nil {
			out[i] = c
			continue
		}
		b, err := newArrowColumnBuilder(name, schema.Field(i).Type, n)
		if err != nil {
			return nil, err
		}
		off := 0
		for _, ch := range chunks {
			if off+ch.Len() > n {
				return nil, fmt.Errorf("dataset: column %q has more than %d rows", name, n)
			}
			if err := b.fill(off, ch); err != nil {
				return nil, err
			}
			off += ch.Len()
		}
		if off != n {
			return nil, fmt.Errorf("dataset: column %q has %d rows, want %d", name, off, n)
		}
		if out[i], err = b.column(); err != nil {
			return nil, err
		}
	}
	return New(out...)
}

// viewArrow returns a column that views a single null-free chunk of a
// fixed-width type in place, or nil when the column must be copied.
func viewArrow(name string, chunks []arrow.Array, n int) *Column {
	if len(chunks) != 1 || chunks[0].Len() != n || chunks[0].NullN() != 0 {
		return nil
	}
	data := chunks[0].Data()
	bufs := data.Buffers()
	if len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	lo, hi := data.Offset(), data.Offset()+n
	vals := bufs[1].Bytes()
	switch dt := data.DataType().(type) {
	case *arrow.Float64Type:
		if len(vals) < hi*8 {
			return nil // malformed: let the copying path report it
		}
		return NewFloat64(name, arrow.Float64Traits.CastFromBytes(vals)[lo:hi:hi], nil)
	case *arrow.Int64Type:
		if len(vals) < hi*8 {
			return nil
		}
		return NewInt64(name, arrow.Int64Traits.CastFromBytes(vals)[lo:hi:hi], nil)
	case *arrow.TimestampType:
		if dt.Unit != arrow.Nanosecond || len(vals) < hi*8 {
			return nil
		}
		return NewTimestamp(name, arrow.Int64Traits.CastFromBytes(vals)[lo:hi:hi], nil)
	case *arrow.DictionaryType:
		if dt.IndexType.ID() != arrow.INT32 || len(vals) < hi*4 {
			return nil
		}
		dict, ok := chunks[0].(*array.Dictionary)
		if !ok || dict.Dictionary().NullN() != 0 {
			return nil
		}
		levels, err := arrowStrings(dict.Dictionary())
		if err != nil || !distinct(levels) {
			return nil
		}
		c, err := NewDictString(name, arrow.Int32Traits.CastFromBytes(vals)[lo:hi:hi], levels, nil)
		if err != nil {
			return nil
		}
		return c
	}
	return nil
}

func distinct(levels []string) bool {
	seen := make(map[string]struct{}, len(levels))
	for _, s := range levels {
		if _, dup := seen[s]; dup {
			return false
		}
		seen[s] = struct{}{}
	}
	return true
}
