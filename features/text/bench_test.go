package text

import (
	"context"
	"runtime"
	"testing"

	"github.com/kiln-ml/kiln/internal/realdata"
)

// BenchmarkCountVectorizerIMDB is the measured acceptance case: scikit-learn's
// CountVectorizer(min_df=10, max_df=0.1, binary=True).fit_transform on the
// 50,000 IMDB reviews (see BENCHMARKS.md for the side-by-side run).
func BenchmarkCountVectorizerIMDB(b *testing.B) {
	docs, _ := realdata.IMDB(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	// Free the loader's garbage (the JSON text and its decoding) before the
	// timer, as Python's reference counting frees scikit-learn's side's at
	// once: a fresh process then starts from the same state on both sides.
	runtime.GC()
	faults := minorFaults()
	for b.Loop() {
		cv := &CountVectorizer{MinDF: DF{Docs: 10}, MaxDF: DF{Fraction: 0.1}, Binary: true}
		if _, err := cv.FitTransform(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(minorFaults()-faults)/float64(b.N), "page-faults/op")
}

func BenchmarkTokenizerIMDB(b *testing.B) {
	docs, _ := realdata.IMDB(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	n := 0
	emit := func([]byte) { n++ }
	for b.Loop() {
		for _, d := range docs {
			if err := (Tokenizer{}).Scan(d, emit); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkRegexpTokenizerIMDB(b *testing.B) {
	docs, _ := realdata.IMDB(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, d := range docs {
			referenceTokens(d)
		}
	}
}
