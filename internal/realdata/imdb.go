package realdata

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

var imdb struct {
	once   sync.Once
	texts  []string
	labels []int
	err    error
}

// IMDB returns the 50,000 IMDB reviews of data/imdb/reviews.json, in file
// order (rows 0-24,999 negative, 25,000-49,999 positive; blocks of 12,500 are
// test/neg, train/neg, test/pos, train/pos), with every "<br />" replaced by a
// space as the Python reference scripts do, and their sentiment labels (0 or 1). It skips the
// test when the file is absent. The result is loaded once and shared: callers
// must not modify it.
func IMDB(tb testing.TB) (texts []string, labels []int) {
	tb.Helper()
	path := Require(tb, IMDBReviews)
	imdb.once.Do(func() { imdb.texts, imdb.labels, imdb.err = loadIMDB(path) })
	if imdb.err != nil {
		tb.Fatal(imdb.err)
	}
	return imdb.texts, imdb.labels
}

func loadIMDB(path string) ([]string, []int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var rows []struct {
		T string `json:"t"`
		S int    `json:"s"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	texts := make([]string, len(rows))
	labels := make([]int, len(rows))
	for i, r := range rows {
		texts[i] = strings.ReplaceAll(r.T, "<br />", " ")
		labels[i] = r.S
	}
	return texts, labels, nil
}
