package beam

import (
	"context"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/internal/realdata"
	"github.com/kiln-ml/kiln/linalg"
)

func init() { register.Function1x1(digestRow) }

// rowDigest stands for a row of C: its sum, its number of non-zeros and an
// FNV-64a hash of its (column, count) pairs, so that large matrices are
// compared row by row without moving them out of the pipeline.
type rowDigest struct {
	Term     int
	Sum      int64
	NonZeros int
	Hash     uint64
}

func digestRow(r CooccurrenceRow) rowDigest {
	h := fnv.New64a()
	var buf [12]byte
	for k, c := range r.Columns {
		put32(buf[:4], uint32(c))
		put64(buf[4:], uint64(r.Counts[k]))
		h.Write(buf[:])
	}
	return rowDigest{Term: r.Term, Sum: r.Sum(), NonZeros: len(r.Columns), Hash: h.Sum64()}
}

// digestDense is digestRow of row x of the kernel's dense matrix.
func digestDense(c *linalg.DenseCounts, x int) rowDigest {
	var cols []int32
	var counts []int64
	for y, v := range c.Row(x) {
		if v != 0 {
			cols, counts = append(cols, int32(y)), append(counts, int64(v))
		}
	}
	return digestRow(CooccurrenceRow{Term: x, Columns: cols, Counts: counts})
}

func put32(b []byte, v uint32) {
	for i := range 4 {
		b[i] = byte(v >> (8 * i))
	}
}

func put64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

// runCooccurrence runs c on docs on prism and returns the digests of its
// rows (by term) and its vocabulary.
func runCooccurrence(t *testing.T, c Cooccurrence, docs []string, name string) ([]rowDigest, []string) {
	t.Helper()
	p, s := beam.NewPipelineWithRoot()
	rows, vocab := c.Apply(s, beam.CreateList(s, docs))
	collect(s, name+"/rows", beam.ParDo(s, digestRow, rows))
	collect(s, name+"/vocab", vocab)
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	digests := gathered[rowDigest](t, name+"/rows")
	slices.SortFunc(digests, func(a, b rowDigest) int { return a.Term - b.Term })
	vocabs := gathered[[]string](t, name+"/vocab")
	if len(vocabs) != 1 {
		t.Fatalf("%d vocabularies, want 1", len(vocabs))
	}
	return digests, vocabs[0]
}

