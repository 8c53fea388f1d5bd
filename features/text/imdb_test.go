package text

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// The reference values in this file come from scikit-learn 1.2.1 (Debian 12,
// /usr/bin/python3 3.11.2, NumPy 1.24.2) on the 50,000 IMDB reviews of
// data/imdb/reviews.json with "<br />" replaced by a space, in file order (the
// documents of realdata.IMDB). They were computed with the script in
// testdata/sklearn_reference.py:
//
//	vocab_sha256  = sha256 of the terms in column order, each followed by "\n"
//	matrix_sha256 = sha256 of the CSR arrays indptr, indices, data (sorted
//	                indices), each element as a little-endian int64
//
// The vocabulary of the main case is in testdata/imdb_vocab_min10_max0.1.txt.gz
// (the script's binary_min10_max0.1.vocab.txt.gz, renamed).

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

// TestIMDBParityBinary: scikit-learn 1.2.1's CountVectorizer(min_df=10,
// max_df=0.1, binary=True), entry for entry, the input of the co-occurrence
// kernel of Effective Data Science Infrastructure ch. 5.
func TestIMDBParityBinary(t *testing.T) {
	docs, _ := realdata.IMDB(t)
	cv := &CountVectorizer{MinDF: DF{Docs: 10}, MaxDF: DF{Fraction: 0.1}, Binary: true}
	m, err := cv.FitTransform(context.Background(), docs)
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
}

// TestIMDBParityCounts: the same limits without Binary, so the counts too.
func TestIMDBParityCounts(t *testing.T) {
	if raceEnabled {
		t.Skip("whole-corpus parity runs once under -race (TestIMDBParityBinary)")
	}
	docs, _ := realdata.IMDB(t)
	cv := &CountVectorizer{MinDF: DF{Docs: 10}, MaxDF: DF{Fraction: 0.1}}
	m, err := cv.FitTransform(context.Background(), docs)
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

// TestIMDBParityMore covers the other settings against scikit-learn 1.2.1
// (same script, same corpus): the default CountVectorizer(), max_features with
// its tie breaking, stop words and n-grams.
func TestIMDBParityMore(t *testing.T) {
	if raceEnabled {
		t.Skip("whole-corpus parity runs without -race; TestWorkersGiveSameResult covers concurrency")
	}
	docs, _ := realdata.IMDB(t)
	cases := []struct {
		name          string // the scikit-learn call
		cv            *CountVectorizer
		terms, nnz    int
		sum           float64
		vocab, matrix string
	}{
		{"CountVectorizer()", &CountVectorizer{}, 101895, 6797330, 11024286,
			"4f73ddc1a85e19a957d9eb91ea9f032d95403a163e1e19daa04204c4d4996103",
			"972721fd26aa03a0d42f73b0be4a801fa4f8105e98264b3232acb4e082d4ccd2"},
		{"CountVectorizer(max_features=3000)", &CountVectorizer{MaxFeatures: 3000}, 3000, 5453349, 9474611,
			"9cfea6553fe731532014349ae77f0288e9e4595d36d28552a38a4fca58008d83",
			"ed323d01709edbd750af8eb9bbf05d646e2b8a2d18b06ed81b48b00d88b7a192"},
		{"CountVectorizer(min_df=10, max_df=0.1, binary=True, max_features=5000)",
			&CountVectorizer{MinDF: DF{Docs: 10}, MaxDF: DF{Fraction: 0.1}, Binary: true, MaxFeatures: 5000}, 5000, 3019146, 3019146,
			"951a1bf1081d5a56cb0d578905e795ff4c7676e8e8e986534e997ff1b1a368e8",
			"df1110987bf06bb55deb6799ae497a979282285478ac38e69a07f0c16776e24f"},
		{"CountVectorizer(max_features=20000, stop_words='english')",
			&CountVectorizer{MaxFeatures: 20000, StopWords: EnglishStopWords()}, 20000, 4154333, 5058701,
			"0a94773c5f51be909c324851281e9753775dc6a125f35c50b3049717d9d7d6d9",
			"0dbc1b39577f9013b8e2dd4e34ae37b395203a36d74126013f57e4ca88391f93"},
	}
	for _, c := range cases {
		m, err := c.cv.FitTransform(context.Background(), docs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		_, cols := m.Dims()
		if cols != c.terms || m.NNZ() != c.nnz || sumData(m) != c.sum {
			t.Errorf("%s: %d terms, %d non-zeros, sum %g; scikit-learn %d, %d, %g", c.name, cols, m.NNZ(), sumData(m), c.terms, c.nnz, c.sum)
		}
		if h := vocabSHA256(c.cv.Vocabulary()); h != c.vocab {
			t.Errorf("%s: vocabulary sha256 %s differs from scikit-learn's", c.name, h)
		}
		if h := matrixSHA256(m); h != c.matrix {
			t.Errorf("%s: matrix sha256 %s differs from scikit-learn's", c.name, h)
		}
	}
}
