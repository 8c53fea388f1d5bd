// Package kiln is an embeddable Go library for machine-learning pipelines that
// reach production: load data, turn it into features, fit linear, logistic and
// k-means models, save them in a portable format, and score them in other Go
// services. This package states the contract that every part follows.
//
// Configuration is exported struct fields whose zero values are useful
// defaults (models.LogisticRegression{C: 1}); what Fit learns is read
// through methods (Coef, Classes, Vocabulary) and never set from outside.
//
// Every learner and encoder satisfies small interfaces defined here:
//
//	Fitter[X]          Fit(ctx, x) error                     encoders, vectorizers, k-means
//	TargetFitter[X]    Fit(ctx, x, y []float64) error        the models
//	Transformer[X, M]  Transform(x) (M, error)               x -> features (*mat.Dense or *sparse.CSR)
//	Predictor          Predict(mat.Matrix) ([]float64, error) one number per row
//	Classifier         Predictor + Classes + PredictProba    probabilities in Classes order
//
// X is a *dataset.Frame (features.Table), documents (the text vectorizers)
// or a mat.Matrix, dense or *sparse.CSR (everything else, each algorithm
// taking its fast path by type).
//
// pipeline.Pipeline chains them into the one value that is fitted,
// cross-validated, saved and scored: Fit(ctx, frame, target) fits every step
// in order on raw rows and records the input schema, the classes (of the
// target's own type: "pos" stays "pos"), a training profile, metrics and
// lineage; Predict and PredictProba take a Frame. persist saves and loads
// pipelines in the portable .kiln format (persist.Register adds step types
// of one's own); models/selection cross-validates and grid-searches them,
// fitting every step inside each fold only.
//
// Long calls take a context and report progress through one ProgressFunc.
// Bad input (wrong width, NaN, empty data, a corrupt file) returns an error
// naming the file, line, column or feature, wrapping a shared sentinel
// (ErrNotFitted, ErrEmpty, ErrShape, ErrNonFinite, ErrConfig,
// ErrNotConverged) that errors.Is recognises across packages; kiln does not
// panic on data. Randomness goes through explicit seeds, and results do not
// depend on the number of workers. After Fit, learners and pipelines may
// score from many goroutines at once.
//
// The packages:
//
//	dataset            Frame: typed columns with null masks; CSV, JSON Lines; select, filter, sort,
//	                   join, group-by; seeded splits; conversion to gonum matrices
//	dataset/parquet    Parquet reader (projection, parallel row groups) and writer
//	dataset/arrowipc   Arrow IPC files and streams
//	dataset/arrowconv  conversion between frames and Arrow records
//	dataset/builtin    small real data sets embedded in the binary (iris, breast cancer, IMDB sample, ...)
//	features           table encoder: one-hot, scaling, imputing, hashing
//	features/text      tokenizer, CountVectorizer, TF-IDF, hashing vectorizer -> *sparse.CSR
//	features/dfs       deep feature synthesis: aggregate child tables into one row per parent
//	linalg             multicore word co-occurrence kernel and sparse helpers
//	models             linear regression (OLS, ridge), logistic regression
//	models/metrics     R2, MAE, RMSE, accuracy, ROC AUC, log-loss, confusion matrix
//	models/selection   splits, cross-validation and grid search of pipelines
//	cluster            KMeans, MiniBatchKMeans, parallel sweeps over K, top terms per cluster
//	pipeline           Pipeline: steps fitted, saved and scored as one value
//	persist            the portable, versioned .kiln bundle; Save, Load and a registry
//	onnx               export of fitted pipelines as ONNX models, for ONNX Runtime in any language
package kiln
