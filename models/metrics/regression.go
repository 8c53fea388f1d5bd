package metrics

import "math"

// R2 is the coefficient of determination 1 - SS_res/SS_tot. As in
// scikit-learn, a constant yTrue gives 1 for a perfect prediction and 0 otherwise.
func R2(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("metrics.R2", "yTrue", yTrue, "yPred", yPred); err != nil {
		return 0, err
	}
	mean := 0.0
	for _, v := range yTrue {
		mean += v
	}
	mean /= float64(len(yTrue))
	var res, tot float64
	for i, v := range yTrue {
		res += (v - yPred[i]) * (v - yPred[i])
		tot += (v - mean) * (v - mean)
	}
	if tot == 0 {
		if res == 0 {
			return 1, nil
		}
		return 0, nil
	}
	return 1 - res/tot, nil
}

// MAE is the mean absolute error.
func MAE(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("metrics.MAE", "yTrue", yTrue, "yPred", yPred); err != nil {
		return 0, err
	}
	s := 0.0
	for i, v := range yTrue {
		s += math.Abs(v - yPred[i])
	}
	return s / float64(len(yTrue)), nil
}

// MSE is the mean squared error.
func MSE(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("metrics.MSE", "yTrue", yTrue, "yPred", yPred); err != nil {
		return 0, err
	}
	s := 0.0
	for i, v := range yTrue {
		s += (v - yPred[i]) * (v - yPred[i])
	}
	return s / float64(len(yTrue)), nil
}

// RMSE is the square root of the mean squared error.
func RMSE(yTrue, yPred []float64) (float64, error) {
	mse, err := MSE(yTrue, yPred)
	return math.Sqrt(mse), err
}
