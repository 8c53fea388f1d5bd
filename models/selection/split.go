package selection

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrInput is wrapped by every error about the arguments (errors.Is).
var ErrInput = errors.New("selection: invalid input")

// Split is one partition of row indices into training and test rows.
type Split struct {
	Train, Test []int
}

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// TrainTestSplit shuffles rows 0..n-1 with seed and puts ceil(testFraction*n)
// of them in Test (scikit-learn's rounding), the rest in Train. Both keep
// the shuffled order.
func TrainTestSplit(n int, testFraction float64, seed uint64) (Split, error) {
	if n < 2 {
		return Split{}, fmt.Errorf("selection.TrainTestSplit: %d rows, need at least 2: %w", n, ErrInput)
	}
	if !(testFraction > 0 && testFraction < 1) {
		return Split{}, fmt.Errorf("selection.TrainTestSplit: testFraction %v, want a value in (0, 1): %w", testFraction, ErrInput)
	}
	nTest := int(math.Ceil(testFraction * float64(n)))
	if nTest >= n {
		return Split{}, fmt.Errorf("selection.TrainTestSplit: testFraction %v leaves no training row of %d: %w", testFraction, n, ErrInput)
	}
	perm := newRand(seed).Perm(n)
	return Split{Train: perm[nTest:], Test: perm[:nTest]}, nil
}

// KFold splits rows into K consecutive folds (the first n%K folds one row
// larger), each the test set once, as scikit-learn's KFold. With Shuffle the
// rows are permuted with Seed first.
type KFold struct {
	K       int // number of folds; 0 means 5
	Shuffle bool
	Seed    uint64
}

// Splits returns the K splits of n rows.
func (f KFold) Splits(n int) ([]Split, error) {
	k := f.K
	if k == 0 {
		k = 5
	}
	if k < 2 || k > n {
		return nil, fmt.Errorf("selection.KFold: K = %d for %d rows, want 2 <= K <= rows: %w", k, n, ErrInput)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if f.Shuffle {
		idx = newRand(f.Seed).Perm(n)
	}
	fold := make([]int, n)
	start := 0
	for i := 0; i < k; i++ {
		size := n / k
		if i < n%k {
			size++
		}
		for _, r := range idx[start : start+size] {
			fold[r] = i
		}
		start += size
	}
	return splitsFromFolds(fold, k), nil
}

// StratifiedKFold is KFold that keeps each class's share in every fold, with
// scikit-learn 1.2.1's allocation: rows sorted by class (classes in order of
// first appearance) are dealt round-robin to folds to fix how many rows of
// each class every fold gets, then each class's rows fill its folds in row
// order (or shuffled with Seed).
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
	n := len(y)
	if k < 2 || k > n {
		return nil, fmt.Errorf("selection.StratifiedKFold: K = %d for %d rows, want 2 <= K <= rows: %w", k, n, ErrInput)
	}
	// Encode classes in order of first appearance.
	code := map[float64]int{}
	enc := make([]int, n)
	for i, v := range y {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("selection.StratifiedKFold: y[%d] is NaN: %w", i, ErrInput)
		}
		c, ok := code[v]
		if !ok {
			c = len(code)
			code[v] = c
		}
		enc[i] = c
	}
	nc := len(code)
	count := make([]int, nc)
	for _, c := range enc {
		count[c]++
	}
	if slices.Max(count) < k {
		return nil, fmt.Errorf("selection.StratifiedKFold: K = %d exceeds the largest class (%d rows): %w", k, slices.Max(count), ErrInput)
	}
	// allocation[i][c]: rows of class c in fold i, from dealing the class-sorted rows round-robin.
	sorted := slices.Clone(enc)
	slices.Sort(sorted)
	alloc := make([][]int, k)
	for i := range alloc {
		alloc[i] = make([]int, nc)
	}
	for j, c := range sorted {
		alloc[j%k][c]++
	}
	var rng *rand.Rand
	if f.Shuffle {
		rng = newRand(f.Seed)
	}
	fold := make([]int, n)
	for c := 0; c < nc; c++ {
		var folds []int
		for i := 0; i < k; i++ {
			for range alloc[i][c] {
				folds = append(folds, i)
			}
		}
		if rng != nil {
			rng.Shuffle(len(folds), func(a, b int) { folds[a], folds[b] = folds[b], folds[a] })
		}
		next := 0
		for r, e := range enc {
			if e == c {
				fold[r] = folds[next]
				next++
			}
		}
	}
	return splitsFromFolds(fold, k), nil
}

// splitsFromFolds turns a fold number per row into K splits, rows in ascending order.
func splitsFromFolds(fold []int, k int) []Split {
	out := make([]Split, k)
	for r, f := range fold {
		for i := range out {
			if i == f {
				out[i].Test = append(out[i].Test, r)
			} else {
				out[i].Train = append(out[i].Train, r)
			}
		}
	}
	return out
}
