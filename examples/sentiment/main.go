// Command sentiment trains an IMDB movie-review sentiment classifier end to
// end, as chapters 1 and 2 of Data Science in Production build their first
// models, as one pipeline: a binary bag of words (scikit-learn's
// CountVectorizer(max_df=0.1, binary=True)) and a logistic regression,
// cross-validated, tuned by a grid search over the words' minimum document
// frequency and the regression's C, scored by ROC AUC on held-out reviews,
// saved as a .kiln bundle and loaded back, as a scoring service would, to
// score new sentences. The labels stay the words "negative" and "positive"
// from training to the saved model's answers.
//
// The split is the original one of the Stanford data set: reviews
// 12,500-24,999 and 37,500-49,999 train, the others test. By default it runs
// on the 5,000 reviews embedded in the binary (every 10th review, so the same
// split holds); -full uses the 50,000 reviews fetched by scripts/fetch-data.sh
// into data/imdb/reviews.json (or $KILN_DATA/imdb/reviews.json). On the
// sample every figure equals scikit-learn 1.2.1's (see the test).
//
//	go run ./examples/sentiment
//	go run ./examples/sentiment -full -out sentiment.kiln
//	go run ./examples/sentiment "What a fantastic film" "Utterly boring"
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/examples/internal/reviews"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/internal/progress"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/selection"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

type config struct {
	Full      bool      // use the 50,000 fetched reviews
	Out       string    // bundle path; empty: a temporary file
	Sentences []string  // new text to score with the reloaded pipeline
	Progress  io.Writer // where progress is drawn (a bar on a terminal); nil: nowhere
}

// defaultSentences are scored when none are given on the command line.
var defaultSentences = []string{
	"A wonderful, moving film with superb performances.",
	"Dreadful script, wooden acting and a waste of two hours.",
	"The plot was thin but the cast made it worth watching.",
}

func main() {
	log.SetFlags(0)
	cfg := config{Progress: os.Stderr}
	flag.BoolVar(&cfg.Full, "full", false, "use the 50,000 reviews of data/imdb/reviews.json (scripts/fetch-data.sh)")
	flag.StringVar(&cfg.Out, "out", "", "where to save the .kiln bundle (default: a temporary file, removed at exit)")
	flag.Parse()
	cfg.Sentences = flag.Args()
	if len(cfg.Sentences) == 0 {
		cfg.Sentences = defaultSentences
	}
	if _, err := run(os.Stdout, cfg); err != nil {
		log.Fatal("sentiment: ", err)
	}
}

// result holds what the tests check beyond the printed report.
type result struct {
	TrainRows, TestRows int
	FoldAUC             []float64 // 5-fold ROC AUC of the starting pipeline
	GridAUC             []float64 // mean 5-fold ROC AUC of each grid candidate
	Best                map[string]any
	Vocabulary          int
	AUC, Accuracy       float64
	Sentences           []float64 // P(positive) of each new sentence, from the reloaded bundle
	MaxReloadDiff       float64   // largest probability difference, reloaded vs in memory, on the test rows
}

