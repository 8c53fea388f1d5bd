package kiln

import "errors"

// Sentinels shared by every learner where the concept is shared. Learners
// wrap them with the package, type and call at fault, for example
// "models: LogisticRegression: predict: not fitted", so callers test with
// errors.Is.
var (
	// ErrNotFitted: a learner was used before Fit.
	ErrNotFitted = errors.New("not fitted")
	// ErrEmpty: no rows, no columns or no documents where some are needed.
	ErrEmpty = errors.New("empty input")
	// ErrShape: dimensions disagree, such as columns at Predict against Fit.
	ErrShape = errors.New("shape mismatch")
	// ErrNonFinite: a NaN or infinite value where a finite one is needed.
	ErrNonFinite = errors.New("non-finite value")
	// ErrConfig: a configuration field is out of range or inconsistent.
	ErrConfig = errors.New("invalid configuration")
	// ErrNotConverged: an iterative solver stopped before its tolerance was met
	// where that makes the result unusable.
	ErrNotConverged = errors.New("did not converge")
)
