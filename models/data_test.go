package models

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// table is a small CSV from the repository's embedded data (dataset/builtin/data).
type table struct {
	header []string
	rows   [][]string
}

func loadTable(t testing.TB, name string) table {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "dataset", "builtin", "data", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return table{header: recs[0], rows: recs[1:]}
}

func (tb table) col(t testing.TB, name string) int {
	t.Helper()
	for i, h := range tb.header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, tb.header)
	return -1
}

// floats returns the named columns as a dense matrix, skipping rows where skip returns true.
func (tb table) floats(t testing.TB, names []string, skip func(row []string) bool) *mat.Dense {
	t.Helper()
	idx := make([]int, len(names))
	for i, n := range names {
		idx[i] = tb.col(t, n)
	}
	var data []float64
	rows := 0
	for _, r := range tb.rows {
		if skip != nil && skip(r) {
			continue
		}
		for _, j := range idx {
			v, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, v)
		}
		rows++
	}
	return mat.NewDense(rows, len(names), data)
}

func column(m *mat.Dense, j int) []float64 {
	return mat.Col(nil, j, m)
}
