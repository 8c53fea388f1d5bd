package metrics

import (
	"cmp"
	"slices"
)

// ROCAUC is the area under the ROC curve of scores against two-class labels
// (the larger label is positive). Tied scores form one point of the curve,
// so a tied positive-negative pair counts one half, as in scikit-learn's
// roc_auc_score. It needs both classes in yTrue.
func ROCAUC(yTrue, score []float64) (float64, error) {
	fpr, tpr, _, err := rocPoints("metrics.ROCAUC", yTrue, score, false)
	if err != nil {
		return 0, err
	}
	area := 0.0
	for i := 1; i < len(fpr); i++ {
		area += (fpr[i] - fpr[i-1]) * (tpr[i] + tpr[i-1]) / 2
	}
	return area, nil
}

// ROCCurve returns the false and true positive rates at each distinct score
// threshold, highest first, starting at (0, 0) with threshold max+1 and
// dropping points collinear with their neighbours, exactly as scikit-learn
// 1.2.1's roc_curve (drop_intermediate=True). A point is positive when its
// score is >= the threshold.
func ROCCurve(yTrue, score []float64) (fpr, tpr, thresholds []float64, err error) {
	return rocPoints("metrics.ROCCurve", yTrue, score, true)
}

func rocPoints(who string, yTrue, score []float64, dropIntermediate bool) (fpr, tpr, thresholds []float64, err error) {
	if err := checkPair(who, "yTrue", yTrue, "score", score); err != nil {
		return nil, nil, nil, err
	}
	pos, err := binaryLabels(who, yTrue)
	if err != nil {
		return nil, nil, nil, err
	}
	order := make([]int, len(score))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	// Cumulative true and false positives at the end of each run of equal scores.
	var tps, fps, th []float64
	tp, fp := 0.0, 0.0
	for k, i := range order {
		if pos[i] {
			tp++
		} else {
			fp++
		}
		if k+1 == len(order) || score[order[k+1]] != score[i] {
			tps, fps, th = append(tps, tp), append(fps, fp), append(th, score[i])
		}
	}
	if dropIntermediate && len(tps) > 2 {
		keep := []int{0}
		for k := 1; k+1 < len(tps); k++ {
			if fps[k-1]-2*fps[k]+fps[k+1] != 0 || tps[k-1]-2*tps[k]+tps[k+1] != 0 {
				keep = append(keep, k)
			}
		}
		keep = append(keep, len(tps)-1)
		var t2, f2, h2 []float64
		for _, k := range keep {
			t2, f2, h2 = append(t2, tps[k]), append(f2, fps[k]), append(h2, th[k])
		}
		tps, fps, th = t2, f2, h2
	}
	fpr = append([]float64{0}, fps...)
	tpr = append([]float64{0}, tps...)
	thresholds = append([]float64{th[0] + 1}, th...)
	for k := range fpr {
		fpr[k] /= fp
		tpr[k] /= tp
	}
	return fpr, tpr, thresholds, nil
}
