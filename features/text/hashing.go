package text

import (
	"context"
	"fmt"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
)

// HashingVectorizer maps documents to a fixed number of columns without a
// vocabulary, like scikit-learn's HashingVectorizer: each term (after the
// same analysis as CountVectorizer) goes to column |h| mod NFeatures, where h
// is MurmurHash3_x86_32 with seed 0 of the term's UTF-8 bytes read as a
// signed 32-bit integer, with sign -1 when h < 0 (unless NoAlternateSign).
// Entries of one document that land in the same column are summed (and a
// sum of zero stays stored, as in scikit-learn); then Binary sets every
// stored entry to 1 and Norm scales each row. With the same settings it gives
// scikit-learn 1.2.1's matrix.
//
// It needs no fit, so it suits streams and corpora whose vocabulary does not
// fit in memory; columns cannot be named, and distinct terms may collide.
// Each worker keeps 8 bytes per column of scratch space (up to 2^24
// columns; beyond, a map per document).
//
// A HashingVectorizer is safe for concurrent use: Transform and
// TransformCorpus may run from many goroutines at once (each on its own
// Corpus), provided Preprocess is safe to call concurrently.
type HashingVectorizer struct {
	// NFeatures is the number of columns; 0 means 2^20, scikit-learn's default.
	NFeatures int
	// NoAlternateSign keeps every entry positive (alternate_sign=False).
	NoAlternateSign bool
	// Binary sets every stored entry to 1 before normalizing.
	Binary bool
	// Norm scales each row: L2 (the default), L1 or NoNorm.
	Norm Norm
	// Analysis, as in CountVectorizer.
	NGramRange   [2]int
	StopWords    []string
	Preprocess   func(string) string
	KeepCase     bool
	DecodeErrors DecodeErrors
	// Workers is the number of goroutines (0: GOMAXPROCS).
	Workers int
}

// Fit checks the settings and learns nothing: the hashing vectorizer is
// stateless, and Fit exists so that it can stand where any Fitter can.
func (h *HashingVectorizer) Fit(ctx context.Context, docs []string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("text: HashingVectorizer: %w", err)
	}
	_, _, err := h.setup()
	return err
}

// Transform returns the len(docs) x NFeatures matrix of docs.
func (h *HashingVectorizer) Transform(docs []string) (*sparse.CSR, error) {
	return h.TransformCorpus(context.Background(), Documents(docs))
}

// TransformCorpus returns the matrix of a corpus, reading it once.
func (h *HashingVectorizer) TransformCorpus(ctx context.Context, c Corpus) (*sparse.CSR, error) {
	n, an, err := h.setup()
	if err != nil {
		return nil, err
	}
	job := &countJob{an: an, hashN: n, alternate: !h.NoAlternateSign, keepRows: true, binary: h.Binary, workers: h.Workers}
	res, err := job.run(ctx, c)
	if err != nil {
		return nil, err
	}
	m := buildCSR(res, nil, n, h.Binary, h.Workers)
	normalizeRows(m, h.Norm)
	return m, nil
}

// setup checks the settings and returns the number of columns and the analyzer.
func (h *HashingVectorizer) setup() (int, *analyzer, error) {
	n := h.NFeatures
	if n == 0 {
		n = 1 << 20
	}
	if n < 1 || n > 1<<31-1 {
		return 0, nil, fmt.Errorf("text: HashingVectorizer: NFeatures = %d is outside [1, 2^31-1]: %w", h.NFeatures, kiln.ErrConfig)
	}
	if err := h.Norm.validate(); err != nil {
		return 0, nil, err
	}
	an, err := newAnalyzer(h.Preprocess, Tokenizer{KeepCase: h.KeepCase, DecodeErrors: h.DecodeErrors}, h.StopWords, h.NGramRange)
	if err != nil {
		return 0, nil, err
	}
	return n, an, nil
}
