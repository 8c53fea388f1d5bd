package linalg

import (
	"context"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// imdbBinary is the binary bag of words of the 50,000 IMDB reviews with the
// book's settings, CountVectorizer(min_df=10, max_df=0.1, binary=True),
// built by features/text (which matches scikit-learn 1.2.1 entry for entry).
func imdbBinary(tb testing.TB) (*sparse.CSR, *text.Vocabulary) {
	tb.Helper()
	texts, _ := realdata.IMDB(tb)
	cv := text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true}
	b, err := cv.FitTransform(context.Background(), texts)
	if err != nil {
		tb.Fatal(err)
	}
	if n, m := b.Dims(); n != 50000 || m != 25858 || b.NNZ() != 3769555 {
		tb.Fatalf("IMDB bag of words is %d x %d with %d non-zeros; want 50000 x 25858 with 3769555", n, m, b.NNZ())
	}
	return b, cv.Vocabulary()
}

// The reference figures for IMDB: scikit-learn 1.2.1's
// CountVectorizer(min_df=10, max_df=0.1, binary=True) gives B, then scipy
// 1.10.1's C = (B.T @ B).tocsr(), read at the rows and columns of the terms,
// by testdata/scipy_cooccurrence.py data/imdb/reviews.json (which also prints
// B's sum of squared row lengths, 438,452,207, the same sum).
const (
	imdbSum     = 438452207 // sum of all entries of C
	imdbNonZero = 113511556 // C.nnz
)

var imdbPairs = []struct {
	x, y  string
	count int32
}{
	{"hitchcock", "vertigo", 36},
	{"kubrick", "shining", 28},
	{"sequel", "remake", 64},
	{"excellent", "boring", 134},
	{"hitchcock", "zombie", 5},
	{"horror", "gore", 760},
	{"zombie", "zombies", 227},
	{"worst", "waste", 506},
	{"oscar", "performance", 354},
	{"cat", "dog", 70},
	{"00", "zulu", 0}, // the first and last-but-three terms never meet
	{"horror", "horror", 4232},
	{"wonderful", "wonderful", 2780},
	{"hitchcock", "hitchcock", 390},
}

// imdbRowSums are C[idx[t]].sum() of the same C.
var imdbRowSums = map[string]int64{"hitchcock": 45782, "zombie": 58682, "00": 18208}

func checkIMDBCounts(t *testing.T, vocab *text.Vocabulary, count func(x, y int) int32, row func(x int) int64) {
	t.Helper()
	index := func(term string) int {
		i, ok := vocab.Index(term)
		if !ok {
			t.Fatalf("term %q not in the vocabulary", term)
		}
		return i
	}
	for _, p := range imdbPairs {
		x, y := index(p.x), index(p.y)
		if got := count(x, y); got != p.count {
			t.Errorf("C(%s, %s) = %d, want %d", p.x, p.y, got, p.count)
		}
		if got := count(y, x); got != p.count {
			t.Errorf("C(%s, %s) = %d, want %d", p.y, p.x, got, p.count)
		}
	}
	for term, want := range imdbRowSums {
		if got := row(index(term)); got != want {
			t.Errorf("row %s sums to %d, want %d", term, got, want)
		}
	}
}
