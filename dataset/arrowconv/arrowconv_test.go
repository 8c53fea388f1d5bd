package arrowconv_test

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/decimal128"
	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/arrowconv"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
)

func TestRoundTrip(t *testing.T) {
	want := frametest.EveryType(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	rec, err := arrowconv.ToRecord(want, mem)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []string{"float64", "float64", "int64", "int64", "utf8", "utf8", "dictionary<values=utf8, indices=int32, ordered=false>", "bool", "bool", "timestamp[ns, tz=UTC]"}
	for i, w := range wantTypes {
		if got := rec.Schema().Field(i).Type.String(); got != w {
			t.Errorf("field %d: arrow type %s, want %s", i, got, w)
		}
	}
	if n := rec.Column(0).NullN(); n != 1 {
		t.Errorf("dep_delay: %d arrow nulls, want 1", n)
	}
	// Zero copy both ways for float64, int64, timestamp and dictionary codes.
	if &rec.Column(1).(*array.Float64).Float64Values()[0] != &want.Col(1).Float64s()[0] {
		t.Error("ToRecord copied a float64 column")
	}
	if &rec.Column(3).(*array.Int64).Int64Values()[0] != &want.Col(3).Int64s()[0] {
		t.Error("ToRecord copied an int64 column")
	}
	got, err := arrowconv.FromRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	if &got.Col(1).Float64s()[0] != &want.Col(1).Float64s()[0] {
		t.Error("FromRecord copied a null-free float64 column")
	}
	frametest.Equal(t, "Arrow round trip", want, got)
	rec.Release()
	mem.AssertSize(t, 0)
}

func TestFromRecordTypeMapping(t *testing.T) {
	mem := memory.NewGoAllocator()
	fields := []arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "d64", Type: arrow.FixedWidthTypes.Date64, Nullable: true},
		{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
		{Name: "ts_ms_ny", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "America/New_York"}, Nullable: true},
		{Name: "ts_us", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "large", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "dict8", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	b.Field(0).(*array.Int8Builder).AppendValues([]int8{-128, 127, 0}, []bool{true, true, false})
	b.Field(1).(*array.Int16Builder).AppendValues([]int16{-32768, 32767, 0}, []bool{true, true, false})
	b.Field(2).(*array.Int32Builder).AppendValues([]int32{math.MinInt32, math.MaxInt32, 0}, []bool{true, true, false})
	b.Field(3).(*array.Uint8Builder).AppendValues([]uint8{255, 0, 7}, []bool{true, true, false})
	b.Field(4).(*array.Uint16Builder).AppendValues([]uint16{65535, 0, 7}, []bool{true, true, false})
	b.Field(5).(*array.Uint32Builder).AppendValues([]uint32{math.MaxUint32, 0, 7}, []bool{true, true, false})
	b.Field(6).(*array.Uint64Builder).AppendValues([]uint64{math.MaxInt64, 0, math.MaxUint64}, []bool{true, true, false})
	b.Field(7).(*array.Float32Builder).AppendValues([]float32{0.1, -2.5, 0}, []bool{true, true, false})
	b.Field(8).(*array.Date32Builder).AppendValues([]arrow.Date32{15706, -1, 0}, []bool{true, true, false})
	b.Field(9).(*array.Date64Builder).AppendValues([]arrow.Date64{1357016400000, -1, 0}, []bool{true, true, false})
	b.Field(10).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1357016400, -1, 0}, []bool{true, true, false})
	b.Field(11).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1357016400123, -1, 0}, []bool{true, true, false})
	b.Field(12).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1357016400123456, -1, 0}, []bool{true, true, false})
	b.Field(13).(*array.LargeStringBuilder).AppendValues([]string{"EWR", "", "x"}, []bool{true, true, false})
	db := b.Field(14).(*array.BinaryDictionaryBuilder)
	db.AppendString("B6")
	db.AppendString("B6")
	db.AppendNull()
	rec := b.NewRecord()
	defer rec.Release()

	f, err := arrowconv.FromRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	// Expected values follow from the Arrow format's definitions: date32 counts
	// days and date64 milliseconds since 1970-01-01; a timestamp with a time zone
	// holds a UTC instant (1357016400 s = 2013-01-01T05:00:00Z).
	want := map[string][]string{
		"i8":       {"-128", "127", "null"},
		"i16":      {"-32768", "32767", "null"},
		"i32":      {"-2147483648", "2147483647", "null"},
		"u8":       {"255", "0", "null"},
		"u16":      {"65535", "0", "null"},
		"u32":      {"4294967295", "0", "null"},
		"u64":      {"9223372036854775807", "0", "null"},
		"f32":      {"0.10000000149011612", "-2.5", "null"},
		"d32":      {"2013-01-01T00:00:00Z", "1969-12-31T00:00:00Z", "null"},
		"d64":      {"2013-01-01T05:00:00Z", "1969-12-31T23:59:59.999Z", "null"},
		"ts_s":     {"2013-01-01T05:00:00Z", "1969-12-31T23:59:59Z", "null"},
		"ts_ms_ny": {"2013-01-01T05:00:00.123Z", "1969-12-31T23:59:59.999Z", "null"},
		"ts_us":    {"2013-01-01T05:00:00.123456Z", "1969-12-31T23:59:59.999999Z", "null"},
		"large":    {"EWR", "", "null"},
		"dict8":    {"B6", "B6", "null"},
	}
	wantType := map[string]dataset.Type{"f32": dataset.Float64, "d32": dataset.Timestamp, "d64": dataset.Timestamp, "ts_s": dataset.Timestamp, "ts_ms_ny": dataset.Timestamp, "ts_us": dataset.Timestamp, "large": dataset.String, "dict8": dataset.String}
	for _, c := range f.Columns() {
		typ, ok := wantType[c.Name()]
		if !ok {
			typ = dataset.Int64
		}
		if c.Type() != typ {
			t.Errorf("column %q: type %v, want %v", c.Name(), c.Type(), typ)
		}
		for i, w := range want[c.Name()] {
			g := c.Format(i)
			if c.IsNull(i) {
				g = "null"
			}
			if g != w {
				t.Errorf("column %q row %d: %s, want %s", c.Name(), i, g, w)
			}
		}
		if c.Type() == dataset.Int64 && c.IsNull(2) && c.Int64s()[2] != 0 {
			t.Errorf("column %q: null slot holds %d, want 0", c.Name(), c.Int64s()[2])
		}
	}
	if c, _ := f.Column("dict8"); !c.IsDict() {
		t.Error("dictionary<int8, string> did not stay dictionary-encoded")
	}
}

