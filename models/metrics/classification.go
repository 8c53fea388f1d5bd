package metrics

import (
	"fmt"
	"slices"
)

// Accuracy is the fraction of rows where yPred equals yTrue.
func Accuracy(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("metrics.Accuracy", "yTrue", yTrue, "yPred", yPred); err != nil {
		return 0, err
	}
	hit := 0
	for i, v := range yTrue {
		if yPred[i] == v {
			hit++
		}
	}
	return float64(hit) / float64(len(yTrue)), nil
}

// counts returns true positives, false positives and false negatives for the positive label.
func counts(who string, yTrue, yPred []float64, positive float64) (tp, fp, fn int, err error) {
	if err := checkPair(who, "yTrue", yTrue, "yPred", yPred); err != nil {
		return 0, 0, 0, err
	}
	for i, t := range yTrue {
		p := yPred[i]
		switch {
		case t == positive && p == positive:
			tp++
		case t != positive && p == positive:
			fp++
		case t == positive && p != positive:
			fn++
		}
	}
	return tp, fp, fn, nil
}

// Precision is tp / (tp + fp) for the positive label; 0 when nothing is
// predicted positive (scikit-learn's zero_division=0).
func Precision(yTrue, yPred []float64, positive float64) (float64, error) {
	tp, fp, _, err := counts("metrics.Precision", yTrue, yPred, positive)
	if err != nil || tp+fp == 0 {
		return 0, err
	}
	return float64(tp) / float64(tp+fp), nil
}

// Recall is tp / (tp + fn) for the positive label; 0 when yTrue has no positive.
func Recall(yTrue, yPred []float64, positive float64) (float64, error) {
	tp, _, fn, err := counts("metrics.Recall", yTrue, yPred, positive)
	if err != nil || tp+fn == 0 {
		return 0, err
	}
	return float64(tp) / float64(tp+fn), nil
}

// F1 is the harmonic mean of precision and recall, 2tp / (2tp + fp + fn), for the positive label.
func F1(yTrue, yPred []float64, positive float64) (float64, error) {
	tp, fp, fn, err := counts("metrics.F1", yTrue, yPred, positive)
	if err != nil || tp == 0 {
		return 0, err
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn), nil
}

// MacroF1 is the unweighted mean of F1 over the labels present in yTrue or yPred
// (scikit-learn's f1_score(average="macro")).
func MacroF1(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("metrics.MacroF1", "yTrue", yTrue, "yPred", yPred); err != nil {
		return 0, err
	}
	labels := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(yTrue), yPred...))))
	s := 0.0
	for _, l := range labels {
		f, _ := F1(yTrue, yPred, l)
		s += f
	}
	return s / float64(len(labels)), nil
}

// ConfusionMatrix counts rows by (true label, predicted label). Labels are the
// sorted union of both slices; counts[i][j] is the number of rows with true
// label labels[i] predicted as labels[j], as scikit-learn's confusion_matrix.
func ConfusionMatrix(yTrue, yPred []float64) (labels []float64, counts [][]int, err error) {
	if err := checkPair("metrics.ConfusionMatrix", "yTrue", yTrue, "yPred", yPred); err != nil {
		return nil, nil, err
	}
	labels = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(yTrue), yPred...))))
	counts = make([][]int, len(labels))
	for i := range counts {
		counts[i] = make([]int, len(labels))
	}
	for i, t := range yTrue {
		a, _ := slices.BinarySearch(labels, t)
		b, _ := slices.BinarySearch(labels, yPred[i])
		counts[a][b]++
	}
	return labels, counts, nil
}

// binaryLabels maps two-class yTrue to 0/1 with the larger label positive,
// as scikit-learn does for roc_auc_score.
func binaryLabels(who string, yTrue []float64) ([]bool, error) {
	labels := slices.Compact(slices.Sorted(slices.Values(slices.Clone(yTrue))))
	if len(labels) != 2 {
		return nil, fmt.Errorf("%s: yTrue has %d distinct labels %v, want 2: %w", who, len(labels), labels, ErrInput)
	}
	pos := make([]bool, len(yTrue))
	for i, v := range yTrue {
		pos[i] = v == labels[1]
	}
	return pos, nil
}
