package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/dfs"
	"github.com/kiln-ml/kiln/models/metrics"
	"gonum.org/v1/gonum/mat"
)

// Pipeline is a chain of steps that turns raw rows into predictions: the one
// value that is fitted, cross-validated, saved, loaded and scored.
//
// Steps are pointers to kiln learners and encoders (or any type that
// satisfies the interfaces of package kiln), unfitted or fitted:
//
//	*features.Table              Frame -> dense matrix
//	*text.CountVectorizer        documents (TextColumn) -> sparse counts
//	*text.HashingVectorizer      documents -> sparse hashed counts
//	*text.TfidfTransformer       matrix -> sparse weights
//	*models.LinearRegression     matrix -> values
//	*models.LogisticRegression   matrix -> class labels and probabilities
//	*cluster.KMeans              matrix -> cluster ids (or distances, when not last)
//	*dfs.DFS, *dfs.Definitions   EntitySet -> Frame of features (see FitEntities)
//
// The first step reads the raw rows; every other step reads the output of
// the step before it. The last step may predict. A model as the only step
// reads the numeric columns of the Frame directly.
//
// Fit changes the steps in place and records the pipeline's input schema,
// outputs, training profile, metrics and lineage. After Fit, Predict,
// PredictProba and Transform may be called from many goroutines at once;
// Fit, Set and the exported fields must not be changed while they run.
type Pipeline struct {
	Steps []any

	// TextColumn names the Frame column that a document step (a text
	// vectorizer) reads. Empty means the Frame's only string column other
	// than the target; Fit records the one it used.
	TextColumn string
	// TextPreprocess names a function registered with RegisterPreprocessor,
	// applied to every document before the first text step. Functions cannot
	// be saved, so a saved pipeline names them instead.
	TextPreprocess string

	// Metrics are figures measured at training time. Fit adds train_*
	// figures; callers add their own (cross-validation, held-out scores).
	Metrics map[string]float64
	// Lineage says where the model came from; Fit fills in Rows,
	// DataFingerprint, Created and Library, and keeps Seed.
	Lineage Lineage

	stages  []stage
	names   []string
	inputs  []Field
	outputs Outputs
	profile []InputProfile
	fitted  bool
	ref     Ref
}

// New returns a pipeline of the given steps.
func New(steps ...any) *Pipeline { return &Pipeline{Steps: steps} }

// ErrNotFitted is returned by Predict, PredictProba and Transform before Fit.
var ErrNotFitted = kiln.ErrNotFitted

// analyse finds how each step is used and checks that each one takes what
// the one before it gives, starting from start.
func analyse(steps []any, start kind) ([]stage, error) {
	if len(steps) == 0 {
		return nil, fmt.Errorf("pipeline: no steps: %w", kiln.ErrConfig)
	}
	stages := make([]stage, len(steps))
	prev := start
	for i, s := range steps {
		st, err := newStage(s)
		if err != nil {
			return nil, fmt.Errorf("pipeline: step %d: %w", i, err)
		}
		if !st.accepts(prev) {
			if i == 0 {
				return nil, fmt.Errorf("pipeline: step 0 (%T) takes %s, but the pipeline's input is %s: %w", s, st.in, prev, kiln.ErrConfig)
			}
			return nil, fmt.Errorf("pipeline: step %d (%T) takes %s, but step %d (%T) gives %s: %w",
				i, s, st.in, i-1, steps[i-1], prev, kiln.ErrConfig)
		}
		last := i == len(steps)-1
		if !last && st.transform == nil {
			return nil, fmt.Errorf("pipeline: step %d (%T) only predicts, so it must be the last step: %w", i, s, kiln.ErrConfig)
		}
		if last && st.predictor == nil && st.transform == nil {
			return nil, fmt.Errorf("pipeline: step %d (%T) gives nothing: %w", i, s, kiln.ErrConfig)
		}
		stages[i] = st
		prev = st.out
	}
	return stages, nil
}

