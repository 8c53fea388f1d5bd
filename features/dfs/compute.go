package dfs

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"golang.org/x/sync/errgroup"
)

// Options control how features are computed.
type Options struct {
	// Cutoffs, if not nil, chooses the target instances and the moment each is
	// scored at: column 0 holds target index values (an instance may repeat),
	// column 1 a timestamp. Only child rows whose time index is at or before
	// the instance's cutoff are used, so no later data leaks into its features.
	// The matrix has one row per cutoff row, in its order. When nil, every
	// target row is computed, in order, with all the data.
	Cutoffs *dataset.Frame
	// TrainingWindow, if positive, also drops child rows older than cutoff -
	// TrainingWindow (Featuretools' training_window). It needs Cutoffs or Now.
	TrainingWindow time.Duration
	// Now is the cutoff of every instance when Cutoffs is nil; zero means no
	// cutoff. TIME_SINCE_LAST needs Cutoffs or Now.
	Now time.Time
	// Workers is the number of goroutines (0 = GOMAXPROCS). The result does
	// not depend on it.
	Workers int
	// Progress, if not nil, is called from one goroutine at a time as
	// instances finish, with Stage "instances", Done the instances (target
	// rows) computed so far and Total their number.
	Progress kiln.ProgressFunc
}

// Compute compiles the definitions against es and computes the feature
// matrix: the target's index column followed by one column per feature.
func (d *Definitions) Compute(ctx context.Context, es *EntitySet, opt Options) (*dataset.Frame, error) {
	s, err := d.Compile(es)
	if err != nil {
		return nil, err
	}
	return s.Compute(ctx, opt)
}

