package persist

import (
	"encoding/json"
	"errors"

	"github.com/kiln-ml/kiln/features/text"
)

// Tensors of text.CountVectorizer:
//
//	NAME.vocabulary  strings  the terms, in column order
//	NAME.stop_words  strings  the stop words (may be empty)
//
// Params hold effective values from format 1.1 (min_df {"Docs": 1}, max_df
// {"Fraction": 1}, ngram_range [1, 1] by default); in 1.0 zeros stood for
// those defaults.
type countParams struct {
	MinDF        text.DF `json:"min_df"`
	MaxDF        text.DF `json:"max_df"`
	MaxFeatures  int     `json:"max_features,omitempty"`
	Binary       bool    `json:"binary"`
	NGramRange   [2]int  `json:"ngram_range"`
	KeepCase     bool    `json:"keep_case,omitempty"`
	DecodeErrors string  `json:"decode_errors"`
}

func init() {
	mustRegister(Codec{Kind: "text.CountVectorizer", Step: (*text.CountVectorizer)(nil), Encode: encodeCount, Decode: decodeCount})
}

func encodeCount(step any, b *Bundle, name string) (any, error) {
	cv := step.(*text.CountVectorizer)
	if cv.Preprocess != nil {
		return nil, errors.New("a Preprocess function cannot be saved: leave it nil and name a registered preprocessor in Pipeline.TextPreprocess")
	}
	vocab := cv.Vocabulary()
	if vocab == nil {
		return nil, errors.New("vectorizer is not fitted")
	}
	b.PutStrings(name+".vocabulary", vocab.Terms())
	b.PutStrings(name+".stop_words", cv.StopWords)
	p := countParams{cv.MinDF, cv.MaxDF, cv.MaxFeatures, cv.Binary, effectiveNGramRange(cv.NGramRange), cv.KeepCase, cv.DecodeErrors.String()}
	// text.CountVectorizer's defaults (scikit-learn's min_df=1, max_df=1.0), spelled out.
	if p.MinDF == (text.DF{}) {
		p.MinDF = text.DF{Docs: 1}
	}
	if p.MaxDF == (text.DF{}) {
		p.MaxDF = text.DF{Fraction: 1}
	}
	return p, nil
}

// effectiveNGramRange spells out the analyzers' default range, single words.
func effectiveNGramRange(r [2]int) [2]int {
	if r == [2]int{} {
		return [2]int{1, 1}
	}
	return r
}

func decodeCount(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p countParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	terms, err := b.strings(name + ".vocabulary")
	if err != nil {
		return nil, err
	}
	stop, err := b.strings(name + ".stop_words")
	if err != nil {
		return nil, err
	}
	vocab, err := text.NewVocabulary(terms)
	if err != nil {
		return nil, asCorrupt(err)
	}
	de, err := parseDecodeErrors(p.DecodeErrors)
	if err != nil {
		return nil, err
	}
	if err := checkNGramRange(p.NGramRange); err != nil {
		return nil, err
	}
	if len(stop) == 0 {
		stop = nil
	}
	cv := &text.CountVectorizer{MinDF: p.MinDF, MaxDF: p.MaxDF, MaxFeatures: p.MaxFeatures, Binary: p.Binary,
		NGramRange: p.NGramRange, StopWords: stop, KeepCase: p.KeepCase, DecodeErrors: de}
	cv.SetVocabulary(vocab)
	return cv, nil
}

func parseDecodeErrors(s string) (text.DecodeErrors, error) {
	for _, d := range []text.DecodeErrors{text.Strict, text.Replace, text.Ignore} {
		if d.String() == s {
			return d, nil
		}
	}
	return 0, corrupt("unknown decode_errors %q", s)
}

// checkNGramRange accepts [0, 0] (format 1.0's spelling of the default [1, 1])
// and 1 <= low <= high, so that a bad range fails at load, not at scoring.
func checkNGramRange(r [2]int) error {
	if r != [2]int{} && (r[0] < 1 || r[1] < r[0]) {
		return corrupt("ngram_range %v: want 1 <= low <= high", r)
	}
	return nil
}

// Tensors of text.TfidfTransformer:
//
//	NAME.idf  F64 [terms]  the learned inverse document frequencies (empty with no_idf)
type tfidfParams struct {
	Norm        string `json:"norm"` // "l2", "l1" or "none"
	NoIDF       bool   `json:"no_idf,omitempty"`
	NoSmoothIDF bool   `json:"no_smooth_idf,omitempty"`
	SublinearTF bool   `json:"sublinear_tf,omitempty"`
}

