package persist

import (
	"context"
	"github.com/kiln-ml/kiln/pipeline"
	"os"
	"path/filepath"
	"testing"

	"github.com/james-bowman/sparse"

	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/internal/realdata"
	"github.com/kiln-ml/kiln/models"
)

// BenchmarkLoadIMDBPipeline loads the IMDB sentiment pipeline named by the
// persist issue: a binary bag of words (MinDF=10, MaxDF=0.1) whose vocabulary
// is fitted on all 50,000 reviews (25,858 terms), and a logistic regression
// fitted on the 25,000 training reviews (rows 12,500-24,999 and 37,500-49,999).
//
//	go test -run X -bench LoadIMDB -count 5 ./persist
func BenchmarkLoadIMDBPipeline(b *testing.B) {
	path := imdbBundle(b)
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.Size()), "bundle-bytes")
}

// imdbBundle returns the path of the IMDB pipeline bundle, fitting and saving
// it first when needed. With KILN_BENCH_IMDB_BUNDLE set, the bundle is kept at
// that path and fitted only by the first process that finds it absent: the
// benchmark harness (bench/run.py) prepares it once, so that a fresh process's
// peak RSS is that of loading the bundle, not of fitting the model.
func imdbBundle(b *testing.B) string {
	path := os.Getenv("KILN_BENCH_IMDB_BUNDLE")
	if path != "" {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	} else {
		path = filepath.Join(b.TempDir(), "imdb.kiln")
	}
	texts, labels := realdata.IMDB(b)
	cv := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true}
	all, err := cv.FitTransform(context.Background(), texts)
	if err != nil {
		b.Fatal(err)
	}
	var rows []int
	var y []float64
	for _, block := range [][2]int{{12500, 25000}, {37500, 50000}} {
		for i := block[0]; i < block[1]; i++ {
			rows = append(rows, i)
			y = append(y, float64(labels[i]))
		}
	}
	x := takeRows(all, rows)
	lr := &models.LogisticRegression{C: 1, MaxIter: 1000}
	if err := lr.Fit(context.Background(), x, y); err != nil {
		b.Fatal(err)
	}
	p := assembled(b, []any{cv, lr}, pipeline.Meta{Inputs: []Field{{Name: "review", Type: "string"}}})
	if err := Save(path, p, SaveOptions{}); err != nil {
		b.Fatal(err)
	}
	return path
}

// takeRows copies rows of a CSR matrix into a new one.
func takeRows(m *sparse.CSR, rows []int) *sparse.CSR {
	raw := m.RawMatrix()
	indptr := make([]int, 1, len(rows)+1)
	var ind []int
	var data []float64
	for _, r := range rows {
		lo, hi := raw.Indptr[r], raw.Indptr[r+1]
		ind = append(ind, raw.Ind[lo:hi]...)
		data = append(data, raw.Data[lo:hi]...)
		indptr = append(indptr, len(ind))
	}
	_, c := m.Dims()
	return sparse.NewCSR(len(rows), c, indptr, ind, data)
}
