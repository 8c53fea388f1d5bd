package selection

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/kiln-ml/kiln"
	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"
)

// GridSearch fits one model per candidate configuration P on every split and
// scores it on the split's test rows. Fits run in parallel on at most
// Workers goroutines; the result does not depend on Workers.
type GridSearch[P any] struct {
	// Candidates are the configurations to try, e.g. []float64{0.01, 0.1, 1} for C.
	Candidates []P
	// New builds an unfitted model for a candidate. It is called once per
	// fit, possibly from several goroutines at once.
	New func(P) Model
	// Splits are the train/test partitions (KFold, StratifiedKFold, TrainTestSplit).
	Splits []Split
	// Score scores a fitted model on held-out rows (larger is better); nil means R2.
	Score Scorer
	// Workers bounds the fits running at once; 0 means GOMAXPROCS.
	Workers int
	// Refit fits the best candidate on all rows into GridResult.BestModel.
	Refit bool
	// Progress, if set, is called after each fit is scored, from one
	// goroutine at a time, with Stage "fold", Done the fits scored so far,
	// Total candidates × splits and Value the score just computed (fits
	// finish in any order, so that score may be of any candidate and split).
	Progress kiln.ProgressFunc
}

// GridResult holds the scores of a GridSearch, indexed like its Candidates.
type GridResult[P any] struct {
	Candidates []P
	FoldScores [][]float64 // [candidate][split]
	Mean, Std  []float64   // over splits (population standard deviation, as scikit-learn)
	Best       int         // candidate with the highest mean score (the first on ties)
	BestModel  Model       // fitted on all rows when Refit is set
}

// Run fits and scores every candidate on every split of (X, y).
func (g *GridSearch[P]) Run(ctx context.Context, X mat.Matrix, y []float64) (*GridResult[P], error) {
	if len(g.Candidates) == 0 || g.New == nil || len(g.Splits) == 0 {
		return nil, fmt.Errorf("selection.GridSearch: need Candidates, New and Splits: %w", ErrInput)
	}
	if X == nil {
		return nil, fmt.Errorf("selection.GridSearch: X is nil: %w", ErrInput)
	}
	if r, _ := X.Dims(); r != len(y) {
		return nil, fmt.Errorf("selection.GridSearch: X has %d rows, y has %d: %w", r, len(y), ErrInput)
	}
	score := g.Score
	if score == nil {
		score = R2
	}
	workers := g.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Slice every split once; the pieces are shared read-only by the fits.
	type fold struct {
		xTrain, xTest mat.Matrix
		yTrain, yTest []float64
	}
	folds := make([]fold, len(g.Splits))
	for s, sp := range g.Splits {
		var err error
		if folds[s].xTrain, err = Rows(X, sp.Train); err != nil {
			return nil, fmt.Errorf("selection.GridSearch: split %d train: %w", s, err)
		}
		if folds[s].xTest, err = Rows(X, sp.Test); err != nil {
			return nil, fmt.Errorf("selection.GridSearch: split %d test: %w", s, err)
		}
		folds[s].yTrain, folds[s].yTest = Values(y, sp.Train), Values(y, sp.Test)
	}
	res := &GridResult[P]{Candidates: g.Candidates, FoldScores: make([][]float64, len(g.Candidates))}
	for c := range res.FoldScores {
		res.FoldScores[c] = make([]float64, len(folds))
	}
	total := len(g.Candidates) * len(folds)
	var mu sync.Mutex
	done := 0
	eg, fitCtx := errgroup.WithContext(ctx) // cancelled when Wait returns
	eg.SetLimit(workers)
	for c := range g.Candidates {
		for s := range folds {
			eg.Go(func() error {
				if err := fitCtx.Err(); err != nil {
					return err
				}
				m := g.New(g.Candidates[c])
				if err := m.Fit(fitCtx, folds[s].xTrain, folds[s].yTrain); err != nil {
					return fmt.Errorf("selection.GridSearch: candidate %d, split %d: %w", c, s, err)
				}
				v, err := score(m, folds[s].xTest, folds[s].yTest)
				if err != nil {
					return fmt.Errorf("selection.GridSearch: candidate %d, split %d: scoring: %w", c, s, err)
				}
				res.FoldScores[c][s] = v
				if g.Progress != nil {
					mu.Lock()
					done++
					g.Progress(kiln.Progress{Stage: "fold", Done: int64(done), Total: int64(total), Value: v})
					mu.Unlock()
				}
				return nil
			})
		}
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	res.Mean = make([]float64, len(g.Candidates))
	res.Std = make([]float64, len(g.Candidates))
	for c, scores := range res.FoldScores {
		for _, v := range scores {
			res.Mean[c] += v
		}
		res.Mean[c] /= float64(len(scores))
		for _, v := range scores {
			res.Std[c] += (v - res.Mean[c]) * (v - res.Mean[c])
		}
		res.Std[c] = math.Sqrt(res.Std[c] / float64(len(scores)))
		if res.Mean[c] > res.Mean[res.Best] {
			res.Best = c
		}
	}
	if g.Refit {
		m := g.New(g.Candidates[res.Best])
		if err := m.Fit(ctx, X, y); err != nil {
			return nil, fmt.Errorf("selection.GridSearch: refitting candidate %d: %w", res.Best, err)
		}
		res.BestModel = m
	}
	return res, nil
}

// CrossValidate fits a fresh model from newModel on each split's training
// rows and returns its score on the split's test rows, one per split, with
// the fits run in parallel on at most workers goroutines (0 means GOMAXPROCS).
func CrossValidate(ctx context.Context, newModel func() Model, X mat.Matrix, y []float64, splits []Split, score Scorer, workers int) ([]float64, error) {
	if newModel == nil {
		return nil, fmt.Errorf("selection.CrossValidate: newModel is nil: %w", ErrInput)
	}
	g := GridSearch[struct{}]{
		Candidates: []struct{}{{}},
		New:        func(struct{}) Model { return newModel() },
		Splits:     splits, Score: score, Workers: workers,
	}
	res, err := g.Run(ctx, X, y)
	if err != nil {
		return nil, err
	}
	return res.FoldScores[0], nil
}
