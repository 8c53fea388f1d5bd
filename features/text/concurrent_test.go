package text

import (
	"context"
	"sync"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/dataset/builtin"
)

// TestTransformFromManyGoroutines: fitted vectorizers transform from many
// goroutines at once exactly as they do one call at a time (go test -race
// checks that the calls share nothing they write).
func TestTransformFromManyGoroutines(t *testing.T) {
	reviews, err := builtin.IMDBSample()
	if err != nil {
		t.Fatal(err)
	}
	col, _ := reviews.Column("review")
	docs := col.Strings()[:300]
	ctx := context.Background()
	cv := &CountVectorizer{MinDF: DF{Docs: 2}, NGramRange: [2]int{1, 2}, Preprocess: StripTags, Workers: 2}
	counts, err := cv.FitTransform(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	tfidf := &TfidfTransformer{SublinearTF: true}
	weights, err := tfidf.FitTransform(ctx, counts)
	if err != nil {
		t.Fatal(err)
	}
	hv := &HashingVectorizer{NFeatures: 1 << 12, Workers: 2}
	hashed, err := hv.Transform(docs)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			check := func(what string, want *sparse.CSR, got *sparse.CSR, err error) {
				if err != nil {
					t.Errorf("goroutine %d: %s: %v", g, what, err)
					return
				}
				sameCSR(t, what, want, got)
			}
			got, err := cv.Transform(docs)
			check("CountVectorizer.Transform", counts, got, err)
			got, err = tfidf.Transform(counts)
			check("TfidfTransformer.Transform", weights, got, err)
			got, err = hv.Transform(docs)
			check("HashingVectorizer.Transform", hashed, got, err)
		})
	}
	wg.Wait()
}
