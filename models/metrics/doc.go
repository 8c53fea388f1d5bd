// Package metrics scores predictions the way scikit-learn 1.2.1 does, so that
// figures computed with kiln can be compared with figures computed in Python.
//
// Regression: R2, MAE, MSE, RMSE. Classification from predicted labels:
// Accuracy, Precision, Recall, F1 (for one positive label, with
// scikit-learn's zero_division=0 convention) and ConfusionMatrix. From scores
// or probabilities: ROCAUC and ROCCurve (ties in the scores handled as
// scikit-learn does: one point per distinct threshold, area by the trapezoid
// rule, which counts a tied positive-negative pair as one half) and LogLoss
// (probabilities clipped to [eps, 1-eps] with eps the float64 machine
// epsilon, then each row renormalized, as log_loss(eps="auto") does).
//
// Every function checks its input and returns an error, never panics, for
// empty or mismatched slices, non-finite values, or a single class where two
// are needed.
package metrics