func TestFromTableMergesDictionaries(t *testing.T) {
	mem := memory.NewGoAllocator()
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	chunk := func(vals ...string) arrow.Array {
		b := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
		defer b.Release()
		for _, v := range vals {
			if v == "" {
				b.AppendNull()
			} else if err := b.AppendString(v); err != nil {
				t.Fatal(err)
			}
		}
		return b.NewArray()
	}
	c1, c2 := chunk("JFK", "LGA", "JFK"), chunk("EWR", "", "JFK", "LGA")
	defer c1.Release()
	defer c2.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "origin", Type: dt, Nullable: true}}, nil)
	col := arrow.NewColumnFromArr(schema.Field(0), c1)
	defer col.Release()
	chunked := arrow.NewChunked(dt, []arrow.Array{c1, c2})
	defer chunked.Release()
	tbl := array.NewTableFromSlice(schema, [][]arrow.Array{{c1, c2}})
	defer tbl.Release()
	f, err := arrowconv.FromTable(tbl)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Col(0)
	codes, levels, ok := c.Dict()
	if !ok {
		t.Fatal("merged column is not dictionary-encoded")
	}
	if got := strings.Join(levels, ","); got != "JFK,LGA,EWR" {
		t.Errorf("levels %s, want JFK,LGA,EWR (first appearance)", got)
	}
	wantCodes := []int32{0, 1, 0, 2, 0, 0, 1}
	for i, w := range wantCodes {
		if codes[i] != w && !c.IsNull(i) {
			t.Errorf("row %d: code %d, want %d", i, codes[i], w)
		}
	}
	if !c.IsNull(4) || c.NullCount() != 1 {
		t.Errorf("nulls: row 4 null %v, count %d; want true, 1", c.IsNull(4), c.NullCount())
	}
}

func TestFromRecordErrors(t *testing.T) {
	mem := memory.NewGoAllocator()
	one := func(name string, arr arrow.Array) arrow.Record {
		schema := arrow.NewSchema([]arrow.Field{{Name: name, Type: arr.DataType(), Nullable: true}}, nil)
		return array.NewRecord(schema, []arrow.Array{arr}, int64(arr.Len()))
	}
	u64 := array.NewUint64Builder(mem)
	u64.Append(math.MaxInt64 + 1)
	dec := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 10, Scale: 2})
	dec.Append(decimal128.FromI64(12345))
	ts := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Second})
	ts.Append(arrow.Timestamp(1e13)) // year 318857
	str := array.NewStringBuilder(mem)
	str.Append("ok")
	str.Append("\xff\xfe")
	bin := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
	bin.Append([]byte{1})
	cases := []struct {
		rec  arrow.Record
		want string
	}{
		{one("passengers", u64.NewArray()), `column "passengers" row 0: uint64 value 9223372036854775808 exceeds the int64 range`},
		{one("fare", dec.NewArray()), `column "fare": unsupported Arrow type decimal(10, 2)`},
		{one("launch", ts.NewArray()), `column "launch" row 0: timestamp[s] value 10000000000000 is outside the nanosecond timestamp range`},
		{one("note", str.NewArray()), `column "note" row 1: invalid UTF-8`},
		{one("blob", bin.NewArray()), `column "blob": unsupported Arrow type binary`},
	}
	for _, c := range cases {
		_, err := arrowconv.FromRecord(c.rec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got error %v, want it to contain %q", err, c.want)
		}
		c.rec.Release()
	}
}
