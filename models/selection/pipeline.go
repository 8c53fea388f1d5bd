package selection

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/models/metrics"
	"github.com/kiln-ml/kiln/pipeline"
	"golang.org/x/sync/errgroup"
)

// PipelineScorer scores a fitted pipeline on held-out rows, whose target
// column is named target; larger is better.
type PipelineScorer func(p *pipeline.Pipeline, data *dataset.Frame, target string) (float64, error)

// CrossValidatePipeline fits a clone of p (every step unfitted, with p's
// settings) on each split's training rows and scores it on the split's test
// rows: every encoder learns from its training part only, so nothing of a
// test fold leaks into its model. The fits run in parallel on at most
// workers goroutines (0 means GOMAXPROCS); the scores, one per split, do not
// depend on workers. p itself is not changed.
func CrossValidatePipeline(ctx context.Context, p *pipeline.Pipeline, data *dataset.Frame, target string, splits []Split, score PipelineScorer, workers int) ([]float64, error) {
	s := PipelineSearch{Pipeline: p, Splits: splits, Score: score, Workers: workers}
	res, err := s.Run(ctx, data, target)
	if err != nil {
		return nil, err
	}
	return res.FoldScores[0], nil
}

// PipelineSearch is a grid search over a pipeline's parameters: each
// candidate, one combination of the Grid's values, is set on a clone of the
// pipeline (Pipeline.Set), fitted on every split's training rows and scored
// on its test rows. Fits run in parallel on at most Workers goroutines; the
// result does not depend on Workers.
type PipelineSearch struct {
	// Pipeline holds the steps and the settings the grid does not change.
	Pipeline *pipeline.Pipeline
	// Grid maps parameters addressed by step ("logisticregression.C",
	// "countvectorizer.MinDF") to the values to try. Candidates are every
	// combination, in the order of scikit-learn's ParameterGrid: parameter
	// names sorted, the last name's values changing fastest. An empty grid
	// has one candidate: the pipeline as it is.
	Grid map[string][]any
	// Splits are the train/test partitions (KFold, StratifiedKFold, ...).
	Splits []Split
	// Score scores a fitted pipeline on held-out rows; nil means PipelineR2
	// for a regression and PipelineAccuracy for a classifier.
	Score PipelineScorer
	// Workers bounds the fits running at once; 0 means GOMAXPROCS.
	Workers int
	// Refit fits the best candidate on all rows into the result's Best field.
	Refit bool
	// Progress, if set, is told of each finished fit (Stage "fit", Done of
	// Total), from one goroutine at a time.
	Progress kiln.ProgressFunc
}

// PipelineSearchResult holds the scores of a PipelineSearch, indexed like
// its Candidates.
type PipelineSearchResult struct {
	Candidates []map[string]any
	FoldScores [][]float64 // [candidate][split]
	Mean, Std  []float64   // over splits (population standard deviation, as scikit-learn)
	Best       int         // candidate with the highest mean score (the first on ties)
	// BestPipeline is the best candidate fitted on all rows, when Refit is set.
	BestPipeline *pipeline.Pipeline
}

// candidates expands the grid in ParameterGrid's order.
func (s *PipelineSearch) candidates() []map[string]any {
	names := make([]string, 0, len(s.Grid))
	for n := range s.Grid {
		names = append(names, n)
	}
	slices.Sort(names)
	out := []map[string]any{{}}
	for _, n := range names {
		var next []map[string]any
		for _, c := range out {
			for _, v := range s.Grid[n] {
				m := make(map[string]any, len(c)+1)
				for k, x := range c {
					m[k] = x
				}
				m[n] = v
				next = append(next, m)
			}
		}
		out = next
	}
	return out
}

