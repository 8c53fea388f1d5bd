// Package reviews loads the IMDB movie reviews that the text examples share:
// the 5,000-review sample embedded in the binary by default, or the 50,000
// reviews that scripts/fetch-data.sh brings into data/imdb/reviews.json.
package reviews

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/internal/progress"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// Set is a list of reviews in the order of the 50,000-review file: negative
// reviews first, then positive ones, each in blocks of 12,500 (test, train).
type Set struct {
	Source string    // where the reviews came from, for the report
	Docs   []string  // review texts, raw (HTML "<br />" line breaks left in)
	Labels []float64 // sentiment: 0 negative, 1 positive
	// Stride is how many reviews of the full file each review stands for:
	// review i is review i*Stride of the 50,000 (10 for the sample, which
	// keeps every 10th review; 1 for the full file).
	Stride int
}

// Load returns the embedded sample, or the full file when full is set,
// reporting the bytes of the full file read so far to report (may be nil).
func Load(full bool, report kiln.ProgressFunc) (*Set, error) {
	if full {
		return loadFull(report)
	}
	f, err := builtin.IMDBSample()
	if err != nil {
		return nil, err
	}
	review, err := f.Column("review")
	if err != nil {
		return nil, err
	}
	sentiment, err := f.Column("sentiment")
	if err != nil {
		return nil, err
	}
	s := &Set{Source: "embedded sample (every 10th of the 50,000 IMDB reviews)", Stride: 10}
	for i, label := range sentiment.Int64s() {
		s.Docs = append(s.Docs, review.StringAt(i))
		s.Labels = append(s.Labels, float64(label))
	}
	return s, nil
}

func loadFull(report kiln.ProgressFunc) (*Set, error) {
	path, ok := realdata.Path(realdata.IMDBReviews)
	if !ok {
		return nil, fmt.Errorf("%s is absent: run scripts/fetch-data.sh (or set KILN_DATA to the folder that holds imdb/reviews.json)", path)
	}
	raw, err := progress.ReadFile(path, report)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		T string `json:"t"`
		S int    `json:"s"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &Set{Source: path, Stride: 1}
	for _, r := range rows {
		s.Docs = append(s.Docs, r.T)
		s.Labels = append(s.Labels, float64(r.S))
	}
	return s, nil
}

// IsTrain reports whether review i belongs to the original training blocks,
// reviews 12,500-24,999 and 37,500-49,999 of the full file (the split of
// models' IMDB test and of its scikit-learn reference,
// models/testdata/sklearn_reference.py).
func (s *Set) IsTrain(i int) bool {
	j := i * s.Stride
	return (j >= 12500 && j < 25000) || j >= 37500
}

// BrToSpace replaces the reviews' HTML line breaks by spaces, as persist's
// built-in "br_to_space" preprocessor does.
func BrToSpace(doc string) string { return strings.ReplaceAll(doc, "<br />", " ") }

// Clean returns every document with BrToSpace applied.
func (s *Set) Clean() []string {
	out := make([]string, len(s.Docs))
	for i, d := range s.Docs {
		out[i] = BrToSpace(d)
	}
	return out
}

// Frames returns the training and test reviews as frames of two columns:
// "review", the raw text, and "sentiment", "negative" or "positive".
func (s *Set) Frames() (train, test *dataset.Frame) {
	var trainRows, testRows []int
	for i := range s.Docs {
		if s.IsTrain(i) {
			trainRows = append(trainRows, i)
		} else {
			testRows = append(testRows, i)
		}
	}
	words := make([]string, len(s.Labels))
	for i, l := range s.Labels {
		words[i] = "negative"
		if l == 1 {
			words[i] = "positive"
		}
	}
	all := dataset.MustNew(dataset.NewString("review", s.Docs, nil), dataset.NewString("sentiment", words, nil))
	return all.Take(trainRows), all.Take(testRows)
}
