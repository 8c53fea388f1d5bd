package text

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

// The vectorizers are the learner contract's document encoders.
var (
	_ kiln.Fitter[[]string]                     = (*CountVectorizer)(nil)
	_ kiln.Transformer[[]string, *sparse.CSR]   = (*CountVectorizer)(nil)
	_ kiln.Fitter[[]string]                     = (*HashingVectorizer)(nil)
	_ kiln.Transformer[[]string, *sparse.CSR]   = (*HashingVectorizer)(nil)
	_ kiln.Fitter[mat.Matrix]                   = (*TfidfTransformer)(nil)
	_ kiln.Transformer[mat.Matrix, *sparse.CSR] = (*TfidfTransformer)(nil)
)

func TestErrorsWrapSharedSentinels(t *testing.T) {
	ctx := context.Background()
	docs := []string{"the cat sat", "the dog ran"}
	errOf := func(_ any, err error) error { return err }
	fitted := &TfidfTransformer{}
	counts := mat.NewDense(2, 3, []float64{1, 0, 2, 0, 1, 1})
	if err := fitted.Fit(ctx, counts); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"CountVectorizer transform before fit", errOf((&CountVectorizer{}).Transform(docs)), kiln.ErrNotFitted},
		{"negative MaxFeatures", (&CountVectorizer{MaxFeatures: -1}).Fit(ctx, docs), kiln.ErrConfig},
		{"MinDF with Docs and Fraction", (&CountVectorizer{MinDF: DF{Docs: 1, Fraction: 0.5}}).Fit(ctx, docs), kiln.ErrConfig},
		{"bad NGramRange", (&CountVectorizer{NGramRange: [2]int{2, 1}}).Fit(ctx, docs), kiln.ErrConfig},
		{"MaxDF below MinDF", (&CountVectorizer{MinDF: DF{Docs: 2}, MaxDF: DF{Docs: 1}}).Fit(ctx, docs), kiln.ErrConfig},
		{"only stop words", (&CountVectorizer{StopWords: []string{"a"}}).Fit(ctx, []string{"a a", "a"}), kiln.ErrEmpty},
		{"no documents", (&CountVectorizer{}).Fit(ctx, nil), kiln.ErrEmpty},
		{"pruned to nothing", (&CountVectorizer{MinDF: DF{Docs: 2}}).Fit(ctx, []string{"aa", "bb", "cc"}), kiln.ErrEmpty},
		{"HashingVectorizer NFeatures", (&HashingVectorizer{NFeatures: -1}).Fit(ctx, docs), kiln.ErrConfig},
		{"HashingVectorizer Norm", errOf((&HashingVectorizer{Norm: 9}).Transform(docs)), kiln.ErrConfig},
		{"tfidf transform before fit", errOf((&TfidfTransformer{}).Transform(counts)), kiln.ErrNotFitted},
		{"tfidf columns", errOf(fitted.Transform(mat.NewDense(1, 2, []float64{1, 1}))), kiln.ErrShape},
		{"tfidf NaN", errOf(fitted.Transform(mat.NewDense(1, 3, []float64{1, math.NaN(), 1}))), kiln.ErrNonFinite},
		{"tfidf nil", fitted.Fit(ctx, nil), kiln.ErrEmpty},
		{"SetIDF Inf", fitted.SetIDF([]float64{math.Inf(1)}), kiln.ErrNonFinite},
		{"empty vocabulary", errOf(NewVocabulary(nil)), kiln.ErrEmpty},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: error %v does not wrap %v", c.name, c.err, c.want)
		}
	}
	if err := (&HashingVectorizer{}).Fit(ctx, docs); err != nil {
		t.Errorf("HashingVectorizer.Fit with default settings: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for name, err := range map[string]error{
		"CountVectorizer.Fit":    (&CountVectorizer{}).Fit(cancelled, docs),
		"HashingVectorizer.Fit":  (&HashingVectorizer{}).Fit(cancelled, docs),
		"TfidfTransformer.Fit":   (&TfidfTransformer{}).Fit(cancelled, counts),
		"CountVectorizer.FitTr.": errOf((&CountVectorizer{}).FitTransform(cancelled, docs)),
	} {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v", name, err)
		}
	}
}
