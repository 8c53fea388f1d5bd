package arrowcol

import (
	"fmt"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/bitutil"
	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/kiln-ml/kiln/dataset"
)

// ToRecord returns the frame as one Arrow record; arrowconv.ToRecord documents
// the mapping and the sharing of buffers.
func ToRecord(f *dataset.Frame, mem memory.Allocator) (arrow.Record, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	cols := f.Columns()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, c := range cols {
		a, err := columnToArrow(c, mem)
		if err != nil {
			return nil, err
		}
		arrs[i] = a
		fields[i] = arrow.Field{Name: c.Name(), Type: a.DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(f.NumRows())), nil
}

// Schema returns the schema ToRecord gives the frame's records.
func Schema(f *dataset.Frame) (*arrow.Schema, error) {
	empty, err := f.Slice(0, 0)
	if err != nil {
		return nil, err
	}
	rec, err := ToRecord(empty, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return rec.Schema(), nil
}

// timestampType is the Arrow type of Timestamp columns.
var timestampType = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}

func columnToArrow(c *dataset.Column, mem memory.Allocator) (arrow.Array, error) {
	valid := validityBitmap(c, mem)
	if valid != nil {
		defer valid.Release()
	}
	nulls, n := c.NullCount(), c.Len()
	switch c.Type() {
	case dataset.Float64:
		vals := memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(c.Float64s()))
		return makeArray(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{valid, vals}, nulls), nil
	case dataset.Int64:
		vals := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.Int64s()))
		return makeArray(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{valid, vals}, nulls), nil
	case dataset.Timestamp:
		vals := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.Int64s()))
		return makeArray(timestampType, n, []*memory.Buffer{valid, vals}, nulls), nil
	case dataset.Bool:
		bits := memory.NewResizableBuffer(mem)
		bits.Resize(int(bitutil.BytesForBits(int64(n))))
		b := bits.Bytes()
		for i, v := range c.Bools() {
			if v {
				bitutil.SetBit(b, i)
			}
		}
		defer bits.Release()
		return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{valid, bits}, nulls), nil
	case dataset.String:
		if codes, levels, ok := c.Dict(); ok {
			codeBuf := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(codes))
			dict := stringsToArrow(levels, nil, mem)
			defer dict.Release()
			dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: dict.DataType()}
			data := array.NewData(dt, n, []*memory.Buffer{valid, codeBuf}, nil, nulls, 0)
			data.SetDictionary(dict.Data())
			defer data.Release()
			return array.MakeFromData(data), nil
		}
		return stringsToArrow(c.Strings(), c.Valid(), mem), nil
	}
	return nil, fmt.Errorf("column %q: type %v has no Arrow equivalent", c.Name(), c.Type())
}

// makeArray wraps buffers into an array that holds its own references to them.
func makeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, nulls int) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// validityBitmap packs the null mask into an Arrow validity bitmap, or returns
// nil when the column has no nulls.
func validityBitmap(c *dataset.Column, mem memory.Allocator) *memory.Buffer {
	if c.NullCount() == 0 {
		return nil
	}
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(c.Len()))))
	b := buf.Bytes()
	for i, v := range c.Valid() {
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

// FromChunks converts each column, given as chunks in order, into a frame
// column of n rows; arrowconv.FromRecord documents the mapping.
func FromChunks(schema *arrow.Schema, cols [][]arrow.Array, n int) (*dataset.Frame, error) {
	if schema.NumFields() != len(cols) {
		return nil, fmt.Errorf("arrow schema has %d fields for %d columns", schema.NumFields(), len(cols))
	}
	// Check every chunk's buffers against its length before allocating n rows:
	// a corrupt IPC message can claim a length its buffers do not hold.
	for i, chunks := range cols {
		for _, ch := range chunks {
			if err := CheckBuffers(schema.Field(i).Name, ch); err != nil {
				return nil, err
			}
		}
	}
	out := make([]*dataset.Column, len(cols))
	for i, chunks := range cols {
		name := schema.Field(i).Name
		if c := viewArrow(name, chunks, n); c != nil {
			out[i] = c
			continue
		}
		b, err := NewBuilder(name, schema.Field(i).Type, n)
		if err != nil {
			return nil, err
		}
		off := 0
		for _, ch := range chunks {
			if off+ch.Len() > n {
				return nil, fmt.Errorf("column %q has more than %d rows", name, n)
			}
			if err := b.Fill(off, ch); err != nil {
				return nil, err
			}
			off += ch.Len()
		}
		if off != n {
			return nil, fmt.Errorf("column %q has %d rows, want %d", name, off, n)
		}
		if out[i], err = b.Column(); err != nil {
			return nil, err
		}
	}
	return dataset.New(out...)
}

// viewArrow returns a column that views a single null-free chunk of a
// fixed-width type in place, or nil when the column must be copied.
func viewArrow(name string, chunks []arrow.Array, n int) *dataset.Column {
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
		return dataset.NewFloat64(name, arrow.Float64Traits.CastFromBytes(vals)[lo:hi:hi], nil)
	case *arrow.Int64Type:
		if len(vals) < hi*8 {
			return nil
		}
		return dataset.NewInt64(name, arrow.Int64Traits.CastFromBytes(vals)[lo:hi:hi], nil)
	case *arrow.TimestampType:
		if dt.Unit != arrow.Nanosecond || len(vals) < hi*8 {
			return nil
		}
		return dataset.NewTimestamp(name, arrow.Int64Traits.CastFromBytes(vals)[lo:hi:hi], nil)
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
		c, err := dataset.NewDictString(name, arrow.Int32Traits.CastFromBytes(vals)[lo:hi:hi], levels, nil)
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
