package dataset

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// isPartition reports whether the parts hold every row 0..n-1 exactly once.
func isPartition(n int, parts ...[]int) bool {
	seen := make([]bool, n)
	total := 0
	for _, p := range parts {
		for _, i := range p {
			if i < 0 || i >= n || seen[i] {
				return false
			}
			seen[i] = true
			total++
		}
	}
	return total == n
}

func TestPermutationAndSample(t *testing.T) {
	p := Permutation(100, 7)
	if !isPartition(100, p) || !reflect.DeepEqual(p, Permutation(100, 7)) || reflect.DeepEqual(p, Permutation(100, 8)) {
		t.Errorf("permutation must be a seeded permutation")
	}
	s, err := SampleIndex(100, 30, false, 3)
	if err != nil || len(s) != 30 || !isPartition(100, s, complement(100, s)) {
		t.Errorf("sample without replacement: %v %v", s, err)
	}
	r, err := SampleIndex(10, 1000, true, 3)
	if err != nil || len(r) != 1000 {
		t.Fatalf("sample with replacement: %v", err)
	}
	counts := make([]int, 10)
	for _, i := range r {
		counts[i]++
	}
	for i, c := range counts {
		if c == 0 {
			t.Errorf("row %d never drawn in 1000 draws with replacement", i)
		}
	}
	f := opsLoadCSV(t, "builtin/data/iris.csv")
	g := f.Shuffle(42)
	if g.NumRows() != 150 || cells(g) == cells(f) || cells(g) != cells(f.Shuffle(42)) {
		t.Errorf("shuffle must reorder, reproducibly")
	}
	h, err := f.Sample(10, 1)
	if err != nil || h.NumRows() != 10 {
		t.Errorf("sample: %v", err)
	}
	b, err := f.SampleWithReplacement(150, 1)
	if err != nil || b.NumRows() != 150 {
		t.Errorf("bootstrap: %v", err)
	}
	for _, c := range []struct {
		n, k    int
		replace bool
		want    string
	}{
		{10, 11, false, "11 rows without replacement from 10 rows"},
		{10, -1, false, "negative size -1"},
		{0, 1, true, "1 rows from an empty frame"},
	} {
		if _, err := SampleIndex(c.n, c.k, c.replace, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("sample %d of %d: %v, want %q", c.k, c.n, err, c.want)
		}
	}
	if _, err := f.Sample(151, 1); err == nil {
		t.Errorf("frame sample larger than the frame: no error")
	}
}

func complement(n int, idx []int) []int {
	in := make([]bool, n)
	for _, i := range idx {
		in[i] = true
	}
	var out []int
	for i := range n {
		if !in[i] {
			out = append(out, i)
		}
	}
	return out
}

