package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"github.com/kiln-ml/kiln"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// dump renders a frame as "name:type[:dict]=v|v|null" per column, so that
// tests compare whole frames, types and nulls included, in one string.
func dump(f *Frame) string {
	var b strings.Builder
	for k, c := range f.Columns() {
		if k > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s:%v", c.Name(), c.Type())
		if c.IsDict() {
			b.WriteString(":dict")
		}
		b.WriteString("=")
		for i := range c.Len() {
			if i > 0 {
				b.WriteString("|")
			}
			if c.IsNull(i) {
				b.WriteString("null")
			} else {
				b.WriteString(c.Format(i))
			}
		}
	}
	return b.String()
}

func readString(t *testing.T, text string, opts CSVOptions) *Frame {
	t.Helper()
	f, err := ReadCSV(strings.NewReader(text), opts)
	if err != nil {
		t.Fatalf("ReadCSV(%q): %v", text, err)
	}
	return f
}

// The expectations follow RFC 4180 section 2 (quoting, doubled quotes,
// line breaks inside quotes, CRLF) and the rules stated in ReadCSVFile's
// documentation (nulls, quoted empty strings, inference).
func TestReadCSVCases(t *testing.T) {
	cases := []struct {
		name string
		text string
		opts CSVOptions
		want string
	}{
		{"rfc4180 quoting", "a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",z\n", CSVOptions{},
			"a:string=x,y|multi\nline\nb:string=he said \"hi\"|z"},
		{"crlf and bom", "\xEF\xBB\xBFid,name\r\n1,\"a\"\r\n2,b\r\n", CSVOptions{},
			"id:int64=1|2\nname:string=a|b"},
		{"no final newline", "x,y\n1,2\n3,4", CSVOptions{}, "x:int64=1|3\ny:int64=2|4"},
		{"nulls and quoted empty", "s,n\n\"\",1\n,2\nNA,\n\"NA\",3\nnull,NaN\n", CSVOptions{},
			"s:string=|null|null|NA|null\nn:int64=1|2|null|3|null"},
		{"int with nulls stays int", "v\n1\n\n-7\n", CSVOptions{}, "v:int64=1|null|-7"},
		{"float", "v\n1\n2.5\n-1e3\nInf\n", CSVOptions{}, "v:float64=1|2.5|-1000|Inf"},
		{"bool", "v,w\ntrue,True\nFALSE,false\n", CSVOptions{}, "v:bool=true|false\nw:bool=true|false"},
		{"timestamps", "d\n2013-01-01\n2013-01-01T05:00:00Z\n2013-01-01 05:00:00.5\n2013-01-01T06:00:00+01:00\n", CSVOptions{},
			"d:timestamp=2013-01-01T00:00:00Z|2013-01-01T05:00:00Z|2013-01-01T05:00:00.5Z|2013-01-01T05:00:00Z"},
		{"int then text is text", "v\n1\nx\n007\n", CSVOptions{}, "v:string=1|x|007"},
		{"bool and int join to string", "v\ntrue\n1\n", CSVOptions{}, "v:string=true|1"},
		{"big int widens to float", "v\n1\n99999999999999999999\n", CSVOptions{}, "v:float64=1|1e+20"},
		{"all null column", "a,b\n1,\n2,NA\n", CSVOptions{}, "a:int64=1|2\nb:string=null|null"},
		{"header only", "a,b\n", CSVOptions{}, "a:string=\nb:string="},
		{"header only, forced", "a,b", CSVOptions{Types: map[string]Type{"a": Int64}}, "a:int64=\nb:string="},
		{"blank lines skipped", "a,b\n\n1,2\n\r\n3,4\n\n", CSVOptions{}, "a:int64=1|3\nb:int64=2|4"},
		{"one column: blank line is null", "a\n1\n\n3\n", CSVOptions{}, "a:int64=1|null|3"},
		{"empty header names", ",x,\n1,2,3\n", CSVOptions{}, "Unnamed: 0:int64=1\nx:int64=2\nUnnamed: 2:int64=3"},
		{"no header", "1,a\n2,b\n", CSVOptions{NoHeader: true}, "column1:int64=1|2\ncolumn2:string=a|b"},
		{"delimiter", "a;b\n1,5;x\n", CSVOptions{Delimiter: ';'}, "a:string=1,5\nb:string=x"},
		{"tab", "a\tb\n1\t2.5\n", CSVOptions{Delimiter: '\t'}, "a:int64=1\nb:float64=2.5"},
		{"projection", "a,b,c\n1,2,3\n4,5,6\n", CSVOptions{Columns: []string{"c", "a"}}, "c:int64=3|6\na:int64=1|4"},
		{"forced types", "a,b\n1,2\n3,4\n", CSVOptions{Types: map[string]Type{"a": Float64, "b": String}}, "a:float64=1|3\nb:string=2|4"},
		{"null tokens", "a\n-\n1\n", CSVOptions{NullTokens: []string{"-"}}, "a:int64=null|1"},
		{"empty not null", "a,b\n,1\nx,2\n", CSVOptions{NullTokens: []string{"NA"}}, "a:string=|x\nb:int64=1|2"},
		{"dictionary", "s\nx\ny\nx\nx\n", CSVOptions{}, "s:string:dict=x|y|x|x"},
		{"plain when mostly distinct", "s\nx\ny\nz\nx\n", CSVOptions{}, "s:string=x|y|z|x"},
		{"quoted numbers are numbers", "a\n\"1\"\n\"2\"\n", CSVOptions{}, "a:int64=1|2"},
		{"trailing delimiter at EOF", "a,b\n1,", CSVOptions{}, "a:int64=1\nb:string=null"},
		{"cr inside field kept", "a,b\nx\ry,1\n", CSVOptions{}, "a:string=x\ry\nb:int64=1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := dump(readString(t, c.text, c.opts))
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// bigCSV builds a CSV of n rows spanning many 1 MiB chunks: an int column, a
// column that turns float at row floatAt, a column that turns to text at row
// textAt (so that the reader must re-read it), a quoted column with newlines
// and doubled quotes, and a low-cardinality column.
func bigCSV(n, floatAt, textAt int) string {
	var b strings.Builder
	b.WriteString("id,x,code,note,cat\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,", i)
		if i == floatAt {
			b.WriteString("0.5,")
		} else if i%7 == 0 {
			b.WriteString(",")
		} else {
			fmt.Fprintf(&b, "%d,", i%1000)
		}
		if i == textAt {
			b.WriteString("n/a,")
		} else {
			fmt.Fprintf(&b, "%03d,", i%500)
		}
		fmt.Fprintf(&b, "\"line %d of a longer note\nsaid \"\"%d\"\"\",", i, i)
		fmt.Fprintf(&b, "c%d\n", i%5)
	}
	return b.String()
}

func TestReadCSVAcrossChunks(t *testing.T) {
	const n = 60000 // about 4 MiB: several chunks
	text := bigCSV(n, n-3, n-10)
	if len(text) < 3*chunkSize {
		t.Fatalf("test input of %d bytes does not span chunks", len(text))
	}
	wantNulls := 0 // every 7th x is empty, except the one made 0.5
	for i := range n {
		if i%7 == 0 && i != n-3 {
			wantNulls++
		}
	}
	var ref *Frame
	for _, workers := range []int{1, 2, 5} {
		f := readString(t, text, CSVOptions{Workers: workers})
		if f.NumRows() != n {
			t.Fatalf("%d rows, want %d", f.NumRows(), n)
		}
		schema := f.Schema().String()
		if schema != "id:int64, x:float64, code:string, note:string, cat:string" {
			t.Fatalf("schema %s", schema)
		}
		x, _ := f.Column("x")
		code, _ := f.Column("code")
		note, _ := f.Column("note")
		cat, _ := f.Column("cat")
		if x.NullCount() != wantNulls || x.Float64s()[n-3] != 0.5 || x.Float64s()[13] != 13 {
			t.Errorf("x: %d nulls, x[n-3]=%v x[13]=%v", x.NullCount(), x.Float64s()[n-3], x.Float64s()[13])
		}
		if code.StringAt(7) != "007" || code.StringAt(n-10) != "n/a" || !code.IsDict() {
			t.Errorf("code: %q %q dict=%v", code.StringAt(7), code.StringAt(n-10), code.IsDict())
		}
		if note.StringAt(12345) != "line 12345 of a longer note\nsaid \"12345\"" || note.IsDict() {
			t.Errorf("note: %q dict=%v", note.StringAt(12345), note.IsDict())
		}
		if _, levels, ok := cat.Dict(); !ok || strings.Join(levels, ",") != "c0,c1,c2,c3,c4" {
			t.Errorf("cat levels %v", levels)
		}
		if ref == nil {
			ref = f
		} else if !reflect.DeepEqual(f.Columns(), ref.Columns()) {
			t.Errorf("Workers=%d gives a different frame than Workers=1", workers)
		}
	}
}

func TestReadCSVSourcesAgree(t *testing.T) {
	text := bigCSV(20000, 100, 19000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	dir := t.TempDir()
	plainPath := filepath.Join(dir, "plain.csv")
	gzPath := filepath.Join(dir, "named-plain.csv") // gzip content, misleading name
	os.WriteFile(plainPath, []byte(text), 0o644)
	os.WriteFile(gzPath, gz.Bytes(), 0o644)

	want := readString(t, text, CSVOptions{})
	reads := map[string]func() (*Frame, error){
		"file":        func() (*Frame, error) { return ReadCSVFile(plainPath, CSVOptions{}) },
		"gzip file":   func() (*Frame, error) { return ReadCSVFile(gzPath, CSVOptions{}) },
		"gzip reader": func() (*Frame, error) { return ReadCSV(bytes.NewReader(gz.Bytes()), CSVOptions{}) },
		"stream":      func() (*Frame, error) { return ReadCSV(io.MultiReader(strings.NewReader(text)), CSVOptions{}) },
		"gzip stream": func() (*Frame, error) { return ReadCSV(io.MultiReader(bytes.NewReader(gz.Bytes())), CSVOptions{}) },
		"reader mid-stream": func() (*Frame, error) {
			r := strings.NewReader("skip" + text)
			r.Seek(4, io.SeekStart)
			return ReadCSV(r, CSVOptions{})
		},
	}
	for name, read := range reads {
		f, err := read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(f.Columns(), want.Columns()) {
			t.Errorf("%s: frame differs from reading the string", name)
		}
	}
}

func TestReadCSVOptionErrors(t *testing.T) {
	cases := []struct {
		opts CSVOptions
		want string
	}{
		{CSVOptions{Columns: []string{"zz"}}, `<input>:1: column "zz": selected column not in the file (have a, b)`},
		{CSVOptions{Columns: []string{"a", "a"}}, `column "a": selected twice`},
		{CSVOptions{Types: map[string]Type{"q": Int64}}, `column "q": type given in Types for a column not in the file`},
		{CSVOptions{Delimiter: '"'}, `invalid CSV delimiter`},
		{CSVOptions{Types: map[string]Type{"a": Type(42)}}, `invalid forced type`},
	}
	for _, c := range cases {
		_, err := ReadCSV(strings.NewReader("a,b\n1,2\n"), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.opts, err, c.want)
		}
	}
}

// TestReadCSVManyLevels passes DictMaxLevels distinct values part way through
// the input, so the assembler switches a column from dictionary to plain
// strings while later chunks still arrive as chunk-level dictionaries.
func TestReadCSVManyLevels(t *testing.T) {
	const n = 700000 // about 6 MiB; every value three times in a row
	var b strings.Builder
	b.WriteString("v\n")
	for i := range n {
		fmt.Fprintf(&b, "v%06d\n", i/3)
	}
	f := readString(t, b.String(), CSVOptions{Workers: 1}) // one worker recycles chunk buffers soonest
	c := f.Col(0)
	if c.IsDict() || c.Type() != String || f.NumRows() != n {
		t.Fatalf("dict %v type %v rows %d", c.IsDict(), c.Type(), f.NumRows())
	}
	for i := 0; i < n; i += 997 {
		if want := fmt.Sprintf("v%06d", i/3); c.StringAt(i) != want {
			t.Fatalf("row %d: %q, want %q", i, c.StringAt(i), want)
		}
	}
	if c.StringAt(n-1) != fmt.Sprintf("v%06d", (n-1)/3) {
		t.Fatalf("last row %q", c.StringAt(n-1))
	}
}

func TestReadCSVProgressAndCancel(t *testing.T) {
	text := bigCSV(60000, -1, -1)
	var calls int
	var last int64
	f, err := ReadCSV(strings.NewReader(text), CSVOptions{Progress: func(p kiln.Progress) {
		n := p.Done
		if p.Stage != "read" || p.Total != int64(len(text)) {
			t.Errorf("progress %+v of %d bytes", p, len(text))
		}
		if n <= last {
			t.Errorf("progress went from %d to %d", last, n)
		}
		last = n
		calls++
	}})
	if err != nil {
		t.Fatal(err)
	}
	header := int64(strings.IndexByte(text, '\n') + 1)
	if calls < 3 || last != int64(len(text))-header || f.NumRows() != 60000 {
		t.Errorf("%d progress calls, last %d of %d bytes", calls, last, int64(len(text))-header)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = ReadCSVContext(ctx, strings.NewReader(text), CSVOptions{Progress: func(kiln.Progress) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
}
