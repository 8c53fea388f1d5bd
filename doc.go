// Package kiln is an embeddable Go library for machine-learning pipelines that
// reach production: load data, turn it into features, fit linear, logistic and
// k-means models, save them in a portable format, and score them in other Go
// services.
//
// kiln is a set of small packages; this one only documents the whole.
//
//	dataset            Frame: typed columns with null masks; CSV, JSON Lines; select, filter, sort,
//	                   join, group-by; seeded splits; conversion to gonum matrices
//	dataset/parquet    Parquet reader (projection, parallel row groups) and writer
//	dataset/arrowipc   Arrow IPC files and streams
//	dataset/arrowconv  conversion between frames and Arrow records
//	dataset/builtin    small real data sets embedded in the binary (iris, breast cancer, IMDB sample, ...)
//	features           table encoders: one-hot, scaling, imputing, hashing
//	features/text      tokenizer, CountVectorizer, TF-IDF, hashing vectorizer -> *sparse.CSR
//	features/dfs       deep feature synthesis: aggregate child tables into one row per parent
//	linalg             multicore word co-occurrence kernel and sparse helpers
//	models             LinearRegression (OLS, ridge), LogisticRegression (binary, multinomial)
//	models/metrics     R2, MAE, RMSE, accuracy, ROC AUC, log-loss, confusion matrix
//	models/selection   train/test split, K-fold, cross-validation, parallel grid search
//	cluster            KMeans, MiniBatchKMeans, parallel sweeps over K, top terms per cluster
//	persist            the portable, versioned .kiln model bundle; Save, Load and a registry
//
// Every learner has one shape, stated by this package's interfaces:
// configuration is exported struct fields with useful zero values; Fit takes a
// context first and returns an error (Fitter for encoders, vectorizers and
// k-means, TargetFitter for the models); learned state is read through
// methods; Transformer turns a Frame, documents or a matrix into features,
// and Predictor and Classifier take a gonum mat.Matrix, so dense matrices and
// *sparse.CSR flow through the same call. Long calls report a Progress to an
// optional ProgressFunc. Bad input returns an error naming the file, line,
// column or feature and wrapping one of the shared sentinels (ErrNotFitted,
// ErrEmpty, ErrShape, ErrNonFinite, ErrConfig, ErrNotConverged) where the
// concept is shared; kiln does not panic on data. All randomness goes through
// an explicit seed, and results do not depend on the number of workers.
package kiln
