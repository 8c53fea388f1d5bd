package text

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// The reference values in this file come from scikit-learn 1.2.1 (Debian 12,
// /usr/bin/python3 3.11.2, NumPy 1.24.2) on the 50,000 IMDB reviews of
// data/imdb/reviews.json with "<br />" replaced by a space, in file order (the
// documents of realdata.IMDB; the same order as the anchors' CSV). They were
// computed with the script in testdata/sklearn_reference.py:
//
//	vocab_sha256  = sha256 of the terms in column order, each followed by "\n"
//	matrix_sha256 = sha256 of the CSR arrays indptr, indices, data (sorted
//	                indices), each element as a little-endian int64
//
// The vocabulary of the main case is in testdata/imdb_vocab_min10_max0.1.txt.gz
// (written by the anchor ../shared/anchors/cooc_anchor.py --save and by the
// script; both agree).

func matrixSHA256(m *sparse.CSR) string {
	raw := m.RawMatrix()
	h := sha256.New()
	var b [8]byte
	put := func(x int64) {
		binary.LittleEndian.PutUint64(b[:], uint64(x))
		h.Write(b[:])
	}
	for _, x := range raw.Indptr {
		put(int64(x))
	}
	for _, x := range raw.Ind {
		put(int64(x))
	}
	for _, x := range raw.Data {
		put(int64(x))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func vocabSHA256(v *Vocabulary) string {
	h := sha256.New()
	for i := 0; i < v.Len(); i++ {
		h.Write([]byte(v.Term(i)))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func readGzipLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func sumData(m *sparse.CSR) float64 {
	s := 0.0
	for _, x := range m.RawMatrix().Data {
		s += x
	}
	return s
}

// TestIMDBParityBinary is the acceptance case of issue 3:
// CountVectorizer(min_df=10, max_df=0.1, binary=True), the input of the
// co-occurrence kernel of Effective Data Science Infrastructure ch. 5.
func TestIMDBParityBinary(t *testing.T) {
	docs, _ := realdata.IMDB(t)
	cv := &CountVectorizer{MinDF: DF{Docs: 10}, MaxDF: DF{Fraction: 0.1}, Binary: true}
	m, err := cv.FitTransform(docs)
	if err != nil {
		t.Fatal(err)
	}
	r, c := m.Dims()
	if r != 50000 || c != 25858 || m.NNZ() != 3769555 {
		t.Fatalf("got %d x %d with %d non-zeros; scikit-learn: 50000 x 25858, 3769555", r, c, m.NNZ())
	}
	want := readGzipLines(t, "testdata/imdb_vocab_min10_max0.1.txt.gz")
	got := cv.Vocabulary()
	for i, w := range want {
		if got.Term(i) != w {
			t.Fatalf("term %d = %q, scikit-learn %q", i, got.Term(i), w)
		}
	}
	if h := vocabSHA256(got); h != "9de153b451e437f054a0897c13d8fbf012091e04d7d13f52e915d97abaff31ec" {
		t.Errorf("vocabulary sha256 %s", h)
	}
	if h := matrixSHA256(m); h != "34c3407e2d1007fe3393a5d45cb1418e4386f58bd899b2a4214046c6d7216537" {
		t.Errorf("matrix sha256 %s differs from scikit-learn's", h)
	}
	_ = strings.Join
}

// TestIMDBParityCounts: the same limits without Binary, so the counts too.
func TestIMDBParityCounts(t *testing.T) {
	docs, _ := realdata.IMDB(t)
	cv := &CountVectorizer{MinDF: DF{Docs: 10}, MaxDF: DF{Fraction: 0.1}}
	m, err := cv.FitTransform(docs)
	if err != nil {
		t.Fatal(err)
	}
	if m.NNZ() != 3769555 || sumData(m) != 4373522 {
		t.Errorf("nnz %d, sum %g; scikit-learn 3769555, 4373522", m.NNZ(), sumData(m))
	}
	if h := vocabSHA256(cv.Vocabulary()); h != "9de153b451e437f054a0897c13d8fbf012091e04d7d13f52e915d97abaff31ec" {
		t.Errorf("vocabulary sha256 %s", h)
	}
	if h := matrixSHA256(m); h != "5db9d25c654e3847b1c9e4595b3d9a20201678b9900ba0208672015d6aaa672b" {
		t.Errorf("matrix sha256 %s differs from scikit-learn's", h)
	}
}