// final returns the last stage when it predicts.
func (p *Pipeline) final() (stage, bool) {
	if len(p.stages) == 0 {
		return stage{}, false
	}
	st := p.stages[len(p.stages)-1]
	return st, st.predictor != nil
}

// outputKind says what a pipeline ending in st predicts.
func outputKind(st stage) string {
	switch {
	case st.predictor == nil:
		return Features
	case isClassifier(st.step):
		return Classes
	case st.fit != nil && !st.needsY:
		return Clusters
	default:
		return Values
	}
}

func isClassifier(step any) bool {
	_, ok := step.(kiln.Classifier)
	return ok
}

// Fit fits every step in order on data and records the pipeline's input
// schema, outputs, training profile, training metrics and lineage. target
// names the column to predict; it is "" for a pipeline that learns without
// one (k-means, or encoders alone). For a classifier the target may be
// numeric, bool or string: labels are coded 0..k-1 in sorted order for the
// model and mapped back by Predict.
//
// The target column is never an input: a step that would read it (a Table
// naming it, a text column equal to it) is an error, so a model cannot
// learn from its own answer.
func (p *Pipeline) Fit(ctx context.Context, data *dataset.Frame, target string) error {
	if data == nil || data.NumRows() == 0 {
		return fmt.Errorf("pipeline: Fit: no rows: %w", kiln.ErrEmpty)
	}
	stages, err := analyse(p.Steps, frameKind)
	if err != nil {
		return err
	}
	names, err := stepNames(p.Steps)
	if err != nil {
		return err
	}
	out := Outputs{Kind: outputKind(stages[len(stages)-1])}
	y, err := targetValues(data, target, &out, stages[len(stages)-1])
	if err != nil {
		return err
	}
	textColumn := p.TextColumn
	inputs, textColumn, err := inputColumns(stages[0], data, target, textColumn)
	if err != nil {
		return err
	}
	var x any = data
	for i, st := range stages {
		if err := ctx.Err(); err != nil {
			return err
		}
		in, err := p.stageInput(st, x, inputs, textColumn)
		if err != nil {
			return fmt.Errorf("pipeline: step %d (%s): %w", i, names[i], err)
		}
		if st.fit != nil {
			if err := st.fit(ctx, in, y); err != nil {
				return fmt.Errorf("pipeline: fitting step %d (%s): %w", i, names[i], err)
			}
		}
		if i < len(stages)-1 || st.predictor == nil {
			if x, err = st.transform(in); err != nil {
				return fmt.Errorf("pipeline: step %d (%s): %w", i, names[i], err)
			}
		} else {
			x = in
		}
	}
	// Record what was learned.
	p.stages, p.names, p.fitted = stages, names, true
	p.TextColumn = textColumn
	p.inputs = inputs
	if out.Kind == Classes {
		out.Classes = stages[len(stages)-1].step.(kiln.Classifier).Classes()
	}
	p.outputs = out
	if p.profile, err = profileOf(data, inputs); err != nil {
		return err
	}
	if p.Metrics == nil {
		p.Metrics = map[string]float64{}
	}
	if err := p.trainMetrics(x, y); err != nil {
		return err
	}
	p.Lineage.Rows = data.NumRows()
	p.Lineage.DataFingerprint = fingerprint(data, inputs, target)
	p.Lineage.Created = time.Now().UTC().Truncate(time.Second)
	p.Lineage.Library = LibraryVersion
	return nil
}

// stageInput turns what flows into the form a stage takes: the documents
// of the text column, or a Frame's input columns as a dense matrix.
func (p *Pipeline) stageInput(st stage, x any, inputs []Field, textColumn string) (any, error) {
	f, isFrame := x.(*dataset.Frame)
	switch {
	case st.in == docsKind && isFrame:
		return p.documents(f, textColumn)
	case st.in == matrixKind && isFrame:
		// A pipeline that records no inputs (a lone model saved in format
		// 1.0) reads every numeric column, in order.
		names := make([]string, len(inputs))
		for i, in := range inputs {
			names[i] = in.Name
		}
		return f.ToDense(names...)
	}
	return x, nil
}