func run(w io.Writer, cfg config) (*result, error) {
	ctx := context.Background()
	bar := progress.New(cfg.Progress, "loading reviews")
	set, err := reviews.Load(cfg.Full, bar.Func())
	if err != nil {
		return nil, err
	}
	bar.Done()
	train, test := set.Frames() // "review" (raw text) and "sentiment" ("negative" or "positive")
	res := &result{TrainRows: train.NumRows(), TestRows: test.NumRows()}
	fmt.Fprintf(w, "IMDB reviews: %d from %s\n", len(set.Docs), set.Source)
	fmt.Fprintf(w, "original split: %d training reviews, %d test reviews\n\n", res.TrainRows, res.TestRows)

	// One pipeline: a term counts once per review; terms in fewer than 10
	// reviews or in more than 10% of them are left out; "<br />" becomes a
	// space first (a named preprocessor, so that the saved model does it too).
	p := pipeline.New(
		&text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true},
		&models.LogisticRegression{C: 1, MaxIter: 1000},
	)
	p.TextColumn, p.TextPreprocess = "review", "br_to_space"

	// 5-fold cross-validation on the training reviews: each fold learns its
	// own vocabulary, so no word of a held-out fold shapes its model.
	folds, err := train.StratifiedKFold(5, "sentiment", 0, false)
	if err != nil {
		return nil, err
	}
	if res.FoldAUC, err = selection.CrossValidatePipeline(ctx, p, train, "sentiment", folds, selection.PipelineROCAUC, 0); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "5-fold ROC AUC (min_df=10, C=1): %s\n", formatScores(res.FoldAUC))

	// A grid search over the vocabulary's floor and the regularization.
	search := selection.PipelineSearch{
		Pipeline: p,
		Grid: map[string][]any{
			"countvectorizer.MinDF": {text.DF{Docs: 5}, text.DF{Docs: 10}},
			"logisticregression.C":  {0.1, 1.0},
		},
		Splits: folds,
		Score:  selection.PipelineROCAUC,
		Refit:  true,
	}
	bar = progress.New(cfg.Progress, "grid search")
	search.Progress = bar.Func()
	grid, err := search.Run(ctx, train, "sentiment")
	if err != nil {
		return nil, err
	}
	bar.Done()
	fmt.Fprintln(w, "grid search, mean 5-fold ROC AUC:")
	for c, params := range grid.Candidates {
		fmt.Fprintf(w, "  min_df %-3d C %-4v %.4f\n", params["countvectorizer.MinDF"].(text.DF).Docs, params["logisticregression.C"], grid.Mean[c])
	}
	res.GridAUC, res.Best = grid.Mean, grid.Candidates[grid.Best]
	best := grid.BestPipeline
	words := best.Steps[0].(*text.CountVectorizer)
	model := best.Steps[1].(*models.LogisticRegression)
	res.Vocabulary = words.Vocabulary().Len()
	fmt.Fprintf(w, "chosen: min_df %d, C %v, refitted on the %d training reviews: %d terms, %d L-BFGS iterations\n",
		res.Best["countvectorizer.MinDF"].(text.DF).Docs, res.Best["logisticregression.C"], res.TrainRows, res.Vocabulary, model.Iterations())
	printStrongestWords(w, model, words.Vocabulary(), 8)

	// Held-out quality.
	if res.AUC, err = selection.PipelineROCAUC(best, test, "sentiment"); err != nil {
		return nil, err
	}
	if res.Accuracy, err = selection.PipelineAccuracy(best, test, "sentiment"); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "held-out reviews: ROC AUC %.4f, accuracy %.4f\n\n", res.AUC, res.Accuracy)
	best.Metrics["test_roc_auc"], best.Metrics["test_accuracy"] = res.AUC, res.Accuracy

	// Save it, then load it back as another program would and check that it
	// scores the raw test reviews exactly as the pipeline in memory did.
	path := cfg.Out
	if path == "" {
		dir, err := os.MkdirTemp("", "kiln-sentiment")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "sentiment.kiln")
	}
	if err := persist.Save(path, best, persist.SaveOptions{Overwrite: cfg.Out != ""}); err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "saved %s (%d bytes)\n", path, info.Size())
	scorer, err := persist.Load(path)
	if err != nil {
		return nil, err
	}
	before, err := best.PredictProba(test)
	if err != nil {
		return nil, err
	}
	after, err := scorer.PredictProba(test)
	if err != nil {
		return nil, err
	}
	var diff mat.Dense
	diff.Sub(before, after)
	res.MaxReloadDiff = math.Max(mat.Max(&diff), -mat.Min(&diff))
	fmt.Fprintf(w, "reloaded pipeline on the %d raw test reviews: largest probability difference %.1g\n\n", res.TestRows, res.MaxReloadDiff)

	// Score new sentences: the answer is a word, with its probability.
	fresh := dataset.MustNew(dataset.NewString("review", cfg.Sentences, nil))
	labels, err := scorer.Predict(fresh)
	if err != nil {
		return nil, err
	}
	proba, err := scorer.PredictProba(fresh)
	if err != nil {
		return nil, err
	}
	positive := 1 // the column of "positive": classes are in sorted order
	fmt.Fprintln(w, "predicted  P(positive)  sentence")
	for i, s := range cfg.Sentences {
		res.Sentences = append(res.Sentences, proba.At(i, positive))
		fmt.Fprintf(w, "%-9s  %11.3f  %s\n", labels.StringAt(i), proba.At(i, positive), s)
	}
	return res, nil
}

func formatScores(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.4f", x)
	}
	return strings.Join(s, " ")
}

// printStrongestWords lists the terms with the largest positive and negative
// coefficients: what the model learned.
func printStrongestWords(w io.Writer, model *models.LogisticRegression, vocab *text.Vocabulary, n int) {
	coef := mat.Row(nil, 0, model.Coef())
	order := make([]int, len(coef))
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return coef[order[a]] > coef[order[b]] })
	var pos, neg []string
	for k := 0; k < n && k < len(order); k++ {
		pos = append(pos, vocab.Term(order[k]))
		neg = append(neg, vocab.Term(order[len(order)-1-k]))
	}
	fmt.Fprintf(w, "  most positive words: %s\n", strings.Join(pos, ", "))
	fmt.Fprintf(w, "  most negative words: %s\n", strings.Join(neg, ", "))
}
