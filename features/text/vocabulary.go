package text

import (
	"encoding/json"
	"fmt"

	"github.com/kiln-ml/kiln"
)

// Vocabulary maps terms to column indices and back. A fitted CountVectorizer
// returns one whose terms are sorted as scikit-learn sorts them (by code
// point, which for valid UTF-8 is Go's byte order). A Vocabulary is immutable
// and safe for concurrent use.
//
// To save one, store Terms() (or marshal it: it encodes as a JSON array of
// terms in column order) and rebuild it with NewVocabulary.
type Vocabulary struct {
	terms []string
	index map[string]int
}

// NewVocabulary returns the vocabulary whose column i is terms[i]. It copies
// terms and rejects an empty list and duplicate terms.
func NewVocabulary(terms []string) (*Vocabulary, error) {
	if len(terms) == 0 {
		return nil, fmt.Errorf("text: empty vocabulary: %w", kiln.ErrEmpty)
	}
	v := &Vocabulary{terms: append([]string(nil), terms...), index: make(map[string]int, len(terms))}
	for i, t := range v.terms {
		if j, dup := v.index[t]; dup {
			return nil, fmt.Errorf("text: vocabulary: term %q at both %d and %d: %w", t, j, i, kiln.ErrConfig)
		}
		v.index[t] = i
	}
	return v, nil
}

// newSortedVocabulary adopts terms (already unique) without copying.
func newSortedVocabulary(terms []string) *Vocabulary {
	v := &Vocabulary{terms: terms, index: make(map[string]int, len(terms))}
	for i, t := range terms {
		v.index[t] = i
	}
	return v
}

// Len returns the number of terms (columns).
func (v *Vocabulary) Len() int { return len(v.terms) }

// Term returns the term of column i: the name of that column of the
// document-term matrix. It panics if i is out of range, like a slice index.
func (v *Vocabulary) Term(i int) string { return v.terms[i] }

// Index returns the column of term and whether the term is known.
func (v *Vocabulary) Index(term string) (int, bool) {
	i, ok := v.index[term]
	return i, ok
}

// Terms returns a copy of the terms in column order.
func (v *Vocabulary) Terms() []string { return append([]string(nil), v.terms...) }

// MarshalJSON encodes the vocabulary as the JSON array of its terms.
func (v *Vocabulary) MarshalJSON() ([]byte, error) { return json.Marshal(v.terms) }

// UnmarshalJSON decodes a JSON array of terms, with NewVocabulary's checks.
func (v *Vocabulary) UnmarshalJSON(b []byte) error {
	var terms []string
	if err := json.Unmarshal(b, &terms); err != nil {
		return fmt.Errorf("text: vocabulary: %w", err)
	}
	nv, err := NewVocabulary(terms)
	if err != nil {
		return err
	}
	*v = *nv
	return nil
}
