package text

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/internal/realdata"
)

func readAll(t *testing.T, c Corpus) []string {
	t.Helper()
	var out []string
	for {
		d, err := c.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
}

func TestLines(t *testing.T) {
	got := readAll(t, Lines(strings.NewReader("one\r\ntwo\n\nthree"), "x.txt"))
	if !reflect.DeepEqual(got, []string{"one", "two", "", "three"}) {
		t.Errorf("%q", got)
	}
	long := strings.Repeat("word ", 50000) // longer than the read buffer
	got = readAll(t, Lines(strings.NewReader(long+"\nend\n"), "x.txt"))
	if len(got) != 2 || got[0] != long || got[1] != "end" {
		t.Errorf("long line: %d documents", len(got))
	}
}

func TestCSVColumn(t *testing.T) {
	in := "id,review,label\n1,\"Good, \"\"very\"\" good\nfilm\",1\n2,bad,0\n"
	c, err := CSVColumn(strings.NewReader(in), "r.csv", "review")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, c); !reflect.DeepEqual(got, []string{"Good, \"very\" good\nfilm", "bad"}) {
		t.Errorf("%q", got)
	}
	if _, err := CSVColumn(strings.NewReader(in), "r.csv", "text"); err == nil || !strings.Contains(err.Error(), `no column "text"`) {
		t.Errorf("missing column: %v", err)
	}
	if _, err := CSVColumn(strings.NewReader(""), "r.csv", "text"); err == nil {
		t.Error("empty CSV accepted")
	}
	c, _ = CSVColumn(strings.NewReader("review\nok\n\"unterminated\n"), "r.csv", "review")
	c.Next()
	if _, err := c.Next(); err == nil || !strings.Contains(err.Error(), "r.csv: line 3") {
		t.Errorf("bad quote: %v", err)
	}
}

// TestCorpusErrorsNameTheLine: invalid UTF-8 in a file is reported with the
// file and line of the document.
func TestCorpusErrorsNameTheLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "docs.csv")
	os.WriteFile(path, []byte("id,text\n1,fine\n2,\"multi\nline\"\n3,bad \xff byte\n"), 0o644)
	fc, err := OpenCSVColumn(path, "text")
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	_, err = (&CountVectorizer{}).FitTransformCorpus(context.Background(), fc)
	if err == nil || !strings.Contains(err.Error(), "docs.csv:5 (column \"text\"): document 2: invalid UTF-8 at byte 4") {
		t.Errorf("error %v", err)
	}
	lines := filepath.Join(dir, "docs.txt")
	os.WriteFile(lines, []byte("fine\nbad \xff\n"), 0o644)
	fl, _ := OpenLines(lines)
	defer fl.Close()
	if err := (&CountVectorizer{}).FitCorpus(context.Background(), fl); err == nil || !strings.Contains(err.Error(), "docs.txt:2: document 1") {
		t.Errorf("error %v", err)
	}
}

// TestStreamingGivesSameMatrix writes the IMDB reviews as a gzip CSV and as
// a text file of lines, streams them through FitTransformCorpus and compares
// with FitTransform over the slice.
func TestStreamingGivesSameMatrix(t *testing.T) {
	docs, _ := realdata.IMDB(t)
	docs = docs[:5000]
	if raceEnabled {
		docs = docs[:1000]
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	w := csv.NewWriter(zw)
	w.Write([]string{"id", "review"})
	for i, d := range docs {
		w.Write([]string{strings.Repeat("x", i%3), d})
	}
	w.Flush()
	zw.Close()
	csvPath := filepath.Join(dir, "reviews.csv.gz")
	os.WriteFile(csvPath, buf.Bytes(), 0o644)
	linesPath := filepath.Join(dir, "reviews.txt")
	var lb strings.Builder
	for _, d := range docs {
		lb.WriteString(strings.ReplaceAll(d, "\n", " ")) // one review per line
		lb.WriteByte('\n')
	}
	os.WriteFile(linesPath, []byte(lb.String()), 0o644)

	cv := &CountVectorizer{MinDF: DF{Docs: 5}, MaxDF: DF{Fraction: 0.5}}
	want, err := cv.FitTransform(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, open := range []func() (*FileCorpus, error){
		func() (*FileCorpus, error) { return OpenCSVColumn(csvPath, "review") },
		func() (*FileCorpus, error) { return OpenLines(linesPath) },
	} {
		fc, err := open()
		if err != nil {
			t.Fatal(err)
		}
		cv2 := &CountVectorizer{MinDF: DF{Docs: 5}, MaxDF: DF{Fraction: 0.5}, Workers: 3}
		got, err := cv2.FitTransformCorpus(context.Background(), fc)
		fc.Close()
		if err != nil {
			t.Fatal(err)
		}
		sameCSR(t, "streamed", want, got)
		if !reflect.DeepEqual(cv.Vocabulary().Terms(), cv2.Vocabulary().Terms()) {
			t.Error("streamed vocabulary differs")
		}
	}
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	docs := make([]string, 10000)
	for i := range docs {
		docs[i] = "some words here"
	}
	if _, err := (&CountVectorizer{}).FitTransformCorpus(ctx, Documents(docs)); err == nil {
		t.Error("cancelled context ignored")
	}
}

func FuzzCSVColumn(f *testing.F) {
	f.Add("id,review\n1,\"a, b\"\n2,c\n", "review")
	f.Add("review\n\"unterminated\n", "review")
	f.Add("\ufeffreview\nx\xff\n", "review")
	f.Fuzz(func(t *testing.T, data, column string) {
		c, err := CSVColumn(strings.NewReader(data), "f.csv", column)
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			if _, err := c.Next(); err != nil {
				return
			}
		}
	})
}

func FuzzLines(f *testing.F) {
	f.Add("a\nb\r\n\nc")
	f.Add("\xff\n\r")
	f.Fuzz(func(t *testing.T, data string) {
		got := readAll(t, Lines(strings.NewReader(data), "f.txt"))
		if joined := strings.Join(got, "\n"); len(joined) > len(data) {
			t.Fatalf("lines longer than the input")
		}
		cv := &CountVectorizer{DecodeErrors: Replace}
		cv.FitTransformCorpus(context.Background(), Lines(strings.NewReader(data), "f.txt"))
	})
}