func TestTrainTestSplit(t *testing.T) {
	f := opsLoadCSV(t, "builtin/data/iris.csv")
	train, test, err := f.TrainTestSplit(0.25, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn's rule: ceil(0.25*150) = 38 test rows.
	if train.NumRows() != 112 || test.NumRows() != 38 {
		t.Errorf("split sizes %d/%d, want 112/38", train.NumRows(), test.NumRows())
	}
	tr2, te2, _ := f.TrainTestSplit(0.25, 1, "")
	if cells(tr2) != cells(train) || cells(te2) != cells(test) {
		t.Errorf("same seed, different split")
	}
	trIdx, teIdx, _ := SplitIndex(150, 0.25, 1)
	if !isPartition(150, trIdx, teIdx) {
		t.Errorf("split index is not a partition")
	}

	// Stratified: each species (50 rows each) gets 38*50/150 = 12.67 test
	// rows: 13, 13, 12 by largest remainders (ties to the first class).
	train, test, err = f.TrainTestSplit(0.25, 5, "Species")
	if err != nil {
		t.Fatal(err)
	}
	g, _ := test.GroupBy("Species")
	if !sameMultiset(g.Sizes(), []int{13, 13, 12}) {
		t.Errorf("stratified test classes %v, want 13, 13, 12", g.Sizes())
	}
	if train.NumRows() != 112 {
		t.Errorf("stratified train rows %d", train.NumRows())
	}
	// Uneven classes keep their proportions: 60/30/10 rows, 20% test.
	labels := make([]string, 100)
	for i := range labels {
		switch {
		case i%10 == 0:
			labels[i] = "rare"
		case i%10 < 4:
			labels[i] = "mid"
		default:
			labels[i] = "common"
		}
	}
	trIdx, teIdx, err = StratifiedSplitIndex(labels, 0.2, 9)
	if err != nil || !isPartition(100, trIdx, teIdx) {
		t.Fatalf("stratified split index: %v", err)
	}
	count := map[string]int{}
	for _, i := range teIdx {
		count[labels[i]]++
	}
	if count["common"] != 12 || count["mid"] != 6 || count["rare"] != 2 {
		t.Errorf("stratified test counts %v, want common 12, mid 6, rare 2", count)
	}

	bad := []struct {
		name string
		run  func() error
		want string
	}{
		{"fraction 0", func() error { _, _, err := f.TrainTestSplit(0, 1, ""); return err }, "test fraction 0 outside (0, 1)"},
		{"fraction 1", func() error { _, _, err := f.TrainTestSplit(1, 1, ""); return err }, "test fraction 1 outside (0, 1)"},
		{"fraction NaN", func() error { _, _, err := SplitIndex(10, math.NaN(), 1); return err }, "outside (0, 1)"},
		{"too few rows", func() error { _, _, err := SplitIndex(1, 0.5, 1); return err }, "leaves 1 test and 0 train rows"},
		{"missing stratify column", func() error { _, _, err := f.TrainTestSplit(0.2, 1, "nope"); return err }, `no column "nope"`},
		{"singleton class", func() error {
			_, _, err := StratifiedSplitIndex([]int{1, 1, 2, 1}, 0.5, 1)
			return err
		}, "class 2 has 1 row"},
		{"more classes than test rows", func() error {
			_, _, err := StratifiedSplitIndex([]int{1, 1, 2, 2, 3, 3, 4, 4}, 0.25, 1)
			return err
		}, "2 test and 6 train rows cannot hold all 4 classes"},
	}
	for _, c := range bad {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
}

func sameMultiset(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestKFold(t *testing.T) {
	// scikit-learn 1.2.1, /usr/bin/python3: [te for _, te in KFold(4).split(np.zeros(10))]
	folds, err := KFoldIndex(10, 4, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7}, {8, 9}}
	for j, f := range folds {
		if !reflect.DeepEqual(f.Test, want[j]) || !reflect.DeepEqual(f.Train, complement(10, want[j])) {
			t.Errorf("fold %d: train %v test %v, want test %v", j, f.Train, f.Test, want[j])
		}
	}
	// Shuffled: the same sizes, every row tested once, reproducible.
	folds, _ = KFoldIndex(10, 4, true, 11)
	again, _ := KFoldIndex(10, 4, true, 11)
	var tests [][]int
	for j, f := range folds {
		tests = append(tests, f.Test)
		if len(f.Test) != len(want[j]) || !isPartition(10, f.Train, f.Test) || !slices.IsSorted(f.Test) {
			t.Errorf("shuffled fold %d: %v / %v", j, f.Train, f.Test)
		}
	}
	if !isPartition(10, tests...) || !reflect.DeepEqual(folds, again) {
		t.Errorf("shuffled folds: each row once, same seed same folds")
	}
	for _, c := range []struct {
		n, k int
		want string
	}{{10, 1, "need at least 2 folds"}, {3, 4, "k = 4 folds for 3 rows"}, {0, 2, "k = 2 folds for 0 rows"}} {
		if _, err := KFoldIndex(c.n, c.k, true, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("k=%d n=%d: %v, want %q", c.k, c.n, err, c.want)
		}
	}
}

func TestStratifiedKFold(t *testing.T) {
	// scikit-learn 1.2.1, /usr/bin/python3:
	//   y = np.array(list("bbaacabcaccbabacab"))
	//   [list(te) for _, te in StratifiedKFold(3).split(np.zeros(len(y)), y)]
	y := strings.Split("bbaacabcaccbabacab", "")
	want := [][]int{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 11, 12}, {10, 13, 14, 15, 16, 17}}
	folds, err := StratifiedKFoldIndex(y, 3, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	for j, f := range folds {
		if !reflect.DeepEqual(f.Test, want[j]) || !reflect.DeepEqual(f.Train, complement(len(y), want[j])) {
			t.Errorf("fold %d: test %v, want %v", j, f.Test, want[j])
		}
	}
	// Shuffled on iris: every fold tests 10 rows of each species.
	iris := opsLoadCSV(t, "builtin/data/iris.csv")
	folds, err = iris.StratifiedKFold(5, "Species", 3, true)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := iris.StratifiedKFold(5, "Species", 3, true)
	if !reflect.DeepEqual(folds, again) {
		t.Errorf("same seed, different folds")
	}
	var tests [][]int
	for j, f := range folds {
		tests = append(tests, f.Test)
		g, _ := iris.Take(f.Test).GroupBy("Species")
		if !reflect.DeepEqual(g.Sizes(), []int{10, 10, 10}) {
			t.Errorf("fold %d: class counts %v, want 10 each", j, g.Sizes())
		}
	}
	if !isPartition(150, tests...) {
		t.Errorf("stratified folds must test every row once")
	}
	// Uneven classes: counts per fold differ by at most one within a class.
	labels := make([]int, 97)
	for i := range labels {
		labels[i] = i % 7 % 3 // classes of 42, 28, 27 rows
	}
	folds, _ = StratifiedKFoldIndex(labels, 4, true, 8)
	for c := range 3 {
		lo, hi := 1<<30, 0
		for _, f := range folds {
			n := 0
			for _, i := range f.Test {
				if labels[i] == c {
					n++
				}
			}
			lo, hi = min(lo, n), max(hi, n)
		}
		if hi-lo > 1 {
			t.Errorf("class %d: per-fold counts from %d to %d", c, lo, hi)
		}
	}
	if _, err := StratifiedKFoldIndex([]int{1, 1, 2, 2, 3}, 3, false, 0); err == nil || !strings.Contains(err.Error(), "more than the rows of every class (largest 2)") {
		t.Errorf("k above every class: %v", err)
	}
	if _, err := iris.StratifiedKFold(200, "Species", 1, true); err == nil || !strings.Contains(err.Error(), "k = 200 folds for 150 rows") {
		t.Errorf("k above rows: %v", err)
	}
	if _, err := iris.StratifiedKFold(3, "nope", 1, true); err == nil {
		t.Errorf("missing label column: no error")
	}
}
