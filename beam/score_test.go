package beam

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/internal/realdata"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// lateFlights returns the first n nycflights13 flights with an id column (the
// row's index), the inputs of lateModel and the target late (arrived more
// than 15 minutes behind schedule; null for cancelled flights).
func lateFlights(t testing.TB, n int) *dataset.Frame {
	t.Helper()
	all, err := builtin.Flights()
	if err != nil {
		t.Fatal(err)
	}
	f, err := all.Slice(0, n)
	if err != nil {
		t.Fatal(err)
	}
	f, err = f.Select("distance", "hour", "carrier", "origin", "dep_delay", "arr_delay")
	if err != nil {
		t.Fatal(err)
	}
	arr, _ := f.Column("arr_delay")
	late, valid, id := make([]bool, n), make([]bool, n), make([]int64, n)
	for i := range n {
		id[i] = int64(i)
		if !arr.IsNull(i) {
			late[i], valid[i] = arr.Int64s()[i] > 15, true
		}
	}
	f, _ = f.Drop("arr_delay")
	return dataset.MustNew(append([]*dataset.Column{dataset.NewInt64("id", id, nil)},
		append(f.Columns(), dataset.NewBool("late", late, valid))...)...)
}

// lateModel fits a logistic regression of late on the distance, the hour,
// the departure delay (numeric, no imputation: a cancelled flight's missing
// delay is a row the model refuses) and the carrier and origin (one-hot), on
// the flights that arrived.
func lateModel(t testing.TB, f *dataset.Frame) *pipeline.Pipeline {
	t.Helper()
	train, err := f.DropNulls("dep_delay", "late")
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(
		&features.Table{Numeric: []string{"distance", "hour", "dep_delay"}, Categorical: []string{"carrier", "origin"}, Scale: true},
		&models.LogisticRegression{C: 1},
	)
	if err := p.Fit(context.Background(), train, "late"); err != nil {
		t.Fatal(err)
	}
	return p
}

// saveModel saves p in a registry's layout, DIR/late/3/model.kiln.
func saveModel(t testing.TB, p *pipeline.Pipeline) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "late", "3", persist.ModelFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := persist.Save(path, p, persist.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	return path
}

