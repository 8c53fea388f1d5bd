package text

import (
	"fmt"
	"math"

	"github.com/kiln-ml/kiln"
)

// DF is a document-frequency limit, as scikit-learn's min_df and max_df: a
// number of documents (Docs) or a fraction of the corpus (Fraction, in
// [0, 1]). Set at most one. The zero value means no limit: at least one
// document for MinDF, every document for MaxDF.
//
//	text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}}
//
// is scikit-learn's CountVectorizer(min_df=10, max_df=0.1).
type DF struct {
	Docs     int     // a term must occur in at least (MinDF) or at most (MaxDF) this many documents
	Fraction float64 // the same limit as a fraction of the documents
}

func (d DF) String() string {
	switch {
	case d.Fraction != 0:
		return fmt.Sprint(d.Fraction)
	case d.Docs != 0:
		return fmt.Sprintf("%d documents", d.Docs)
	}
	return "unset"
}

func (d DF) validate(name string) error {
	switch {
	case d.Docs != 0 && d.Fraction != 0:
		return fmt.Errorf("text: %s: set Docs or Fraction, not both (%d, %g): %w", name, d.Docs, d.Fraction, kiln.ErrConfig)
	case d.Docs < 0:
		return fmt.Errorf("text: %s: Docs = %d is negative: %w", name, d.Docs, kiln.ErrConfig)
	case math.IsNaN(d.Fraction) || d.Fraction < 0 || d.Fraction > 1:
		return fmt.Errorf("text: %s: Fraction = %g is outside [0, 1]: %w", name, d.Fraction, kiln.ErrConfig)
	}
	return nil
}

// count returns the limit in documents for a corpus of n documents, as
// scikit-learn computes it (a float when given as a fraction), or def when
// unset.
func (d DF) count(n int, def float64) float64 {
	switch {
	case d.Fraction != 0:
		return d.Fraction * float64(n)
	case d.Docs != 0:
		return float64(d.Docs)
	}
	return def
}
