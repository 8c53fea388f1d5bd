package arrowconv_test

import (
	"fmt"

	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/arrowconv"
)

// Hand a frame to Arrow-based tools and read it back.
func Example() {
	f := dataset.MustNew(
		dataset.NewString("origin", []string{"JFK", "LGA"}, nil),
		dataset.NewFloat64("delay", []float64{12.5, 0}, []bool{true, false}),
	)
	rec, err := arrowconv.ToRecord(f, memory.DefaultAllocator)
	if err != nil {
		panic(err)
	}
	defer rec.Release()
	fmt.Println(rec.Schema().Field(0).Type, rec.Schema().Field(1).Type, rec.Column(1).NullN())
	back, err := arrowconv.FromRecord(rec)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Schema())
	// Output:
	// utf8 float64 1
	// origin:string, delay:float64
}
