package beam_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	kbeam "github.com/kiln-ml/kiln/beam"
	"github.com/kiln-ml/kiln/features/text"
	"gonum.org/v1/gonum/mat"
)

func init() {
	register.Function3x0(printMatrix)
	register.Iter1[kbeam.CooccurrenceRow]()
	register.Function1x0(printKMeans)
}

func printKMeans(r kbeam.KMeansResult) {
	for _, c := range r.Centroids {
		fmt.Printf("centre %.4f\n", c)
	}
	fmt.Printf("inertia %.4f after %d iterations\n", r.Inertia, r.Iterations)
}

// K-means over rows that arrive in blocks, from two given starting centres;
// Apply's result is one KMeansResult.
func ExampleKMeans() {
	x := mat.NewDense(6, 2, []float64{0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10})
	p, s := beam.NewPipelineWithRoot()
	blocks := beam.CreateList(s, kbeam.BlocksOf(x, 2))
	km := kbeam.KMeans{K: 2, MaxIter: 10, InitialCentroids: [][]float64{{0, 0}, {10, 10}}}
	beam.ParDo0(s, printKMeans, km.Apply(s, blocks))
	if err := ptest.Run(p); err != nil {
		fmt.Println(err)
	}
	// Output:
	// centre [0.3333 0.3333]
	// centre [10.3333 10.3333]
	// inertia 2.6667 after 2 iterations
}

// printMatrix prints the co-occurrence rows, gathered under one key, in term
// order with the vocabulary.
func printMatrix(_ int, rows func(*kbeam.CooccurrenceRow) bool, vocab []string) {
	var all []kbeam.CooccurrenceRow
	for r := (kbeam.CooccurrenceRow{}); rows(&r); {
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b kbeam.CooccurrenceRow) int { return a.Term - b.Term })
	for _, r := range all {
		var pairs []string
		for k, c := range r.Columns {
			pairs = append(pairs, fmt.Sprintf("%s:%d", vocab[c], r.Counts[k]))
		}
		fmt.Printf("%-6s %s\n", vocab[r.Term], strings.Join(pairs, " "))
	}
}

// Word co-occurrence of four documents, keeping the words found in at least
// two of them: "cat" and "sat" meet in two documents, "dog" and "sat" in one.
func ExampleCooccurrence() {
	p, s := beam.NewPipelineWithRoot()
	docs := beam.Create(s,
		"The cat sat on the mat.",
		"The dog sat on the log.",
		"A cat and a dog.",
		"The cat sat.")
	rows, vocab := kbeam.Cooccurrence{MinDF: text.DF{Docs: 2}}.Apply(s, docs)

	// Gather the rows in one place to print them (for a real matrix, write
	// them out instead).
	one := beam.GroupByKey(s, beam.AddFixedKey(s, rows))
	beam.ParDo0(s, printMatrix, one, beam.SideInput{Input: vocab})
	if err := ptest.Run(p); err != nil {
		fmt.Println(err)
	}
	// Output:
	// cat    cat:3 dog:1 on:1 sat:2 the:2
	// dog    cat:1 dog:2 on:1 sat:1 the:1
	// on     cat:1 dog:1 on:2 sat:2 the:2
	// sat    cat:2 dog:1 on:2 sat:3 the:3
	// the    cat:2 dog:1 on:2 sat:3 the:3
}
