// Package selection chooses and checks models: seeded train/test splits,
// K-fold and stratified K-fold cross-validation, and a grid search that fits
// every (candidate, fold) pair in parallel.
//
// Splits are row indices (Split{Train, Test}, the dataset package's Fold,
// whose index helpers do the splitting), so they apply to a *mat.Dense, a
// *sparse.CSR (Rows copies the selected rows of either) or a dataset.Frame
// alike. All shuffling goes through an explicit Seed with
// math/rand/v2; the same seed gives the same splits on every run and
// platform (they differ from numpy's, which uses another generator).
// Unshuffled KFold and StratifiedKFold reproduce scikit-learn's folds exactly.
//
// GridSearch runs candidates x folds fits on a bounded pool of goroutines
// (errgroup, Workers; 0 means GOMAXPROCS). Each fit writes its score into its
// own slot and means are reduced in a fixed order, so the result is
// identical whatever the number of workers. A Model is a
// kiln.TargetFitter on a matrix, Fit(ctx, X, y), that is also a
// kiln.Predictor (models.LinearRegression and models.LogisticRegression
// qualify); each fit gets the search's context;
// Scorers turn a fitted model and held-out rows into a number where larger is
// better (R2, Accuracy, ROCAUC, NegLogLoss).
package selection
