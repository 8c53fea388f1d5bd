package onnx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/text"
	pb "github.com/kiln-ml/kiln/onnx/internal/onnxpb"
	"google.golang.org/protobuf/proto"
)

// countVectorizer converts a fitted CountVectorizer over a tokens input
// [N, T] (see the package documentation) into TfIdfVectorizer counts,
// [N, vocabulary] doubles. It also returns the metadata that tells the
// tokens' producer how kiln tokenized.
func (g *graph) countVectorizer(cv *text.CountVectorizer, inputs []Field, opts Options) (value, []*pb.StringStringEntryProto, error) {
	vocab := cv.Vocabulary()
	if vocab == nil {
		return value{}, nil, fmt.Errorf("CountVectorizer is not fitted: %w", kiln.ErrNotFitted)
	}
	if vocab.Len() == 0 {
		return value{}, nil, fmt.Errorf("CountVectorizer has an empty vocabulary, which TfIdfVectorizer cannot hold: %w", ErrUnsupported)
	}
	if cv.Preprocess != nil {
		return value{}, nil, fmt.Errorf("CountVectorizer.Preprocess is a Go function whose effect the tokens' producer cannot know; name a registered preprocessor as the pipeline's TextPreprocess instead: %w", ErrUnsupported)
	}
	lo, hi := cv.NGramRange[0], cv.NGramRange[1]
	if lo == 0 && hi == 0 {
		lo, hi = 1, 1
	}
	column, err := textColumn(inputs, opts.TextColumn)
	if err != nil {
		return value{}, nil, err
	}
	g.used[column]++
	g.inputs = append(g.inputs, valueInfo(column, tString, "N", "T"))

	// The pool holds the 1-grams, then the 2-grams' tokens, and so on;
	// ngram_counts gives where each length starts in it, and ngram_indexes
	// maps each n-gram to its vocabulary column.
	byLength := make([][]int, hi+1)
	for j := 0; j < vocab.Len(); j++ {
		n := strings.Count(vocab.Term(j), " ") + 1
		if n < lo || n > hi {
			return value{}, nil, fmt.Errorf("CountVectorizer vocabulary term %q has %d words, outside NGramRange [%d, %d]: %w", vocab.Term(j), n, lo, hi, ErrUnsupported)
		}
		byLength[n] = append(byLength[n], j)
	}
	var pool []string
	var counts, indexes []int64
	for n := 1; n <= hi; n++ {
		counts = append(counts, int64(len(pool)))
		for _, j := range byLength[n] {
			pool = append(pool, strings.Split(vocab.Term(j), " ")...)
			indexes = append(indexes, int64(j))
		}
	}
	tokens := column
	if len(cv.StopWords) > 0 && hi > 1 {
		// Stop words are not in the vocabulary, so single words need nothing;
		// n-grams are joined after kiln removes them, so remove them first.
		tokens = g.dropStopWords(column, cv.StopWords)
	}
	counted := g.op("TfIdfVectorizer", []string{tokens},
		attrString("mode", "TF"),
		attrInt("min_gram_length", int64(lo)),
		attrInt("max_gram_length", int64(hi)),
		attrInt("max_skip_count", 0),
		attrInts("ngram_counts", counts),
		attrInts("ngram_indexes", indexes),
		attrStrings("pool_strings", pool))
	x := g.cast(counted, tDouble)
	if cv.Binary {
		x = g.op("Min", []string{x, g.scalar("one", 1)})
	}
	meta := []*pb.StringStringEntryProto{
		{Key: proto.String("kiln.text.column"), Value: proto.String(column)},
		{Key: proto.String("kiln.text.input"), Value: proto.String("tokens: one row per document, kiln's tokens of the preprocessed text, padded with empty strings")},
		{Key: proto.String("kiln.text.preprocess"), Value: proto.String(opts.TextPreprocess)},
		{Key: proto.String("kiln.text.keep_case"), Value: proto.String(strconv.FormatBool(cv.KeepCase))},
		{Key: proto.String("kiln.text.decode_errors"), Value: proto.String(cv.DecodeErrors.String())},
	}
	return value{name: x, width: vocab.Len(), sparse: true}, meta, nil
}

