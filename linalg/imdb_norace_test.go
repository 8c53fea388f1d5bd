//go:build !race

package linalg

import (
	"context"
	"testing"
)

// TestIMDBParity computes the dense 25,858 x 25,858 matrix (2.7 GB) of the
// IMDB reviews with the multicore kernel and compares it with scipy's
// (testdata/scipy_cooccurrence.py).
// The race detector's build skips it (see imdb_race_test.go).
func TestIMDBParity(t *testing.T) {
	b, vocab := imdbBinary(t)
	c, err := Cooccurrence{}.Dense(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sum(); got != imdbSum {
		t.Errorf("sum of all entries %d, want %d", got, imdbSum)
	}
	checkIMDBCounts(t, vocab, c.Count, func(x int) int64 {
		var s int64
		for _, v := range c.Row(x) {
			s += int64(v)
		}
		return s
	})
	c = nil

	// The counting pass of the sparse form finds scipy's number of non-zeros.
	out, _, err := Cooccurrence{}.Memory(context.Background(), b, SparseForm)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(16*imdbNonZero + 8*(25858+1)); out != want {
		t.Errorf("sparse output %d bytes, want %d (%d non-zeros)", out, want, imdbNonZero)
	}
}

// TestIMDBCompactParity checks the compact form against scipy's: the sum
// of all entries, the reference pairs and row sums, and scipy's number of
// non-zeros (both triangles) folded onto the upper one.
func TestIMDBCompactParity(t *testing.T) {
	b, vocab := imdbBinary(t)
	c, err := Cooccurrence{}.Compact(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sum(); got != imdbSum {
		t.Errorf("sum of all entries %d, want %d", got, imdbSum)
	}
	const m = 25858 // every term occurs, so the whole diagonal is stored
	if want := int64(imdbNonZero+m) / 2; c.NonZeros() != want {
		t.Errorf("%d stored entries, want %d", c.NonZeros(), want)
	}
	// The storage that Memory predicts is the storage written: 1.13 bytes an
	// entry for the code, 12 a row, 8 a mark.
	out, _, err := Cooccurrence{}.Memory(context.Background(), b, CompactForm)
	if err != nil || out != c.Bytes() {
		t.Errorf("Memory says %d bytes (%v); the result takes %d", out, err, c.Bytes())
	}
	t.Logf("%d entries in %d bytes", c.NonZeros(), c.Bytes())
	if per := float64(c.Bytes()) / float64(c.NonZeros()); per > 1.3 {
		t.Errorf("%.2f bytes an entry; want about 1.2", per)
	}
	checkIMDBCounts(t, vocab, c.Count, func(x int) int64 {
		var s int64
		for y := 0; y < m; y++ {
			s += int64(c.Count(x, y))
		}
		return s
	})
}