// trainMetrics adds the fitted model's figures on its own training rows.
// x is the final step's input.
func (p *Pipeline) trainMetrics(x any, y []float64) error {
	st, ok := p.final()
	if !ok {
		return nil
	}
	xm, ok := x.(mat.Matrix)
	if !ok {
		return nil
	}
	switch p.outputs.Kind {
	case Values:
		pred, err := st.predictor.Predict(xm)
		if err != nil {
			return fmt.Errorf("pipeline: scoring the training rows: %w", err)
		}
		if r2, err := metrics.R2(y, pred); err == nil {
			p.Metrics["train_r2"] = r2
		}
		if rmse, err := metrics.RMSE(y, pred); err == nil {
			p.Metrics["train_rmse"] = rmse
		}
	case Classes:
		c := st.step.(kiln.Classifier)
		pred, err := c.Predict(xm)
		if err != nil {
			return fmt.Errorf("pipeline: scoring the training rows: %w", err)
		}
		if acc, err := metrics.Accuracy(y, pred); err == nil {
			p.Metrics["train_accuracy"] = acc
		}
		proba, err := c.PredictProba(xm)
		if err != nil {
			return fmt.Errorf("pipeline: scoring the training rows: %w", err)
		}
		if ll, err := metrics.LogLoss(y, proba, c.Classes()); err == nil {
			p.Metrics["train_log_loss"] = ll
		}
	case Clusters:
		if in, ok := st.step.(interface{ Inertia() float64 }); ok {
			p.Metrics["train_inertia"] = in.Inertia()
		}
	}
	return nil
}

// run runs the steps that make features on data (all but a final
// predictor) and returns their output.
func (p *Pipeline) run(data any) (any, error) {
	if !p.fitted {
		return nil, fmt.Errorf("pipeline: %w: call Fit (or load a saved pipeline) first", kiln.ErrNotFitted)
	}
	if data == nil {
		return nil, fmt.Errorf("pipeline: nil input: %w", kiln.ErrEmpty)
	}
	if f, ok := data.(*dataset.Frame); ok {
		if err := p.checkInputs(f); err != nil {
			return nil, err
		}
	}
	x := data
	n := len(p.stages)
	if _, ok := p.final(); ok {
		n--
	}
	for i := 0; i < n; i++ {
		st := p.stages[i]
		in, err := p.stageInput(st, x, p.inputs, p.TextColumn)
		if err != nil {
			return nil, fmt.Errorf("pipeline: step %d (%s): %w", i, p.names[i], err)
		}
		if x, err = st.transform(in); err != nil {
			return nil, fmt.Errorf("pipeline: step %d (%s): %w", i, p.names[i], err)
		}
	}
	if n < len(p.stages) {
		in, err := p.stageInput(p.stages[n], x, p.inputs, p.TextColumn)
		if err != nil {
			return nil, fmt.Errorf("pipeline: step %d (%s): %w", n, p.names[n], err)
		}
		x = in
	}
	return x, nil
}

// checkInputs verifies that f holds every input column with a usable type,
// so that a bad request is named by its column before any step runs.
func (p *Pipeline) checkInputs(f *dataset.Frame) error {
	for _, in := range p.inputs {
		col, err := f.Column(in.Name)
		if err != nil {
			return fmt.Errorf("pipeline: input column %q (%s) is missing", in.Name, in.Type)
		}
		if !compatible(in.Type, col.Type()) {
			return fmt.Errorf("pipeline: input column %q is %s, the pipeline was fitted on %s", in.Name, col.Type(), in.Type)
		}
	}
	return nil
}

// compatible says whether a column of type got can stand for an input
// fitted as want: numbers stand for numbers.
func compatible(want string, got dataset.Type) bool {
	if want == got.String() {
		return true
	}
	numeric := func(s string) bool { return s == "float64" || s == "int64" || s == "bool" }
	return numeric(want) && numeric(got.String())
}