// textColumn picks the input that holds the documents.
func textColumn(inputs []Field, name string) (string, error) {
	if name != "" {
		for _, f := range inputs {
			if f.Name == name {
				if f.Type != dataset.String {
					return "", fmt.Errorf("text column %q is %s, not string: %w", name, f.Type, kiln.ErrConfig)
				}
				return name, nil
			}
		}
		return "", fmt.Errorf("text column %q is not an input: %w", name, kiln.ErrConfig)
	}
	var found []string
	for _, f := range inputs {
		if f.Type == dataset.String {
			found = append(found, f.Name)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("%d string inputs %v: name the text column: %w", len(found), found, kiln.ErrConfig)
	}
	return found[0], nil
}

// tfidf converts a fitted TfidfTransformer as kiln computes it: each count
// c > 0 becomes 1 + ln(c) with SublinearTF, is multiplied by its term's
// idf, and each row is divided by its L2 or L1 norm unless that is 0.
func (g *graph) tfidf(t *text.TfidfTransformer, x value) (value, error) {
	cur := x.name
	if t.SublinearTF {
		// Where evaluates both branches; Log(0) = -Inf is discarded.
		sub := g.op("Add", []string{g.op("Log", []string{cur}), g.scalar("one", 1)})
		cur = g.op("Where", []string{g.op("Greater", []string{cur, g.scalar("zero", 0)}), sub, cur})
	}
	if !t.NoIDF {
		idf := t.IDF()
		if idf == nil {
			return value{}, fmt.Errorf("TfidfTransformer is not fitted: %w", kiln.ErrNotFitted)
		}
		if len(idf) != x.width {
			return value{}, fmt.Errorf("TfidfTransformer has %d idf weights for %d terms: %w", len(idf), x.width, kiln.ErrShape)
		}
		cur = g.op("Mul", []string{cur, g.doubles("idf", idf, int64(len(idf)))})
	}
	var sum string
	switch t.Norm {
	case text.L2:
		sum = g.op("Sqrt", []string{g.op("ReduceSum", []string{g.op("Mul", []string{cur, cur}), g.axes(1)}, attrInt("keepdims", 1))})
	case text.L1:
		sum = g.op("ReduceSum", []string{g.op("Abs", []string{cur}), g.axes(1)}, attrInt("keepdims", 1))
	case text.NoNorm:
	default:
		return value{}, fmt.Errorf("TfidfTransformer.Norm %v: %w", t.Norm, kiln.ErrConfig)
	}
	if sum != "" {
		zero := g.op("Equal", []string{sum, g.scalar("zero", 0)})
		safe := g.op("Where", []string{zero, g.scalar("one", 1), sum})
		cur = g.op("Div", []string{cur, safe})
	}
	return value{name: cur, width: x.width, sparse: true}, nil
}

// dropStopWords removes the stop words from each row of a [N, T] tokens
// tensor and moves the remaining tokens left, padding with "": each token's
// new column is the count of kept tokens up to it (CumSum) less one, a stop
// word's is the spare column T; ScatterElements writes them into a row of
// T + 1 empty strings, and the spare column is sliced off. (StringNormalizer
// drops stop words too, but from one row only.)
func (g *graph) dropStopWords(tokens string, stopWords []string) string {
	ones := make([]int64, len(stopWords))
	for i := range ones {
		ones[i] = 1
	}
	isStop := g.opIn(mlDomain, "LabelEncoder", []string{tokens},
		attrStrings("keys_strings", stopWords), attrInts("values_int64s", ones), attrInt("default_int64", 0))
	keep := g.op("Sub", []string{g.int64s("one", []int64{1}), isStop})
	column := g.op("Sub", []string{g.op("CumSum", []string{keep, g.int64s("axis", []int64{1})}), g.int64s("one", []int64{1})})
	// The spare column T, from the tokens' shape.
	width := g.op("Gather", []string{g.op("Shape", []string{tokens}), g.int64s("index", []int64{1})})
	column = g.op("Where", []string{g.cast(keep, tBool), column, width})
	// A row of T + 1 empty strings: every token (none is a NUL) maps to "".
	padded := g.op("Concat", []string{tokens, g.op("Slice", []string{tokens, g.int64s("start", []int64{0}, 1), g.int64s("end", []int64{1}, 1), g.int64s("axes", []int64{1}, 1)})}, attrInt("axis", 1))
	blank := g.opIn(mlDomain, "LabelEncoder", []string{padded},
		attrStrings("keys_strings", []string{"\x00"}), attrStrings("values_strings", []string{""}), attrString("default_string", ""))
	moved := g.op("ScatterElements", []string{blank, column, tokens}, attrInt("axis", 1))
	return g.op("Slice", []string{moved, g.int64s("start", []int64{0}, 1), g.int64s("end", []int64{-1}, 1), g.int64s("axes", []int64{1}, 1)})
}
