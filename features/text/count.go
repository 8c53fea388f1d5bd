package text

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
)

// CountVectorizer turns documents into a sparse document-term matrix of
// token counts, like scikit-learn's CountVectorizer with analyzer="word":
// rows are documents, columns the terms of the vocabulary in sorted order,
// column indices sorted within each row. With the same settings it gives the
// same vocabulary and the same matrix as scikit-learn 1.2.1, entry for entry.
//
// The zero value is scikit-learn's default CountVectorizer(). Configuration is
// the exported fields; the learned vocabulary is read with Vocabulary.
//
// Fit and FitTransform read each document once and keep only its term
// counts, on Workers goroutines; the result is the same whatever Workers is.
// FitTransform needs about 8 bytes per distinct term of each document while it
// counts, 16 bytes per non-zero of the result, and the distinct terms.
//
// A fitted CountVectorizer is safe for concurrent use: Transform and
// TransformCorpus may run from many goroutines at once (each on its own
// Corpus), provided Preprocess is safe to call concurrently, as StripTags is.
// Fit and SetVocabulary must not run alongside them.
type CountVectorizer struct {
	// MinDF drops terms found in fewer documents (scikit-learn's min_df);
	// MaxDF drops terms found in more (max_df). Ignored with FixedVocabulary.
	MinDF, MaxDF DF
	// MaxFeatures, when positive, keeps only the MaxFeatures terms with the
	// highest counts over the corpus (after MinDF and MaxDF), ties broken as
	// scikit-learn breaks them (the order of NumPy's default argsort).
	MaxFeatures int
	// Binary sets every non-zero count to 1.
	Binary bool
	// NGramRange is the range of word n-grams [low, high]; the zero value is
	// {1, 1}, single words. N-grams are tokens joined by one space.
	NGramRange [2]int
	// StopWords are removed after tokenizing, before forming n-grams (see
	// EnglishStopWords). They must be lowercase unless KeepCase is set.
	StopWords []string
	// Preprocess, if set, rewrites each document before lowercasing and
	// tokenizing (for example StripTags). Unlike scikit-learn's preprocessor,
	// which replaces its lowercasing, it runs before it (see KeepCase).
	Preprocess func(string) string
	// KeepCase turns off lowercasing (scikit-learn's lowercase=False).
	KeepCase bool
	// DecodeErrors says how to treat invalid UTF-8: Strict (the default)
	// rejects the document with an error naming it.
	DecodeErrors DecodeErrors
	// FixedVocabulary, if set, is used instead of learning one (scikit-learn's
	// vocabulary parameter): columns follow its order, other terms are ignored.
	FixedVocabulary *Vocabulary
	// Workers is the number of goroutines (0: GOMAXPROCS).
	Workers int
	// Progress, if set, is called from one goroutine at a time as documents
	// are counted, with Stage "count", Done the documents processed so far and
	// Total the number of documents (0 for a Corpus, whose length is unknown).
	Progress kiln.ProgressFunc

	vocab *Vocabulary
}

// Vocabulary returns the learned vocabulary (or FixedVocabulary), nil before
// Fit. Vocabulary().Term(j) names column j.
func (cv *CountVectorizer) Vocabulary() *Vocabulary {
	if cv.vocab == nil {
		return cv.FixedVocabulary
	}
	return cv.vocab
}

// SetVocabulary installs a vocabulary learned earlier (for example one that
// was saved), so that Transform can run without Fit.
func (cv *CountVectorizer) SetVocabulary(v *Vocabulary) { cv.vocab = v }

// Fit learns the vocabulary of docs. It stops with ctx's error when ctx is
// cancelled.
func (cv *CountVectorizer) Fit(ctx context.Context, docs []string) error {
	return cv.FitCorpus(ctx, Documents(docs))
}

// FitTransform learns the vocabulary of docs and returns their
// document-term matrix (len(docs) x vocabulary size).
func (cv *CountVectorizer) FitTransform(ctx context.Context, docs []string) (*sparse.CSR, error) {
	return cv.FitTransformCorpus(ctx, Documents(docs))
}

// Transform returns the document-term matrix of docs over the learned (or
// fixed) vocabulary; unknown terms are ignored.
func (cv *CountVectorizer) Transform(docs []string) (*sparse.CSR, error) {
	return cv.TransformCorpus(context.Background(), Documents(docs))
}

// FitCorpus learns the vocabulary of a corpus, reading it once.
func (cv *CountVectorizer) FitCorpus(ctx context.Context, c Corpus) error {
	_, err := cv.fit(ctx, c, false)
	return err
}

// FitTransformCorpus learns the vocabulary of a corpus and returns its
// document-term matrix, reading the corpus once.
func (cv *CountVectorizer) FitTransformCorpus(ctx context.Context, c Corpus) (*sparse.CSR, error) {
	return cv.fit(ctx, c, true)
}

// TransformCorpus returns the document-term matrix of a corpus over the
// learned (or fixed) vocabulary.
func (cv *CountVectorizer) TransformCorpus(ctx context.Context, c Corpus) (*sparse.CSR, error) {
	v := cv.Vocabulary()
	if v == nil {
		return nil, fmt.Errorf("text: CountVectorizer: Transform before Fit (and no FixedVocabulary): %w", kiln.ErrNotFitted)
	}
	an, err := cv.analyzer()
	if err != nil {
		return nil, err
	}
	job := &countJob{an: an, fixed: v, keepRows: true, binary: cv.Binary, workers: cv.Workers, progress: countProgress(cv.Progress, c)}
	res, err := job.run(ctx, c)
	if err != nil {
		return nil, err
	}
	return buildCSR(res, nil, v.Len(), cv.Binary, cv.Workers), nil
}

