package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// All randomness in this file comes from math/rand/v2's PCG generator seeded
// with (seed, pcgStream): the same seed gives the same rows on every machine
// and Go release that keeps PCG's definition. The rows differ from
// scikit-learn's for the same seed (numpy uses another generator), but the
// conventions (sizes, rounding, fold layout) are scikit-learn's.

// pcgStream is the second PCG seed word, fixed so that one uint64 seeds a run.
const pcgStream = 0x9e3779b97f4a7c15

// NewRand returns the generator every seeded function of this package uses:
// rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)).
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, pcgStream)) }

// Permutation returns 0..n-1 in a random order (Fisher-Yates).
func Permutation(n int, seed uint64) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	NewRand(seed).Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	return idx
}

// SampleIndex returns k row numbers drawn from 0..n-1: without replacement
// (distinct, k <= n) or with replacement (a bootstrap sample when k == n).
func SampleIndex(n, k int, replace bool, seed uint64) ([]int, error) {
	switch {
	case k < 0:
		return nil, fmt.Errorf("dataset: sample: negative size %d", k)
	case !replace && k > n:
		return nil, fmt.Errorf("dataset: sample: %d rows without replacement from %d rows", k, n)
	case replace && n == 0 && k > 0:
		return nil, fmt.Errorf("dataset: sample: %d rows from an empty frame", k)
	}
	if replace {
		r := NewRand(seed)
		idx := make([]int, k)
		for i := range idx {
			idx[i] = r.IntN(n)
		}
		return idx, nil
	}
	return Permutation(n, seed)[:k], nil
}

// Shuffle returns the rows in a random order.
func (f *Frame) Shuffle(seed uint64) *Frame { return f.Take(Permutation(f.rows, seed)) }

// Sample returns n distinct rows drawn at random, in the order drawn.
func (f *Frame) Sample(n int, seed uint64) (*Frame, error) {
	idx, err := SampleIndex(f.rows, n, false, seed)
	if err != nil {
		return nil, err
	}
	return f.Take(idx), nil
}

// SampleWithReplacement returns n rows drawn at random with replacement; with
// n equal to the number of rows it is a bootstrap sample.
func (f *Frame) SampleWithReplacement(n int, seed uint64) (*Frame, error) {
	idx, err := SampleIndex(f.rows, n, true, seed)
	if err != nil {
		return nil, err
	}
	return f.Take(idx), nil
}

// testSize is scikit-learn's rule: ceil(testFraction*n) test rows, the rest
// for training, both non-empty.
func testSize(n int, testFraction float64) (int, error) {
	if !(testFraction > 0 && testFraction < 1) {
		return 0, fmt.Errorf("dataset: split: test fraction %v outside (0, 1)", testFraction)
	}
	nTest := int(math.Ceil(testFraction * float64(n)))
	if nTest == 0 || nTest >= n {
		return 0, fmt.Errorf("dataset: split: test fraction %v of %d rows leaves %d test and %d train rows; both must be at least 1",
			testFraction, n, nTest, n-nTest)
	}
	return nTest, nil
}

// SplitIndex returns a random train/test split of the rows 0..n-1, with
// ceil(testFraction*n) test rows (scikit-learn's ShuffleSplit rule). Both
// slices are in random order.
func SplitIndex(n int, testFraction float64, seed uint64) (train, test []int, err error) {
	nTest, err := testSize(n, testFraction)
	if err != nil {
		return nil, nil, err
	}
	perm := Permutation(n, seed)
	return perm[nTest:], perm[:nTest], nil
}

