package kiln_test

import (
	"context"
	"fmt"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features/text"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// The whole path on the embedded IMDB sample: raw reviews to a bag of
// words and a logistic regression in one pipeline, fitted on labels that are
// words, saved as a .kiln bundle, and reloaded to score new text.
func Example() {
	reviews, err := builtin.IMDBSample() // 5,000 real reviews, half positive
	if err != nil {
		panic(err)
	}
	sentiment, _ := reviews.Column("sentiment")
	labels := make([]string, reviews.NumRows())
	for i, v := range sentiment.Int64s() {
		labels[i] = []string{"negative", "positive"}[v]
	}
	reviews, _ = reviews.WithColumn(dataset.NewString("opinion", labels, nil))

	p := pipeline.New(
		&text.CountVectorizer{MinDF: text.DF{Docs: 10}, MaxDF: text.DF{Fraction: 0.1}, Binary: true},
		&models.LogisticRegression{C: 1},
	)
	p.TextColumn, p.TextPreprocess = "review", "br_to_space" // "<br />" becomes a space
	if err := p.Fit(context.Background(), reviews, "opinion"); err != nil {
		panic(err)
	}

	bundle, err := persist.Marshal(p)
	if err != nil {
		panic(err)
	}
	scorer, err := persist.Unmarshal(bundle) // what another service does with the file
	if err != nil {
		panic(err)
	}
	predicted, err := scorer.Predict(dataset.MustNew(dataset.NewString("review", []string{
		"A wonderful, moving film with superb performances.",
		"Dreadful script, wooden acting and a waste of two hours.",
	}, nil)))
	if err != nil {
		panic(err)
	}
	words := p.Steps[0].(*text.CountVectorizer)
	fmt.Println("vocabulary:", words.Vocabulary().Len(), "terms") // scikit-learn 1.2.1 gives 6,443 too
	fmt.Println("predicted:", predicted.Strings())
	// Output:
	// vocabulary: 6443 terms
	// predicted: [positive negative]
}
