package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gzipBytes(text string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(text))
	zw.Close()
	return buf.Bytes()
}

// TestReadBadInput feeds malformed CSV and JSON Lines; every error must name
// the place (file:line:column and the column when there is one) and none may
// panic.
func TestReadBadInput(t *testing.T) {
	truncated := gzipBytes(strings.Repeat("a,b\n1,2\n", 1000))
	truncated = truncated[:len(truncated)/2]
	truncatedJSON := gzipBytes(strings.Repeat("{\"a\": 1}\n", 2000))
	truncatedJSON = truncatedJSON[:len(truncatedJSON)/2]
	laterRagged := "a,b\n" + strings.Repeat("1,2\n", 150000) + "3\n" // well past the first chunk
	csvCases := []struct {
		name string
		text string
		opts CSVOptions
		want string
	}{
		{"ragged row, too few", "a,b\n1,2\n3\n", CSVOptions{}, "<input>:3:1: record has 1 fields, want 2"},
		{"ragged row, too many", "a,b\n1,2,3\n", CSVOptions{}, "<input>:2:1: record has more than 2 fields"},
		{"ragged row in a later chunk", laterRagged, CSVOptions{}, "<input>:150002:1: record has 1 fields, want 2"},
		{"unterminated quote", "a,b\n1,\"x\n2,3\n", CSVOptions{}, `<input>:2:3: column "b": quoted field is never closed`},
		{"unterminated quote in header", "\"a,b\n1,2\n", CSVOptions{}, "<input>:1:1: quoted field is never closed"},
		{"bare quote in unquoted field", "a,b\n1,x\"y\n", CSVOptions{}, `<input>:2:4: column "b": bare quote in unquoted field`},
		{"text after closing quote", "a,b\n\"x\"y,1\n", CSVOptions{}, `<input>:2:4: column "a": unexpected 'y' after closing quote`},
		{"invalid UTF-8", "a,b\n1,ok\n2,caf\xe9\n", CSVOptions{}, "<input>:3:6: invalid UTF-8"},
		{"NUL byte", "a,b\n1,2\n3,\x004\n", CSVOptions{}, "<input>:3:3: NUL byte in text"},
		{"UTF-16 text", "\xff\xfea\x00,\x00b\x00\n\x00", CSVOptions{}, "NUL byte"},
		{"bad int in forced column", "a,b\n1,2\n3,x\n", CSVOptions{Types: map[string]Type{"b": Int64}}, `<input>:3:3: column "b": cannot parse "x" as int64`},
		{"bad float in forced column", "a\n1.5\n\"1,5\"\n", CSVOptions{Types: map[string]Type{"a": Float64}}, `<input>:3:1: column "a": cannot parse "1,5" as float64`},
		{"bad bool in forced column", "a\nyes\n", CSVOptions{Types: map[string]Type{"a": Bool}}, `<input>:2:1: column "a": cannot parse "yes" as bool`},
		{"bad time in forced column", "a\n2013-02-30\n", CSVOptions{Types: map[string]Type{"a": Timestamp}}, `<input>:2:1: column "a": cannot parse "2013-02-30" as timestamp`},
		{"empty file", "", CSVOptions{}, "<input>:1: empty input: no header and no data"},
		{"only a byte order mark", "\xEF\xBB\xBF", CSVOptions{}, "<input>:1: empty input"},
		{"empty file without header", "", CSVOptions{NoHeader: true}, "<input>:1: empty input"},
		{"duplicate header", "a,b,a\n1,2,3\n", CSVOptions{}, `<input>:1: column "a": duplicate header name (fields 1 and 3)`},
		{"truncated gzip", string(truncated), CSVOptions{}, "gzip stream ends early (truncated file?)"},
		{"gzip magic, corrupt header", "\x1f\x8b\x00\x00junk", CSVOptions{}, "<input>: gzip header"},
		{"over-long record", "a\n\"" + strings.Repeat("x", 3<<20) + "\n", CSVOptions{MaxRecordBytes: 1 << 20}, "<input>:2:1: record is longer than 1048576 bytes (unterminated quote?)"},
	}
	for _, c := range csvCases {
		t.Run("csv/"+c.name, func(t *testing.T) {
			f, err := ReadCSV(strings.NewReader(c.text), c.opts)
			checkBad(t, f, err, c.want)
		})
	}

	jsonCases := []struct {
		name string
		text string
		opts JSONLOptions
		want string
	}{
		{"bad JSON", "{\"a\": 1}\n{\"a\": 1,}\n", JSONLOptions{}, "<input>:2:9: invalid JSON"},
		{"unclosed object", "{\"a\": 1\n", JSONLOptions{}, "<input>:1:9: invalid JSON: object is not closed"},
		{"array line", "[1, 2]\n", JSONLOptions{}, "<input>:1:1: line is a JSON array, not an object"},
		{"number line", "{\"a\": 1}\n42\n", JSONLOptions{}, "<input>:2:1: line is a JSON number, not an object"},
		{"type conflict", "{\"a\": 1}\n{\"a\": \"x\"}\n", JSONLOptions{}, `<input>:2:7: column "a": string value in a column of number values (first on line 1)`},
		{"bool then number", "{\"a\": true}\n\n{\"a\": 0}\n", JSONLOptions{}, `<input>:3:7: column "a": number value in a column of boolean values`},
		{"duplicate key", "{\"a\": 1, \"a\": 2}\n", JSONLOptions{}, `<input>:1:10: column "a": key appears twice`},
		{"two objects on a line", "{\"a\": 1} {\"a\": 2}\n", JSONLOptions{}, "<input>:1:10: text after the JSON object"},
		{"invalid UTF-8", "{\"a\": \"caf\xe9\"}\n", JSONLOptions{}, "<input>:1:11: invalid UTF-8"},
		{"forced int gets float", "{\"a\": 1.5}\n", JSONLOptions{Types: map[string]Type{"a": Int64}}, `<input>:1:7: column "a": number 1.5 is not an int64`},
		{"forced time gets number", "{\"a\": 1}\n", JSONLOptions{Types: map[string]Type{"a": Timestamp}}, `<input>:1:7: column "a": number value does not fit the forced type timestamp`},
		{"over-long line", "{\"a\": \"" + strings.Repeat("x", 1<<20) + "\"}\n", JSONLOptions{MaxLineBytes: 1000}, "<input>:1: line longer than 1000 bytes"},
		{"truncated gzip", string(truncatedJSON), JSONLOptions{}, "gzip stream ends early"},
	}
	for _, c := range jsonCases {
		t.Run("jsonl/"+c.name, func(t *testing.T) {
			f, err := ReadJSONL(strings.NewReader(c.text), c.opts)
			checkBad(t, f, err, c.want)
		})
	}
}

func checkBad(t *testing.T, f *Frame, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error (frame %v); want %q", f != nil, want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q\nwant it to contain %q", err, want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Errorf("error %T is not a *ParseError", err)
	}
}

func TestReadBadFileNamesPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flights.csv")
	os.WriteFile(path, []byte("a,b\n1,2\n3\n"), 0o644)
	_, err := ReadCSVFile(path, CSVOptions{})
	if want := path + ":3:1: record has 1 fields, want 2"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	_, err = ReadCSVFile(filepath.Join(dir, "missing.csv"), CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	jpath := filepath.Join(dir, "rows.jsonl")
	os.WriteFile(jpath, []byte("{\"a\": 1}\n{\"a\": [}\n"), 0o644)
	_, err = ReadJSONLFile(jpath, JSONLOptions{})
	if want := fmt.Sprintf("%s:2:", jpath); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want prefix %s", err, want)
	}
}