// countProgress adapts a ProgressFunc to the counting engine's callback; the
// total is known only for a slice of documents.
func countProgress(p kiln.ProgressFunc, c Corpus) func(docs int) {
	if p == nil {
		return nil
	}
	var total int64
	if s, ok := c.(*sliceCorpus); ok {
		total = int64(len(s.docs))
	}
	return func(docs int) { p(kiln.Progress{Stage: "count", Done: int64(docs), Total: total}) }
}

func (cv *CountVectorizer) analyzer() (*analyzer, error) {
	tok := Tokenizer{KeepCase: cv.KeepCase, DecodeErrors: cv.DecodeErrors}
	return newAnalyzer(cv.Preprocess, tok, cv.StopWords, cv.NGramRange)
}

func (cv *CountVectorizer) fit(ctx context.Context, c Corpus, keepRows bool) (*sparse.CSR, error) {
	if cv.FixedVocabulary != nil {
		cv.vocab = nil
		if !keepRows {
			return nil, nil
		}
		return cv.TransformCorpus(ctx, c)
	}
	if err := cv.MinDF.validate("MinDF"); err != nil {
		return nil, err
	}
	if err := cv.MaxDF.validate("MaxDF"); err != nil {
		return nil, err
	}
	if cv.MaxFeatures < 0 {
		return nil, fmt.Errorf("text: MaxFeatures = %d is negative: %w", cv.MaxFeatures, kiln.ErrConfig)
	}
	an, err := cv.analyzer()
	if err != nil {
		return nil, err
	}
	job := &countJob{an: an, keepRows: keepRows, binary: cv.Binary, workers: cv.Workers, progress: countProgress(cv.Progress, c)}
	res, err := job.run(ctx, c)
	if err != nil {
		return nil, err
	}
	terms, colOf, err := cv.selectTerms(res)
	if err != nil {
		return nil, err
	}
	cv.vocab = newSortedVocabulary(terms)
	if !keepRows {
		return nil, nil
	}
	return buildCSR(res, colOf, len(terms), cv.Binary, cv.Workers), nil
}

// selectTerms merges the shards' dictionaries, applies MinDF, MaxDF and
// MaxFeatures as scikit-learn's _limit_features does, and returns the kept
// terms in sorted order with, per shard, the column of each local id (-1:
// dropped).
func (cv *CountVectorizer) selectTerms(res *countResult) ([]string, [][]int32, error) {
	// Global ids: shard 0's ids, then the terms the other shards add.
	global := res.shards[0].table
	terms := global.terms
	df := make([]int64, len(terms), len(terms)+len(terms)/4)
	tf := make([]int64, len(terms), cap(df))
	for id, st := range res.shards[0].stats {
		df[id], tf[id] = st.df, st.tf
	}
	toGlobal := make([][]int32, len(res.shards))
	n0 := len(terms)
	for w, s := range res.shards[1:] {
		m := make([]int32, len(s.table.terms))
		for id, t := range s.table.terms {
			g, added := global.lookup([]byte(t))
			if added {
				df = append(df, 0)
				tf = append(tf, 0)
			}
			m[id] = g
			df[g] += s.stats[id].df
			tf[g] += s.stats[id].tf
		}
		toGlobal[w+1] = m
	}
	terms = global.terms
	if len(terms) == 0 {
		return nil, nil, fmt.Errorf("text: empty vocabulary; perhaps the documents only contain stop words: %w", kiln.ErrEmpty)
	}
	if cv.Binary {
		tf = df // scikit-learn binarizes the counts before limiting features
	}
	n := res.docs
	maxCount := cv.MaxDF.count(n, float64(n))
	minCount := cv.MinDF.count(n, 1)
	if maxCount < minCount {
		return nil, nil, fmt.Errorf("text: MaxDF (%v) corresponds to fewer documents (%g) than MinDF (%v: %g) in a corpus of %d documents: %w",
			cv.MaxDF, maxCount, cv.MinDF, minCount, n, kiln.ErrConfig)
	}
	kept := make([]int32, 0, len(terms)) // global ids passing the document-frequency limits
	for g := range terms {
		if d := float64(df[g]); d <= maxCount && d >= minCount {
			kept = append(kept, int32(g))
		}
	}
	slices.SortFunc(kept, func(a, b int32) int { return strings.Compare(terms[a], terms[b]) })
	if cv.MaxFeatures > 0 && len(kept) > cv.MaxFeatures {
		negTF := make([]int64, len(kept))
		for i, g := range kept {
			negTF[i] = -tf[g]
		}
		order := numpyArgsort(negTF)[:cv.MaxFeatures]
		slices.Sort(order)
		top := make([]int32, len(order))
		for i, k := range order {
			top[i] = kept[k]
		}
		kept = top
	}
	if len(kept) == 0 {
		return nil, nil, fmt.Errorf("text: after pruning, no terms remain; try a lower MinDF or a higher MaxDF: %w", kiln.ErrEmpty)
	}
	col := make([]int32, len(terms))
	for g := range col {
		col[g] = -1
	}
	out := make([]string, len(kept))
	for c, g := range kept {
		col[g] = int32(c)
		out[c] = terms[g]
	}
	colOf := make([][]int32, len(res.shards))
	colOf[0] = col[:n0]
	for w := 1; w < len(res.shards); w++ {
		m := toGlobal[w]
		for id, g := range m {
			m[id] = col[g]
		}
		colOf[w] = m
	}
	return out, colOf, nil
}