// Compute computes the feature matrix for all target rows (or for
// opt.Cutoffs), in parallel over instances. Memory: one float64 per feature
// and instance, plus a few buffers as long as the largest child group per
// worker. Without cutoffs the aggregations that can be streamed read the child
// columns where they are, a few thousand rows at a time, with running states
// per parent (for mode and num_unique, a count per parent and level);
// the per-instance path (cutoffs, and aggregations that cannot stream) also
// keeps in the Scorer, from its first use, each parent's child rows (4 bytes
// per child row) and each aggregation input in that order (8 bytes per child
// row and input).
func (s *Scorer) Compute(ctx context.Context, opt Options) (*dataset.Frame, error) {
	rows, lo, hi, err := s.instances(opt)
	if err != nil {
		return nil, err
	}
	n, nf := len(rows), len(s.outs)
	vals := make([]float64, n*nf) // row-major: instance i's features are vals[i*nf:(i+1)*nf]
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	groups := s.groups
	if opt.Cutoffs == nil && opt.Now.IsZero() {
		// Every target row with all the data: stream what can be streamed.
		if groups, err = s.streamAll(ctx, workers, vals); err != nil {
			return nil, err
		}
	}
	if len(groups) > 0 {
		s.prepare()
	}
	const chunk = 256
	nchunks := (n + chunk - 1) / chunk
	next := make(chan int, nchunks)
	for c := 0; c < nchunks; c++ {
		next <- c
	}
	close(next)
	done := make(chan int, nchunks)
	g, ctx := errgroup.WithContext(ctx)
	for k := 0; k < min(workers, max(nchunks, 1)); k++ {
		g.Go(func() error {
			w := s.newWorker()
			for c := range next {
				if err := ctx.Err(); err != nil {
					return err
				}
				for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
					w.instance(groups, rows[i], lo[i], hi[i], vals[i*nf:(i+1)*nf])
				}
				done <- min(n, (c+1)*chunk) - c*chunk
			}
			return nil
		})
	}
	go func() { g.Wait(); close(done) }()
	finished := 0
	for k := range done {
		finished += k
		if opt.Progress != nil {
			opt.Progress(kiln.Progress{Stage: "instances", Done: int64(finished), Total: int64(n)})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s.frame(rows, vals)
}

// streamAll computes the streamable aggregations of all target rows into
// vals, in parallel over groups, and returns the groups (with the outputs)
// left for the per-instance path.
func (s *Scorer) streamAll(ctx context.Context, workers int, vals []float64) ([]*aggGroup, error) {
	nparents, nf := s.target.Frame.NumRows(), len(s.outs)
	type task struct {
		g      *aggGroup
		outs   []aggOut
		oneHot []*aggGroup // one-hot groups of one column, done together
	}
	var tasks []task
	var rest []*aggGroup
	type oneHotKey struct {
		in *rowExpr
		l  *link
	}
	oneHot := map[oneHotKey][]*aggGroup{}
	var oneHotOrder []oneHotKey
	groups := make([]*aggGroup, 0, len(s.groups))
	for _, g := range s.groups {
		if g.oneHotStreamable() {
			k := oneHotKey{g.row.input, g.link}
			if oneHot[k] == nil {
				oneHotOrder = append(oneHotOrder, k)
			}
			oneHot[k] = append(oneHot[k], g)
		} else {
			groups = append(groups, g)
		}
	}
	for _, k := range oneHotOrder {
		tasks = append(tasks, task{oneHot: oneHot[k]})
	}
	for _, g := range groups {
		for _, o := range g.outs {
			if !g.streamable(o.prim) {
				s.prepare() // before the copies below, which must share the layout
			}
		}
	}
	for _, g := range groups {
		var now, later []aggOut
		for _, o := range g.outs {
			if g.streamable(o.prim) {
				now = append(now, o)
			} else {
				later = append(later, o)
			}
		}
		if len(now) > 0 {
			tasks = append(tasks, task{g: g, outs: now})
		}
		if len(later) > 0 {
			h := *g
			h.outs = later
			rest = append(rest, &h)
		}
	}
	next := make(chan task, len(tasks))
	for _, t := range tasks {
		next <- t
	}
	close(next)
	eg, ctx := errgroup.WithContext(ctx)
	for k := 0; k < min(workers, len(tasks)); k++ {
		eg.Go(func() error {
			w := s.newWorker()
			for t := range next {
				if err := ctx.Err(); err != nil {
					return err
				}
				if t.oneHot != nil {
					streamOneHot(t.oneHot[0].row.input, t.oneHot[0].link, t.oneHot, nparents, vals, nf)
				} else {
					w.stream(t.g, t.outs, nparents, vals, nf)
				}
			}
			return nil
		})
	}
	return rest, eg.Wait()
}

// instances resolves the target rows and their time windows.
func (s *Scorer) instances(opt Options) (rows []int32, lo, hi []int64, err error) {
	window := int64(opt.TrainingWindow)
	if opt.Cutoffs == nil {
		n := s.target.Frame.NumRows()
		rows, lo, hi = make([]int32, n), make([]int64, n), make([]int64, n)
		l, h := int64(math.MinInt64), int64(math.MaxInt64)
		if !opt.Now.IsZero() {
			h = opt.Now.UnixNano()
			if window > 0 {
				l = h - window
			}
		} else if s.needCutoff {
			return nil, nil, nil, fmt.Errorf("dfs: TIME_SINCE_LAST needs a cutoff: set Options.Cutoffs or Options.Now")
		} else if window > 0 {
			return nil, nil, nil, fmt.Errorf("dfs: a training window needs cutoffs: set Options.Cutoffs or Options.Now")
		}
		for i := range rows {
			rows[i], lo[i], hi[i] = int32(i), l, h
		}
		return rows, lo, hi, nil
	}
	c := opt.Cutoffs
	if c.NumCols() < 2 {
		return nil, nil, nil, fmt.Errorf("dfs: cutoffs need 2 columns (instance, time), have %d", c.NumCols())
	}
	keys, times := c.Col(0), c.Col(1)
	if times.Type() != dataset.Timestamp {
		return nil, nil, nil, fmt.Errorf("dfs: cutoffs column %q is %s, want timestamp", times.Name(), times.Type())
	}
	idx, _ := s.target.Frame.Column(s.target.Index)
	if keys.Type() != idx.Type() {
		return nil, nil, nil, fmt.Errorf("dfs: cutoffs column %q is %s, the index %q of %q is %s",
			keys.Name(), keys.Type(), s.target.Index, s.target.Name, idx.Type())
	}
	n := c.NumRows()
	rows, lo, hi = make([]int32, n), make([]int64, n), make([]int64, n)
	for i := 0; i < n; i++ {
		if keys.IsNull(i) || times.IsNull(i) {
			return nil, nil, nil, fmt.Errorf("dfs: cutoffs row %d is null", i)
		}
		var key any
		if keys.Type() == dataset.String {
			key = keys.StringAt(i)
		} else {
			key = keys.Int64s()[i]
		}
		r, ok := s.target.keys.row(key)
		if !ok {
			return nil, nil, nil, fmt.Errorf("dfs: cutoffs row %d: %q has no instance %v", i, s.target.Name, key)
		}
		rows[i], hi[i], lo[i] = int32(r), times.Int64s()[i], math.MinInt64
		if window > 0 {
			lo[i] = hi[i] - window
		}
	}
	return rows, lo, hi, nil
}

// frame turns the row-major results into typed columns.
func (s *Scorer) frame(rows []int32, vals []float64) (*dataset.Frame, error) {
	n, nf := len(rows), len(s.outs)
	idx, _ := s.target.Frame.Column(s.target.Index)
	ri := make([]int, n)
	for i, r := range rows {
		ri[i] = int(r)
	}
	cols := []*dataset.Column{idx.Take(ri)}
	for j, o := range s.outs {
		var valid []bool
		for i := 0; i < n; i++ {
			if v := vals[i*nf+j]; v != v {
				if valid == nil {
					valid = make([]bool, n)
					for k := range valid {
						valid[k] = true
					}
				}
				valid[i] = false
			}
		}
		name := o.name
		switch typ := s.outType(j); typ {
		case Integer:
			v := make([]int64, n)
			for i := range v {
				if x := vals[i*nf+j]; x == x {
					v[i] = int64(x)
				}
			}
			cols = append(cols, dataset.NewInt64(name, v, valid))
		case Boolean:
			v := make([]bool, n)
			for i := range v {
				v[i] = vals[i*nf+j] == 1
			}
			cols = append(cols, dataset.NewBool(name, v, valid))
		case Categorical:
			codes := make([]int32, n)
			for i := range codes {
				if x := vals[i*nf+j]; x == x {
					codes[i] = int32(x)
				}
			}
			c, err := dataset.NewDictString(name, codes, o.levels, valid)
			if err != nil {
				return nil, fmt.Errorf("dfs: feature %q: %w", name, err)
			}
			cols = append(cols, c)
		default:
			v := make([]float64, n)
			for i := range v {
				if x := vals[i*nf+j]; x == x {
					v[i] = x
				}
			}
			cols = append(cols, dataset.NewFloat64(name, v, valid))
		}
	}
	f, err := dataset.New(cols...)
	if err != nil {
		return nil, fmt.Errorf("dfs: feature matrix: %w", err)
	}
	return f, nil
}

func (s *Scorer) outType(j int) ValueType {
	o := s.outs[j]
	if o.row != nil {
		return o.row.typ
	}
	t, _ := (&compiler{es: s.es}).check(o.feature, 0)
	return t
}

// Value is one computed feature value for online scoring: Float holds numbers
// (booleans as 0 or 1), Str categorical values; Null marks a missing value.
type Value struct {
	Float float64
	Str   string
	Null  bool
}

// Row returns the target row of an index value (string, int64 or int).
func (s *Scorer) Row(key any) (int, bool) { return s.target.keys.row(key) }

// Names returns the feature names, in the order ScoreRow fills them.
func (s *Scorer) Names() []string {
	out := make([]string, len(s.outs))
	for i, o := range s.outs {
		out[i] = o.name
	}
	return out
}

// Instance is the online-scoring fast path: it computes every feature of
// one target row as of cutoff (zero time: all data) into dst, which it grows
// to the number of features and returns. It does not allocate once dst and the
// Instance's buffers have grown to size; an Instance is not safe for concurrent
// use (make one per goroutine with NewInstance).
type Instance struct {
	w    *worker
	vals []float64
}

// NewInstance returns scratch space for ScoreRow. The first call lays out
// the Scorer's aggregation inputs in per-parent order (8 bytes per child row
// and input), so that a parent's child rows are read as one contiguous slice.
func (s *Scorer) NewInstance() *Instance {
	s.prepare()
	return &Instance{w: s.newWorker(), vals: make([]float64, len(s.outs))}
}

// ScoreRow computes all features of target row r as of cutoff (zero: no
// cutoff) into dst.
func (in *Instance) ScoreRow(r int, cutoff time.Time, dst []Value) ([]Value, error) {
	return in.ScoreRowWindow(r, cutoff, 0, dst)
}

// ScoreRowWindow is ScoreRow with a training window: if window is positive,
// child rows older than cutoff - window are left out too, as
// Options.TrainingWindow leaves them out of Compute, so that an online
// feature equals its batch value.
func (in *Instance) ScoreRowWindow(r int, cutoff time.Time, window time.Duration, dst []Value) ([]Value, error) {
	s := in.w.s
	if r < 0 || r >= s.target.Frame.NumRows() {
		return dst, fmt.Errorf("dfs: row %d out of range for %q (%d rows)", r, s.target.Name, s.target.Frame.NumRows())
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !cutoff.IsZero() {
		hi = cutoff.UnixNano()
		if window > 0 {
			lo = hi - int64(window)
		}
	} else if s.needCutoff {
		return dst, fmt.Errorf("dfs: TIME_SINCE_LAST needs a cutoff time")
	} else if window > 0 {
		return dst, fmt.Errorf("dfs: a training window needs a cutoff time")
	}
	in.w.instance(s.groups, int32(r), lo, hi, in.vals)
	if cap(dst) < len(s.outs) {
		dst = make([]Value, len(s.outs))
	}
	dst = dst[:len(s.outs)]
	for j, o := range s.outs {
		v := in.vals[j]
		dst[j] = Value{Float: v, Null: v != v}
		if o.levels != nil && v == v {
			dst[j] = Value{Str: o.levels[int(v)]}
		}
	}
	return dst, nil
}

// Transform computes the feature matrix of every target row of es (Compute
// with default options), so that feature definitions can be the first step
// of a pipeline.Pipeline.
func (d *Definitions) Transform(es *EntitySet) (*dataset.Frame, error) {
	return d.Compute(context.Background(), es, Options{})
}
