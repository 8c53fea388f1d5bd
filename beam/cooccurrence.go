package beam

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/linalg"
)

// Cooccurrence computes the word co-occurrence matrix of a collection of
// documents, as linalg.Cooccurrence does on one machine: C(x, y) is the
// number of documents that contain both terms x and y, C(x, x) the number
// that contain x (with Weighted, C = BᵀB of the term counts instead).
//
// Its Apply runs in three steps:
//
//  1. Vocabulary: every document is tokenized as features/text tokenizes it,
//     the document frequency of each term is counted in one global pass, and
//     the terms within MinDF and MaxDF are kept with text.CountVectorizer's
//     semantics (a Fraction is taken of the number of documents), sorted as
//     its vocabulary is sorted. The vocabulary reaches the next step as a side
//     input.
//  2. Partial counts: each worker gathers up to BatchDocs documents of its
//     bundle as the rows of a small sparse document x term matrix and counts
//     their co-occurrences with the linalg kernel (sparse form), emitting one
//     partial row per term that occurs in the batch.
//  3. Rows: the partial rows are added per term (a combiner, so that a
//     runner adds them up on the worker before the shuffle) into the rows of
//     C, one CooccurrenceRow per term that occurs in some document.
//
// Counts are integers, so the result does not depend on how the runner splits
// the documents into bundles: it equals linalg's matrix entry for entry.
//
// Memory per worker: a batch's sparse result (16 bytes per non-zero of its
// counts; about 25 MB per 1,000 IMDB reviews) besides the vocabulary.
type Cooccurrence struct {
	// MinDF and MaxDF bound the document frequency of the kept terms, as in
	// text.CountVectorizer: MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}
	// is scikit-learn's CountVectorizer(min_df=10, max_df=0.1).
	MinDF, MaxDF text.DF
	// Weighted counts BᵀB from the term counts; otherwise every term of a
	// document counts once (scikit-learn's binary=True).
	Weighted bool
	// KeepCase turns off lowercasing, as in text.Tokenizer.
	KeepCase bool
	// BatchDocs is the most documents a worker counts at once (0: 2,000).
	BatchDocs int
}

// CooccurrenceRow is row Term of the co-occurrence matrix: the terms it
// co-occurs with (Columns, increasing, Term included) and the counts.
// Terms are column indices of the vocabulary Apply returns.
type CooccurrenceRow struct {
	Term    int
	Columns []int32
	Counts  []int64
}

// Sum returns the sum of the row's counts.
func (r CooccurrenceRow) Sum() int64 {
	var s int64
	for _, c := range r.Counts {
		s += c
	}
	return s
}

// Apply adds the transform to the pipeline. docs is a PCollection of string
// documents. It returns the rows of C, a PCollection of CooccurrenceRow, and
// the vocabulary, a PCollection holding one []string (the terms in column
// order). An invalid configuration, a document that is not valid UTF-8, or
// a vocabulary left empty by the limits fails the pipeline with an error that
// says so.
func (c Cooccurrence) Apply(s beam.Scope, docs beam.PCollection) (rows, vocabulary beam.PCollection) {
	s = s.Scope("kiln.Cooccurrence")
	terms := beam.ParDo(s, &tokenizeFn{KeepCase: c.KeepCase, Weighted: c.Weighted}, docs)
	df := beam.Combine(s, &documentFrequencyFn{}, terms)
	vocabulary = beam.ParDo(s, &vocabularyFn{MinDocs: c.MinDF.Docs, MinFraction: c.MinDF.Fraction,
		MaxDocs: c.MaxDF.Docs, MaxFraction: c.MaxDF.Fraction}, df)
	batch := c.BatchDocs
	if batch <= 0 {
		batch = 2000
	}
	batches := beam.ParDo(s, &batchFn{Size: batch}, terms)
	partial := beam.ParDo(s, &countBatchFn{Weighted: c.Weighted}, batches, beam.SideInput{Input: vocabulary})
	rows = beam.DropKey(s, beam.CombinePerKey(s, &addRowsFn{}, partial))
	return rows, vocabulary
}

func init() {
	register.DoFn2x1[string, func(docTerms), error](&tokenizeFn{})
	register.Combiner2[documentFrequencies, docTerms](&documentFrequencyFn{})
	register.DoFn2x1[documentFrequencies, func([]string), error](&vocabularyFn{})
	register.Emitter1[[]string]()
	register.DoFn2x0[docTerms, func(docBatch)](&batchFn{})
	register.DoFn4x1[context.Context, docBatch, func(*[]string) bool, func(int, CooccurrenceRow), error](&countBatchFn{})
	register.Iter1[[]string]()
	register.Emitter1[docBatch]()
	register.Combiner1[CooccurrenceRow](&addRowsFn{})
	register.Emitter1[docTerms]()
	register.Emitter1[string]()
	register.Emitter2[int, CooccurrenceRow]()
}

