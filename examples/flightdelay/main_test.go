package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset/parquet"
	"github.com/kiln-ml/kiln/examples/internal/charts"
	"github.com/kiln-ml/kiln/features/dfs"
	"github.com/kiln-ml/kiln/models/metrics"
	"github.com/kiln-ml/kiln/persist"
)

// TestFlightDelay runs the example on January to March: two rolling-origin
// folds, the model of January and February published and served on March.
func TestFlightDelay(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	rep, err := run(context.Background(), &out, config{Months: 3, Dir: dir, Plots: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := charts.Check(rep.Plot); err != nil {
		t.Errorf("figure: %v", err)
	}
	t.Log("\n" + out.String())

	// pandas 1.5.3 on the same file: flights of months 1-3 with a departure
	// time and an arrival delay: 77,911, of which 17,793 arrived more than 15
	// minutes late; by month 26,398, 23,611 and 27,902.
	if rep.Flights != 77911 {
		t.Errorf("%d flights, pandas: 77911", rep.Flights)
	}
	if late := countTrue(rep.LastLate); len(rep.LastLate) != 27902 || late != 6374 {
		t.Errorf("March: %d flights, %d late; pandas: 27902, 6374", len(rep.LastLate), late)
	}

	// The published model is the last fold's: its AUC on March, scored
	// through the registry, is the fold's.
	auc, err := metrics.ROCAUC(boolsToFloats(rep.LastLate), rep.LastMonth)
	if err != nil {
		t.Fatal(err)
	}
	if auc != rep.MonthAUC[3] {
		t.Errorf("published model's March AUC %v, the fold's %v", auc, rep.MonthAUC[3])
	}
	for m, auc := range rep.MonthAUC {
		if auc < 0.6 || auc > 0.9 {
			t.Errorf("month %d: ROC AUC %.4f outside 0.6-0.9", m, auc)
		}
	}
	reg := &persist.Registry{Root: filepath.Join(dir, "registry")}
	p, err := reg.Load(ModelName, "production")
	if err != nil {
		t.Fatal(err)
	}
	if p.Ref() != rep.Ref || p.Metrics["heldout_roc_auc_2013_02"] != rep.MonthAUC[2] || p.Metrics["heldout_roc_auc_2013_03"] != rep.MonthAUC[3] {
		t.Errorf("registry: %v, metrics %v; want %v and AUCs %v", p.Ref(), p.Metrics, rep.Ref, rep.MonthAUC)
	}

	// The day's flights get the batch path's answers on every path: the same
	// label and bit-identical probabilities, from the published version.
	if len(rep.DayRows) == 0 {
		t.Fatalf("day %s: no flights", rep.Day)
	}
	for _, path := range []struct {
		name    string
		answers []scored
		version string
	}{
		{"online, in process", rep.Online, "flightdelay@1"},
		{"real time (kiln serve)", rep.Served, "1"},
		{"streaming (kiln predict)", rep.Streamed, "flightdelay@1"},
	} {
		if len(path.answers) != len(rep.DayRows) {
			t.Errorf("%s: %d answers for %d flights", path.name, len(path.answers), len(rep.DayRows))
			continue
		}
		for i, r := range rep.DayRows {
			a, b := path.answers[i], rep.Batch[r]
			if a.Late != b.Late || a.PFalse != b.PFalse || a.PTrue != b.PTrue || a.Version != path.version {
				t.Errorf("%s, %s flight %d: %+v; batch %+v, version %s", path.name, rep.Day, i, a, b, path.version)
			}
		}
	}
	checkBatchFiles(t, rep)
	n := len(rep.DayRows)
	if want := fmt.Sprintf("%d of %d identical", n, n); strings.Count(out.String(), want) != 3 {
		t.Errorf("the report does not say %q for the three paths:\n%s", want, out.String())
	}
}

// checkBatchFiles reads back what the run wrote for a batch job: the
// month's feature rows in Parquet, and every path's answers.
func checkBatchFiles(t *testing.T, rep *report) {
	t.Helper()
	rows, err := parquet.ReadFile(rep.BatchFile, parquet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rows.NumRows() != len(rep.Batch) || rows.NumCols() != 1+len(rep.Inputs) {
		t.Errorf("%s: %d rows, %d columns; want %d, id and %d inputs", rep.BatchFile, rows.NumRows(), rows.NumCols(), len(rep.Batch), len(rep.Inputs))
	}
	// The file's rows score to the month's answers bit for bit.
	reg := &persist.Registry{Root: filepath.Join(rep.Dir, "registry")}
	p, err := reg.Load(ModelName, "production")
	if err != nil {
		t.Fatal(err)
	}
	again, err := score(p, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again, rep.Batch) {
		t.Errorf("%s scores otherwise than the month's features", rep.BatchFile)
	}
	raw, err := os.ReadFile(rep.Answers)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var a answerLine
		if err := json.Unmarshal(line, &a); err != nil {
			t.Fatalf("%s line %d: %v", rep.Answers, i+1, err)
		}
		var want scored
		switch k := count[a.Path]; a.Path {
		case "batch":
			want = rep.Batch[k]
		case "online":
			want = rep.Online[k]
		case "real time":
			want = rep.Served[k]
		case "streaming":
			want = rep.Streamed[k]
		default:
			t.Fatalf("%s line %d: path %q", rep.Answers, i+1, a.Path)
		}
		if got := (scored{a.Late, a.PFalse, a.PTrue, a.Version}); got != want {
			t.Errorf("%s line %d: %+v, the run's %+v", rep.Answers, i+1, got, want)
		}
		count[a.Path]++
	}
	if n := len(rep.DayRows); count["batch"] != len(rep.Batch) || count["online"] != n || count["real time"] != n || count["streaming"] != n {
		t.Errorf("%s: lines by path %v, want %d batch and %d of each other path", rep.Answers, count, len(rep.Batch), n)
	}
}

// TestNoFutureInFeatures computes the inputs of some flights twice: with the
// whole quarter known, and with every departure after the flight's
// prediction moment removed (only the flight itself is kept, as the row to
// score). A feature that read the future would differ.
func TestNoFutureInFeatures(t *testing.T) {
	tb, err := loadTables(2)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := synthesize(tb)
	if err != nil {
		t.Fatal(err)
	}
	full, err := spec.Compile(tb)
	if err != nil {
		t.Fatal(err)
	}
	sched, _ := tb.flights.Column("scheduled")
	departed, _ := tb.flights.Column("departed")
	for _, r := range []int{500, 9000, 20000, 31000, 45000} {
		want, err := full.Flight(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		cut := sched.Int64s()[r] - int64(Lead)
		var keep []int
		for i := 0; i < tb.flights.NumRows(); i++ {
			if departed.Int64s()[i] <= cut || i == r {
				keep = append(keep, i)
			}
		}
		past := *tb
		past.flights = tb.flights.Take(keep)
		pastOnline, err := spec.Compile(&past)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pastOnline.Flight(len(keep)-1, nil)
		if err != nil {
			t.Fatal(err)
		}
		for j, f := range spec.Inputs() {
			if !sameValue(got[j], want[j]) {
				t.Errorf("flight %d, %s: %+v with the future removed, %+v with it", r, f.Name, got[j], want[j])
			}
		}
	}
}

// TestSpecRoundTrip saves the feature spec as the registry holds it and reads
// it back: the same inputs, computed the same way.
func TestSpecRoundTrip(t *testing.T) {
	tb, err := loadTables(2)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := synthesize(tb)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reg := &persist.Registry{Root: dir}
	path := filepath.Join(reg.Root, "features.json")
	if err := writeSpec(path, spec); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	rows := []int{0, 1, 2, 40000}
	a, err := spec.Batch(context.Background(), tb, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := back.Batch(context.Background(), tb, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() || a.NumCols() != 1+len(spec.Inputs()) {
		t.Errorf("inputs differ after the round trip:\n%s\n%s", a, b)
	}
	for _, bad := range []string{`{`, `{"lead":"soon","row":{}}`, `{"lead":"1h"}`, `{"lead":"1h","row":{"target":"flights"},"history":[{"target":"planes","window":"a day"}]}`} {
		if _, err := ParseSpec([]byte(bad)); err == nil {
			t.Errorf("ParseSpec(%s) accepted", bad)
		}
	}
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// sameValue compares two computed values; nulls are equal whatever they hold.
func sameValue(a, b dfs.Value) bool {
	if a.Null || b.Null {
		return a.Null == b.Null
	}
	return a == b
}

// TestCalibration checks the calibration curve against scikit-learn 1.2.1's
// calibration_curve(y, p, n_bins=5, strategy="uniform") on the same values
// (one bin, [0.2, 0.4), holds a single negative).
func TestCalibration(t *testing.T) {
	late := []bool{false, false, true, false, true, true, false, true, true, true, false, false}
	p := []float64{0.05, 0.12, 0.18, 0.33, 0.41, 0.47, 0.52, 0.66, 0.71, 0.88, 0.93, 0.99}
	observed, predicted := calibration(late, p, 5)
	wantObserved := []float64{0.33333333, 0, 0.66666667, 1, 0.33333333}
	wantPredicted := []float64{0.11666667, 0.33, 0.46666667, 0.685, 0.93333333}
	if len(observed) != 5 || len(predicted) != 5 {
		t.Fatalf("%d and %d bins, want 5", len(observed), len(predicted))
	}
	for i := range wantObserved {
		if math.Abs(observed[i]-wantObserved[i]) > 1e-8 || math.Abs(predicted[i]-wantPredicted[i]) > 1e-8 {
			t.Errorf("bin %d: %v, %v; scikit-learn %v, %v", i, observed[i], predicted[i], wantObserved[i], wantPredicted[i])
		}
	}
}

// TestServingAddr reads the address from kiln serve's log line, as
// log/slog's text handler writes it.
func TestServingAddr(t *testing.T) {
	for _, c := range []struct {
		line, addr string
		ok         bool
	}{
		{`time=2026-12-07T02:52:29.819Z level=INFO msg=serving source=/tmp/r/registry addr=127.0.0.1:40359`, "127.0.0.1:40359", true},
		{`time=2026-12-07T02:52:29.819Z level=INFO msg=serving source="/tmp/a b" addr=[::1]:8080 extra=1`, "[::1]:8080", true},
		{`time=2026-12-07T02:52:29.819Z level=INFO msg=stopped`, "", false},
		{`time=2026-12-07T02:52:29.819Z level=ERROR msg=reload error="addr=1.2.3.4:5"`, "", false},
		{`time=2026-12-07T02:52:29.819Z level=INFO msg=serving addr=`, "", false},
	} {
		addr, ok := servingAddr(c.line)
		if addr != c.addr || ok != c.ok {
			t.Errorf("%s: %q, %v; want %q, %v", c.line, addr, ok, c.addr, c.ok)
		}
	}
}
