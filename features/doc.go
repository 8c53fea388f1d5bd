// Package features turns tables into the numeric matrices that kiln's models
// take.
//
// Table is a fitted encoder for a dataset.Frame: numeric columns pass through,
// optionally imputed (mean or median, as scikit-learn's SimpleImputer) and
// standardized (as StandardScaler); categorical columns are one-hot encoded,
// optionally keeping only the most frequent levels plus an "is unknown"
// column (as Featuretools' encode_features) or dropping the first level (as
// pandas' get_dummies(drop_first=True)); high-cardinality columns can be
// hashed into a fixed number of columns. Fit learns the levels and statistics
// from training rows; Transform applies exactly those to new rows, so a model
// sees the same columns in training and in production.
//
// Table is a kiln.Fitter and kiln.Transformer of frames: Fit(ctx, frame),
// Transform(frame), and Columns lists the input columns it reads. Errors wrap
// the root package's sentinels (kiln.ErrNotFitted, kiln.ErrEmpty,
// kiln.ErrConfig, kiln.ErrNonFinite) for errors.Is. A fitted Table may
// transform from many goroutines at once.
//
// Text features live in package features/text and deep feature synthesis in
// features/dfs.
package features
