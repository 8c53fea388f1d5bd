// Package models holds kiln's linear learners: LinearRegression (ordinary
// least squares and ridge) and LogisticRegression (binary and multinomial),
// with the semantics of scikit-learn 1.2.1 so that coefficients can be checked
// against it and against R, and GLM (Gaussian, binomial and Poisson
// generalized linear models, with weights and offsets) with the semantics of
// R's glm.
//
// Inference: LinearRegression (ordinary least squares on dense input),
// unpenalized two-class LogisticRegression (Newton solver) and GLM give a
// Summary, the values of R's summary(): estimates, standard
// errors, t or z tests, p-values and Wald confidence intervals; deviance,
// null deviance, log-likelihood and AIC; for least squares the residual
// standard error, R^2, adjusted R^2 and the F test. Summary.String prints
// it laid out as R prints it, with coefficient names from
// Summary.SetFeatureNames (features.Table.FeatureNames, for example).
//
// Every learner has the same shape: configuration is exported fields whose
// zero values are scikit-learn's defaults (LogisticRegression{} is C=1, L2,
// 100 iterations, tol 1e-4; its solver, Newton or scikit-learn's lbfgs, is
// chosen by the number of parameters); Fit(ctx, X, y) learns and returns an error for
// bad input instead of panicking; learned state is read through methods
// (Coef, Intercept, Classes, Rank, Iterations, Converged); Predict and
// friends take a mat.Matrix, so *mat.Dense and *sparse.CSR (and the sparse
// package's other formats) go through the same call and each algorithm picks
// its fast path by type.
//
// Learned state is also available as plain values (LinearRegressionState,
// LogisticRegressionState, GLMState) with constructors that rebuild an identical
// model, which is how the persist package saves and loads models.
//
// Numerics:
//
//   - LinearRegression solves dense problems by an SVD of the centred design
//     (as scikit-learn's lstsq), so the NIST StRD Longley problem comes out to
//     about 13 digits and a rank-deficient design gets the minimum-norm
//     solution with Rank() telling the numerical rank; sparse problems are
//     solved by LSQR on the implicitly centred matrix without densifying.
//     Alpha > 0 gives ridge regression with an unpenalized intercept.
//
//   - LogisticRegression minimizes scikit-learn's objective, the sum (not
//     mean) of per-sample log-losses plus ||W||^2/(2C). With few parameters
//     (NewtonMaxParams) it uses Newton's method on the exact Hessian, which
//     reaches the optimum to rounding in some 10 iterations; otherwise an
//     L-BFGS that reproduces scipy's L-BFGS-B iteration for unbounded
//     problems (same memory, first step, Moré-Thuente line search and
//     stopping tests, including scipy's relative-reduction test, FTol): on
//     the breast cancer data it stops after the same 34 iterations as
//     scikit-learn. Sparse input uses parallel sparse kernels and a
//     transposed copy of X; results do not depend on Workers. A fit that
//     does not converge, or an unpenalized two-class fit of separated
//     classes, is an error unless accepted (AcceptNotConverged,
//     AcceptSeparation).
//
//   - GLM takes the steps of R 4.2.2's glm.fit (starting values, Fisher
//     scoring by weighted least squares through a QR with R's limited column
//     pivoting, step halving, the relative-deviance stopping rule), so its
//     estimates, standard errors and fit figures agree with R's to about 13
//     digits. p-values come from gonum's distuv (normal and Student's t
//     lower tails) and the regularized incomplete beta function (the F
//     upper tail), so small ones keep their digits.
//
// Errors wrap ErrEmpty, ErrShape, ErrNonFinite, ErrSingleClass, ErrConfig,
// ErrNotFitted, ErrState, ErrNotConverged, ErrSeparation or ErrNoSummary
// (test with errors.Is) and name the row, column or label at fault.
// ErrEmpty, ErrShape, ErrNonFinite, ErrConfig, ErrNotFitted and
// ErrNotConverged are the root package's kiln.ErrEmpty and so on under the
// names they have here.
//
// A fitted LinearRegression or LogisticRegression predicts from many
// goroutines at once.
package models
