package linalg_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/linalg"
)

// The three documents of the book's Figure 5.7 as a binary bag of words.
func figure57() (*sparse.CSR, []string) {
	terms := []string{"are", "cats", "dogs", "eat", "fish", "fun"}
	b := sparse.NewCSR(3, 6,
		[]int{0, 3, 6, 9},
		[]int{0, 1, 5, 0, 2, 5, 1, 3, 4}, // cats are fun | dogs are fun | cats eat fish
		[]float64{1, 1, 1, 1, 1, 1, 1, 1, 1})
	return b, terms
}

func ExampleCooccurrence_Dense() {
	b, terms := figure57()
	c, err := linalg.Cooccurrence{Workers: 2}.Dense(context.Background(), b)
	if err != nil {
		fmt.Println(err)
		return
	}
	for x, term := range terms {
		fmt.Printf("%-4s %v\n", term, c.Row(x))
	}
	fmt.Println("cats & fun:", c.Count(1, 5), " sum:", c.Sum())
	// Output:
	// are  [2 1 1 0 0 2]
	// cats [1 2 0 1 1 1]
	// dogs [1 0 1 0 0 1]
	// eat  [0 1 0 1 1 0]
	// fish [0 1 0 1 1 0]
	// fun  [2 1 1 0 0 2]
	// cats & fun: 1  sum: 27
}

func ExampleCooccurrence_Sparse() {
	b, terms := figure57()
	c, err := linalg.Cooccurrence{Method: linalg.Plain}.Sparse(context.Background(), b)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.DoRowNonZero(1, func(_, y int, v float64) { fmt.Printf("cats-%s %v\n", terms[y], v) })
	// Output:
	// cats-are 1
	// cats-cats 2
	// cats-eat 1
	// cats-fish 1
	// cats-fun 1
}

func ExampleCooccurrence_byName() {
	b, _ := figure57()
	for _, name := range []string{"plain", "algebra", "multicore"} {
		c, err := linalg.Cooccurrence{Method: linalg.Method(name)}.Packed(context.Background(), b)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(name, c.UpperRow(0), c.Sum())
	}
	// Output:
	// plain [2 1 1 0 0 2] 27
	// algebra [2 1 1 0 0 2] 27
	// multicore [2 1 1 0 0 2] 27
}

func ExampleMemoryError() {
	// A vocabulary of 100,000 terms: the dense matrix would take 40 GB.
	b := sparse.NewCSR(1, 100000, []int{0, 2}, []int{7, 99999}, []float64{1, 1})
	_, err := linalg.Cooccurrence{MaxBytes: 8 << 30}.Dense(context.Background(), b)
	fmt.Println(errors.Is(err, linalg.ErrMemoryBudget))
	fmt.Println(err)
	// The sparse form of the same counts is small.
	c, err := linalg.Cooccurrence{MaxBytes: 8 << 30}.Sparse(context.Background(), b)
	fmt.Println(c.NNZ(), err)
	// Output:
	// true
	// linalg: multicore co-occurrence in dense form needs 37.26 GiB (output 37.25 GiB + working 2.3 MiB), over the budget of 8.00 GiB
	// 4 <nil>
}
