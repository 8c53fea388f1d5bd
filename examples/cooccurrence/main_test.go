package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/examples/internal/charts"
	"github.com/kiln-ml/kiln/examples/internal/reviews"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/linalg"
	"path/filepath"
)

// scikit-learn 1.2.1 and scipy 1.10.1 (Debian packages, /usr/bin/python3) on
// the embedded sample with "<br />" replaced by a space, by
// linalg/testdata/scipy_cooccurrence.py dataset/builtin/data/imdb_sample.csv.gz --top 12:
// B = CountVectorizer(min_df=10, max_df=0.1, binary=True).fit_transform(docs)
// is 5000 x 6443 with 319,870 non-zeros; C = B.T @ B sums to 30,452,828 with
// trace 319,870, and its largest off-diagonal entries (upper triangle, ties by
// row then column) are these.
var sklearnTop = []Pair{
	{"effects", "special", 214}, {"budget", "low", 170}, {"high", "school", 119},
	{"place", "takes", 108}, {"performance", "role", 105}, {"black", "white", 104},
	{"series", "tv", 103}, {"book", "read", 100}, {"fi", "sci", 100},
	{"played", "role", 99}, {"anything", "else", 95}, {"plays", "role", 95},
}

func TestCooccurrenceMatchesScipy(t *testing.T) {
	var out bytes.Buffer
	rep, err := run(context.Background(), &out, config{Top: len(sklearnTop)})
	if err != nil {
		t.Fatal(err)
	}
	// The book's reference loop (Listing 5.7) must give the same counts and
	// pairs. (linalg's own tests cover the algebra method, slow under -race.)
	for _, method := range []linalg.Method{linalg.Multicore, linalg.Plain} {
		if method != linalg.Multicore {
			out.Reset()
			if rep, err = count(context.Background(), &out, rep.B, rep.Vocab, config{Method: method, Top: len(sklearnTop)}); err != nil {
				t.Fatal(err)
			}
		}
		if rep.Docs != 5000 || rep.Terms != 6443 || rep.NonZeros != 319870 {
			t.Errorf("%s: B is %d x %d with %d non-zeros; scikit-learn: 5000 x 6443, 319870", method, rep.Docs, rep.Terms, rep.NonZeros)
		}
		if rep.Checksum != 30452828 || rep.Diagonal != 319870 {
			t.Errorf("%s: checksum %d, diagonal %d; scipy: 30452828, 319870", method, rep.Checksum, rep.Diagonal)
		}
		if !reflect.DeepEqual(rep.Top, sklearnTop) {
			t.Errorf("%s: top pairs\n%v\nscipy:\n%v", method, rep.Top, sklearnTop)
		}
		if !strings.Contains(out.String(), "   214  effects + special") {
			t.Errorf("%s: report lacks the top pair:\n%s", method, out.String())
		}
	}
}

func TestCooccurrenceUnknownMethod(t *testing.T) {
	_, err := run(context.Background(), new(bytes.Buffer), config{Method: "numba", Top: 3})
	if err == nil || !strings.Contains(err.Error(), "numba") {
		t.Errorf("unknown method: error %v, want one naming it", err)
	}
}

// TestTimingPlot times the three methods on the first 400 and 800 reviews
// and draws the figure (the example itself times all the reviews).
func TestTimingPlot(t *testing.T) {
	set, err := reviews.Load(false, nil)
	if err != nil {
		t.Fatal(err)
	}
	words := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true}
	b, err := words.FitTransform(context.Background(), set.Clean()[:800])
	if err != nil {
		t.Fatal(err)
	}
	timings, err := timeMethods(context.Background(), b, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(timings) != len(linalg.Methods()) {
		t.Fatalf("%d methods timed, want %d", len(timings), len(linalg.Methods()))
	}
	for _, tm := range timings {
		if !reflect.DeepEqual(tm.Docs, []int{400, 800}) || len(tm.Times) != 2 {
			t.Errorf("%s: documents %v, %d times", tm.Method, tm.Docs, len(tm.Times))
		}
	}
	path := filepath.Join(t.TempDir(), "cooccurrence.png")
	if err := plotTimings(path, timings, 100); err != nil {
		t.Fatal(err)
	}
	if _, _, err := charts.Check(path); err != nil {
		t.Error(err)
	}
}
