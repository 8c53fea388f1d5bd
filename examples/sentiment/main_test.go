package main

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/persist"
)

// The example on the embedded sample must reproduce scikit-learn 1.2.1 on the
// same reviews and split: CountVectorizer(min_df=10, max_df=0.1, binary=True)
// and LogisticRegression(C=1.0, max_iter=1000), computed with /usr/bin/python3
// (Debian python3-sklearn 1.2.1) on dataset/builtin/data/imdb_sample.csv.gz
// with "<br />" replaced by a space, train = sample rows i with 10i in
// 12,500-24,999 or 37,500-49,999: 3,859 terms, 42 iterations, test ROC AUC
// 0.90384384, accuracy 0.8264, and P(positive) 0.92963062, 0.05202607,
// 0.5176148 for the three default sentences.
func TestSentimentMatchesScikitLearn(t *testing.T) {
	var out bytes.Buffer
	path := filepath.Join(t.TempDir(), "sentiment.kiln")
	res, err := run(&out, config{C: 1, Out: path, Sentences: defaultSentences})
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainRows != 2500 || res.TestRows != 2500 {
		t.Errorf("split %d/%d, want 2500/2500", res.TrainRows, res.TestRows)
	}
	if res.Vocabulary != 3859 {
		t.Errorf("vocabulary %d terms, scikit-learn has 3859", res.Vocabulary)
	}
	if math.Abs(res.AUC-0.90384384) > 1e-6 {
		t.Errorf("ROC AUC %.8f, scikit-learn 0.90384384", res.AUC)
	}
	if math.Abs(res.Accuracy-0.8264) > 1e-12 {
		t.Errorf("accuracy %.6f, scikit-learn 0.8264", res.Accuracy)
	}
	for i, want := range []float64{0.92963062, 0.05202607, 0.5176148} {
		if math.Abs(res.Sentences[i]-want) > 1e-4 {
			t.Errorf("sentence %d: P(positive) %.6f, scikit-learn %.6f", i, res.Sentences[i], want)
		}
	}
	// The reloaded bundle, fed raw reviews with their "<br />", must score
	// exactly as the model in memory fed cleaned text.
	if res.MaxReloadDiff != 0 {
		t.Errorf("reloaded pipeline differs from the fitted one by %g", res.MaxReloadDiff)
	}

	// The bundle on disk carries what a service needs to report.
	p, err := persist.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Metrics["test_roc_auc"]; got != res.AUC {
		t.Errorf("bundle's test_roc_auc %v, want %v", got, res.AUC)
	}
	if len(p.Steps) != 2 || p.TextPreprocess != "br_to_space" || p.Lineage.Rows != 2500 {
		t.Errorf("bundle: %d steps, preprocess %q, %d rows", len(p.Steps), p.TextPreprocess, p.Lineage.Rows)
	}
	for _, want := range []string{"ROC AUC 0.9038", "most negative words: worst, waste, boring"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
