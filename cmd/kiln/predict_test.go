package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/pipeline"
)

// carsFiles writes mtcars as CSV (with a car name holding a comma, a quote
// and a newline, to cross record boundaries) and as Parquet, and returns
// the frame and the model's predictions for it.
func carsFiles(t *testing.T, p *pipeline.Pipeline) (frame *dataset.Frame, want []float64, csvPath, pqPath string) {
	t.Helper()
	cars, err := builtin.MTCars()
	if err != nil {
		t.Fatal(err)
	}
	names := cars.Col(0).Strings()
	names = append([]string(nil), names...)
	names[4] = "Hornet \"Sportabout\",\nfour doors"
	cols := cars.Columns()
	cols[0] = dataset.NewString(cols[0].Name(), names, nil)
	cars = dataset.MustNew(cols...)
	pred, err := p.Predict(cars)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	csvPath, pqPath = filepath.Join(dir, "cars.csv"), filepath.Join(dir, "cars.parquet")
	if err := dataset.WriteCSVFile(csvPath, cars, dataset.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := parquet.WriteFile(pqPath, cars, parquet.WriteOptions{RowGroupRows: 10}); err != nil {
		t.Fatal(err)
	}
	return cars, pred.Float64s(), csvPath, pqPath
}

// checkScored checks a scored frame: the input columns unchanged, the
// prediction, and the version on every row.
func checkScored(t *testing.T, name string, in *dataset.Frame, want []float64, got *dataset.Frame) {
	t.Helper()
	if got.NumRows() != in.NumRows() || got.NumCols() != in.NumCols()+2 {
		t.Fatalf("%s: %d rows, %d columns (%v); want %d and %d", name, got.NumRows(), got.NumCols(), got.Names(), in.NumRows(), in.NumCols()+2)
	}
	for k, c := range in.Columns() {
		g := got.Col(k)
		for i := 0; i < c.Len(); i++ {
			if g.Name() != c.Name() || g.Format(i) != c.Format(i) {
				t.Fatalf("%s: column %q row %d: %q, want %q", name, c.Name(), i, g.Format(i), c.Format(i))
			}
		}
	}
	mpg, version := got.Col(in.NumCols()), got.Col(in.NumCols()+1)
	if mpg.Name() != "mpg" || version.Name() != "model_version" {
		t.Fatalf("%s: added columns %q and %q", name, mpg.Name(), version.Name())
	}
	for i, w := range want {
		if mpg.Float64s()[i] != w || version.StringAt(i) != "cars@1" {
			t.Fatalf("%s: row %d: %v %q, want %v cars@1", name, i, mpg.Float64s()[i], version.StringAt(i), w)
		}
	}
}

// Every pair of formats, in batches of 5 rows (32 rows: 7 batches), gives
// the input back with the model's predictions and version.
func TestPredictFormats(t *testing.T) {
	dir, p := registry(t)
	cars, want, _, _ := carsFiles(t, p)
	cars, _ = cars.Drop("mpg") // the output adds it
	csvNoMPG, pqNoMPG := filepath.Join(t.TempDir(), "in.csv"), filepath.Join(t.TempDir(), "in.parquet")
	if err := dataset.WriteCSVFile(csvNoMPG, cars, dataset.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := parquet.WriteFile(pqNoMPG, cars, parquet.WriteOptions{RowGroupRows: 10}); err != nil {
		t.Fatal(err)
	}
	// CSV columns the model does not read come back as their text.
	text := map[string]dataset.Type{"wt": dataset.Float64, "hp": dataset.Float64}
	for _, n := range cars.Names() {
		if text[n] == 0 {
			text[n] = dataset.String
		}
	}
	csvCars, err := dataset.ReadCSVFile(csvNoMPG, dataset.CSVOptions{Types: text})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, in := range []string{csvNoMPG, pqNoMPG} {
		for _, ext := range []string{".csv", ".parquet", ".jsonl"} {
			name := filepath.Base(in) + "->" + ext
			outPath := filepath.Join(out, strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))+"-"+strings.TrimPrefix(filepath.Ext(in), ".")+ext)
			code, stdout, stderr := cli("predict", "-batch", "5", "-q", dir+"/cars", in, "-o", outPath)
			if code != exitOK || stdout != "" {
				t.Fatalf("%s: exit %d: %s%s", name, code, stdout, stderr)
			}
			types := map[string]dataset.Type{"model": dataset.String}
			if filepath.Ext(in) == ".csv" {
				types = text
			}
			var got *dataset.Frame
			switch ext {
			case ".csv":
				got, err = dataset.ReadCSVFile(outPath, dataset.CSVOptions{Types: types})
			case ".parquet":
				got, err = parquet.ReadFile(outPath, parquet.Options{})
			case ".jsonl":
				got, err = dataset.ReadJSONLFile(outPath, dataset.JSONLOptions{Types: types})
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			wantFrame := cars
			if filepath.Ext(in) == ".csv" {
				wantFrame = csvCars
			}
			checkScored(t, name, wantFrame, want, got)
		}
	}
}

func TestPredictProgressAndErrors(t *testing.T) {
	dir, p := registry(t)
	cars, _, csvPath, pqPath := carsFiles(t, p)
	// With the target present, the prediction is mpg_predicted; -column
	// names it, but not as an input column.
	if code, out, errs := cli("predict", "-q", dir+"/cars", csvPath); code != exitOK || !strings.HasPrefix(out, "model,mpg,cyl,") || !strings.Contains(strings.SplitN(out, "\n", 2)[0], ",mpg_predicted,model_version") {
		t.Errorf("an input holding the target: %d %.200s %s", code, out, errs)
	}
	if code, out, errs := cli("predict", "-q", "-column", "fitted", dir+"/cars", csvPath); code != exitOK || !strings.Contains(strings.SplitN(out, "\n", 2)[0], ",fitted,model_version") {
		t.Errorf("-column: %d %.200s %s", code, out, errs)
	}
	if code, _, errs := cli("predict", "-q", "-column", "hp", dir+"/cars", csvPath); code != exitFail || !strings.Contains(errs, `the input already has a column "hp"`) {
		t.Errorf("-column naming an input column: %d %s", code, errs)
	}
	noMPG, _ := cars.Drop("mpg")
	in := filepath.Join(t.TempDir(), "cars.parquet")
	parquet.WriteFile(in, noMPG, parquet.WriteOptions{})
	code, _, errs := cli("predict", dir+"/cars", in, "-to", "csv")
	if code != exitOK || !strings.Contains(errs, "kiln predict: rows 32/32 (100%), done in") {
		t.Errorf("progress: %d\n%s", code, errs)
	}
	// A bad value names the line of the input, across batches and a
	// record of two lines (row 4); the output file is removed.
	wt := noMPG.Col(noMPG.ColumnIndex("wt"))
	texts := make([]string, wt.Len())
	for i := range texts {
		texts[i] = wt.Format(i)
	}
	texts[9] = "heavy" // row 9: line 12 (header, rows 0-3, row 4 on two lines)
	bad, _ := noMPG.WithColumn(dataset.NewString("wt", texts, nil))
	badPath := filepath.Join(t.TempDir(), "bad.csv")
	dataset.WriteCSVFile(badPath, bad, dataset.CSVOptions{})
	outPath := filepath.Join(t.TempDir(), "out.csv")
	code, _, errs = cli("predict", "-q", "-batch", "3", dir+"/cars", badPath, "-o", outPath)
	if code != exitFail || !strings.Contains(errs, badPath+":12:") || !strings.Contains(errs, `"wt"`) {
		t.Errorf("bad value: %d %s", code, errs)
	}
	if _, err := os.Stat(outPath); err == nil {
		t.Error("a failed run left its output file")
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"predict", dir + "/cars", pqPath, "-from", "xml"}, exitUsage, `unknown format "xml"`},
		{[]string{"predict", "-from", "parquet", dir + "/cars"}, exitUsage, "Parquet input must be a file"},
		{[]string{"predict", dir + "/cars", "cars.txt"}, exitUsage, "cannot tell the format of cars.txt"},
		{[]string{"predict", "-batch", "0", dir + "/cars"}, exitUsage, "usage: kiln predict"},
		{[]string{"predict", dir + "/cars", filepath.Join(t.TempDir(), "nope.csv")}, exitFail, "no such file"},
	} {
		if code, _, errs := cli(c.args...); code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %s, want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	// A CSV without a column the model reads is refused before scoring.
	hpOnly, _ := noMPG.Drop("wt")
	noWT := filepath.Join(t.TempDir(), "nowt.csv")
	dataset.WriteCSVFile(noWT, hpOnly, dataset.CSVOptions{})
	if code, _, errs := cli("predict", "-q", dir+"/cars", noWT); code != exitFail || !strings.Contains(errs, `no column "wt", which the model reads`) {
		t.Errorf("missing column: %d %s", code, errs)
	}
}

// Parquet written as JSON Lines: one object per row, every column.
func TestPredictParquetToJSONLines(t *testing.T) {
	dir, p := registry(t)
	cars, want, _, _ := carsFiles(t, p)
	noMPG, _ := cars.Drop("mpg")
	in := filepath.Join(t.TempDir(), "cars.parquet")
	parquet.WriteFile(in, noMPG, parquet.WriteOptions{})
	code, out, errs := cli("predict", "-q", dir+"/cars", in, "-to", "jsonl")
	if code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	first := strings.SplitN(out, "\n", 2)[0]
	var row map[string]any
	if err := json.Unmarshal([]byte(first), &row); err != nil {
		t.Fatalf("%v: %s", err, first)
	}
	if row["model"] != "Mazda RX4" || row["wt"] != 2.62 || row["mpg"] != want[0] || row["model_version"] != "cars@1" {
		t.Errorf("first row %s", first)
	}
}