// docTerms are the distinct terms of one document, sorted, with their counts
// when weighted.
type docTerms struct {
	Terms  []string
	Counts []int32
}

type tokenizeFn struct {
	KeepCase, Weighted bool
}

func (f *tokenizeFn) ProcessElement(doc string, emit func(docTerms)) error {
	tokens, err := text.Tokenizer{KeepCase: f.KeepCase}.Tokens(doc)
	if err != nil {
		return fmt.Errorf("kiln/beam: Cooccurrence: document %.40q: %w", doc, err)
	}
	slices.Sort(tokens)
	var out docTerms
	for i, t := range tokens {
		if i > 0 && t == tokens[i-1] {
			if f.Weighted {
				out.Counts[len(out.Counts)-1]++
			}
			continue
		}
		out.Terms = append(out.Terms, t)
		if f.Weighted {
			out.Counts = append(out.Counts, 1)
		}
	}
	emit(out)
	return nil
}

// documentFrequencies counts, for a set of documents, how many documents
// contain each term: the accumulator of the global document-frequency pass
// (about 40 bytes per distinct term).
type documentFrequencies struct {
	Docs int
	DF   map[string]int
}

type documentFrequencyFn struct{}

func (documentFrequencyFn) CreateAccumulator() documentFrequencies {
	return documentFrequencies{DF: map[string]int{}}
}

func (documentFrequencyFn) AddInput(acc documentFrequencies, d docTerms) documentFrequencies {
	if acc.DF == nil {
		acc.DF = map[string]int{}
	}
	acc.Docs++
	for _, t := range d.Terms {
		acc.DF[t]++
	}
	return acc
}

func (documentFrequencyFn) MergeAccumulators(a, b documentFrequencies) documentFrequencies {
	if len(a.DF) < len(b.DF) {
		a, b = b, a
	}
	if a.DF == nil {
		a.DF = map[string]int{}
	}
	a.Docs += b.Docs
	for t, n := range b.DF {
		a.DF[t] += n
	}
	return a
}

// vocabularyFn makes the vocabulary out of the document frequencies: the
// terms within the limits, with text.CountVectorizer's rule (a Fraction
// limit is Fraction × documents, compared as a float; no MinDF means 1
// document, no MaxDF all of them), sorted by code point as its vocabulary is.
type vocabularyFn struct {
	MinDocs, MaxDocs         int
	MinFraction, MaxFraction float64
}

func dfLimit(docs int, fraction float64, n int, unset float64) float64 {
	switch {
	case fraction != 0:
		return fraction * float64(n)
	case docs != 0:
		return float64(docs)
	}
	return unset
}

func (f *vocabularyFn) ProcessElement(df documentFrequencies, emit func([]string)) error {
	if err := checkDF("MinDF", f.MinDocs, f.MinFraction); err != nil {
		return err
	}
	if err := checkDF("MaxDF", f.MaxDocs, f.MaxFraction); err != nil {
		return err
	}
	nDocs := df.Docs
	maxCount := dfLimit(f.MaxDocs, f.MaxFraction, nDocs, float64(nDocs))
	minCount := dfLimit(f.MinDocs, f.MinFraction, nDocs, 1)
	if maxCount < minCount {
		return fmt.Errorf("kiln/beam: Cooccurrence: MaxDF corresponds to fewer documents (%g) than MinDF (%g) in a corpus of %d documents: %w",
			maxCount, minCount, nDocs, errConfig)
	}
	var vocab []string
	for term, n := range df.DF {
		if d := float64(n); d <= maxCount && d >= minCount {
			vocab = append(vocab, term)
		}
	}
	if len(vocab) == 0 {
		return errors.New("kiln/beam: Cooccurrence: the vocabulary is empty: no term is within MinDF and MaxDF")
	}
	slices.Sort(vocab)
	emit(vocab)
	return nil
}

func checkDF(name string, docs int, fraction float64) error {
	switch {
	case docs != 0 && fraction != 0:
		return fmt.Errorf("kiln/beam: Cooccurrence: %s: set Docs or Fraction, not both: %w", name, errConfig)
	case docs < 0:
		return fmt.Errorf("kiln/beam: Cooccurrence: %s: Docs = %d is negative: %w", name, docs, errConfig)
	case math.IsNaN(fraction) || fraction < 0 || fraction > 1:
		return fmt.Errorf("kiln/beam: Cooccurrence: %s: Fraction = %g is outside [0, 1]: %w", name, fraction, errConfig)
	}
	return nil
}

// batchFn gathers a bundle's documents into batches of up to Size, so that
// the next step reads the vocabulary side input once per batch.
type batchFn struct {
	Size int

	batch docBatch
}

