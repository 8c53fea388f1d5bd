// Package text turns documents into sparse feature matrices: a tokenizer, a
// bag-of-words CountVectorizer, TF-IDF weighting and a hashing vectorizer,
// each giving the same results as scikit-learn 1.2.1 with the same settings.
//
// # Tokens
//
// Tokenize (and Tokenizer) produce scikit-learn's default tokens: the text is
// lowercased as Python's str.lower does it, then split into the runs of two or
// more word characters, (?u)\b\w\w+\b, where a word character is a letter, a
// number or '_' as Python 3.11 defines \w for any Unicode text (so combining
// marks split words, and 'İ' lowercases to "i" plus a combining dot). The
// tokenizer is a hand-written scanner, about ten times faster than a regexp;
// the tests prove it gives the regular expression's tokens on the 50,000 IMDB
// reviews, and Python's classes on every Unicode code point.
//
// Go strings may hold invalid UTF-8 where Python has str: by default
// (DecodeErrors Strict) such a document is rejected with an error that names
// it (and its file and line when it was read from a file) and the byte
// offset; Replace and Ignore behave as scikit-learn's decode_error="replace"
// and "ignore".
//
// # Bag of words
//
// CountVectorizer learns a Vocabulary (terms sorted by code point, as
// scikit-learn sorts them) and returns a *sparse.CSR document-term matrix:
// one row per document, one column per term, column indices sorted in each
// row. It offers scikit-learn's MinDF and MaxDF (a DF: a count of documents
// or a fraction of them), MaxFeatures (with scikit-learn's tie breaking),
// Binary, word n-grams (NGramRange), stop words (EnglishStopWords is
// scikit-learn's list, from the Glasgow Information Retrieval Group), a
// Preprocess hook (StripTags removes HTML tags) and a fixed vocabulary. For
// example, scikit-learn's CountVectorizer(min_df=10, max_df=0.1, binary=True),
// the input of the word co-occurrence flow of Effective Data Science
// Infrastructure ch. 5, is
//
//	cv := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true}
//	m, err := cv.FitTransform(ctx, reviews) // *sparse.CSR, len(reviews) x cv.Vocabulary().Len()
//	name := cv.Vocabulary().Term(j)         // the word of column j
//
// On the 50,000 IMDB reviews it gives scikit-learn's 25,858 terms and
// 3,769,555 non-zeros exactly, and the same counts without Binary.
//
// Fitting reads each document once, on all cores (Workers), and keeps only
// its term counts; the result does not depend on the number of workers. The
// *Corpus methods stream documents from a Corpus: Documents (a slice), Lines
// and CSVColumn (readers), OpenLines and OpenCSVColumn (files, gzip or not),
// so a corpus is never held in memory as text.
//
// # Weighting and hashing
//
// TfidfTransformer reweights counts by inverse document frequency (smooth
// idf, optional sublinear tf, l2 rows by default). HashingVectorizer needs no
// vocabulary: it hashes each term with MurmurHash3 (scikit-learn's
// murmurhash3_32, seed 0) into a fixed number of columns.
//
// # Saving
//
// A fitted CountVectorizer is its exported configuration plus its
// Vocabulary, which encodes as a JSON array of terms (or Terms and
// NewVocabulary); SetVocabulary restores it. A TfidfTransformer is its
// configuration plus IDF (SetIDF restores it). The Preprocess function cannot
// be saved: record which one was used.
//
// # The learner contract
//
// The vectorizers are kiln.Fitter and kiln.Transformer values: Fit(ctx, docs)
// (HashingVectorizer's only checks its settings), FitTransform(ctx, docs) and
// Transform(docs) for CountVectorizer and HashingVectorizer;
// Fit(ctx, counts) and Transform(counts) for TfidfTransformer. Progress
// reports counting as a kiln.Progress of stage "count". Errors wrap the root
// package's sentinels (kiln.ErrNotFitted, kiln.ErrEmpty, kiln.ErrShape,
// kiln.ErrNonFinite, kiln.ErrConfig) for errors.Is. Fitted vectorizers
// transform from many goroutines at once.
package text
