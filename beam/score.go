package beam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

// Score scores rows with a saved kiln model (a persist bundle) on a Beam
// runner: each worker loads the bundle once, in the DoFn's Setup, and scores
// every batch of rows it is given through the pipeline.Pipeline, as
// Pipeline.Predict and PredictProba score a frame in-process, with the same
// bits.
//
// The input is a PCollection of Rows (from ReadParquet, ReadCSV, ReadJSONL
// or RowsOf). Text records are parsed with the model's input types, by the
// parsers of package dataset that `kiln predict` uses. The output is a
// PCollection of Rows whose frames hold, row for row, the Keep columns of the
// input, the prediction (named as the model's output, typed as
// Pipeline.Predict types it), for a classifier the probability of each class
// (p(LABEL), in the model's class order, as `kiln predict -probabilities`
// names them), and the model's name and version (model_name,
// model_version): every prediction says which model made it. A column of the
// input named as one of these is replaced.
//
// Rows are scored in batches (one Rows element at a time); when a batch
// fails, it is split in halves until the rows that fail on their own are
// found, so one bad row costs about 2 log2(batch) extra calls and never the
// batch. kiln's steps score each row on its own, so a row's prediction does
// not depend on the batch it is scored in: the output equals
// Pipeline.Predict and PredictProba in-process, bit for bit.
//
// What is a dead letter and what fails the job:
//
//   - Per row, to the second output (a PCollection of DeadLetter, with the
//     reason, the source, the row and the record as it came): a CSV record or
//     JSON line that does not parse, or whose value does not parse as the
//     model's type for its column; a batch without a column the model reads,
//     with a column of another type, or without a Keep column (each of its
//     rows); a row the model refuses (a missing value where it imputes none);
//     a prediction or probability that is NaN or infinite. The readers add
//     their own: a file that is not Parquet or not valid gzip, a record longer
//     than ReadOptions.MaxRecordBytes (Row -1 when the rest of a file is lost).
//   - The job fails, with an error naming the place: a bundle that is
//     missing, unreadable or corrupt (at Setup, before any row is scored);
//     an empty Model; an I/O error while reading an input or writing an
//     output (which the runner retries first); a malformed Rows element
//     (neither a frame nor records, or records without their line numbers);
//     text records given to a writer.
//
// Within a worker process, DoFn instances that read a bundle of the same
// bytes share one loaded pipeline (Pipeline values score from many
// goroutines at once).
type Score struct {
	// Model is the bundle: a path or URI on any Beam filesystem, such as
	// /models/churn.kiln, gs://bucket/models/churn.kiln or s3://... (import
	// the filesystem's package, such as
	// github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs, in the
	// program; local paths need nothing). A path in a persist.Registry's
	// layout, ROOT/NAME/VERSION/model.kiln, names the model NAME and its
	// version VERSION; any other file is named by its base name, and its
	// version is "sha256:" and the first 12 hex digits of the SHA-256 of its
	// bytes, as package serve and `kiln predict` name a bundle file's
	// version. Resolve registry aliases such as "production" before launching
	// (persist.Registry.Resolve and Path), so that every worker scores the
	// same version.
	Model string
	// Name and Version, when set, replace the name and version found from
	// Model.
	Name, Version string
	// Keep names the input columns copied into the output, in order; nil
	// copies every column. Outside the model's inputs, CSV and JSON Lines
	// columns are kept as text (their strings as written), so that every
	// batch has the same columns. A column to keep that a CSV, Parquet or
	// frame batch lacks is a dead letter for its rows; a JSON key absent from
	// every line of a batch is null, as JSON Lines has it.
	Keep []string
}

// Apply adds the scoring step: rows (Rows) in, predictions (Rows) and dead
// letters (DeadLetter) out.
func (sc Score) Apply(s beam.Scope, rows beam.PCollection) (scored, dead beam.PCollection) {
	s = s.Scope("kiln.Score")
	return beam.ParDo2(s, &scoreFn{Model: sc.Model, Name: sc.Name, Version: sc.Version, Keep: sc.Keep, KeepAll: sc.Keep == nil}, rows)
}

func init() {
	register.DoFn4x1[context.Context, Rows, func(Rows), func(DeadLetter), error](&scoreFn{})
	register.Emitter1[Rows]()
	register.Emitter1[DeadLetter]()
}