// readOutputs reads back the files a writer wrote under prefix, in name
// order (source, then first row), as one frame.
func readOutputs(t testing.TB, prefix, format string) *dataset.Frame {
	t.Helper()
	names, err := filepath.Glob(prefix + "-*." + format)
	if err != nil || len(names) == 0 {
		t.Fatalf("no output files %s-*.%s (%v)", prefix, format, err)
	}
	slices.Sort(names)
	var frames []*dataset.Frame
	for _, name := range names {
		var f *dataset.Frame
		switch format {
		case "parquet":
			f, err = parquet.ReadFile(name, parquet.Options{})
		case "csv":
			f, err = dataset.ReadCSVFile(name, dataset.CSVOptions{Types: map[string]dataset.Type{"id": dataset.String, "late": dataset.Bool, "model_version": dataset.String}})
		case "jsonl":
			f, err = dataset.ReadJSONLFile(name, dataset.JSONLOptions{Types: map[string]dataset.Type{"id": dataset.String, "late": dataset.Bool, "model_version": dataset.String}})
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		frames = append(frames, f)
	}
	all, err := dataset.Concat(frames...)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// readDeadLetters reads the JSON Lines files WriteDeadLetters wrote.
func readDeadLetters(t testing.TB, name string) []DeadLetter {
	t.Helper()
	var out []DeadLetter
	files, _ := filepath.Glob(name + "*")
	for _, file := range files {
		fh, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var d DeadLetter
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			out = append(out, d)
		}
		fh.Close()
	}
	slices.SortFunc(out, func(a, b DeadLetter) int {
		return strings.Compare(fmt.Sprintf("%s %09d", a.Source, a.Row), fmt.Sprintf("%s %09d", b.Source, b.Row))
	})
	return out
}

// expectScores is what Pipeline.Predict and PredictProba give in-process, by
// id, for the rows of f whose inputs are complete.
type expectScores struct {
	label map[int64]bool
	proba map[int64][2]float64
}

func inProcess(t testing.TB, p *pipeline.Pipeline, f *dataset.Frame) expectScores {
	t.Helper()
	good, err := f.DropNulls("dep_delay", "hour")
	if err != nil {
		t.Fatal(err)
	}
	label, err := p.Predict(good)
	if err != nil {
		t.Fatal(err)
	}
	proba, err := p.PredictProba(good)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := good.Column("id")
	e := expectScores{label: map[int64]bool{}, proba: map[int64][2]float64{}}
	for i, id := range ids.Int64s() {
		e.label[id] = label.Bools()[i]
		e.proba[id] = [2]float64{proba.At(i, 0), proba.At(i, 1)}
	}
	return e
}

// check compares Score's output with the in-process scores, bit for bit.
func (e expectScores) check(t *testing.T, what string, out *dataset.Frame) {
	t.Helper()
	if out.NumRows() != len(e.label) {
		t.Errorf("%s: %d rows scored, want %d", what, out.NumRows(), len(e.label))
	}
	want := []string{"id", "late", "p(false)", "p(true)", "model_name", "model_version"}
	if !slices.Equal(out.Names(), want) {
		t.Fatalf("%s: columns %q, want %q", what, out.Names(), want)
	}
	ids, _ := out.Column("id") // text input keeps it as text
	late, _ := out.Column("late")
	p0, _ := out.Column("p(false)")
	p1, _ := out.Column("p(true)")
	name, _ := out.Column("model_name")
	version, _ := out.Column("model_version")
	seen := map[int64]bool{}
	for i := range out.NumRows() {
		id := int64(-1)
		if ids.Type() == dataset.Int64 {
			id = ids.Int64s()[i]
		} else if v, err := strconv.ParseInt(ids.StringAt(i), 10, 64); err == nil {
			id = v
		}
		if seen[id] {
			t.Fatalf("%s: id %d scored twice", what, id)
		}
		seen[id] = true
		wl, ok := e.label[id]
		if !ok {
			t.Fatalf("%s: id %d was scored; in-process it fails", what, id)
		}
		wp := e.proba[id]
		if late.Bools()[i] != wl || math.Float64bits(p0.Float64s()[i]) != math.Float64bits(wp[0]) ||
			math.Float64bits(p1.Float64s()[i]) != math.Float64bits(wp[1]) {
			t.Fatalf("%s: id %d: %v %v %v, in-process %v %v %v", what, id,
				late.Bools()[i], p0.Float64s()[i], p1.Float64s()[i], wl, wp[0], wp[1])
		}
		if name.StringAt(i) != "late" || version.StringAt(i) != "3" {
			t.Fatalf("%s: id %d: model %q version %q, want late 3", what, id, name.StringAt(i), version.StringAt(i))
		}
	}
}

// TestScoreFiles scores 2,000 flights from CSV, JSON Lines and Parquet files
// (with bad records added to the text files) through Beam on prism, writes
// them in each format, and compares every row with Pipeline.Predict and
// PredictProba in-process, bit for bit; the rows that cannot be scored are
// dead letters with their reasons.
func TestScoreFiles(t *testing.T) {
	flights := lateFlights(t, 2000)
	p := lateModel(t, flights)
	model := saveModel(t, p)
	in, _ := flights.Drop("late")
	want := inProcess(t, p, in)
	refused := len(want.label) // rows without a departure delay are refused by the model
	refused = in.NumRows() - refused
	if refused == 0 {
		t.Fatal("the first 2,000 flights have no cancelled flight; the test needs some")
	}

	dir := t.TempDir()
	// CSV: the frame as written, then three bad records: a distance that is
	// not a number, a record with a field too few, and a quoted field that
	// holds a newline (a good record spread over two lines).
	var csvText strings.Builder
	if err := dataset.WriteCSV(&csvText, in, dataset.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	csvText.WriteString("2000,far,5,UA,EWR,3\n2001,1400,5,UA,EWR\n")
	if err := os.WriteFile(filepath.Join(dir, "flights.csv"), []byte(csvText.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// JSON Lines: the frame's rows, then a line that is not JSON and a line
	// whose hour is a string.
	var jsonText []byte
	for i := range in.NumRows() {
		jsonText = append(appendJSONRow(jsonText, in, i), '\n')
	}
	jsonText = append(jsonText, "{\"id\": 2000, \"distance\": 1400,\n\n{\"id\":2001,\"distance\":1400,\"hour\":\"five\",\"carrier\":\"UA\",\"origin\":\"EWR\",\"dep_delay\":3}\n"...)
	if err := os.WriteFile(filepath.Join(dir, "flights.jsonl"), jsonText, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := parquet.WriteFile(filepath.Join(dir, "flights.parquet"), in, parquet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}

	for _, format := range []string{"csv", "jsonl", "parquet"} {
		t.Run(format, func(t *testing.T) {
			out := t.TempDir()
			bp, s := beam.NewPipelineWithRoot()
			var rows, deadRead beam.PCollection
			opts := ReadOptions{BatchRows: 300}
			src := filepath.Join(dir, "flights."+format)
			switch format {
			case "csv":
				rows, deadRead = ReadCSV(s, src, opts)
			case "jsonl":
				rows, deadRead = ReadJSONL(s, src, opts)
			case "parquet":
				rows, deadRead = ReadParquet(s, src, opts)
			}
			scored, dead := Score{Model: model, Keep: []string{"id"}}.Apply(s, rows)
			WriteParquet(s, filepath.Join(out, "scored"), scored)
			WriteCSV(s, filepath.Join(out, "scored"), scored)
			WriteJSONL(s, filepath.Join(out, "scored"), scored)
			WriteDeadLetters(s, filepath.Join(out, "dead.jsonl"), beam.Flatten(s, deadRead, dead))
			if err := ptest.Run(bp); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"parquet", "csv", "jsonl"} {
				got := readOutputs(t, filepath.Join(out, "scored"), f)
				want.check(t, format+" -> "+f, got)
			}
			dl := readDeadLetters(t, filepath.Join(out, "dead.jsonl"))
			bad := 0
			if format != "parquet" {
				bad = 2
			}
			if len(dl) != refused+bad {
				t.Fatalf("%d dead letters, want %d refused rows and %d bad records: %+v", len(dl), refused, bad, dl)
			}
			for _, d := range dl[:refused] {
				if d.Source != src || !strings.Contains(d.Reason, "is missing") {
					t.Errorf("dead letter %+v: want a missing departure in %s", d, src)
				}
				if line := map[string]int64{"csv": d.Row + 2, "jsonl": d.Row + 1}[format]; d.Line != line { // CSV: after the header
					t.Errorf("dead letter %+v: line %d for row %d, want %d", d, d.Line, d.Row, line)
				}
			}
			switch format {
			case "csv":
				checkDead(t, dl[refused], 2000, 2002, `column "distance"`)
				checkDead(t, dl[refused+1], 2001, 2003, "fields")
			case "jsonl":
				checkDead(t, dl[refused], 2000, 2001, "")
				checkDead(t, dl[refused+1], 2001, 2003, `"hour"`)
			}
		})
	}
}

func checkDead(t *testing.T, d DeadLetter, row, line int64, reason string) {
	t.Helper()
	if d.Row != row || d.Line != line || !strings.Contains(d.Reason, reason) || d.Record == "" {
		t.Errorf("dead letter %+v: want row %d, line %d, a reason naming %s", d, row, line, reason)
	}
}

// TestScoreFrames scores in-memory frames (RowsOf) and checks what a batch
// whose columns do not fit the model gives: a dead letter per row.
func TestScoreFrames(t *testing.T) {
	flights := lateFlights(t, 600)
	p := lateModel(t, flights)
	model := saveModel(t, p)
	in, _ := flights.Drop("late")
	want := inProcess(t, p, in)
	noHour, _ := in.Drop("hour")
	batches := append(RowsOf("memory", in, 250), RowsOf("no-hour", noHour, 100)...)

	out := t.TempDir()
	bp, s := beam.NewPipelineWithRoot()
	scored, dead := Score{Model: model, Keep: []string{"id"}}.Apply(s, beam.CreateList(s, batches))
	WriteParquet(s, filepath.Join(out, "scored"), scored)
	WriteDeadLetters(s, filepath.Join(out, "dead.jsonl"), dead)
	if err := ptest.Run(bp); err != nil {
		t.Fatal(err)
	}
	want.check(t, "frames", readOutputs(t, filepath.Join(out, "scored"), "parquet"))
	noHourDead := 0
	for _, d := range readDeadLetters(t, filepath.Join(out, "dead.jsonl")) {
		if d.Source == "no-hour" {
			noHourDead++
			if !strings.Contains(d.Reason, `no column "hour"`) || !strings.HasPrefix(d.Record, `{"id":`) {
				t.Errorf("dead letter %+v: want the missing hour column and the row as JSON", d)
			}
		}
	}
	if noHourDead != noHour.NumRows() {
		t.Errorf("%d dead letters from the batch without hour, want %d", noHourDead, noHour.NumRows())
	}
}

// TestScoreBadBundle: a missing or corrupt bundle fails the pipeline with an
// error naming it, before any row is scored.
func TestScoreBadBundle(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.kiln")
	if err := os.WriteFile(corrupt, []byte("not a kiln bundle at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	flights := lateFlights(t, 50)
	for _, c := range []struct{ model, want string }{
		{filepath.Join(dir, "missing.kiln"), "missing.kiln"},
		{corrupt, "corrupt.kiln"},
		{"", "Model is empty"},
	} {
		bp, s := beam.NewPipelineWithRoot()
		scored, _ := Score{Model: c.model}.Apply(s, beam.CreateList(s, RowsOf("memory", flights, 0)))
		WriteParquet(s, filepath.Join(dir, "scored"), scored)
		err := ptest.Run(bp)
		if err == nil {
			t.Fatalf("Model %q: the pipeline ran", c.model)
		}
		if !strings.Contains(err.Error(), "loading the model") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Model %q: error %q; want it to name the bundle", c.model, err)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "scored*")); len(files) > 0 {
		t.Errorf("rows were written: %q", files)
	}
}

// TestModelIdentity: a registry's layout names the model and version; any
// other file by its base name and digest.
func TestModelIdentity(t *testing.T) {
	var sum [32]byte
	sum[0], sum[5] = 0xab, 0x01
	for _, c := range []struct{ uri, name, version string }{
		{"/models/churn/12/model.kiln", "churn", "12"},
		{"gs://bucket/reg/churn/7/model.kiln", "churn", "7"},
		{"/tmp/churn.kiln", "churn", "sha256:ab0000000001"},
		{"s3://b/churn/latest/model.kiln", "model", "sha256:ab0000000001"},
	} {
		name, version := modelIdentity(c.uri, sum)
		if name != c.name || version != c.version {
			t.Errorf("%s: %s %s, want %s %s", c.uri, name, version, c.name, c.version)
		}
	}
}

// TestScoreFlights3M is the acceptance case of Score: the 3,000,000 rows of
// flights-3m.parquet scored by Beam on prism equal Pipeline.Predict
// in-process, bit for bit, on every row.
func TestScoreFlights3M(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: scores 3,000,000 rows")
	}
	path := realdata.Require(t, "vega/flights-3m.parquet")
	flights, err := parquet.ReadFile(path, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The model of scripts/flightsmodel (kiln predict's benchmark): the delay
	// in minutes from the distance and the airports.
	train, err := flights.Sample(200_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(
		&features.Table{Numeric: []string{"distance"}, Categorical: []string{"origin", "destination"}, TopN: 50, DropFirst: true},
		&models.LinearRegression{},
	)
	if err := p.Fit(context.Background(), train, "delay"); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(t.TempDir(), "flights.kiln")
	if err := persist.Save(model, p, persist.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	// The in-process path timed as the Beam one runs: read the file, score,
	// write the predictions as Parquet.
	out := t.TempDir()
	start := time.Now()
	again, err := parquet.ReadFile(path, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Predict(again)
	if err != nil {
		t.Fatal(err)
	}
	predictions, err := dataset.New(want)
	if err != nil {
		t.Fatal(err)
	}
	if err := parquet.WriteFile(filepath.Join(out, "in-process.parquet"), predictions, parquet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	inProcess := time.Since(start)

	start = time.Now()
	bp, s := beam.NewPipelineWithRoot()
	rows, deadRead := ReadParquet(s, path, ReadOptions{})
	scored, dead := Score{Model: model, Keep: []string{}}.Apply(s, rows)
	WriteParquet(s, filepath.Join(out, "scored"), scored)
	WriteDeadLetters(s, filepath.Join(out, "dead.jsonl"), beam.Flatten(s, deadRead, dead))
	if err := ptest.Run(bp); err != nil {
		t.Fatal(err)
	}
	onBeam := time.Since(start)
	if dl := readDeadLetters(t, filepath.Join(out, "dead.jsonl")); len(dl) > 0 {
		t.Fatalf("%d dead letters, the first %+v", len(dl), dl[0])
	}
	got := readOutputs(t, filepath.Join(out, "scored"), "parquet")
	if got.NumRows() != flights.NumRows() {
		t.Fatalf("%d rows scored, want %d", got.NumRows(), flights.NumRows())
	}
	g, _ := got.Column("delay")
	for i, v := range want.Float64s() {
		if math.Float64bits(g.Float64s()[i]) != math.Float64bits(v) {
			t.Fatalf("row %d: Beam %v, in-process %v", i, g.Float64s()[i], v)
		}
	}
	name, _ := got.Column("model_name")
	if name.StringAt(0) != "flights" {
		t.Errorf("model_name %q, want flights", name.StringAt(0))
	}
	t.Logf("%d rows equal, bit for bit", got.NumRows())
	// Figures for the record, not assertions: read, score and write Parquet.
	n := float64(flights.NumRows())
	t.Logf("in process: %v, %.0f rows/s; Beam on prism: %v, %.0f rows/s",
		inProcess.Round(time.Millisecond), n/inProcess.Seconds(), onBeam.Round(time.Millisecond), n/onBeam.Seconds())
}

// TestScoreNonFinite: a prediction that overflows to infinity is a dead
// letter, and the other rows of its batch are scored.
func TestScoreNonFinite(t *testing.T) {
	train := dataset.MustNew(dataset.NewFloat64("x", []float64{1, 2, 3, 4}, nil), dataset.NewFloat64("y", []float64{2, 4, 6, 8}, nil))
	p := pipeline.New(&features.Table{Numeric: []string{"x"}}, &models.LinearRegression{})
	if err := p.Fit(context.Background(), train, "y"); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(t.TempDir(), "double.kiln")
	if err := persist.Save(model, p, persist.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	rows := dataset.MustNew(dataset.NewFloat64("x", []float64{5, 1e308, 6}, nil))
	out := t.TempDir()
	bp, s := beam.NewPipelineWithRoot()
	scored, dead := Score{Model: model}.Apply(s, beam.CreateList(s, RowsOf("memory", rows, 0)))
	WriteJSONL(s, filepath.Join(out, "scored"), scored)
	WriteDeadLetters(s, filepath.Join(out, "dead.jsonl"), dead)
	if err := ptest.Run(bp); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "scored-"+shardName("", "memory", 0, "jsonl")[1:]))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := p.Predict(rows.Take([]int{0, 2}))
	version := "sha256:" + fmt.Sprintf("%x", sha256File(t, model))[:12]
	wantText := fmt.Sprintf("{\"x\":5,\"y\":%v,\"model_name\":\"double\",\"model_version\":%q}\n{\"x\":6,\"y\":%v,\"model_name\":\"double\",\"model_version\":%q}\n",
		strconv.FormatFloat(want.Float64s()[0], 'g', -1, 64), version, strconv.FormatFloat(want.Float64s()[1], 'g', -1, 64), version)
	if string(got) != wantText {
		t.Errorf("scored:\n%s\nwant:\n%s", got, wantText)
	}
	dl := readDeadLetters(t, filepath.Join(out, "dead.jsonl"))
	if len(dl) != 1 || dl[0].Row != 1 || !strings.Contains(dl[0].Reason, "+Inf, not a finite number") {
		t.Errorf("dead letters %+v; want row 1 with an infinite prediction", dl)
	}
}

func sha256File(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
