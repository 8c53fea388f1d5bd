package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/pipeline"
	"gonum.org/v1/gonum/mat"
)

func init() {
	register(command{"predict", "score CSV or JSON Lines with a model; JSON Lines on stdin are scored line by line as they come", predict})
}

// maxBatch bounds the rows scored at once, and so the memory of a stream.
const maxBatch = 4096

func predict(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiln predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (default: standard output)")
	format := fs.String("format", "", "input format, jsonl or csv (default: from the file name; jsonl on standard input)")
	withProba := fs.Bool("probabilities", false, "a classifier also writes each class's probability, one field per class named p(LABEL) in the model's class order")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: kiln predict [-o OUT] [-format jsonl|csv] [-probabilities] MODEL [IN]

Scores every row of IN (standard input when absent or "-") and writes it
back with two more fields: the prediction, named as the model's output, and
model_version. With -probabilities a classifier also writes p(LABEL) for
every class, between the two, in the shortest decimal that parses back to
the model's float64 bit for bit. JSON Lines are read and written a batch at
a time, and a batch ends whenever the input has nothing more ready, so a
stream on standard input is answered line by line as it arrives.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return exitUsage
	}
	m, err := parseModel(fs.Arg(0))
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
	in, name := stdin, "standard input"
	if fs.NArg() == 2 && fs.Arg(1) != "-" {
		f, err := os.Open(fs.Arg(1))
		if err != nil {
			return fail(stderr, "predict", err)
		}
		defer f.Close()
		in, name = f, fs.Arg(1)
	}
	kind := *format
	if kind == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			kind = "csv"
		default:
			kind = "jsonl"
		}
	}
	w := stdout
	var file *os.File
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return fail(stderr, "predict", err)
		}
		w = file
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	switch kind {
	case "jsonl":
		err = predictJSONL(p, version, *withProba, in, bw, name)
	case "csv":
		err = predictCSV(p, version, *withProba, in, bw)
	default:
		err = fmt.Errorf("unknown format %q (jsonl or csv)", kind)
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fail(stderr, "predict", err)
	}
	return exitOK
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

// predictJSONL scores JSON Lines a batch at a time, writing each input
// object back with the prediction (and with withProba the class
// probabilities) and model_version added.
func predictJSONL(p *pipeline.Pipeline, version string, withProba bool, in io.Reader, w *bufio.Writer, name string) error {
	types, err := schemaTypes(p)
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(in, 64<<10)
	var batch [][]byte
	first := 1 // line number of the batch's first line
	line := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := scoreLines(p, version, withProba, types, batch, first, w, name); err != nil {
			return err
		}
		first = line + 1
		batch = batch[:0]
		return w.Flush()
	}
	for {
		b, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			batch = append(batch, bytes.TrimSpace(b))
		} else if len(batch) == 0 {
			first = line + 2
		}
		if len(b) > 0 {
			line++
		}
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return err
		}
		if len(batch) >= maxBatch || r.Buffered() == 0 { // nothing more ready: answer what came
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

func scoreLines(p *pipeline.Pipeline, version string, withProba bool, types map[string]dataset.Type, lines [][]byte, first int, w *bufio.Writer, name string) error {
	var buf bytes.Buffer
	for i, l := range lines {
		if l[0] != '{' || l[len(l)-1] != '}' {
			return fmt.Errorf("%s: line %d: not a JSON object", name, first+i)
		}
		buf.Write(l)
		buf.WriteByte('\n')
	}
	frame, err := dataset.ReadJSONL(&buf, dataset.JSONLOptions{Types: types})
	if err != nil {
		return fmt.Errorf("%s: lines %d-%d: %w", name, first, first+len(lines)-1, err)
	}
	pred, err := p.Predict(frame)
	if err != nil {
		return fmt.Errorf("%s: lines %d-%d: %w", name, first, first+len(lines)-1, err)
	}
	var proba *dataset.Frame
	if withProba {
		if proba, err = probabilities(p, frame); err != nil {
			return fmt.Errorf("%s: lines %d-%d: %w", name, first, first+len(lines)-1, err)
		}
	}
	key := strconv.Quote(p.Outputs().Name)
	ver := strconv.Quote(version)
	for i, l := range lines {
		w.Write(l[:len(l)-1])
		if len(bytes.TrimSpace(l[1:len(l)-1])) > 0 {
			w.WriteByte(',')
		}
		w.WriteString(key)
		w.WriteByte(':')
		if err := writeCell(w, pred, i); err != nil {
			return fmt.Errorf("%s: line %d: %w", name, first+i, err)
		}
		for c := 0; proba != nil && c < proba.NumCols(); c++ {
			w.WriteByte(',')
			w.WriteString(strconv.Quote(proba.Col(c).Name()))
			w.WriteByte(':')
			if err := writeCell(w, proba.Col(c), i); err != nil {
				return fmt.Errorf("%s: line %d: %w", name, first+i, err)
			}
		}
		w.WriteString(`,"model_version":`)
		w.WriteString(ver)
		if _, err := w.WriteString("}\n"); err != nil {
			return err
		}
	}
	return nil
}

func writeCell(w *bufio.Writer, col *dataset.Column, i int) error {
	if col.IsNull(i) {
		_, err := w.WriteString("null")
		return err
	}
	switch col.Type() {
	case dataset.Float64:
		v := col.Float64s()[i]
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if s == "NaN" || strings.Contains(s, "Inf") {
			return errors.New("the prediction is not a finite number")
		}
		_, err := w.WriteString(s)
		return err
	case dataset.Int64, dataset.Bool:
		_, err := w.WriteString(col.Format(i))
		return err
	}
	_, err := w.WriteString(strconv.Quote(col.Format(i)))
	return err
}

// probabilities returns a classifier's class probabilities of the rows, one
// Float64 column per class in the model's class order, named p(LABEL).
func probabilities(p *pipeline.Pipeline, frame *dataset.Frame) (*dataset.Frame, error) {
	proba, err := p.PredictProba(frame)
	if err != nil {
		return nil, err
	}
	classes := p.Classes()
	rows, _ := proba.Dims()
	cols := make([]*dataset.Column, classes.Len())
	for c := range cols {
		v := make([]float64, rows)
		mat.Col(v, c, proba)
		cols[c] = dataset.NewFloat64("p("+classes.Format(c)+")", v, nil)
	}
	return dataset.New(cols...)
}

// predictCSV reads the whole CSV input, scores it, and writes it back with
// the prediction (and with withProba the class probabilities) and
// model_version columns.
func predictCSV(p *pipeline.Pipeline, version string, withProba bool, in io.Reader, w io.Writer) error {
	types, err := schemaTypes(p)
	if err != nil {
		return err
	}
	frame, err := dataset.ReadCSV(in, dataset.CSVOptions{Types: types})
	if err != nil {
		return err
	}
	pred, err := p.Predict(frame)
	if err != nil {
		return err
	}
	versions := make([]string, frame.NumRows())
	for i := range versions {
		versions[i] = version
	}
	out, err := frame.WithColumn(pred)
	if err == nil && withProba {
		var proba *dataset.Frame
		if proba, err = probabilities(p, frame); err != nil {
			return err
		}
		for c := 0; c < proba.NumCols() && err == nil; c++ {
			out, err = out.WithColumn(proba.Col(c))
		}
	}
	if err == nil {
		out, err = out.WithColumn(dataset.NewString("model_version", versions, nil))
	}
	if err != nil {
		return err
	}
	return dataset.WriteCSV(w, out, dataset.CSVOptions{})
}
