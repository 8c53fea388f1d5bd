// Package pipeline holds Pipeline, the one value that kiln fits,
// cross-validates, saves and scores: a chain of encoders and learners that
// turns raw rows (a dataset.Frame) into predictions.
//
//	p := pipeline.New(
//		&features.Table{Numeric: []string{"age", "income"}, Categorical: []string{"city"}, Scale: true},
//		&models.LogisticRegression{C: 1},
//	)
//	err := p.Fit(ctx, train, "churned")  // fits every step in order, records schema, classes, profile, lineage
//	labels, err := p.Predict(test)       // a Column of labels, typed like the target ("yes"/"no", 0/1, ...)
//	proba, err := p.PredictProba(test)   // one column per class, in p.Classes() order
//	err = persist.Save("churn.kiln", p, persist.SaveOptions{})
//
// Steps are found by the interfaces of package kiln that they satisfy
// (Fitter, TargetFitter, Transformer, Predictor, Classifier), so a type of
// one's own that satisfies them is a step too (persist.Register saves it).
//
// Fit records what a scoring service needs: the input columns and their
// types (Inputs), what is predicted (Outputs, Classes), each input's
// training distribution for drift monitoring (Profile), figures on the
// training rows (Metrics: train_r2, train_accuracy, ...) and where the model
// came from (Lineage: rows, a SHA-256 fingerprint of the training columns,
// time, library version).
//
// Parameters are addressed by step name, as scikit-learn's make_pipeline
// names them ("logisticregression.C"), which is how package selection's
// cross-validation and grid search tune a whole pipeline without fitting
// any step outside its training fold.
//
// Summary gives the statistical inference of a final least-squares,
// unpenalized logistic or GLM model (models.Summary: standard errors, tests,
// deviance, AIC, laid out as R prints summary()), with its coefficients named
// by the features the model reads.
//
// After Fit (or Load), a Pipeline may score from many goroutines at once.
package pipeline