// StratifiedSplitIndex is SplitIndex keeping the class proportions of labels
// in both parts, as scikit-learn's StratifiedShuffleSplit: class c gets about
// testFraction of its rows in the test part, the counts rounded so that they
// add up to ceil(testFraction*n) (largest remainders first, ties to the class
// seen first). Every class needs at least 2 rows, and each part at least one
// row per class. Both slices are in random order.
func StratifiedSplitIndex[L comparable](labels []L, testFraction float64, seed uint64) (train, test []int, err error) {
	n := len(labels)
	nTest, err := testSize(n, testFraction)
	if err != nil {
		return nil, nil, err
	}
	classes := classRows(labels)
	for _, rows := range classes {
		if len(rows) < 2 {
			return nil, nil, fmt.Errorf("dataset: stratified split: class %v has %d row; every class needs at least 2",
				labels[rows[0]], len(rows))
		}
	}
	if nTest < len(classes) || n-nTest < len(classes) {
		return nil, nil, fmt.Errorf("dataset: stratified split: %d test and %d train rows cannot hold all %d classes",
			nTest, n-nTest, len(classes))
	}
	// Largest-remainder apportionment of nTest over the classes.
	alloc := make([]int, len(classes))
	frac := make([]float64, len(classes))
	given := 0
	for c, rows := range classes {
		exact := float64(nTest) * float64(len(rows)) / float64(n)
		alloc[c] = int(math.Floor(exact))
		frac[c] = exact - float64(alloc[c])
		given += alloc[c]
	}
	order := make([]int, len(classes))
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case frac[a] > frac[b]:
			return -1
		case frac[a] < frac[b]:
			return 1
		}
		return 0
	})
	for _, c := range order[:nTest-given] {
		alloc[c]++
	}
	r := NewRand(seed)
	for c, rows := range classes {
		rows = slices.Clone(rows)
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		test = append(test, rows[:alloc[c]]...)
		train = append(train, rows[alloc[c]:]...)
	}
	r.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
	r.Shuffle(len(test), func(i, j int) { test[i], test[j] = test[j], test[i] })
	return train, test, nil
}

// classRows lists the rows of each distinct label, classes in order of first
// appearance, rows ascending.
func classRows[L comparable](labels []L) [][]int {
	index := make(map[L]int)
	var classes [][]int
	for i, l := range labels {
		c, ok := index[l]
		if !ok {
			c = len(classes)
			index[l] = c
			classes = append(classes, nil)
		}
		classes[c] = append(classes[c], i)
	}
	return classes
}

// TrainTestSplit splits the rows at random into a training and a test frame,
// with ceil(testFraction*rows) test rows, as scikit-learn's train_test_split.
// With stratify naming a column, each class of that column keeps its
// proportion in both frames (see StratifiedSplitIndex); null labels form a
// class of their own. Rows of both frames are in random order.
func (f *Frame) TrainTestSplit(testFraction float64, seed uint64, stratify string) (train, test *Frame, err error) {
	var trainIdx, testIdx []int
	if stratify == "" {
		trainIdx, testIdx, err = SplitIndex(f.rows, testFraction, seed)
	} else {
		var labels []int32
		labels, err = f.labelCodes(stratify)
		if err != nil {
			return nil, nil, err
		}
		trainIdx, testIdx, err = StratifiedSplitIndex(labels, testFraction, seed)
	}
	if err != nil {
		return nil, nil, err
	}
	return f.Take(trainIdx), f.Take(testIdx), nil
}

// labelCodes codes a label column as integers (null is a class of its own).
func (f *Frame) labelCodes(name string) ([]int32, error) {
	c, err := f.Column(name)
	if err != nil {
		return nil, fmt.Errorf("dataset: stratify: %w", err)
	}
	ids, _, err := tupleCodes([][]*Column{{c}}, true)
	return ids, err
}

// Fold is one train/test split of a cross-validation, as row numbers in
// ascending order.
type Fold struct {
	Train, Test []int
}