// checkAgainstKernel compares Beam's rows with linalg's dense matrix of the
// bag of words text.CountVectorizer makes with the same settings.
func checkAgainstKernel(t *testing.T, cv *text.CountVectorizer, weighted bool, docs []string, digests []rowDigest, vocab []string) *linalg.DenseCounts {
	t.Helper()
	b, err := cv.FitTransform(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	if want := cv.Vocabulary().Terms(); !slices.Equal(vocab, want) {
		t.Fatalf("vocabulary of %d terms, CountVectorizer's has %d", len(vocab), len(want))
	}
	start := time.Now()
	c, err := linalg.Cooccurrence{Weighted: weighted}.Dense(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("linalg's kernel: %d x %d dense in %v (bag of words built beforehand)", len(vocab), len(vocab), time.Since(start))
	var want []rowDigest
	var sum int64
	for x := range len(vocab) {
		if d := digestDense(c, x); d.NonZeros > 0 {
			want = append(want, d)
		}
	}
	for _, d := range digests {
		sum += d.Sum
	}
	if sum != c.Sum() {
		t.Errorf("Beam's rows sum to %d, the kernel's matrix to %d", sum, c.Sum())
	}
	if len(digests) != len(want) {
		t.Fatalf("%d rows, the kernel has %d non-empty rows", len(digests), len(want))
	}
	bad := 0
	for i := range want {
		if digests[i] != want[i] {
			bad++
			if bad <= 3 {
				t.Errorf("row %d (%s): Beam %+v, kernel %+v", want[i].Term, vocab[want[i].Term], digests[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rows differ", bad, len(want))
	}
	return c
}

// TestCooccurrenceSample: on 2,000 of the embedded IMDB reviews, in batches
// of 300 documents (so that many partial rows are added per term), Beam's
// vocabulary and rows equal text.CountVectorizer's and linalg's, binary and
// weighted, with document and fraction limits.
func TestCooccurrenceSample(t *testing.T) {
	f, err := builtin.IMDBSample()
	if err != nil {
		t.Fatal(err)
	}
	col, err := f.Column("review")
	if err != nil {
		t.Fatal(err)
	}
	docs := col.Strings()[:2000]
	for _, tc := range []struct {
		name string
		c    Cooccurrence
	}{
		{"binary", Cooccurrence{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, BatchDocs: 300}},
		{"weighted", Cooccurrence{MinDF: text.DF{Fraction: 0.01}, MaxDF: text.DF{Docs: 150}, Weighted: true, BatchDocs: 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			digests, vocab := runCooccurrence(t, tc.c, docs, "sample-"+tc.name)
			cv := &text.CountVectorizer{MinDF: tc.c.MinDF, MaxDF: tc.c.MaxDF, Binary: !tc.c.Weighted}
			checkAgainstKernel(t, cv, tc.c.Weighted, docs, digests, vocab)
		})
	}
}

// TestCooccurrenceErrors: a bad configuration, a vocabulary left empty and
// invalid UTF-8 fail the pipeline with a message that says what is wrong.
func TestCooccurrenceErrors(t *testing.T) {
	docs := []string{"the cat sat", "the dog sat", "a cat and a dog"}
	for _, tc := range []struct {
		name string
		c    Cooccurrence
		docs []string
		want string
	}{
		{"both limits", Cooccurrence{MinDF: text.DF{Docs: 1, Fraction: 0.5}}, docs, "set Docs or Fraction, not both"},
		{"max below min", Cooccurrence{MinDF: text.DF{Docs: 3}, MaxDF: text.DF{Docs: 2}}, docs, "MaxDF corresponds to fewer documents"},
		{"fraction", Cooccurrence{MaxDF: text.DF{Fraction: 1.5}}, docs, "outside [0, 1]"},
		{"empty vocabulary", Cooccurrence{MinDF: text.DF{Docs: 3}}, docs, "vocabulary is empty"},
		{"invalid UTF-8", Cooccurrence{}, []string{"fine", "bad \xff byte"}, "invalid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := beam.NewPipelineWithRoot()
			rows, _ := tc.c.Apply(s, beam.CreateList(s, tc.docs))
			beam.ParDo(s, digestRow, rows)
			err := ptest.Run(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestCooccurrenceIMDB is the acceptance: the 50,000 IMDB reviews with the
// book's settings, CountVectorizer(min_df=10, max_df=0.1, binary=True), give
// linalg's matrix row for row: scipy's sum 438,452,207 (scikit-learn 1.2.1
// and scipy 1.10.1, linalg/testdata/scipy_cooccurrence.py) and every row's digest.
// It needs data/imdb (scripts/fetch-data.sh) and about 6 GB of memory, and
// is skipped with -short.
func TestCooccurrenceIMDB(t *testing.T) {
	if testing.Short() {
		t.Skip("the 50,000-review co-occurrence takes minutes: run without -short")
	}
	docs, _ := realdata.IMDB(t)
	c := Cooccurrence{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}}
	start := time.Now()
	digests, vocab := runCooccurrence(t, c, docs, "imdb")
	t.Logf("Beam on prism: %d rows of %d terms in %v", len(digests), len(vocab), time.Since(start))
	var sum int64
	for _, d := range digests {
		sum += d.Sum
	}
	if len(vocab) != 25858 || sum != 438452207 {
		t.Errorf("%d terms, sum %d; scipy's matrix has 25858 terms, sum 438452207", len(vocab), sum)
	}
	cv := &text.CountVectorizer{MinDF: c.MinDF, MaxDF: c.MaxDF, Binary: true}
	checkAgainstKernel(t, cv, false, docs, digests, vocab)
}
