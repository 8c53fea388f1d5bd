package text

import (
	"context"
	"math"
	"testing"

	"github.com/james-bowman/sparse"
)

// smallDocs and the expected matrices below: scikit-learn 1.2.1
// (/usr/bin/python3, Debian 12), .toarray() of
// TfidfTransformer(...).fit_transform(CountVectorizer().fit_transform(smallDocs))
// and HashingVectorizer(...).transform(smallDocs) with the settings named.
var smallDocs = []string{"cats are fun", "dogs are fun fun", "cats eat fish", "the the the cat"}

func closeTo(t *testing.T, name string, m *sparse.CSR, want [][]float64, tol float64) {
	t.Helper()
	r, c := m.Dims()
	if r != len(want) || c != len(want[0]) {
		t.Fatalf("%s: %d x %d, want %d x %d", name, r, c, len(want), len(want[0]))
	}
	for i := range want {
		for j := range want[i] {
			if d := math.Abs(m.At(i, j) - want[i][j]); d > tol {
				t.Errorf("%s: [%d,%d] = %.17g, scikit-learn %.17g", name, i, j, m.At(i, j), want[i][j])
			}
		}
	}
}

func TestTfidfSmall(t *testing.T) {
	cases := []struct {
		name string
		tf   *TfidfTransformer
		want [][]float64
	}{
		{"TfidfTransformer{}", &TfidfTransformer{}, [][]float64{{0.5773502691896257, 0.0, 0.5773502691896257, 0.0, 0.0, 0.0, 0.5773502691896257, 0.0}, {0.3889910975917116, 0.0, 0.0, 0.4933858834340294, 0.0, 0.0, 0.7779821951834232, 0.0}, {0.0, 0.0, 0.48693426407352264, 0.0, 0.6176143709756019, 0.6176143709756019, 0.0, 0.0}, {0.0, 0.3162277660168379, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9486832980505137}}},
		{"TfidfTransformer{SublinearTF: true}", &TfidfTransformer{SublinearTF: true}, [][]float64{{0.5773502691896257, 0.0, 0.5773502691896257, 0.0, 0.0, 0.0, 0.5773502691896257, 0.0}, {0.42735362920207337, 0.0, 0.0, 0.5420438904334871, 0.0, 0.0, 0.7235725923855508, 0.0}, {0.0, 0.0, 0.48693426407352264, 0.0, 0.6176143709756019, 0.6176143709756019, 0.0, 0.0}, {0.0, 0.43016528249879604, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9027501480103622}}},
		{"TfidfTransformer{Norm: L1, NoSmoothIDF: true}", &TfidfTransformer{Norm: L1, NoSmoothIDF: true}, [][]float64{{0.3333333333333333, 0.0, 0.3333333333333333, 0.0, 0.0, 0.0, 0.3333333333333333, 0.0}, {0.2267890536986445, 0.0, 0.0, 0.3196328389040665, 0.0, 0.0, 0.453578107397289, 0.0}, {0.0, 0.0, 0.26186457442946226, 0.0, 0.3690677127852689, 0.3690677127852689, 0.0, 0.0}, {0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75}}},
		{"TfidfTransformer{NoIDF: true, Norm: NoNorm}", &TfidfTransformer{NoIDF: true, Norm: NoNorm}, [][]float64{{1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0}, {1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0}, {0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0}, {0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0}}},
	}
	counts, err := (&CountVectorizer{}).FitTransform(context.Background(), smallDocs)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		m, err := c.tf.FitTransform(context.Background(), counts)
		if err != nil {
			t.Fatal(err)
		}
		closeTo(t, c.name, m, c.want, 1e-15)
	}
}

func TestHashingSmall(t *testing.T) {
	cases := []struct {
		name string
		h    *HashingVectorizer
		want [][]float64
	}{
		{"HashingVectorizer{NFeatures: 16}", &HashingVectorizer{NFeatures: 16}, [][]float64{{0.5773502691896258, -0.5773502691896258, -0.5773502691896258, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, {0.4082482904638631, -0.8164965809277261, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4082482904638631, 0.0, 0.0}, {0.0, 0.0, -0.5773502691896258, 0.0, 0.0, 0.5773502691896258, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5773502691896258}, {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.31622776601683794, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.9486832980505138, 0.0}}},
		{"HashingVectorizer{NFeatures: 7, NoAlternateSign: true, Norm: L1}", &HashingVectorizer{NFeatures: 7, NoAlternateSign: true, Norm: L1}, [][]float64{{0.0, 0.0, 0.0, 0.0, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333}, {0.0, 0.0, 0.0, 0.25, 0.0, 0.25, 0.5}, {0.0, 0.0, 0.0, 0.0, 0.6666666666666666, 0.0, 0.3333333333333333}, {0.0, 0.0, 0.25, 0.0, 0.0, 0.75, 0.0}}},
		{"HashingVectorizer{NFeatures: 5, Binary: true, Norm: NoNorm, NGramRange: [2]int{1, 2}}", &HashingVectorizer{NFeatures: 5, Binary: true, Norm: NoNorm, NGramRange: [2]int{1, 2}}, [][]float64{{1.0, 1.0, 1.0, 1.0, 0.0}, {1.0, 1.0, 1.0, 1.0, 1.0}, {1.0, 0.0, 0.0, 1.0, 1.0}, {0.0, 0.0, 1.0, 1.0, 1.0}}},
	}
	for _, c := range cases {
		m, err := c.h.Transform(smallDocs)
		if err != nil {
			t.Fatal(err)
		}
		closeTo(t, c.name, m, c.want, 1e-15)
	}
}

func TestMurmur3MatchesScikitLearn(t *testing.T) {
	// sklearn.utils.murmurhash3_32(s.encode(), 0), scikit-learn 1.2.1.
	cases := []struct {
		s    string
		want int32
	}{
		{"", 0}, {"a", 1009084850}, {"ab", -1681926305}, {"abc", -1277324294}, {"abcd", 1139631978},
		{"hello", 613153351}, {"the", -1132748958}, {"über", -1610176724}, {"film_noir", 33515363},
		{"日本語", -1515949417},
	}
	for _, c := range cases {
		if got := int32(murmur3([]byte(c.s), 0)); got != c.want {
			t.Errorf("murmur3(%q) = %d, scikit-learn %d", c.s, got, c.want)
		}
	}
}

// TestHashingManyColumns: beyond 2^24 columns the per-document map gives the
// same result as the per-column arrays would (the column of each term is
// fixed by the hash).
func TestHashingManyColumns(t *testing.T) {
	docs := []string{"the cat sat on the mat", "", "a dog, a cat and the cat"}
	big := &HashingVectorizer{NFeatures: 1<<31 - 1, Norm: NoNorm}
	m, err := big.Transform(docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"the", "cat"} {
		col, neg := hashColumn([]byte(term), 1<<31-1)
		want := map[string][2]float64{"the": {2, 1}, "cat": {1, 2}}[term]
		for r, w := range []float64{want[0], 0, want[1]} {
			if neg {
				w = -w
			}
			if got := m.At(r, int(col)); got != w {
				t.Errorf("%q in row %d: %g, want %g", term, r, got, w)
			}
		}
	}
	if _, err := (&HashingVectorizer{NFeatures: -1}).Transform(docs); err == nil {
		t.Error("negative NFeatures accepted")
	}
}