// text.HashingVectorizer has no learned state: params only, and strings
// NAME.stop_words. Params hold effective values from format 1.1 (n_features
// 2^20 and ngram_range [1, 1] by default); in 1.0 zeros stood for those.
type hashingParams struct {
	NFeatures       int    `json:"n_features"`
	NoAlternateSign bool   `json:"no_alternate_sign,omitempty"`
	Binary          bool   `json:"binary,omitempty"`
	Norm            string `json:"norm"`
	NGramRange      [2]int `json:"ngram_range"`
	KeepCase        bool   `json:"keep_case,omitempty"`
	DecodeErrors    string `json:"decode_errors"`
}

var normNames = map[text.Norm]string{text.L2: "l2", text.L1: "l1", text.NoNorm: "none"}

func parseNorm(s string) (text.Norm, error) {
	for n, name := range normNames {
		if name == s {
			return n, nil
		}
	}
	return 0, corrupt("unknown norm %q", s)
}

func init() {
	mustRegister(Codec{Kind: "text.TfidfTransformer", Step: (*text.TfidfTransformer)(nil), Encode: encodeTfidf, Decode: decodeTfidf})
	mustRegister(Codec{Kind: "text.HashingVectorizer", Step: (*text.HashingVectorizer)(nil), Encode: encodeHashing, Decode: decodeHashing})
}

func encodeTfidf(step any, b *Bundle, name string) (any, error) {
	t := step.(*text.TfidfTransformer)
	idf := t.IDF()
	if idf == nil && !t.NoIDF {
		return nil, errors.New("TF-IDF transformer is not fitted")
	}
	b.PutFloat64s(name+".idf", idf)
	return tfidfParams{normNames[t.Norm], t.NoIDF, t.NoSmoothIDF, t.SublinearTF}, nil
}

func decodeTfidf(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p tfidfParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	norm, err := parseNorm(p.Norm)
	if err != nil {
		return nil, err
	}
	idf, err := b.float64s(name+".idf", -1)
	if err != nil {
		return nil, err
	}
	if err := finite(name+".idf", idf); err != nil {
		return nil, err
	}
	t := &text.TfidfTransformer{Norm: norm, NoIDF: p.NoIDF, NoSmoothIDF: p.NoSmoothIDF, SublinearTF: p.SublinearTF}
	if len(idf) > 0 {
		if err := t.SetIDF(idf); err != nil {
			return nil, asCorrupt(err)
		}
	}
	return t, nil
}

func encodeHashing(step any, b *Bundle, name string) (any, error) {
	h := step.(*text.HashingVectorizer)
	if h.Preprocess != nil {
		return nil, errors.New("a Preprocess function cannot be saved: leave it nil and name a registered preprocessor in Pipeline.TextPreprocess")
	}
	b.PutStrings(name+".stop_words", h.StopWords)
	p := hashingParams{h.NFeatures, h.NoAlternateSign, h.Binary, normNames[h.Norm], effectiveNGramRange(h.NGramRange), h.KeepCase, h.DecodeErrors.String()}
	if p.NFeatures == 0 {
		p.NFeatures = 1 << 20 // text.HashingVectorizer's default, scikit-learn's
	}
	return p, nil
}

func decodeHashing(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p hashingParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	norm, err := parseNorm(p.Norm)
	if err != nil {
		return nil, err
	}
	de, err := parseDecodeErrors(p.DecodeErrors)
	if err != nil {
		return nil, err
	}
	stop, err := b.strings(name + ".stop_words")
	if err != nil {
		return nil, err
	}
	if len(stop) == 0 {
		stop = nil
	}
	// 0 is format 1.0's spelling of the default, 2^20 columns.
	if p.NFeatures < 0 || p.NFeatures > 1<<31-1 {
		return nil, corrupt("n_features is %d, outside [1, 2^31-1]", p.NFeatures)
	}
	if err := checkNGramRange(p.NGramRange); err != nil {
		return nil, err
	}
	return &text.HashingVectorizer{NFeatures: p.NFeatures, NoAlternateSign: p.NoAlternateSign, Binary: p.Binary,
		Norm: norm, NGramRange: p.NGramRange, StopWords: stop, KeepCase: p.KeepCase, DecodeErrors: de}, nil
}
