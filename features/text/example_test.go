package text_test

import (
	"context"
	"fmt"

	"github.com/kiln-ml/kiln/features/text"
	"gonum.org/v1/gonum/mat"
)

// Figure 5.4 of Effective Data Science Infrastructure (Tuulos, 2022): three
// documents become a 3 x 6 binary bag-of-words matrix whose columns are the
// sorted words. scikit-learn's CountVectorizer().fit_transform gives the same.
func ExampleCountVectorizer() {
	docs := []string{"cats are fun", "dogs are fun", "cats eat fish"}
	cv := &text.CountVectorizer{}
	m, err := cv.FitTransform(context.Background(), docs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cv.Vocabulary().Terms())
	fmt.Printf("%v\n", mat.Formatted(m))
	fmt.Println("column 4 is", cv.Vocabulary().Term(4))
	// Output:
	// [are cats dogs eat fish fun]
	// ⎡1  1  0  0  0  1⎤
	// ⎢1  0  1  0  0  1⎥
	// ⎣0  1  0  1  1  0⎦
	// column 4 is fish
}

// The settings of the book's co-occurrence flow: words in at least 10
// reviews and at most 10% of them, presence only.
func ExampleCountVectorizer_limits() {
	cv := &text.CountVectorizer{MinDF: text.DF{Docs: 2}, MaxDF: text.DF{Fraction: 0.9}, Binary: true}
	m, err := cv.FitTransform(context.Background(), []string{
		"The cat sat.", "The cat ran away!", "A dog ran to the cat.", "The dog, the dog!",
	})

	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cv.Vocabulary().Terms()) // "the" is in every review: dropped by MaxDF
	fmt.Printf("%v\n", mat.Formatted(m))
	// Output:
	// [cat dog ran]
	// ⎡1  0  0⎤
	// ⎢1  0  1⎥
	// ⎢1  1  1⎥
	// ⎣0  1  0⎦
}

// scikit-learn's tokens: runs of two or more letters, digits or '_', after
// Python's lowercasing ('İ' becomes "i" and a combining dot, which splits it).
func ExampleTokenize() {
	tokens, err := text.Tokenize("İstanbul's DVD-quality 10/10 café, a film_noir!")
	fmt.Printf("%q %v\n", tokens, err)
	// Output:
	// ["stanbul" "dvd" "quality" "10" "10" "café" "film_noir"] <nil>
}
