package pipeline

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/kiln-ml/kiln"
)

// stepNames names steps as scikit-learn's make_pipeline does: the lowercase
// type name ("table", "countvectorizer", "logisticregression"), and when a
// name repeats, every step of that name numbered from 1 ("table-1", "table-2").
func stepNames(steps []any) ([]string, error) {
	names := make([]string, len(steps))
	count := map[string]int{}
	for i, s := range steps {
		t := reflect.TypeOf(s)
		if t == nil {
			return nil, fmt.Errorf("pipeline: step %d is nil: %w", i, kiln.ErrConfig)
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		names[i] = strings.ToLower(t.Name())
		count[names[i]]++
	}
	seen := map[string]int{}
	for i, n := range names {
		if count[n] > 1 {
			seen[n]++
			names[i] = fmt.Sprintf("%s-%d", n, seen[n])
		}
	}
	return names, nil
}

// StepNames returns the steps' names: the names recorded when the pipeline
// was fitted or loaded, otherwise those of scikit-learn's make_pipeline
// (the lowercase type name, numbered when it repeats: "table-1", "table-2").
// Parameters are addressed by them (Set), and a saved bundle uses them as
// the prefixes of the steps' tensors.
func (p *Pipeline) StepNames() []string {
	if p.fitted && len(p.names) == len(p.Steps) {
		return append([]string(nil), p.names...)
	}
	names, err := stepNames(p.Steps)
	if err != nil {
		return nil
	}
	return names
}

// Set sets a step's parameter, addressed as "STEP.Field": the step's name
// (StepNames) and the exported field of its configuration, for example
// "logisticregression.C" or "countvectorizer.MinDF". The value must be
// assignable to the field, or a number convertible to it without loss. Set
// makes the pipeline unfitted: fit it again before scoring.
func (p *Pipeline) Set(param string, value any) error {
	stepName, field, ok := strings.Cut(param, ".")
	if !ok || stepName == "" || field == "" {
		return fmt.Errorf("pipeline: parameter %q: want STEP.Field, such as logisticregression.C: %w", param, kiln.ErrConfig)
	}
	names := p.StepNames()
	i := -1
	for j, n := range names {
		if n == stepName {
			i = j
		}
	}
	if i < 0 {
		return fmt.Errorf("pipeline: parameter %q: no step named %q (steps: %s): %w", param, stepName, strings.Join(names, ", "), kiln.ErrConfig)
	}
	v := reflect.ValueOf(p.Steps[i])
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("pipeline: parameter %q: step %s (%T) is not a pointer to a struct: %w", param, stepName, p.Steps[i], kiln.ErrConfig)
	}
	f := v.Elem().FieldByName(field)
	sf, found := v.Elem().Type().FieldByName(field)
	if !found || !sf.IsExported() || !f.CanSet() {
		return fmt.Errorf("pipeline: parameter %q: %T has no exported field %s: %w", param, p.Steps[i], field, kiln.ErrConfig)
	}
	val, err := convert(value, f.Type())
	if err != nil {
		return fmt.Errorf("pipeline: parameter %q: %w", param, err)
	}
	f.Set(val)
	p.fitted = false
	return nil
}

// convert returns value as a t, converting numbers only when exact.
func convert(value any, t reflect.Type) (reflect.Value, error) {
	if value == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Func:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, fmt.Errorf("nil for a field of type %s: %w", t, kiln.ErrConfig)
	}
	v := reflect.ValueOf(value)
	if v.Type().AssignableTo(t) {
		return v, nil
	}
	isNumber := func(k reflect.Kind) bool {
		return k >= reflect.Int && k <= reflect.Float64
	}
	if isNumber(v.Kind()) && isNumber(t.Kind()) && v.Type().ConvertibleTo(t) {
		c := v.Convert(t)
		if c.Convert(v.Type()).Interface() == v.Interface() {
			return c, nil
		}
		return reflect.Value{}, fmt.Errorf("%v does not fit a field of type %s exactly: %w", value, t, kiln.ErrConfig)
	}
	return reflect.Value{}, fmt.Errorf("a %T for a field of type %s: %w", value, t, kiln.ErrConfig)
}

// Clone returns an unfitted pipeline with the same configuration: every step
// a new value of its type with the same exported fields (so nothing learned
// is shared), as scikit-learn's clone. A step that has no Fit method, such
// as loaded feature definitions, learns nothing and is shared as it is.
// Cross-validation fits one clone per fold.
func (p *Pipeline) Clone() *Pipeline {
	c := &Pipeline{
		Steps:          make([]any, len(p.Steps)),
		TextColumn:     p.TextColumn,
		TextPreprocess: p.TextPreprocess,
		Metrics:        cloneMetrics(p.Metrics),
		Lineage:        Lineage{Seed: p.Lineage.Seed},
	}
	for i, s := range p.Steps {
		c.Steps[i] = cloneStep(s)
	}
	return c
}

func cloneStep(s any) any {
	st, err := newStage(s)
	if err != nil || st.fit == nil {
		return s
	}
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return s
	}
	src := v.Elem()
	dst := reflect.New(src.Type()).Elem()
	for i := 0; i < src.NumField(); i++ {
		if src.Type().Field(i).IsExported() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	return dst.Addr().Interface()
}