// model is a loaded bundle, shared by the DoFn instances of a process.
type model struct {
	p       *pipeline.Pipeline
	name    string // from the path: the registry's NAME or the file's base name
	version string // from the path: the registry's VERSION, or "sha256:..."
	inputs  map[string]dataset.Type
	order   []string // input names in the model's order
	proba   []string // probability column names of a classifier, nil otherwise
}

// loadedModels caches loaded bundles by the SHA-256 of their bytes.
var loadedModels struct {
	sync.Mutex
	byDigest map[[32]byte]*model
}

// loadModel reads the bundle at uri through Beam's filesystems and returns
// the pipeline in it, loading each distinct bundle once per process.
func loadModel(ctx context.Context, uri string) (*model, error) {
	if uri == "" {
		return nil, fmt.Errorf("Model is empty: give the bundle's path or URI: %w", errConfig)
	}
	fs, err := filesystem.New(ctx, uri)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	buf, err := filesystem.Read(ctx, fs, uri)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf)
	loadedModels.Lock()
	defer loadedModels.Unlock()
	if m, ok := loadedModels.byDigest[sum]; ok {
		return m, nil
	}
	p, err := persist.Unmarshal(buf)
	if err != nil {
		return nil, err
	}
	m := &model{p: p, inputs: map[string]dataset.Type{}}
	m.name, m.version = modelIdentity(uri, sum)
	for _, in := range p.Inputs() {
		t, err := dataset.ParseType(in.Type)
		if err != nil {
			return nil, fmt.Errorf("input column %q: %w", in.Name, err)
		}
		m.inputs[in.Name] = t
		m.order = append(m.order, in.Name)
	}
	if classes := p.Classes(); classes != nil {
		for c := range classes.Len() {
			m.proba = append(m.proba, "p("+classes.Format(c)+")")
		}
	}
	if loadedModels.byDigest == nil {
		loadedModels.byDigest = map[[32]byte]*model{}
	}
	loadedModels.byDigest[sum] = m
	return m, nil
}

// modelIdentity names a bundle from its path: NAME and VERSION in a
// registry's layout (ROOT/NAME/VERSION/model.kiln), otherwise the file's base
// name and the start of its digest.
func modelIdentity(uri string, sum [32]byte) (name, version string) {
	clean := uri
	if i := strings.Index(clean, "://"); i >= 0 {
		clean = clean[i+3:]
	}
	dir, file := path.Split(path.Clean(strings.ReplaceAll(clean, "\\", "/")))
	parent, ver := path.Split(path.Clean(dir))
	if file == persist.ModelFile {
		if _, err := strconv.ParseUint(ver, 10, 31); err == nil {
			if name := path.Base(path.Clean(parent)); name != "." && name != "/" {
				return name, ver
			}
		}
	}
	return strings.TrimSuffix(file, ".kiln"), "sha256:" + hex.EncodeToString(sum[:6])
}

// scoreFn is Score's DoFn.
type scoreFn struct {
	Model, Name, Version string
	Keep                 []string
	KeepAll              bool

	m *model
}

func (f *scoreFn) Setup(ctx context.Context) error {
	m, err := loadModel(ctx, f.Model)
	if err != nil {
		return fmt.Errorf("kiln/beam: Score: loading the model %s: %w", f.Model, err)
	}
	f.m = m
	return nil
}

func (f *scoreFn) name() string {
	if f.Name != "" {
		return f.Name
	}
	return f.m.name
}

func (f *scoreFn) version() string {
	if f.Version != "" {
		return f.Version
	}
	return f.m.version
}

func (f *scoreFn) ProcessElement(ctx context.Context, in Rows, emit func(Rows), emitDead func(DeadLetter)) error {
	if f.m == nil { // a runner that skipped Setup
		if err := f.Setup(ctx); err != nil {
			return err
		}
	}
	b, err := f.parse(in)
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
	pred, proba, err := f.predict(b.frame)
	if err != nil {
		// Find the rows that fail on their own, and score the others.
		bad := map[int]string{}
		f.isolate(b.frame, 0, b.frame.NumRows(), bad)
		if b.refuse(bad, emitDead) == nil {
			return nil
		}
		if pred, proba, err = f.predict(b.frame); err != nil {
			return fmt.Errorf("kiln/beam: Score: %s rows from %d: rows that score alone fail together: %w", in.Source, in.First, err)
		}
	}
	if bad := nonFinite(pred, proba); len(bad) > 0 {
		// A prediction that is not a number says an input is extreme: the
		// row is refused, as `kiln predict` refuses it.
		good := b.refuse(bad, emitDead)
		if good == nil {
			return nil
		}
		pred = pred.Take(good)
		if proba != nil {
			proba = takeRows(proba, good)
		}
	}
	out, err := f.output(b.frame, pred, proba)
	if err != nil {
		return fmt.Errorf("kiln/beam: Score: %s rows from %d: %w", in.Source, in.First, err)
	}
	emit(Rows{Source: in.Source, First: in.First, Frame: out})
	return nil
}

