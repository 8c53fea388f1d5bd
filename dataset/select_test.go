package dataset

import (
	"encoding/csv"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// opsLoadCSV reads a small embedded data file with the standard library (so
// that these tests do not depend on the package's own CSV reader): columns
// whose cells all parse as numbers become Float64, the others dictionary
// strings.
func opsLoadCSV(t testing.TB, path string) *Frame {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	records, err := csv.NewReader(file).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := records[0], records[1:]
	cols := make([]*Column, len(header))
	for j, name := range header {
		floats := make([]float64, len(rows))
		numeric := true
		for i, r := range rows {
			if floats[i], err = strconv.ParseFloat(r[j], 64); err != nil {
				numeric = false
				break
			}
		}
		if numeric {
			cols[j] = NewFloat64(name, floats, nil)
			continue
		}
		strs := make([]string, len(rows))
		for i, r := range rows {
			strs[i] = r[j]
		}
		cols[j] = DictEncode(NewString(name, strs, nil))
	}
	return MustNew(cols...)
}

// opsSample is a small frame of every type, with nulls.
func opsSample() *Frame {
	s, _ := NewDictString("s", []int32{0, 1, 0, 0, 2}, []string{"x", "y", "z"}, []bool{true, true, true, false, true})
	return MustNew(
		NewFloat64("f", []float64{1.5, 2.5, 0, 4, -1}, []bool{true, true, false, true, true}),
		NewInt64("i", []int64{10, 20, 30, 40, 50}, nil),
		s,
		NewBool("b", []bool{true, false, true, true, false}, nil),
		NewTimestamp("t", []int64{5e9, 4e9, 3e9, 2e9, 1e9}, nil),
	)
}

// cells renders a frame as text, one row per line, for comparisons.
func cells(f *Frame) string {
	var b strings.Builder
	for i := range f.NumRows() {
		for k, c := range f.Columns() {
			if k > 0 {
				b.WriteString(",")
			}
			if c.IsNull(i) {
				b.WriteString("null")
			} else {
				b.WriteString(c.Format(i))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestSelectDropWithColumn(t *testing.T) {
	f := opsSample()
	g, err := f.Select("s", "f")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Names(), []string{"s", "f"}) || g.Col(1) != f.Col(0) {
		t.Errorf("select: names %v, columns must be shared", g.Names())
	}
	h, err := f.Drop("i", "t")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.Names(), []string{"f", "s", "b"}) || h.NumRows() != 5 {
		t.Errorf("drop: %v", h.Names())
	}
	if none, _ := f.Drop(f.Names()...); none.NumRows() != 5 || none.NumCols() != 0 {
		t.Errorf("dropping every column keeps the row count: %d rows", none.NumRows())
	}
	w, err := f.WithColumn(NewInt64("i", []int64{1, 2, 3, 4, 5}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if w.ColumnIndex("i") != 1 || w.Col(1).Int64s()[4] != 5 || f.Col(1).Int64s()[4] != 50 {
		t.Errorf("with column replaces in place, leaving the input alone")
	}
	w, err = f.WithColumn(NewInt64("new", []int64{1, 2, 3, 4, 5}, nil))
	if err != nil || w.ColumnIndex("new") != 5 || f.NumCols() != 5 {
		t.Errorf("with column appends: %v", err)
	}

	bad := []struct {
		name string
		run  func() error
		want string
	}{
		{"select missing", func() error { _, err := f.Select("f", "nope"); return err }, `no column "nope"`},
		{"select twice", func() error { _, err := f.Select("f", "f"); return err }, `duplicate column name "f"`},
		{"drop missing", func() error { _, err := f.Drop("zz"); return err }, `drop: no column "zz"`},
		{"with column short", func() error { _, err := f.WithColumn(NewInt64("k", []int64{1}, nil)); return err }, `column "k" has 1 rows, the frame has 5`},
		{"with column nil", func() error { _, err := f.WithColumn(nil); return err }, "nil column"},
		{"filter short mask", func() error { _, err := f.Filter([]bool{true}); return err }, "mask has 1 entries for 5 rows"},
		{"filter nil mask", func() error { _, err := f.Filter(nil); return err }, "mask has 0 entries"},
	}
	for _, c := range bad {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
}

func TestFilter(t *testing.T) {
	f := opsSample()
	g, err := f.Filter([]bool{false, true, false, true, true})
	if err != nil {
		t.Fatal(err)
	}
	want := "2.5,20,y,false,1970-01-01T00:00:04Z\n" +
		"4,40,null,true,1970-01-01T00:00:02Z\n" +
		"-1,50,z,false,1970-01-01T00:00:01Z\n"
	if got := cells(g); got != want {
		t.Errorf("filter:\n%s\nwant\n%s", got, want)
	}
	if g, _ := f.Filter(make([]bool, 5)); g.NumRows() != 0 || g.NumCols() != 5 {
		t.Errorf("all-false mask: %d x %d", g.NumRows(), g.NumCols())
	}
}

func TestConcat(t *testing.T) {
	a, _ := NewDictString("s", []int32{0, 1}, []string{"x", "y"}, nil)
	b, _ := NewDictString("s", []int32{0, 1, 0}, []string{"z", "x"}, []bool{true, false, true})
	f1 := MustNew(NewInt64("i", []int64{1, 2}, nil), a)
	f2 := MustNew(NewInt64("i", []int64{3, 4, 5}, []bool{true, true, false}), b)
	f3 := MustNew(NewInt64("i", []int64{6}, nil), NewString("s", []string{"w"}, nil))
	g, err := Concat(f1, f2, f3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cells(g), "1,x\n2,y\n3,z\n4,null\nnull,z\n6,w\n"; got != want {
		t.Errorf("concat:\n%s\nwant\n%s", got, want)
	}
	codes, levels, ok := g.Col(1).Dict()
	if !ok || !reflect.DeepEqual(levels, []string{"x", "y", "z", "w"}) || codes[2] != 2 || codes[5] != 3 {
		t.Errorf("merged dictionary: codes %v levels %v", codes, levels)
	}
	if g.Col(0).NullCount() != 1 || g.Col(1).NullCount() != 1 {
		t.Errorf("null counts %d %d", g.Col(0).NullCount(), g.Col(1).NullCount())
	}
	// Plain string parts stay plain.
	p1 := MustNew(NewString("s", []string{"a"}, nil))
	p2 := MustNew(NewString("s", []string{"b"}, nil))
	if g, err := Concat(p1, p2); err != nil || g.Col(0).IsDict() || cells(g) != "a\nb\n" {
		t.Errorf("plain concat: %v %q", err, cells(g))
	}

	bad := []struct {
		name   string
		frames []*Frame
		want   string
	}{
		{"none", nil, "no frames"},
		{"nil frame", []*Frame{f1, nil}, "frame 1 is nil"},
		{"column count", []*Frame{f1, MustNew(NewInt64("i", []int64{1}, nil))}, "frame 1 has 1 columns (i:int64), frame 0 has 2 (i:int64, s:string)"},
		{"type", []*Frame{f1, MustNew(NewFloat64("i", []float64{1}, nil), a.Slice(0, 1))}, "frame 1 column 0 is i:float64, frame 0 has i:int64"},
		{"name", []*Frame{f1, MustNew(NewInt64("j", []int64{1}, nil), a.Slice(0, 1))}, "frame 1 column 0 is j:int64"},
	}
	for _, c := range bad {
		if _, err := Concat(c.frames...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
}
