package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// registry publishes the mtcars regression mpg ~ wt + hp as cars, version 1,
// with the alias production.
func registry(t *testing.T) (string, *pipeline.Pipeline) {
	t.Helper()
	cars, err := builtin.MTCars()
	if err != nil {
		t.Fatal(err)
	}
	cars, _ = cars.Select("wt", "hp", "mpg")
	p := pipeline.New(&features.Table{Numeric: []string{"wt", "hp"}}, &models.LinearRegression{})
	if err := p.Fit(context.Background(), cars, "mpg"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reg := &persist.Registry{Root: dir}
	if _, err := reg.Publish("cars", p); err != nil {
		t.Fatal(err)
	}
	if err := reg.SetAlias("cars", "production", 1); err != nil {
		t.Fatal(err)
	}
	return dir, p
}

func TestParseModel(t *testing.T) {
	for in, want := range map[string]modelRef{
		"models/cars":              {dir: "models", name: "cars", ref: "latest"},
		"models/cars@3":            {dir: "models", name: "cars", ref: "3"},
		"/srv/reg/cars:production": {dir: "/srv/reg", name: "cars", ref: "production"},
	} {
		got, err := parseModel(in)
		if err != nil || got != want {
			t.Errorf("parseModel(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"cars", "models/cars@", "models/"} {
		if _, err := parseModel(bad); err == nil {
			t.Errorf("parseModel(%q) accepted", bad)
		}
	}
}

func TestUsageAndExitCodes(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(nil, nil, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "predict") {
		t.Fatalf("no command: %d %s", code, errb.String())
	}
	if code := run([]string{"frobnicate"}, nil, &out, &errb); code != exitUsage {
		t.Fatalf("unknown command: %d", code)
	}
	for _, c := range commands {
		errb.Reset()
		if code := run([]string{c.name, "-h"}, nil, &out, &errb); code != exitOK || !strings.Contains(errb.String(), "usage: kiln "+c.name) {
			t.Errorf("%s -h: %d %s", c.name, code, errb.String())
		}
	}
	if code := run([]string{"inspect", "/nonexistent/cars"}, nil, &out, &errb); code != exitFail {
		t.Fatalf("inspect of a missing model: %d", code)
	}
}

func TestInspect(t *testing.T) {
	dir, _ := registry(t)
	var out, errb bytes.Buffer
	if code := run([]string{"inspect", dir + "/cars:production"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("%d %s", code, errb.String())
	}
	for _, want := range []string{"model     cars@1", "digests verified", "output    mpg (value, float64)", "  wt ", "models.LinearRegression", "train_r2", "32 rows",
		`"summary":"(below)"`,
		// R 4.2's summary(lm(mpg ~ wt + hp, data = mtcars)):
		"(Intercept) 37.22727    1.59879  23.285  < 2e-16 ***",
		"wt          -3.87783    0.63273  -6.129 1.12e-06 ***",
		"hp          -0.03177    0.00903  -3.519  0.00145 ** ",
		"Residual standard error: 2.593 on 29 degrees of freedom",
		"Multiple R-squared:  0.8268,\tAdjusted R-squared:  0.8148 ",
		"F-statistic: 69.21 on 2 and 29 DF,  p-value: 9.109e-12",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("inspect lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPredictStreamsJSONLines feeds lines one at a time through a pipe and
// reads each prediction before sending the next line: the first prediction
// is written before the input ends.
func TestPredictStreamsJSONLines(t *testing.T) {
	dir, p := registry(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int)
	var errb bytes.Buffer
	go func() {
		code := run([]string{"predict", dir + "/cars@1"}, inR, outW, &errb)
		outW.Close()
		done <- code
	}()
	lines := bufio.NewReader(outR)
	cars, _ := builtin.MTCars()
	want, _ := p.Predict(cars)
	wt, _ := cars.Column("wt")
	hp, _ := cars.Column("hp")
	for i := 0; i < 3; i++ {
		row, _ := json.Marshal(map[string]float64{"wt": wt.Float64s()[i], "hp": hp.Float64s()[i]})
		if _, err := inW.Write(append(row, '\n')); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() { l, _ := lines.ReadString('\n'); got <- l }()
		var l string
		select {
		case l = <-got:
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer to line %d while the input is still open", i+1)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if rec["mpg"] != want.Float64s()[i] || rec["model_version"] != "cars@1" || rec["wt"] != wt.Float64s()[i] {
			t.Fatalf("line %d: %s, want mpg %v", i+1, l, want.Float64s()[i])
		}
	}
	inW.Close()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

func TestPredictReportsBadLines(t *testing.T) {
	dir, _ := registry(t)
	var out, errb bytes.Buffer
	in := strings.NewReader("{\"wt\": 2.6, \"hp\": 110}\n{\"wt\": \"heavy\", \"hp\": 110}\n")
	code := run([]string{"predict", dir + "/cars"}, in, &out, &errb)
	if code != exitFail || !strings.Contains(errb.String(), "standard input: line") {
		t.Fatalf("%d %q", code, errb.String())
	}
}

// A model without inference says why instead of printing a summary.
func TestInspectSaysWhyThereIsNoSummary(t *testing.T) {
	code, out, errs := cli("inspect", "../../persist/testdata/logistic_v1.2.kiln")
	if code != exitOK || !strings.Contains(out, "summary   none: LogisticRegression.Summary: a penalized fit has no inference") {
		t.Fatalf("%d %s%s", code, out, errs)
	}
}

// TestPredictProbabilities scores the iris rows with a three-class model
// through JSON Lines and CSV with -probabilities: every p(LABEL) parses back
// to the pipeline's own PredictProba bit for bit, in its class order, and a
// regression model is refused.
func TestPredictProbabilities(t *testing.T) {
	iris, err := builtin.Iris()
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(&features.Table{Numeric: []string{"Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"}, Scale: true},
		&models.LogisticRegression{C: 1, MaxIter: 1000})
	if err := p.Fit(context.Background(), iris, "Species"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reg := &persist.Registry{Root: dir}
	if _, err := reg.Publish("iris", p); err != nil {
		t.Fatal(err)
	}
	want, err := p.PredictProba(iris)
	if err != nil {
		t.Fatal(err)
	}
	labels, _ := p.Predict(iris)
	names := []string{"p(setosa)", "p(versicolor)", "p(virginica)"}
	if got := p.Classes(); got.Len() != 3 || got.Format(0) != "setosa" || got.Format(2) != "virginica" {
		t.Fatalf("classes %v", got)
	}
	check := func(format string, row int, rec map[string]string) {
		t.Helper()
		if rec["Species"] != labels.StringAt(row) || rec["model_version"] != "iris@1" {
			t.Fatalf("%s row %d: %v, want label %s", format, row, rec, labels.StringAt(row))
		}
		for c, name := range names {
			v, err := strconv.ParseFloat(rec[name], 64)
			if err != nil || v != want.At(row, c) {
				t.Fatalf("%s row %d %s: %q, PredictProba %v", format, row, name, rec[name], want.At(row, c))
			}
		}
	}

	measures, err := iris.Select("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
	if err != nil {
		t.Fatal(err)
	}
	var in, out, errb bytes.Buffer
	for i := 0; i < measures.NumRows(); i++ {
		row := map[string]float64{}
		for c := 0; c < measures.NumCols(); c++ {
			row[measures.Col(c).Name()] = measures.Col(c).Float64s()[i]
		}
		line, _ := json.Marshal(row)
		in.Write(append(line, '\n'))
	}
	if code := run([]string{"predict", "-probabilities", dir + "/iris"}, &in, &out, &errb); code != exitOK {
		t.Fatalf("jsonl: exit %d: %s", code, errb.String())
	}
	sc := bufio.NewScanner(&out)
	row := 0
	for ; sc.Scan(); row++ {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("line %d: %v", row+1, err)
		}
		rec := map[string]string{}
		for k, v := range raw {
			rec[k] = strings.Trim(string(v), `"`)
		}
		check("jsonl", row, rec)
	}
	if row != iris.NumRows() {
		t.Fatalf("jsonl: %d lines for %d rows", row, iris.NumRows())
	}

	in.Reset()
	out.Reset()
	if err := dataset.WriteCSV(&in, measures, dataset.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"predict", "-probabilities", "-from", "csv", dir + "/iris"}, &in, &out, &errb); code != exitOK {
		t.Fatalf("csv: exit %d: %s", code, errb.String())
	}
	records, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(records) != iris.NumRows()+1 {
		t.Fatalf("csv: %d records, %v", len(records), err)
	}
	if h := strings.Join(records[0][4:], ","); h != "Species,p(setosa),p(versicolor),p(virginica),model_version" {
		t.Fatalf("csv header ends %s", h)
	}
	for i, r := range records[1:] {
		rec := map[string]string{}
		for j, name := range records[0] {
			rec[name] = r[j]
		}
		check("csv", i, rec)
	}

	cars, _ := registry(t)
	errb.Reset()
	if code := run([]string{"predict", "-probabilities", cars + "/cars"}, strings.NewReader(""), &out, &errb); code != exitFail ||
		!strings.Contains(errb.String(), "not a classifier") {
		t.Fatalf("regression with -probabilities: exit %d, %q", code, errb.String())
	}
}
