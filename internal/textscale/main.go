// Command textscale measures features/text at the size of the Yelp corpus of
// Effective Data Science Infrastructure ch. 5 (650,000 reviews): it writes the
// 50,000 IMDB reviews 13 times to a gzip CSV file (unless it exists), then
// streams that file through CountVectorizer{MinDF: 10 docs, MaxDF: 10%,
// Binary} and reports the time, the matrix and the peak resident memory.
//
//	go run ./internal/textscale [-repeat 13] [-csv /tmp/imdb_x13.csv.gz] [-workers 0] [-prepare]
//
// (-prepare only writes the file, so that a timed run reads it from the start.)
//
// It exits quietly when data/imdb/reviews.json is absent (see
// scripts/fetch-data.sh and KILN_DATA).
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/internal/realdata"
)

func main() {
	repeat := flag.Int("repeat", 13, "copies of the 50,000 reviews")
	path := flag.String("csv", "", "gzip CSV to write (if absent) and stream (default: $TMPDIR/imdb_xN.csv.gz)")
	workers := flag.Int("workers", 0, "goroutines (0: GOMAXPROCS)")
	prepare := flag.Bool("prepare", false, "only write the CSV file")
	flag.Parse()
	if *path == "" {
		*path = fmt.Sprintf("%s/imdb_x%d.csv.gz", os.TempDir(), *repeat)
	}
	src, ok := realdata.Path(realdata.IMDBReviews)
	if !ok {
		fmt.Printf("%s is absent: run scripts/fetch-data.sh\n", src)
		return
	}
	if _, err := os.Stat(*path); err != nil {
		if err := writeCorpus(src, *path, *repeat); err != nil {
			log.Fatal(err)
		}
	}
	if *prepare {
		return
	}
	fc, err := text.OpenCSVColumn(*path, "review")
	if err != nil {
		log.Fatal(err)
	}
	defer fc.Close()
	start := time.Now()
	cv := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true, Workers: *workers}
	m, err := cv.FitTransformCorpus(context.Background(), fc)
	if err != nil {
		log.Fatal(err)
	}
	elapsed := time.Since(start)
	r, c := m.Dims()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("streamed %s: %d documents x %d terms, %d non-zeros in %.2f s; peak RSS %d MB\n",
		*path, r, c, m.NNZ(), elapsed.Seconds(), ru.Maxrss/1024)
}

// writeCorpus writes the reviews (with "<br />" replaced by a space, as the
// Python reference scripts do) repeat times as a gzip CSV with columns id and review.
func writeCorpus(src, dst string, repeat int) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var rows []struct {
		T string `json:"t"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	raw = nil
	f, err := os.Create(dst + ".partial")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	w := csv.NewWriter(zw)
	w.Write([]string{"id", "review"})
	id := 0
	for k := 0; k < repeat; k++ {
		for _, r := range rows {
			w.Write([]string{strconv.Itoa(id), strings.ReplaceAll(r.T, "<br />", " ")})
			id++
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(dst+".partial", dst)
}