// candidate returns an unfitted clone of the pipeline with a candidate's
// parameters set.
func (s *PipelineSearch) candidate(params map[string]any) (*pipeline.Pipeline, error) {
	p := s.Pipeline.Clone()
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := p.Set(n, params[n]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Run fits and scores every candidate on every split of data.
func (s *PipelineSearch) Run(ctx context.Context, data *dataset.Frame, target string) (*PipelineSearchResult, error) {
	if s.Pipeline == nil || len(s.Splits) == 0 {
		return nil, fmt.Errorf("selection.PipelineSearch: need a Pipeline and Splits: %w", ErrInput)
	}
	if data == nil || data.NumRows() == 0 {
		return nil, fmt.Errorf("selection.PipelineSearch: no rows: %w", ErrInput)
	}
	for n, vals := range s.Grid {
		if len(vals) == 0 {
			return nil, fmt.Errorf("selection.PipelineSearch: parameter %q has no values: %w", n, ErrInput)
		}
	}
	cands := s.candidates()
	// Check every candidate's parameters before fitting anything.
	for c, params := range cands {
		if _, err := s.candidate(params); err != nil {
			return nil, fmt.Errorf("selection.PipelineSearch: candidate %d: %w", c, err)
		}
	}
	for i, sp := range s.Splits {
		for _, r := range slices.Concat(sp.Train, sp.Test) {
			if r < 0 || r >= data.NumRows() {
				return nil, fmt.Errorf("selection.PipelineSearch: split %d holds row %d of %d: %w", i, r, data.NumRows(), ErrInput)
			}
		}
	}
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type fold struct{ train, test *dataset.Frame }
	folds := make([]fold, len(s.Splits))
	for i, sp := range s.Splits {
		folds[i] = fold{data.Take(sp.Train), data.Take(sp.Test)}
	}
	res := &PipelineSearchResult{Candidates: cands, FoldScores: make([][]float64, len(cands))}
	for c := range res.FoldScores {
		res.FoldScores[c] = make([]float64, len(folds))
	}
	total := len(cands) * len(folds)
	var mu sync.Mutex
	done := 0
	eg, fitCtx := errgroup.WithContext(ctx)
	eg.SetLimit(workers)
	for c := range cands {
		for f := range folds {
			eg.Go(func() error {
				if err := fitCtx.Err(); err != nil {
					return err
				}
				p, err := s.candidate(cands[c])
				if err != nil {
					return err
				}
				if err := p.Fit(fitCtx, folds[f].train, target); err != nil {
					return fmt.Errorf("selection.PipelineSearch: candidate %d, split %d: %w", c, f, err)
				}
				score := s.Score
				if score == nil {
					score = defaultScorer(p)
				}
				v, err := score(p, folds[f].test, target)
				if err != nil {
					return fmt.Errorf("selection.PipelineSearch: candidate %d, split %d: scoring: %w", c, f, err)
				}
				res.FoldScores[c][f] = v
				if s.Progress != nil {
					mu.Lock()
					done++
					s.Progress(kiln.Progress{Stage: "fit", Done: int64(done), Total: int64(total)})
					mu.Unlock()
				}
				return nil
			})
		}
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	res.Mean, res.Std = make([]float64, len(cands)), make([]float64, len(cands))
	for c, scores := range res.FoldScores {
		res.Mean[c], res.Std[c] = meanStd(scores)
		if res.Mean[c] > res.Mean[res.Best] {
			res.Best = c
		}
	}
	if s.Refit {
		p, err := s.candidate(cands[res.Best])
		if err != nil {
			return nil, err
		}
		if err := p.Fit(ctx, data, target); err != nil {
			return nil, fmt.Errorf("selection.PipelineSearch: refitting candidate %d: %w", res.Best, err)
		}
		res.BestPipeline = p
	}
	return res, nil
}

func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)))
}

func defaultScorer(p *pipeline.Pipeline) PipelineScorer {
	if p.Outputs().Kind == pipeline.Classes {
		return PipelineAccuracy
	}
	return PipelineR2
}

// numbers returns a numeric column's values, refusing nulls.
func numbers(data *dataset.Frame, name string) ([]float64, error) {
	col, err := data.Column(name)
	if err != nil {
		return nil, err
	}
	out := make([]float64, col.Len())
	for i := range out {
		v, ok := col.FloatAt(i)
		if !ok {
			return nil, fmt.Errorf("target %q is missing or not a number at row %d: %w", name, i, ErrInput)
		}
		out[i] = v
	}
	return out, nil
}

