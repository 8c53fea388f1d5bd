package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/internal/progress"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

func init() {
	register(command{"predict", "score CSV, JSON Lines or Parquet with a model, streamed in bounded memory; JSON Lines on stdin are answered line by line", predict})
}

// The input formats, and the output formats.
const (
	formatCSV     = "csv"
	formatJSONL   = "jsonl"
	formatParquet = "parquet"
)

// defaultBatchRows bounds the rows read at once; featureBudget bounds the
// bytes of the dense feature matrix the model builds for one Predict call,
// so that a wide model scores a batch in several slices.
const (
	defaultBatchRows = 1 << 16
	featureBudget    = 8 << 20
)

// versionColumn is the output column naming the model version.
const versionColumn = "model_version"

func predict(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiln predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (default: standard output)")
	from := fs.String("from", "", "input format: csv, jsonl or parquet (default: from IN's extension; jsonl on standard input)")
	to := fs.String("to", "", "output format: csv, jsonl or parquet (default: from -o's extension, else the input's format)")
	batchRows := fs.Int("batch", defaultBatchRows, "most rows read and written at once")
	quiet := fs.Bool("q", false, "no progress on standard error")
	withProba := fs.Bool("probabilities", false, "a classifier also writes each class's probability, one column per class named p(LABEL) in the model's class order")
	column := fs.String("column", "", "name of the prediction column (default: the model's output, or OUTPUT_predicted when the input has a column of that name)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: kiln predict [-o OUT] [-from FORMAT] [-to FORMAT] [-probabilities] [-column NAME] [-batch ROWS] [-q] MODEL [IN]

Scores every row of IN (standard input when absent or "-") and writes it
back with two more columns: the prediction, named as the model's output
(OUTPUT_predicted when the input already has that column, such as the
target of labelled data; -column names it), and model_version. With
-probabilities a classifier also writes p(LABEL) for every class, between
the two, in the shortest decimal that parses back to the model's float64
bit for bit (or as float64 in Parquet). Formats are CSV (a header row), JSON Lines and Parquet,
told by the file extensions (.csv; .jsonl, .ndjson, .json; .parquet, .pq)
or by -from and -to; the output takes the input's format unless told.

The input is read, scored and written a batch of rows at a time, so memory
stays bounded whatever the input's size. JSON Lines batches also end
whenever the input has nothing more ready, so a stream on standard input is
answered line by line as it arrives; JSON Lines written back as JSON Lines
keep each input line as it was. CSV columns the model does not read are
passed through as text (nulls such as NA come back as empty fields).
Parquet input must be a file. Progress goes to standard error: a bar on a
terminal, a line every few seconds otherwise.`)
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(rest) < 1 || len(rest) > 2 || *batchRows < 1 {
		fs.Usage()
		return exitUsage
	}
	inPath := "-"
	if len(rest) == 2 {
		inPath = rest[1]
	}
	inFormat, outFormat, err := formats(inPath, *out, *from, *to)
	if err != nil {
		fmt.Fprintf(stderr, "kiln predict: %v\n", err)
		return exitUsage
	}
	m, err := parseModel(rest[0])
	if err != nil {
		return fail(stderr, "predict", err)
	}
	p, version, err := m.load()
	if err != nil {
		return fail(stderr, "predict", err)
	}
	if *withProba && p.Classes() == nil {
		return fail(stderr, "predict", fmt.Errorf("-probabilities: %s is not a classifier (its output %s is a %s)", m, p.Outputs().Name, p.Outputs().Kind))
	}
	var bar *progress.Bar
	if !*quiet {
		bar = progress.New(stderr, "kiln predict")
	}
	s := &scoring{p: p, version: version, batch: *batchRows, bar: bar, column: *column, proba: *withProba}
	if err := s.run(stdin, stdout, inPath, *out, inFormat, outFormat); err != nil {
		bar.Done()
		return fail(stderr, "predict", err)
	}
	bar.Done()
	return exitOK
}

// formats decides the input and output formats from the flags and the file
// names.
func formats(in, out, from, to string) (string, string, error) {
	for _, f := range []string{from, to} {
		switch f {
		case "", formatCSV, formatJSONL, formatParquet:
		default:
			return "", "", fmt.Errorf("unknown format %q: csv, jsonl or parquet", f)
		}
	}
	if from == "" {
		from = formatJSONL
		if in != "-" {
			if from = formatOf(in); from == "" {
				return "", "", fmt.Errorf("cannot tell the format of %s from its extension: pass -from csv, jsonl or parquet", in)
			}
		}
	}
	if to == "" {
		if to = formatOf(out); to == "" {
			to = from
		}
	}
	if from == formatParquet && in == "-" {
		return "", "", errors.New("Parquet input must be a file (it is read from its footer), not standard input")
	}
	return from, to, nil
}

// formatOf tells a format from a file extension, or "".
func formatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return formatCSV
	case ".jsonl", ".ndjson", ".json":
		return formatJSONL
	case ".parquet", ".pq":
		return formatParquet
	}
	return ""
}

// scoring is one run of kiln predict.
type scoring struct {
	p       *pipeline.Pipeline
	version string
	batch   int
	bar     *progress.Bar
	column  string                  // of the prediction: set by -column, else at the first batch
	named   bool                    // column is decided
	proba   bool                    // also write the class probabilities
	types   map[string]dataset.Type // the model's inputs
	slice   int                     // rows per Predict call, once known
	rows    int64
}

// batchReader yields the input a batch at a time, io.EOF after the last.
type batchReader interface {
	next() (*batch, error)
}

// batch is some rows of the input.
type batch struct {
	frame *dataset.Frame
	lines [][]byte // JSON Lines input: each row's line, for JSON Lines output
	where string   // "lines 3-9" or "rows 0-65535", for messages
}

// batchWriter writes scored batches: each row of the input with the
// columns scoring added (the prediction, then any probabilities).
type batchWriter interface {
	write(b *batch, added []*dataset.Column) error
	close() error
}

func (s *scoring) run(stdin io.Reader, stdout io.Writer, inPath, outPath, inFormat, outFormat string) (err error) {
	if s.types, err = schemaTypes(s.p); err != nil {
		return err
	}
	var total int64 // rows, when known
	var r batchReader
	switch inFormat {
	case formatParquet:
		pr, err := openParquet(inPath, s.batch)
		if err != nil {
			return err
		}
		defer pr.close()
		r, total = pr, pr.b.NumRows()
	default:
		in, name := stdin, "standard input"
		var size int64
		if inPath != "-" {
			f, err := os.Open(inPath)
			if err != nil {
				return err
			}
			defer f.Close()
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
			in, name = f, inPath
		}
		if size > 0 && s.bar != nil { // progress in bytes read
			in = progress.NewReader(in, size, s.bar.Func())
		}
		if inFormat == formatCSV {
			r, err = newCSVBatches(in, name, s.batch, s.types)
		} else {
			r = newJSONLBatches(in, name, s.batch, s.types, outFormat != formatJSONL)
		}
		if err != nil {
			return err
		}
	}

	var dst io.Writer = stdout
	if outPath != "" {
		f, cerr := os.Create(outPath)
		if cerr != nil {
			return cerr
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(outPath) // never leave a half-written file behind
			}
		}()
		dst = f
	}
	bw := bufio.NewWriterSize(dst, 1<<16)
	var w batchWriter
	switch outFormat {
	case formatCSV:
		w = &csvWriter{w: bw, version: s.version}
	case formatParquet:
		w = newParquetWriter(bw, s.version)
	default:
		w = &jsonlWriter{w: bw, version: s.version, flush: inFormat == formatJSONL}
	}
	for {
		b, err := r.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		added, err := s.score(b)
		if err != nil {
			return err
		}
		if err := w.write(b, added); err != nil {
			return err
		}
		s.rows += int64(b.frame.NumRows())
		if inFormat == formatParquet || inPath == "-" {
			s.bar.Report(kiln.Progress{Stage: "rows", Done: s.rows, Total: total})
		}
	}
	if err := w.close(); err != nil {
		return err
	}
	return bw.Flush()
}

// score predicts a batch, in slices small enough for the feature budget,
// and returns the columns to add: the prediction, then with proba one
// p(LABEL) column per class.
func (s *scoring) score(b *batch) ([]*dataset.Column, error) {
	f := b.frame
	n := f.NumRows()
	if !s.named {
		s.named = true
		if s.column == "" {
			s.column = s.p.Outputs().Name
			if f.Has(s.column) {
				s.column += "_predicted"
			}
		}
	}
	names := []string{s.column, versionColumn}
	if s.proba {
		names = append(names, s.probaNames()...)
	}
	for _, name := range names {
		if f.Has(name) {
			return nil, fmt.Errorf("%s: the input already has a column %q, which the output adds: drop or rename it (or name the prediction with -column)", b.where, name)
		}
	}
	if n == 0 {
		return s.emptyColumns()
	}
	if s.slice == 0 {
		s.slice = s.batch
		one, _ := f.Slice(0, 1)
		if x, err := s.p.Transform(one); err == nil {
			if _, dense := x.(*mat.Dense); dense {
				_, width := x.Dims()
				s.slice = max(1, min(s.batch, featureBudget/(8*max(width, 1))))
			}
		}
	}
	var parts [][]*dataset.Column // per slice, the added columns
	for lo := 0; lo < n; lo += s.slice {
		part, err := f.Slice(lo, min(lo+s.slice, n))
		if err != nil {
			return nil, err
		}
		cols, err := s.scoreSlice(part)
		if err != nil {
			var nf *nonFiniteError
			if errors.As(err, &nf) {
				return nil, fmt.Errorf("%s: row %d of the batch: %w", b.where, lo+nf.row, err)
			}
			return nil, fmt.Errorf("%s: %w", b.where, err)
		}
		parts = append(parts, cols)
	}
	out := make([]*dataset.Column, len(parts[0]))
	for k := range out {
		col := make([]*dataset.Column, len(parts))
		for i := range parts {
			col[i] = parts[i][k]
		}
		joined, err := concatColumns(col)
		if err != nil {
			return nil, err
		}
		out[k] = joined
	}
	out[0] = out[0].Rename(s.column)
	return out, nil
}

// nonFiniteError is a prediction or probability that is NaN or infinite.
type nonFiniteError struct {
	row   int
	what  string
	value float64
}

func (e *nonFiniteError) Error() string {
	return fmt.Sprintf("the %s is %v, not a finite number; an input is probably extreme", e.what, e.value)
}

// scoreSlice predicts some rows: the prediction, then the probabilities.
func (s *scoring) scoreSlice(part *dataset.Frame) ([]*dataset.Column, error) {
	pred, err := s.p.Predict(part)
	if err != nil {
		return nil, err
	}
	out := []*dataset.Column{pred}
	if s.proba {
		proba, err := s.p.PredictProba(part)
		if err != nil {
			return nil, err
		}
		rows, _ := proba.Dims()
		for c, name := range s.probaNames() {
			v := make([]float64, rows)
			mat.Col(v, c, proba)
			out = append(out, dataset.NewFloat64(name, v, nil))
		}
	}
	for k, c := range out {
		if c.Type() != dataset.Float64 {
			continue
		}
		for i, v := range c.Float64s() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				what := "prediction"
				if k > 0 {
					what = c.Name()
				}
				return nil, &nonFiniteError{i, what, v}
			}
		}
	}
	return out, nil
}

// probaNames names the probability columns, p(LABEL) in class order.
func (s *scoring) probaNames() []string {
	classes := s.p.Classes()
	names := make([]string, classes.Len())
	for c := range names {
		names[c] = "p(" + classes.Format(c) + ")"
	}
	return names
}

// emptyColumns are the added columns of a batch of no rows.
func (s *scoring) emptyColumns() ([]*dataset.Column, error) {
	pred, err := emptyPrediction(s.p)
	if err != nil {
		return nil, err
	}
	out := []*dataset.Column{pred.Rename(s.column)}
	if s.proba {
		for _, name := range s.probaNames() {
			out = append(out, dataset.NewFloat64(name, []float64{}, nil))
		}
	}
	return out, nil
}

// concatColumns joins prediction columns in order.
func concatColumns(cols []*dataset.Column) (*dataset.Column, error) {
	frames := make([]*dataset.Frame, len(cols))
	for i, c := range cols {
		frames[i] = dataset.MustNew(c)
	}
	f, err := dataset.Concat(frames...)
	if err != nil {
		return nil, err
	}
	return f.Col(0), nil
}

// emptyPrediction is a prediction column of no rows, typed as the model's.
func emptyPrediction(p *pipeline.Pipeline) (*dataset.Column, error) {
	name := p.Outputs().Name
	t := dataset.Float64
	if p.Outputs().Type != "" {
		var err error
		if t, err = dataset.ParseType(p.Outputs().Type); err != nil {
			return nil, err
		}
	}
	switch t {
	case dataset.Int64:
		return dataset.NewInt64(name, []int64{}, nil), nil
	case dataset.String:
		return dataset.NewString(name, []string{}, nil), nil
	case dataset.Bool:
		return dataset.NewBool(name, []bool{}, nil), nil
	}
	return dataset.NewFloat64(name, []float64{}, nil), nil
}

func schemaTypes(p *pipeline.Pipeline) (map[string]dataset.Type, error) {
	types := map[string]dataset.Type{}
	for _, f := range p.Inputs() {
		t, err := dataset.ParseType(f.Type)
		if err != nil {
			return nil, err
		}
		types[f.Name] = t
	}
	return types, nil
}

// scored returns a batch's frame with the added columns and the version.
func scored(f *dataset.Frame, added []*dataset.Column, version string) (*dataset.Frame, error) {
	codes := make([]int32, f.NumRows()) // every row: level 0, the version
	v, err := dataset.NewDictString(versionColumn, codes, []string{version}, nil)
	if err != nil {
		return nil, err
	}
	out := f
	for _, c := range append(added, v) {
		if out, err = out.WithColumn(c); err != nil {
			return nil, err
		}
	}
	return out, nil
}
