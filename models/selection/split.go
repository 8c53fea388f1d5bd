package selection

import (
	"errors"
	"fmt"

	"github.com/kiln-ml/kiln/dataset"
)

// ErrInput is wrapped by every error about the arguments (errors.Is).
var ErrInput = errors.New("selection: invalid input")

// Split is one partition of row indices into training and test rows; it is
// the dataset package's Fold, so that splits made on a Frame
// (Frame.KFold, Frame.StratifiedKFold) drive cross-validation directly.
type Split = dataset.Fold

// The index helpers below are the dataset package's (seeded PCG,
// scikit-learn's sizes and fold layout); these wrappers give them the
// learner-style shape (config as fields, zero value = scikit-learn's default)
// and wrap their errors in ErrInput.

// TrainTestSplit shuffles rows 0..n-1 with seed and puts ceil(testFraction*n)
// of them in Test (scikit-learn's rounding), the rest in Train, both in the
// shuffled order. See dataset.SplitIndex.
func TrainTestSplit(n int, testFraction float64, seed uint64) (Split, error) {
	train, test, err := dataset.SplitIndex(n, testFraction, seed)
	if err != nil {
		return Split{}, fmt.Errorf("selection.TrainTestSplit: %w: %w", ErrInput, err)
	}
	return Split{Train: train, Test: test}, nil
}

// StratifiedTrainTestSplit is TrainTestSplit keeping the class proportions of
// y in both parts (scikit-learn's StratifiedShuffleSplit rounding). See
// dataset.StratifiedSplitIndex.
func StratifiedTrainTestSplit(y []float64, testFraction float64, seed uint64) (Split, error) {
	train, test, err := dataset.StratifiedSplitIndex(y, testFraction, seed)
	if err != nil {
		return Split{}, fmt.Errorf("selection.StratifiedTrainTestSplit: %w: %w", ErrInput, err)
	}
	return Split{Train: train, Test: test}, nil
}

// KFold splits rows into K consecutive folds (the first n%K folds one row
// larger), each the test set once, as scikit-learn's KFold. With Shuffle the
// rows are permuted with Seed first. See dataset.KFoldIndex.
type KFold struct {
	K       int // number of folds; 0 means 5
	Shuffle bool
	Seed    uint64
}

// Splits returns the K splits of n rows, indices ascending.
func (f KFold) Splits(n int) ([]Split, error) {
	k := f.K
	if k == 0 {
		k = 5
	}
	folds, err := dataset.KFoldIndex(n, k, f.Shuffle, f.Seed)
	if err != nil {
		return nil, fmt.Errorf("selection.KFold: %w: %w", ErrInput, err)
	}
	return folds, nil
}

// StratifiedKFold is KFold that keeps each class's share in every fold, with
// scikit-learn 1.2.1's allocation (unshuffled folds are exactly
// scikit-learn's). See dataset.StratifiedKFoldIndex.
type StratifiedKFold struct {
	K       int // number of folds; 0 means 5
	Shuffle bool
	Seed    uint64
}

// Splits returns the K stratified splits of the rows labelled y.
func (f StratifiedKFold) Splits(y []float64) ([]Split, error) {
	k := f.K
	if k == 0 {
		k = 5
	}
	folds, err := dataset.StratifiedKFoldIndex(y, k, f.Shuffle, f.Seed)
	if err != nil {
		return nil, fmt.Errorf("selection.StratifiedKFold: %w: %w", ErrInput, err)
	}
	return folds, nil
}