// refuse sends the rows of bad to the dead letters with their reasons and
// keeps the others in the batch, returning their indices in the batch as it
// was; nil when no row is left.
func (b *batch) refuse(bad map[int]string, emitDead func(DeadLetter)) []int {
	n := b.frame.NumRows()
	good := make([]int, 0, n-len(bad))
	for i := range n {
		if reason, ok := bad[i]; ok {
			emitDead(b.deadLetter(i, reason))
		} else {
			good = append(good, i)
		}
	}
	if len(good) == 0 {
		return nil
	}
	b.frame, b.record = b.frame.Take(good), takeInts(b.record, good)
	return good
}

// checkBatch returns why no row of the batch fits the model, or "".
func (f *scoreFn) checkBatch(fr *dataset.Frame) string {
	for _, name := range f.m.order {
		want := f.m.inputs[name]
		c, err := fr.Column(name)
		if err != nil {
			return fmt.Sprintf("no column %q, an input of the model (%s)", name, want)
		}
		if !compatible(want, c.Type()) {
			return fmt.Sprintf("column %q is %s; the model reads %s", name, c.Type(), want)
		}
	}
	if !f.KeepAll {
		for _, name := range f.Keep {
			if !fr.Has(name) {
				return fmt.Sprintf("no column %q to keep (Score.Keep)", name)
			}
		}
	}
	return ""
}

// compatible follows Pipeline.Predict: numbers and booleans stand for each
// other, other types must match.
func compatible(want, got dataset.Type) bool {
	numeric := func(t dataset.Type) bool { return t == dataset.Float64 || t == dataset.Int64 || t == dataset.Bool }
	return want == got || numeric(want) && numeric(got)
}

func (f *scoreFn) predict(fr *dataset.Frame) (*dataset.Column, *mat.Dense, error) {
	pred, err := f.m.p.Predict(fr)
	if err != nil {
		return nil, nil, err
	}
	var proba *mat.Dense
	if f.m.proba != nil {
		if proba, err = f.m.p.PredictProba(fr); err != nil {
			return nil, nil, err
		}
	}
	return pred, proba, nil
}

// nonFinite returns the rows whose prediction or probabilities are NaN or
// infinite, with the reason.
func nonFinite(pred *dataset.Column, proba *mat.Dense) map[int]string {
	bad := map[int]string{}
	if pred.Type() == dataset.Float64 {
		for i, v := range pred.Float64s() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				bad[i] = fmt.Sprintf("the prediction is %v, not a finite number; an input is probably extreme", v)
			}
		}
	}
	if proba != nil {
		rows, cols := proba.Dims()
		for i := range rows {
			for c := range cols {
				if v := proba.At(i, c); math.IsNaN(v) || math.IsInf(v, 0) {
					if _, ok := bad[i]; !ok {
						bad[i] = fmt.Sprintf("probability %d is %v, not a finite number; an input is probably extreme", c, v)
					}
				}
			}
		}
	}
	return bad
}

// takeRows returns the rows idx of m.
func takeRows(m *mat.Dense, idx []int) *mat.Dense {
	_, cols := m.Dims()
	out := mat.NewDense(len(idx), cols, nil)
	for k, i := range idx {
		out.SetRow(k, m.RawRowView(i))
	}
	return out
}

// takeInts returns v[idx[0]], v[idx[1]], ...; nil for nil.
func takeInts(v []int, idx []int) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = v[i]
	}
	return out
}

// isolate finds the rows of [lo, hi) that fail on their own, halving the
// range while it fails.
func (f *scoreFn) isolate(fr *dataset.Frame, lo, hi int, bad map[int]string) {
	part, _ := fr.Slice(lo, hi)
	_, _, err := f.predict(part)
	switch {
	case err == nil:
	case hi-lo == 1:
		bad[lo] = err.Error()
	default:
		mid := lo + (hi-lo)/2
		f.isolate(fr, lo, mid, bad)
		f.isolate(fr, mid, hi, bad)
	}
}

