package text

import (
	"fmt"

	"github.com/kiln-ml/kiln"
)

// analyzer turns one document into terms, as scikit-learn's
// build_analyzer() for analyzer="word": preprocess, lowercase and tokenize,
// drop stop words, then form the word n-grams of the remaining tokens (joined
// by one space, n from the low to the high end of the range). Each worker
// owns one: the scratch buffers make it allocation-free in steady state.
type analyzer struct {
	preprocess func(string) string
	tok        Tokenizer
	stop       map[string]struct{}
	nmin, nmax int

	buf   []byte // the token being scanned
	arena []byte // the document's tokens, back to back (n-grams only)
	ends  []int  // end offset of each token in arena
	gram  []byte // the n-gram being joined
}

func newAnalyzer(preprocess func(string) string, tok Tokenizer, stopWords []string, ngram [2]int) (*analyzer, error) {
	a := &analyzer{preprocess: preprocess, tok: tok, nmin: ngram[0], nmax: ngram[1], buf: make([]byte, 0, 64)}
	if a.nmin == 0 && a.nmax == 0 {
		a.nmin, a.nmax = 1, 1
	}
	if a.nmin < 1 || a.nmax < a.nmin {
		return nil, fmt.Errorf("text: NGramRange %v: want 1 <= low <= high: %w", ngram, kiln.ErrConfig)
	}
	if tok.DecodeErrors < Strict || tok.DecodeErrors > Ignore {
		return nil, fmt.Errorf("text: unknown DecodeErrors %v: %w", tok.DecodeErrors, kiln.ErrConfig)
	}
	if len(stopWords) > 0 {
		a.stop = make(map[string]struct{}, len(stopWords))
		for _, w := range stopWords {
			a.stop[w] = struct{}{}
		}
	}
	return a, nil
}

// clone returns an analyzer with the same settings and its own scratch space.
func (a *analyzer) clone() *analyzer {
	return &analyzer{preprocess: a.preprocess, tok: a.tok, stop: a.stop, nmin: a.nmin, nmax: a.nmax, buf: make([]byte, 0, 64)}
}

// analyze calls emit with each term of doc. The slice is reused.
func (a *analyzer) analyze(doc string, emit func(term []byte)) error {
	if a.preprocess != nil {
		doc = a.preprocess(doc)
	}
	var err error
	if a.nmin == 1 && a.nmax == 1 { // the common case: no token list needed
		if a.stop == nil {
			a.buf, err = a.tok.scan(doc, a.buf, emit)
			return err
		}
		a.buf, err = a.tok.scan(doc, a.buf, func(t []byte) {
			if _, drop := a.stop[string(t)]; !drop {
				emit(t)
			}
		})
		return err
	}
	a.arena, a.ends = a.arena[:0], a.ends[:0]
	a.buf, err = a.tok.scan(doc, a.buf, func(t []byte) {
		if a.stop != nil {
			if _, drop := a.stop[string(t)]; drop {
				return
			}
		}
		a.arena = append(a.arena, t...)
		a.ends = append(a.ends, len(a.arena))
	})
	if err != nil {
		return err
	}
	n := len(a.ends)
	for k := a.nmin; k <= a.nmax && k <= n; k++ {
		for i := 0; i+k <= n; i++ {
			start := 0
			if i > 0 {
				start = a.ends[i-1]
			}
			if k == 1 {
				emit(a.arena[start:a.ends[i]])
				continue
			}
			a.gram = a.gram[:0]
			for j := i; j < i+k; j++ {
				s := 0
				if j > 0 {
					s = a.ends[j-1]
				}
				if j > i {
					a.gram = append(a.gram, ' ')
				}
				a.gram = append(a.gram, a.arena[s:a.ends[j]]...)
			}
			emit(a.gram)
		}
	}
	return nil
}
