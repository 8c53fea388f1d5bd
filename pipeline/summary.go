package pipeline

import (
	"fmt"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/models"
)

// Summary returns the statistical inference of the pipeline's final model
// (models.LinearRegression, an unpenalized two-class models.LogisticRegression
// or models.GLM), with its coefficients named by the features the model
// reads: the FeatureNames of the step before it (features.Table's, such as
// "city = Paris"), or the input columns when the model reads the Frame
// directly. Its String method prints it as R prints summary(). It returns an
// error wrapping models.ErrNoSummary when the model gives no inference and
// kiln.ErrNotFitted before Fit.
func (p *Pipeline) Summary() (*models.Summary, error) {
	if !p.fitted {
		return nil, fmt.Errorf("pipeline: Summary: %w", kiln.ErrNotFitted)
	}
	st, ok := p.final()
	if !ok {
		return nil, fmt.Errorf("pipeline: Summary: the last step (%T) makes no predictions: %w", p.Steps[len(p.Steps)-1], models.ErrNoSummary)
	}
	sm, ok := st.step.(interface {
		Summary() (*models.Summary, error)
	})
	if !ok {
		return nil, fmt.Errorf("pipeline: Summary: %T gives no inference: %w", st.step, models.ErrNoSummary)
	}
	s, err := sm.Summary()
	if err != nil {
		return nil, fmt.Errorf("pipeline: Summary: %w", err)
	}
	if names := p.featureNames(); names != nil {
		// Names that do not fit (a step of one's own with other names) leave the defaults.
		_ = s.SetFeatureNames(names)
	}
	return s, nil
}

// featureNames names the columns of the final model's input, or returns nil.
func (p *Pipeline) featureNames() []string {
	n := len(p.stages)
	if n == 1 { // the model reads the Frame's input columns
		names := make([]string, len(p.inputs))
		for i, in := range p.inputs {
			names[i] = in.Name
		}
		return names
	}
	if fn, ok := p.stages[n-2].step.(interface{ FeatureNames() []string }); ok {
		return fn.FeatureNames()
	}
	return nil
}
