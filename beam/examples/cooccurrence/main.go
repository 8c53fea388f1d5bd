// Command cooccurrence computes the word co-occurrence matrix of a corpus
// with kiln's Beam transform, on any Beam runner: prism (the default, in
// this process), Dataflow, Flink or Spark.
//
// Documents are the lines of --input (a file or glob on any Beam filesystem:
// a local path, gs://...), or the reviews of a JSON array of {"t": text}
// objects (--reviews, read by this program: data/imdb/reviews.json after
// scripts/fetch-data.sh). The output is one line per term: the term and its
// --top most frequent partners with their counts (--top=0 writes every
// non-zero of the row), written by textio to --output.
//
//	go run ./examples/cooccurrence --reviews ../data/imdb/reviews.json --output /tmp/cooc.txt
//	go run ./examples/cooccurrence --runner=dataflow --project=P --region=R \
//	    --staging_location=gs://B/staging --input=gs://B/docs/*.txt --output=gs://B/cooc.txt
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	kbeam "github.com/kiln-ml/kiln/beam"
	"github.com/kiln-ml/kiln/features/text"
)

var (
	input   = flag.String("input", "", "documents, one per line (a file or glob on any Beam filesystem)")
	reviews = flag.String("reviews", "", "instead of --input: a JSON array of {\"t\": text} objects, read by this program")
	output  = flag.String("output", "", "where to write the rows (required)")
	minDF   = flag.Int("min_df", 10, "keep terms found in at least this many documents")
	maxDF   = flag.Float64("max_df", 0.1, "keep terms found in at most this fraction of the documents")
	top     = flag.Int("top", 10, "partners per term to write (0: the whole row)")
)

func init() {
	register.DoFn2x1[kbeam.CooccurrenceRow, []string, string](&formatRowFn{})
}

// formatRowFn writes a row as "term<TAB>partner:count ...", the strongest
// partners first (ties in vocabulary order).
type formatRowFn struct{ Top int }

func (f *formatRowFn) ProcessElement(r kbeam.CooccurrenceRow, vocab []string) string {
	order := make([]int, 0, len(r.Columns))
	for k, c := range r.Columns {
		if int(c) != r.Term {
			order = append(order, k)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(r.Counts[b] - r.Counts[a]) })
	if f.Top > 0 && len(order) > f.Top {
		order = order[:f.Top]
	}
	var b strings.Builder
	b.WriteString(vocab[r.Term])
	for _, k := range order {
		fmt.Fprintf(&b, "\t%s:%d", vocab[r.Columns[k]], r.Counts[k])
	}
	return b.String()
}

func readReviews(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rs []struct {
		T string `json:"t"`
	}
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	docs := make([]string, len(rs))
	for i, r := range rs {
		docs[i] = strings.ReplaceAll(r.T, "<br />", " ")
	}
	return docs, nil
}

func main() {
	flag.Parse()
	beam.Init()
	if *output == "" || (*input == "") == (*reviews == "") {
		log.Fatal("give --output and one of --input or --reviews")
	}
	p, s := beam.NewPipelineWithRoot()
	var docs beam.PCollection
	if *input != "" {
		docs = textio.Read(s, *input)
	} else {
		texts, err := readReviews(*reviews)
		if err != nil {
			log.Fatal(err)
		}
		docs = beam.CreateList(s, texts)
	}
	c := kbeam.Cooccurrence{MinDF: text.DF{Docs: *minDF}, MaxDF: text.DF{Fraction: *maxDF}}
	rows, vocab := c.Apply(s, docs)
	textio.Write(s, *output, beam.ParDo(s, &formatRowFn{Top: *top}, rows, beam.SideInput{Input: vocab}))
	if err := beamx.Run(context.Background(), p); err != nil {
		log.Fatal(err)
	}
}