// modelInput returns the final predictor and its input matrix.
func (p *Pipeline) modelInput(data any) (stage, mat.Matrix, error) {
	st, ok := p.final()
	if p.fitted && !ok {
		return st, nil, fmt.Errorf("pipeline: the last step (%T) makes features, not predictions: use Transform: %w", p.Steps[len(p.Steps)-1], kiln.ErrConfig)
	}
	x, err := p.run(data)
	if err != nil {
		return st, nil, err
	}
	m, ok := x.(mat.Matrix)
	if !ok {
		return st, nil, fmt.Errorf("pipeline: the last step needs a matrix, got %T", x)
	}
	return st, m, nil
}

// Predict returns one prediction per row of data, as a column named
// Outputs().Name: float64 values for a regression; class labels typed like
// the target (string, int64, float64 or bool) for a classifier; int64
// cluster ids for k-means.
func (p *Pipeline) Predict(data *dataset.Frame) (*dataset.Column, error) {
	return p.predict(data)
}

// PredictEntities is Predict for a pipeline whose first step computes
// features from an EntitySet (see FitEntities).
func (p *Pipeline) PredictEntities(es *dfs.EntitySet) (*dataset.Column, error) {
	return p.predict(es)
}

func (p *Pipeline) predict(data any) (*dataset.Column, error) {
	st, x, err := p.modelInput(data)
	if err != nil {
		return nil, err
	}
	pred, err := st.predictor.Predict(x)
	if err != nil {
		return nil, fmt.Errorf("pipeline: predicting: %w", err)
	}
	return p.outputs.column(pred)
}

// PredictProba returns class probabilities, one row per row of data and one
// column per class in the order of Classes.
func (p *Pipeline) PredictProba(data *dataset.Frame) (*mat.Dense, error) {
	return p.predictProba(data)
}

// PredictProbaEntities is PredictProba for a pipeline that starts from an
// EntitySet.
func (p *Pipeline) PredictProbaEntities(es *dfs.EntitySet) (*mat.Dense, error) {
	return p.predictProba(es)
}

func (p *Pipeline) predictProba(data any) (*mat.Dense, error) {
	st, x, err := p.modelInput(data)
	if err != nil {
		return nil, err
	}
	c, ok := st.step.(kiln.Classifier)
	if !ok {
		return nil, fmt.Errorf("pipeline: the last step (%T) gives no probabilities: %w", st.step, kiln.ErrConfig)
	}
	proba, err := c.PredictProba(x)
	if err != nil {
		return nil, fmt.Errorf("pipeline: predicting: %w", err)
	}
	return proba, nil
}

// Transform runs every step that makes features (all but a final
// predictor) and returns the matrix the final step would read.
func (p *Pipeline) Transform(data *dataset.Frame) (mat.Matrix, error) {
	x, err := p.run(data)
	if err != nil {
		return nil, err
	}
	m, ok := x.(mat.Matrix)
	if !ok {
		return nil, fmt.Errorf("pipeline: the steps give %T, not a matrix", x)
	}
	return m, nil
}

// TransformEntities runs every step that makes features on an EntitySet and
// returns their output: a Frame for feature definitions alone, otherwise a
// matrix.
func (p *Pipeline) TransformEntities(es *dfs.EntitySet) (any, error) {
	return p.run(es)
}

// Fitted reports whether the pipeline has been fitted (or loaded).
func (p *Pipeline) Fitted() bool { return p.fitted }

// Inputs returns the raw columns the pipeline reads, with the types it was
// fitted on.
func (p *Pipeline) Inputs() []Field { return append([]Field(nil), p.inputs...) }

// Outputs describes the pipeline's predictions.
func (p *Pipeline) Outputs() Outputs {
	o := p.outputs
	o.Classes = append([]float64(nil), o.Classes...)
	o.Labels = append([]string(nil), o.Labels...)
	return o
}

