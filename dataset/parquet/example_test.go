package parquet_test

import (
	"bytes"
	"fmt"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// ExampleWrite writes a frame with nulls and a dictionary-encoded
// column to Parquet and reads two of its columns back.
func ExampleWrite() {
	carrier, err := dataset.NewDictString("carrier", []int32{0, 1, 0}, []string{"UA", "AA"}, nil)
	if err != nil {
		panic(err)
	}
	f := dataset.MustNew(
		carrier,
		dataset.NewFloat64("dep_delay", []float64{2, 0, -4}, []bool{true, false, true}),
		dataset.NewInt64("distance", []int64{1400, 1416, 1089}, nil),
	)
	var buf bytes.Buffer
	if err := parquet.Write(&buf, f, parquet.WriteOptions{Compression: parquet.Zstd}); err != nil {
		panic(err)
	}
	back, err := parquet.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()),
		parquet.Options{Columns: []string{"dep_delay", "carrier"}})
	if err != nil {
		panic(err)
	}
	fmt.Print(back)
	fmt.Println("carrier dictionary-encoded:", back.Col(1).IsDict())
	// Output:
	// Frame 3 rows x 2 columns (dep_delay:float64, carrier:string)
	// 2	UA
	// null	AA
	// -4	UA
	// carrier dictionary-encoded: true
}