// PipelineR2 scores a regression pipeline by the coefficient of
// determination of its predictions.
func PipelineR2(p *pipeline.Pipeline, data *dataset.Frame, target string) (float64, error) {
	pred, y, err := predictNumbers(p, data, target)
	if err != nil {
		return 0, err
	}
	return metrics.R2(y, pred)
}

// PipelineNegRMSE scores a regression pipeline by minus the root mean
// squared error.
func PipelineNegRMSE(p *pipeline.Pipeline, data *dataset.Frame, target string) (float64, error) {
	pred, y, err := predictNumbers(p, data, target)
	if err != nil {
		return 0, err
	}
	v, err := metrics.RMSE(y, pred)
	return -v, err
}

func predictNumbers(p *pipeline.Pipeline, data *dataset.Frame, target string) (pred, y []float64, err error) {
	col, err := p.Predict(data)
	if err != nil {
		return nil, nil, err
	}
	if col.Type() != dataset.Float64 {
		return nil, nil, fmt.Errorf("the pipeline predicts %s labels, not values: %w", col.Type(), ErrInput)
	}
	y, err = numbers(data, target)
	return col.Float64s(), y, err
}

// PipelineAccuracy scores a classifier pipeline by the fraction of rows
// whose predicted label is the target's.
func PipelineAccuracy(p *pipeline.Pipeline, data *dataset.Frame, target string) (float64, error) {
	pred, err := p.Predict(data)
	if err != nil {
		return 0, err
	}
	truth, err := data.Column(target)
	if err != nil {
		return 0, err
	}
	if truth.Len() == 0 {
		return 0, fmt.Errorf("no rows: %w", ErrInput)
	}
	right := 0
	for i := 0; i < truth.Len(); i++ {
		if !truth.IsNull(i) && pred.Format(i) == truth.Format(i) {
			right++
		}
	}
	return float64(right) / float64(truth.Len()), nil
}

// classIndex returns, for each row, the index of its target label among the
// pipeline's classes (the column of PredictProba that stands for it).
func classIndex(p *pipeline.Pipeline, data *dataset.Frame, target string) ([]float64, int, error) {
	classes := p.Classes()
	if classes == nil {
		return nil, 0, fmt.Errorf("the pipeline is not a classifier: %w", ErrInput)
	}
	index := make(map[string]int, classes.Len())
	for i := 0; i < classes.Len(); i++ {
		index[classes.Format(i)] = i
	}
	truth, err := data.Column(target)
	if err != nil {
		return nil, 0, err
	}
	out := make([]float64, truth.Len())
	for i := range out {
		k, ok := index[truth.Format(i)]
		if !ok || truth.IsNull(i) {
			known := make([]string, classes.Len())
			for j := range known {
				known[j] = classes.Format(j)
			}
			return nil, 0, fmt.Errorf("row %d: label %s is not one of the classes the pipeline learned (%s): %w", i, truth.Format(i), strings.Join(known, ", "), ErrInput)
		}
		out[i] = float64(k)
	}
	return out, classes.Len(), nil
}

// PipelineNegLogLoss scores a classifier pipeline by minus the log-loss of
// its probabilities.
func PipelineNegLogLoss(p *pipeline.Pipeline, data *dataset.Frame, target string) (float64, error) {
	y, k, err := classIndex(p, data, target)
	if err != nil {
		return 0, err
	}
	proba, err := p.PredictProba(data)
	if err != nil {
		return 0, err
	}
	labels := make([]float64, k)
	for i := range labels {
		labels[i] = float64(i)
	}
	v, err := metrics.LogLoss(y, proba, labels)
	return -v, err
}

// PipelineROCAUC scores a two-class pipeline by the area under the ROC curve
// of the probability of its second class (Classes order).
func PipelineROCAUC(p *pipeline.Pipeline, data *dataset.Frame, target string) (float64, error) {
	y, k, err := classIndex(p, data, target)
	if err != nil {
		return 0, err
	}
	if k != 2 {
		return 0, fmt.Errorf("ROC AUC needs two classes, the pipeline has %d: %w", k, ErrInput)
	}
	proba, err := p.PredictProba(data)
	if err != nil {
		return 0, err
	}
	score := make([]float64, len(y))
	for i := range score {
		score[i] = proba.At(i, 1)
	}
	return metrics.ROCAUC(y, score)
}