// Classes returns a classifier's labels, typed like its target, in the
// order of PredictProba's columns; nil for any other pipeline.
func (p *Pipeline) Classes() *dataset.Column {
	if p.outputs.Kind != Classes {
		return nil
	}
	c, err := p.outputs.column(p.outputs.Classes)
	if err != nil {
		return nil
	}
	return c
}

// Profile returns the training distribution of each input, recorded by Fit
// for monitoring drift.
func (p *Pipeline) Profile() []InputProfile { return append([]InputProfile(nil), p.profile...) }

// Ref returns the registry name and version the pipeline was loaded from
// (zero otherwise), so that a service can attach them to every prediction.
func (p *Pipeline) Ref() Ref { return p.ref }

// Meta returns everything the pipeline records besides its steps.
func (p *Pipeline) Meta() Meta {
	return Meta{
		Names: append([]string(nil), p.names...), TextColumn: p.TextColumn, TextPreprocess: p.TextPreprocess,
		Inputs: p.Inputs(), Outputs: p.Outputs(), Profile: p.Profile(),
		Metrics: cloneMetrics(p.Metrics), Lineage: p.Lineage, Ref: p.ref,
	}
}

func cloneMetrics(m map[string]float64) map[string]float64 {
	if m == nil {
		return nil
	}
	c := make(map[string]float64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Assemble returns a fitted pipeline made of already fitted steps and what a
// fit recorded about them, as a loader rebuilds a saved pipeline. It checks
// that the steps chain and that the outputs match the last step.
func Assemble(steps []any, m Meta) (*Pipeline, error) {
	start := frameKind
	if len(steps) > 0 {
		if st, err := newStage(steps[0]); err == nil && st.in == entityKind {
			start = entityKind
		}
	}
	stages, err := analyse(steps, start)
	if err != nil {
		return nil, err
	}
	names := m.Names
	if names == nil {
		if names, err = stepNames(steps); err != nil {
			return nil, err
		}
	}
	if len(names) != len(steps) {
		return nil, fmt.Errorf("pipeline: %d step names for %d steps: %w", len(names), len(steps), kiln.ErrConfig)
	}
	out := m.Outputs
	kind := outputKind(stages[len(stages)-1])
	if out.Kind == "" {
		out.Kind = kind
	}
	if out.Kind != kind {
		return nil, fmt.Errorf("pipeline: outputs are of kind %q but the last step (%T) gives %q: %w", out.Kind, steps[len(steps)-1], kind, kiln.ErrConfig)
	}
	if err := out.complete(stages[len(stages)-1]); err != nil {
		return nil, err
	}
	if m.TextPreprocess != "" {
		if _, err := preprocessor(m.TextPreprocess); err != nil {
			return nil, err
		}
	}
	p := &Pipeline{
		Steps: append([]any(nil), steps...), TextColumn: m.TextColumn, TextPreprocess: m.TextPreprocess,
		Metrics: cloneMetrics(m.Metrics), Lineage: m.Lineage,
		stages: stages, names: append([]string(nil), names...), inputs: append([]Field(nil), m.Inputs...),
		outputs: out, profile: append([]InputProfile(nil), m.Profile...), fitted: true, ref: m.Ref,
	}
	if stages[0].in == docsKind && p.TextColumn == "" {
		// Bundles of format 1.0 name the text column through their only string input.
		for _, f := range p.inputs {
			if f.Type == dataset.String.String() {
				if p.TextColumn != "" {
					return nil, fmt.Errorf("pipeline: several string inputs and no text column: %w", kiln.ErrConfig)
				}
				p.TextColumn = f.Name
			}
		}
	}
	return p, nil
}

// WithRef returns a copy of p that reports ref, for a registry that loaded it.
func (p *Pipeline) WithRef(ref Ref) *Pipeline {
	c := *p
	c.ref = ref
	return &c
}