// KFoldIndex splits the rows 0..n-1 into k folds as scikit-learn's KFold: the
// first n%k folds have n/k+1 test rows, the others n/k; the test parts are
// consecutive blocks of the rows, or of a random permutation of them when
// shuffle is true (seed is then used). Each fold's Train holds the other rows.
func KFoldIndex(n, k int, shuffle bool, seed uint64) ([]Fold, error) {
	if err := checkFolds(n, k); err != nil {
		return nil, err
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if shuffle {
		order = Permutation(n, seed)
	}
	fold := make([]int, n)
	start := 0
	for j := range k {
		size := n / k
		if j < n%k {
			size++
		}
		for _, i := range order[start : start+size] {
			fold[i] = j
		}
		start += size
	}
	return foldsOf(fold, k), nil
}

func checkFolds(n, k int) error {
	switch {
	case k < 2:
		return fmt.Errorf("dataset: k-fold: k = %d; need at least 2 folds", k)
	case k > n:
		return fmt.Errorf("dataset: k-fold: k = %d folds for %d rows; k must not exceed the rows", k, n)
	}
	return nil
}

// foldsOf turns the test fold of every row into k train/test index pairs.
func foldsOf(fold []int, k int) []Fold {
	sizes := make([]int, k)
	for _, j := range fold {
		sizes[j]++
	}
	folds := make([]Fold, k)
	for j := range folds {
		folds[j].Test = make([]int, 0, sizes[j])
		folds[j].Train = make([]int, 0, len(fold)-sizes[j])
	}
	for i, j := range fold {
		for m := range folds {
			if m == j {
				folds[m].Test = append(folds[m].Test, i)
			} else {
				folds[m].Train = append(folds[m].Train, i)
			}
		}
	}
	return folds
}

// StratifiedKFoldIndex splits the rows into k folds that keep the class
// proportions of labels, with scikit-learn's StratifiedKFold layout (1.2):
// classes are numbered by first appearance, the rows sorted by class are dealt
// to the folds round-robin to fix how many rows of each class each fold tests,
// and each class's rows fill its fold slots in row order, or in random order
// when shuffle is true (seed is then used). Without shuffling the folds are
// exactly scikit-learn's. A class with fewer than k rows cannot be in every
// fold; it is an error only when every class is smaller than k, as in
// scikit-learn.
func StratifiedKFoldIndex[L comparable](labels []L, k int, shuffle bool, seed uint64) ([]Fold, error) {
	n := len(labels)
	if err := checkFolds(n, k); err != nil {
		return nil, err
	}
	classes := classRows(labels)
	largest := 0
	for _, rows := range classes {
		largest = max(largest, len(rows))
	}
	if largest < k {
		return nil, fmt.Errorf("dataset: stratified k-fold: k = %d is more than the rows of every class (largest %d)", k, largest)
	}
	// Dealing the class-sorted rows round-robin gives fold j the sorted
	// positions j, j+k, j+2k, ...; slots lists a class's folds, one per row.
	fold := make([]int, n)
	r := NewRand(seed)
	start := 0
	for _, rows := range classes {
		slots := make([]int, 0, len(rows))
		for j := range k {
			// positions p in [start, start+len) with p % k == j
			first := start + ((j-start%k)%k+k)%k
			for p := first; p < start+len(rows); p += k {
				slots = append(slots, j)
			}
		}
		if shuffle {
			r.Shuffle(len(slots), func(a, b int) { slots[a], slots[b] = slots[b], slots[a] })
		}
		for s, i := range rows {
			fold[i] = slots[s]
		}
		start += len(rows)
	}
	return foldsOf(fold, k), nil
}

// KFold splits the frame's rows into k folds; see KFoldIndex.
func (f *Frame) KFold(k int, seed uint64, shuffle bool) ([]Fold, error) {
	return KFoldIndex(f.rows, k, shuffle, seed)
}

// StratifiedKFold splits the frame's rows into k folds keeping the class
// proportions of the label column (null labels are a class of their own); see
// StratifiedKFoldIndex.
func (f *Frame) StratifiedKFold(k int, label string, seed uint64, shuffle bool) ([]Fold, error) {
	labels, err := f.labelCodes(label)
	if err != nil {
		return nil, err
	}
	return StratifiedKFoldIndex(labels, k, shuffle, seed)
}
