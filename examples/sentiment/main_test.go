package main

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/persist"
)

// The example on the embedded sample must reproduce scikit-learn 1.2.1 on the
// same reviews and split, computed with /usr/bin/python3 (Debian
// python3-sklearn 1.2.1) on dataset/builtin/data/imdb_sample.csv.gz with
// "<br />" replaced by a space, train = sample rows i with 10i in
// 12,500-24,999 or 37,500-49,999:
//
//	p = make_pipeline(CountVectorizer(min_df=10, max_df=0.1, binary=True), LogisticRegression(C=1, max_iter=1000))
//	cross_val_score(p, X, y, cv=5, scoring="roc_auc")
//	  -> 0.867536, 0.878816, 0.908896, 0.88104, 0.88288
//	GridSearchCV(p, {"countvectorizer__min_df": [5, 10], "logisticregression__C": [0.1, 1]}, cv=5, scoring="roc_auc")
//	  -> mean_test_score 0.9004736, 0.888544, 0.8982368, 0.8838336; best min_df=5, C=0.1
//	best_estimator_: 6,945 terms, test ROC AUC 0.92040576, accuracy 0.8508,
//	  P(positive) 0.81095861, 0.18820515, 0.50974416 for the three default sentences;
//	  most negative words: worst, waste, boring, awful, unfortunately, poorly, poor, horrible.
func TestSentimentMatchesScikitLearn(t *testing.T) {
	var out bytes.Buffer
	path := filepath.Join(t.TempDir(), "sentiment.kiln")
	res, err := run(&out, config{Out: path, Sentences: defaultSentences})
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainRows != 2500 || res.TestRows != 2500 {
		t.Errorf("split %d/%d, want 2500/2500", res.TrainRows, res.TestRows)
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %.8f, scikit-learn %.8f", what, got, want)
		}
	}
	for i, want := range []float64{0.867536, 0.878816, 0.908896, 0.88104, 0.88288} {
		near("fold ROC AUC", res.FoldAUC[i], want, 1e-6)
	}
	for i, want := range []float64{0.9004736, 0.888544, 0.8982368, 0.8838336} {
		near("grid mean ROC AUC", res.GridAUC[i], want, 1e-6)
	}
	if res.Best["countvectorizer.MinDF"] != (text.DF{Docs: 5}) || res.Best["logisticregression.C"] != 0.1 {
		t.Errorf("best %v", res.Best)
	}
	if res.Vocabulary != 6945 {
		t.Errorf("vocabulary %d terms, scikit-learn has 6945", res.Vocabulary)
	}
	near("test ROC AUC", res.AUC, 0.92040576, 1e-6)
	near("test accuracy", res.Accuracy, 0.8508, 1e-12)
	for i, want := range []float64{0.81095861, 0.18820515, 0.50974416} {
		near("P(positive)", res.Sentences[i], want, 1e-4)
	}
	// The reloaded bundle, fed raw reviews with their "<br />", must score
	// exactly as the pipeline in memory.
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
	if c := p.Classes(); c.StringAt(0) != "negative" || c.StringAt(1) != "positive" {
		t.Errorf("classes %v", c)
	}
	if len(p.Steps) != 2 || p.TextPreprocess != "br_to_space" || p.Lineage.Rows != 2500 {
		t.Errorf("bundle: %d steps, preprocess %q, %d rows", len(p.Steps), p.TextPreprocess, p.Lineage.Rows)
	}
	for _, want := range []string{"ROC AUC 0.9204", "most negative words: worst, waste, boring, awful, unfortunately, poorly, poor, horrible", "positive         0.811"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
