package kiln_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
)

// The whole path on the embedded IMDB sample: documents to a sparse bag of
// words, a logistic regression, a .kiln bundle, and a reloaded pipeline that
// scores raw text.
func Example() {
	reviews, err := builtin.IMDBSample() // 5,000 real reviews, half positive
	if err != nil {
		panic(err)
	}
	review, _ := reviews.Column("review")
	sentiment, _ := reviews.Column("sentiment")
	docs := make([]string, reviews.NumRows())
	y := make([]float64, reviews.NumRows())
	for i := range docs {
		docs[i] = strings.ReplaceAll(review.StringAt(i), "<br />", " ")
		y[i] = float64(sentiment.Int64s()[i])
	}

	words := &text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true}
	x, err := words.FitTransform(context.Background(), docs) // *sparse.CSR, one row per review
	if err != nil {
		panic(err)
	}
	model := &models.LogisticRegression{C: 1}
	if err := model.Fit(context.Background(), x, y); err != nil {
		panic(err)
	}

	bundle, err := persist.Marshal(&persist.Pipeline{Steps: []any{words, model}})
	if err != nil {
		panic(err)
	}
	scorer, err := persist.Unmarshal(bundle) // what another service does with the file
	if err != nil {
		panic(err)
	}
	labels, err := scorer.Predict([]string{
		"A wonderful, moving film with superb performances.",
		"Dreadful script, wooden acting and a waste of two hours.",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("vocabulary:", words.Vocabulary().Len(), "terms") // scikit-learn 1.2.1 gives 6,443 too
	fmt.Println("predicted sentiment:", labels)
	// Output:
	// vocabulary: 6443 terms
	// predicted sentiment: [1 0]
}
