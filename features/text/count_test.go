package text

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/internal/realdata"
)

func sameCSR(t *testing.T, what string, a, b *sparse.CSR) {
	t.Helper()
	ra, rb := a.RawMatrix(), b.RawMatrix()
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc || !reflect.DeepEqual(ra.Indptr, rb.Indptr) || !reflect.DeepEqual(ra.Ind, rb.Ind) || !reflect.DeepEqual(ra.Data, rb.Data) {
		t.Errorf("%s: matrices differ", what)
	}
}

// TestWorkersGiveSameResult: the matrix and vocabulary do not depend on the
// number of workers (nor on the batching).
func TestWorkersGiveSameResult(t *testing.T) {
	docs, _ := realdata.IMDB(t)
	docs = docs[:3000]
	if raceEnabled {
		docs = docs[:800]
	}
	var first *sparse.CSR
	var terms []string
	for _, w := range []int{1, 2, 3, 8} {
		cv := &CountVectorizer{MinDF: DF{Docs: 2}, NGramRange: [2]int{1, 2}, StopWords: EnglishStopWords(), Workers: w}
		m, err := cv.FitTransform(context.Background(), docs)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first, terms = m, cv.Vocabulary().Terms()
			continue
		}
		sameCSR(t, "workers", first, m)
		if !reflect.DeepEqual(terms, cv.Vocabulary().Terms()) {
			t.Errorf("workers=%d: vocabulary differs", w)
		}
	}
}

func TestTransformAfterFit(t *testing.T) {
	cv := &CountVectorizer{}
	if _, err := cv.FitTransform(context.Background(), []string{"cats are fun", "dogs are fun", "cats eat fish"}); err != nil {
		t.Fatal(err)
	}
	m, err := cv.Transform([]string{"Fun fun FUN cats and birds", ""})
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn: CountVectorizer().fit(docs).transform(...).toarray()
	// = [[0 1 0 0 0 3], [0 0 0 0 0 0]]
	want := [][]float64{{0, 1, 0, 0, 0, 3}, {0, 0, 0, 0, 0, 0}}
	for i, row := range want {
		for j, x := range row {
			if m.At(i, j) != x {
				t.Errorf("At(%d,%d) = %g, want %g", i, j, m.At(i, j), x)
			}
		}
	}
}

func TestFixedVocabulary(t *testing.T) {
	v, err := NewVocabulary([]string{"fun", "cats", "zebra"})
	if err != nil {
		t.Fatal(err)
	}
	cv := &CountVectorizer{FixedVocabulary: v, Binary: true}
	m, err := cv.FitTransform(context.Background(), []string{"cats cats are fun", "dogs"})
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 2 || c != 3 || m.At(0, 0) != 1 || m.At(0, 1) != 1 || m.NNZ() != 2 {
		t.Errorf("fixed vocabulary: %v", m)
	}
	if _, err := NewVocabulary([]string{"a", "b", "a"}); err == nil {
		t.Error("duplicate terms accepted")
	}
	if _, err := NewVocabulary(nil); err == nil {
		t.Error("empty vocabulary accepted")
	}
}

func TestBadInput(t *testing.T) {
	docs := []string{"cats are fun", "dogs are fun", "cats eat fish"}
	cases := []struct {
		name string
		cv   CountVectorizer
		docs []string
		want string
	}{
		// scikit-learn: ValueError: max_df corresponds to < documents than min_df
		{"max below min", CountVectorizer{MinDF: DF{Docs: 3}, MaxDF: DF{Fraction: 0.5}}, docs, "fewer documents"},
		// scikit-learn: ValueError: After pruning, no terms remain. Try a lower min_df or a higher max_df.
		{"pruned", CountVectorizer{MinDF: DF{Docs: 3}}, docs, "no terms remain"},
		// scikit-learn: ValueError: empty vocabulary; perhaps the documents only contain stop words
		{"stop words only", CountVectorizer{StopWords: EnglishStopWords()}, []string{"the and of", "a"}, "empty vocabulary"},
		{"empty documents", CountVectorizer{}, []string{"", " ", "!"}, "empty vocabulary"},
		{"no documents", CountVectorizer{}, nil, "empty vocabulary"},
		{"invalid UTF-8", CountVectorizer{}, append(append([]string{}, docs...), "ok", "bad \xc3\x28 byte"), "document 4: invalid UTF-8 at byte 4"},
		{"both set", CountVectorizer{MinDF: DF{Docs: 1, Fraction: 0.5}}, docs, "not both"},
		{"fraction above 1", CountVectorizer{MaxDF: DF{Fraction: 1.5}}, docs, "outside [0, 1]"},
		{"negative", CountVectorizer{MinDF: DF{Docs: -1}}, docs, "negative"},
		{"ngram", CountVectorizer{NGramRange: [2]int{2, 1}}, docs, "NGramRange"},
		{"max features", CountVectorizer{MaxFeatures: -1}, docs, "MaxFeatures"},
	}
	for _, c := range cases {
		cv := c.cv
		_, err := cv.FitTransform(context.Background(), c.docs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := (&CountVectorizer{}).Transform(docs); err == nil {
		t.Error("Transform before Fit accepted")
	}
	// Empty documents among others are empty rows, as in scikit-learn.
	cv := &CountVectorizer{}
	m, err := cv.FitTransform(context.Background(), []string{"", "cats are fun", ""})
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 3 || c != 3 || m.NNZ() != 3 {
		t.Errorf("empty rows: %d x %d, %d non-zeros", r, c, m.NNZ())
	}
	// Replace mode accepts the invalid document.
	cv = &CountVectorizer{DecodeErrors: Replace}
	if _, err := cv.FitTransform(context.Background(), []string{"bad \xc3\x28 byte"}); err != nil {
		t.Error(err)
	}
}

// TestVocabularyRoundTrip: a vocabulary saved as JSON and restored with
// SetVocabulary transforms documents as the fitted vectorizer does.
func TestVocabularyRoundTrip(t *testing.T) {
	docs := []string{"cats are fun", "dogs are fun", "cats eat fish"}
	cv := &CountVectorizer{}
	want, err := cv.FitTransform(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cv.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `["are","cats","dogs","eat","fish","fun"]` {
		t.Errorf("JSON %s", b)
	}
	var v Vocabulary
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if i, ok := v.Index("fish"); !ok || i != 4 || v.Term(4) != "fish" || v.Len() != 6 {
		t.Errorf("Index(fish) = %d, %v", i, ok)
	}
	restored := &CountVectorizer{}
	restored.SetVocabulary(&v)
	got, err := restored.Transform(docs)
	if err != nil {
		t.Fatal(err)
	}
	sameCSR(t, "restored", want, got)
	if err := json.Unmarshal([]byte(`["a","a"]`), &v); err == nil {
		t.Error("duplicate terms accepted")
	}
}

func TestProgress(t *testing.T) {
	docs := make([]string, 1000)
	for i := range docs {
		docs[i] = "a few words of text"
	}
	var last int64
	calls := 0
	cv := &CountVectorizer{Workers: 3, Progress: func(p kiln.Progress) {
		if p.Stage != "count" || p.Total != int64(len(docs)) {
			t.Errorf("progress %+v, want stage count of %d documents", p, len(docs))
		}
		if p.Done <= last {
			t.Errorf("progress went from %d to %d", last, p.Done)
		}
		last = p.Done
		calls++
	}}
	if _, err := cv.FitTransform(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	if last != int64(len(docs)) || calls == 0 {
		t.Errorf("progress ended at %d after %d calls", last, calls)
	}
}