func (f *batchFn) ProcessElement(d docTerms, emit func(docBatch)) {
	f.batch.Docs = append(f.batch.Docs, d)
	if len(f.batch.Docs) >= f.Size {
		f.FinishBundle(emit)
	}
}

func (f *batchFn) FinishBundle(emit func(docBatch)) {
	if len(f.batch.Docs) > 0 {
		emit(f.batch)
		f.batch = docBatch{}
	}
}

// docBatch is a batch of documents as terms.
type docBatch struct{ Docs []docTerms }

// countBatchFn counts the co-occurrences of a batch of documents with the
// linalg kernel and emits one partial row per term of the batch.
type countBatchFn struct {
	Weighted bool

	index map[string]int32
	vocab []string
}

func (f *countBatchFn) ProcessElement(ctx context.Context, batch docBatch, vocabs func(*[]string) bool, emit func(int, CooccurrenceRow)) error {
	// The vocabulary is read as an iterable, not a singleton: when
	// vocabularyFn fails, a runner that goes on scheduling this stage finds
	// no vocabulary and does nothing, and the job reports vocabularyFn's
	// message rather than a missing side input.
	var vocab []string
	if !vocabs(&vocab) || len(vocab) == 0 {
		return nil
	}
	if f.index == nil || len(f.vocab) != len(vocab) || &f.vocab[0] != &vocab[0] {
		f.vocab = vocab
		f.index = make(map[string]int32, len(vocab))
		for i, t := range vocab {
			f.index[t] = int32(i)
		}
	}
	indptr := make([]int, 1, len(batch.Docs)+1)
	var ind []int
	var vals []float64
	for _, d := range batch.Docs {
		// d.Terms is sorted and so is the vocabulary: the columns increase.
		for i, t := range d.Terms {
			if col, ok := f.index[t]; ok {
				ind = append(ind, int(col))
				if f.Weighted {
					vals = append(vals, float64(d.Counts[i]))
				} else {
					vals = append(vals, 1)
				}
			}
		}
		indptr = append(indptr, len(ind))
	}
	if len(ind) == 0 {
		return nil
	}
	m := len(vocab)
	c, err := linalg.Cooccurrence{Weighted: f.Weighted}.Sparse(ctx, sparse.NewCSR(len(batch.Docs), m, indptr, ind, vals))
	if err != nil {
		return fmt.Errorf("kiln/beam: Cooccurrence: %w", err)
	}
	raw := c.RawMatrix()
	for x := 0; x < m; x++ {
		lo, hi := raw.Indptr[x], raw.Indptr[x+1]
		if lo == hi {
			continue
		}
		row := CooccurrenceRow{Term: x, Columns: make([]int32, hi-lo), Counts: make([]int64, hi-lo)}
		for k := lo; k < hi; k++ {
			row.Columns[k-lo] = int32(raw.Ind[k])
			row.Counts[k-lo] = int64(raw.Data[k])
		}
		emit(x, row)
	}
	return nil
}

// addRowsFn adds partial rows of one term: a merge of two sorted sparse rows.
type addRowsFn struct{}

func (addRowsFn) MergeAccumulators(a, b CooccurrenceRow) CooccurrenceRow {
	switch {
	case len(a.Columns) == 0:
		return b
	case len(b.Columns) == 0:
		return a
	}
	out := CooccurrenceRow{Term: a.Term,
		Columns: make([]int32, 0, max(len(a.Columns), len(b.Columns))),
		Counts:  make([]int64, 0, max(len(a.Columns), len(b.Columns)))}
	i, j := 0, 0
	for i < len(a.Columns) || j < len(b.Columns) {
		switch {
		case j == len(b.Columns) || i < len(a.Columns) && a.Columns[i] < b.Columns[j]:
			out.Columns, out.Counts = append(out.Columns, a.Columns[i]), append(out.Counts, a.Counts[i])
			i++
		case i == len(a.Columns) || b.Columns[j] < a.Columns[i]:
			out.Columns, out.Counts = append(out.Columns, b.Columns[j]), append(out.Counts, b.Counts[j])
			j++
		default:
			out.Columns, out.Counts = append(out.Columns, a.Columns[i]), append(out.Counts, a.Counts[i]+b.Counts[j])
			i++
			j++
		}
	}
	return out
}

// String shows the row's first entries, for logs and errors.
func (r CooccurrenceRow) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d:", r.Term)
	for k := range min(len(r.Columns), 8) {
		fmt.Fprintf(&b, " %d:%d", r.Columns[k], r.Counts[k])
	}
	if len(r.Columns) > 8 {
		fmt.Fprintf(&b, " ... (%d entries)", len(r.Columns))
	}
	return b.String()
}