// output assembles the kept columns, the prediction, the probabilities and
// the model's identity.
func (f *scoreFn) output(fr *dataset.Frame, pred *dataset.Column, proba *mat.Dense) (*dataset.Frame, error) {
	n := fr.NumRows()
	added := []*dataset.Column{pred}
	for c, name := range f.m.proba {
		v := make([]float64, n)
		mat.Col(v, c, proba)
		added = append(added, dataset.NewFloat64(name, v, nil))
	}
	added = append(added, constant("model_name", f.name(), n), constant("model_version", f.version(), n))
	taken := map[string]bool{}
	for _, c := range added {
		taken[c.Name()] = true
	}
	var cols []*dataset.Column
	keep := f.Keep
	if f.KeepAll {
		keep = fr.Names()
	}
	for _, name := range keep {
		if taken[name] {
			continue
		}
		c, err := fr.Column(name)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return dataset.New(append(cols, added...)...)
}

// constant is a dictionary column holding one string on every row.
func constant(name, value string, n int) *dataset.Column {
	c, _ := dataset.NewDictString(name, make([]int32, n), []string{value}, nil) // code 0 is in range
	return c
}

// batch is a Rows element made typed: its frame, and for each frame row where
// it came from.
type batch struct {
	in     Rows
	frame  *dataset.Frame
	record []int // frame row -> index in in.Records (text), nil for frames
	dead   []DeadLetter
}

func (b *batch) deadLetter(row int, reason string) DeadLetter {
	d := DeadLetter{Source: b.in.Source, Reason: reason}
	if b.record == nil {
		d.Row = b.in.First + int64(row)
		d.Record = string(appendJSONRow(nil, b.frame, row))
		return d
	}
	k := b.record[row]
	d.Row, d.Line, d.Record = b.in.First+int64(k), b.in.Lines[k], b.in.Records[k]
	return d
}

// parse makes a batch typed: frames as they are, text records parsed with
// the model's input types.
func (f *scoreFn) parse(in Rows) (*batch, error) {
	return parseRows(in, f.m.inputs, append(slices.Clone(f.m.order), f.Keep...), "Score")
}

// parseRows makes a batch typed for transform who: frames as they are, text
// records parsed with the types of inputs (other columns as text), the
// columns of present in every frame.
func parseRows(in Rows, inputs map[string]dataset.Type, present []string, who string) (*batch, error) {
	b := &batch{in: in}
	switch in.Format {
	case "":
		if in.Frame == nil {
			return nil, fmt.Errorf("kiln/beam: %s: %s rows from %d: neither a frame nor text records", who, in.Source, in.First)
		}
		b.frame = in.Frame
		return b, nil
	case "csv", "jsonl":
		if len(in.Lines) != len(in.Records) {
			return nil, fmt.Errorf("kiln/beam: %s: %s rows from %d: %d records and %d line numbers", who, in.Source, in.First, len(in.Records), len(in.Lines))
		}
		p := &textParser{in: in, inputs: inputs, forced: map[string]dataset.Type{}, present: present}
		if err := p.start(); err != nil {
			// The header itself does not parse: no record can.
			for k := range in.Records {
				b.dead = append(b.dead, DeadLetter{Source: in.Source, Row: in.First + int64(k), Line: in.Lines[k], Record: in.Records[k], Reason: err.Error()})
			}
			return b, nil
		}
		p.parse(0, len(in.Records))
		b.dead = p.dead
		if len(p.parts) == 0 {
			return b, nil
		}
		fr, err := p.join()
		if err != nil {
			return nil, fmt.Errorf("kiln/beam: %s: %s rows from %d: %w", who, in.Source, in.First, err)
		}
		if fr.NumCols() == 0 { // a frame without columns has no rows either
			for _, part := range p.parts {
				for k := part.lo; k < part.hi; k++ {
					p.kill(k, "the record has no fields")
				}
			}
			b.dead = p.dead
			return b, nil
		}
		b.frame = fr
		for _, part := range p.parts {
			for k := part.lo; k < part.hi; k++ {
				b.record = append(b.record, k)
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("kiln/beam: %s: %s: unknown format %q (csv, jsonl, or a frame)", who, in.Source, in.Format)
}
