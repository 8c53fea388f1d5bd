package dataset

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/decimal128"
	"github.com/apache/arrow/go/v14/arrow/memory"
)

// everyTypeFrame is a small frame with a column of every type, each with
// nulls, plus columns without nulls, edge values and an empty string.
func everyTypeFrame(t testing.TB) *Frame {
	t.Helper()
	ts := func(s string) int64 {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UnixNano()
	}
	dict, err := NewDictString("carrier", []int32{0, 1, 0, 0, 2}, []string{"UA", "AA", "B6"}, []bool{true, true, false, true, true})
	if err != nil {
		t.Fatal(err)
	}
	return MustNew(
		NewFloat64("dep_delay", []float64{1.5, 0, -3.25, math.Inf(1), math.NaN()}, []bool{true, false, true, true, true}),
		NewFloat64("air_time", []float64{227, 150, 183, 1e-300, -0.0}, nil),
		NewInt64("distance", []int64{1400, 0, math.MaxInt64, math.MinInt64, -1}, []bool{true, false, true, true, true}),
		NewInt64("flight", []int64{1545, 1714, 1141, 725, 461}, nil),
		NewString("tailnum", []string{"N14228", "", "N619AA", "", "日本語"}, []bool{true, true, true, false, true}),
		NewString("origin", []string{"EWR", "LGA", "JFK", "JFK", "LGA"}, nil),
		dict,
		NewBool("cancelled", []bool{true, false, false, true, false}, []bool{true, true, false, true, true}),
		NewBool("late", []bool{false, false, true, true, false}, nil),
		NewTimestamp("time_hour", []int64{ts("2013-01-01T05:00:00Z"), 0, ts("1970-01-01T00:00:00.000000001Z"), ts("1677-09-22T00:00:00Z"), ts("2262-04-11T00:00:00Z")}, []bool{true, false, true, true, true}),
	)
}

// compareFramesExact fails unless got has want's names, types, dictionary
// encoding, nulls and values (NaN equal to NaN, -0 distinct from +0).
func compareFramesExact(t *testing.T, want, got *Frame) {
	t.Helper()
	if want.Schema().String() != got.Schema().String() || want.NumRows() != got.NumRows() {
		t.Fatalf("shape: got %d rows (%s), want %d rows (%s)", got.NumRows(), got.Schema(), want.NumRows(), want.Schema())
	}
	for k, w := range want.Columns() {
		g := got.Col(k)
		if w.IsDict() != g.IsDict() {
			t.Errorf("column %q: dictionary-encoded %v, want %v", w.Name(), g.IsDict(), w.IsDict())
		}
		if w.NullCount() != g.NullCount() {
			t.Errorf("column %q: %d nulls, want %d", w.Name(), g.NullCount(), w.NullCount())
		}
		for i := 0; i < w.Len(); i++ {
			if w.IsNull(i) != g.IsNull(i) {
				t.Errorf("column %q row %d: null %v, want %v", w.Name(), i, g.IsNull(i), w.IsNull(i))
				continue
			}
			if w.IsNull(i) {
				continue
			}
			switch w.Type() {
			case Float64:
				a, b := w.Float64s()[i], g.Float64s()[i]
				if math.Float64bits(a) != math.Float64bits(b) {
					t.Errorf("column %q row %d: %v, want %v", w.Name(), i, b, a)
				}
			default:
				if w.Format(i) != g.Format(i) {
					t.Errorf("column %q row %d: %q, want %q", w.Name(), i, g.Format(i), w.Format(i))
				}
			}
		}
	}
}

func TestArrowRoundTrip(t *testing.T) {
	want := everyTypeFrame(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	rec, err := want.ToArrow(mem)
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
		t.Error("ToArrow copied a float64 column")
	}
	if &rec.Column(3).(*array.Int64).Int64Values()[0] != &want.Col(3).Int64s()[0] {
		t.Error("ToArrow copied an int64 column")
	}
	got, err := FromArrow(rec)
	if err != nil {
		t.Fatal(err)
	}
	if &got.Col(1).Float64s()[0] != &want.Col(1).Float64s()[0] {
		t.Error("FromArrow copied a null-free float64 column")
	}
	compareFramesExact(t, want, got)
	rec.Release()
	mem.AssertSize(t, 0)
}

func TestFromArrowTypeMapping(t *testing.T) {
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

	f, err := FromArrow(rec)
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
	wantType := map[string]Type{"f32": Float64, "d32": Timestamp, "d64": Timestamp, "ts_s": Timestamp, "ts_ms_ny": Timestamp, "ts_us": Timestamp, "large": String, "dict8": String}
	for _, c := range f.Columns() {
		typ, ok := wantType[c.Name()]
		if !ok {
			typ = Int64
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
		if c.Type() == Int64 && c.IsNull(2) && c.Int64s()[2] != 0 {
			t.Errorf("column %q: null slot holds %d, want 0", c.Name(), c.Int64s()[2])
		}
	}
	if c, _ := f.Column("dict8"); !c.IsDict() {
		t.Error("dictionary<int8, string> did not stay dictionary-encoded")
	}
}

func TestFromArrowTableMergesDictionaries(t *testing.T) {
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
	f, err := FromArrowTable(tbl)
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

func TestFromArrowErrors(t *testing.T) {
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
		_, err := FromArrow(c.rec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got error %v, want it to contain %q", err, c.want)
		}
		c.rec.Release()
	}
}

// ExampleFrame_ToArrow hands a frame to Arrow-based tools and reads it back.
func ExampleFrame_ToArrow() {
	f := MustNew(
		NewString("origin", []string{"JFK", "LGA"}, nil),
		NewFloat64("delay", []float64{12.5, 0}, []bool{true, false}),
	)
	rec, err := f.ToArrow(memory.DefaultAllocator)
	if err != nil {
		panic(err)
	}
	defer rec.Release()
	fmt.Println(rec.Schema().Field(0).Type, rec.Schema().Field(1).Type, rec.Column(1).NullN())
	back, err := FromArrow(rec)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Schema())
	// Output:
	// utf8 float64 1
	// origin:string, delay:float64
}
