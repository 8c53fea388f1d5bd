package text

import (
	"context"
	"testing"
)

func TestStripTagsMatchesScikitLearn(t *testing.T) {
	// sklearn.feature_extraction.text.strip_tags, scikit-learn 1.2.1.
	cases := [][2]string{
		{"a<br />b", "a b"}, {"x < y > z", "x   z"}, {"<>a<b>c", "<>a c"}, {"no tags", "no tags"},
		{"a<b", "a<b"}, {"a<<b>>c", "a >c"}, {"<p>Hello <b>bold</b></p>", " Hello  bold  "},
		{"a>b<c", "a>b<c"}, {"<a\nhref=x>link</a>", " link "}, {"<<>>", " >"}, {"tail<", "tail<"},
	}
	for _, c := range cases {
		if got := StripTags(c[0]); got != c[1] {
			t.Errorf("StripTags(%q) = %q; scikit-learn %q", c[0], got, c[1])
		}
	}
}

func TestPreprocessHook(t *testing.T) {
	cv := &CountVectorizer{Preprocess: StripTags}
	if _, err := cv.FitTransform(context.Background(), []string{"Great<br /><br />film", "<i>bad</i> film"}); err != nil {
		t.Fatal(err)
	}
	// scikit-learn: CountVectorizer(preprocessor=lambda s: strip_tags(s).lower())
	if got := cv.Vocabulary().Terms(); len(got) != 3 || got[0] != "bad" || got[1] != "film" || got[2] != "great" {
		t.Errorf("vocabulary %q", got)
	}
}
