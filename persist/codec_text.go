package persist

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kiln-ml/kiln/features/text"
)

// Tensors of text.CountVectorizer:
//
//	NAME.vocabulary  strings  the terms, in column order
//	NAME.stop_words  strings  the stop words (may be empty)
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
	codecs = append(codecs, codec{
		kind:   "text.CountVectorizer",
		match:  func(s any) bool { _, ok := s.(*text.CountVectorizer); return ok },
		encode: encodeCount,
		decode: decodeCount,
		in:     []dataKind{documents, frame},
		out:    matrix,
		apply: func(p *Pipeline, s, v any) (any, error) {
			docs, err := p.documents(v)
			if err != nil {
				return nil, err
			}
			return s.(*text.CountVectorizer).Transform(docs)
		},
	})
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
	return countParams{cv.MinDF, cv.MaxDF, cv.MaxFeatures, cv.Binary, cv.NGramRange, cv.KeepCase, cv.DecodeErrors.String()}, nil
}

func decodeCount(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p countParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	terms, err := b.Strings(name + ".vocabulary")
	if err != nil {
		return nil, err
	}
	stop, err := b.Strings(name + ".stop_words")
	if err != nil {
		return nil, err
	}
	vocab, err := text.NewVocabulary(terms)
	if err != nil {
		return nil, err
	}
	de, err := parseDecodeErrors(p.DecodeErrors)
	if err != nil {
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
	return 0, fmt.Errorf("unknown decode_errors %q", s)
}
