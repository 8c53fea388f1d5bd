package dataset_test

import (
	"bytes"
	"fmt"

	"github.com/kiln-ml/kiln/dataset"
)

// ExampleWriteParquet writes a frame with nulls and a dictionary-encoded
// column to Parquet and reads two of its columns back.
func ExampleWriteParquet() {
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
	if err := dataset.WriteParquet(&buf, f, dataset.ParquetWriteOptions{Compression: dataset.ParquetZstd}); err != nil {
		panic(err)
	}
	back, err := dataset.ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()),
		dataset.ParquetOptions{Columns: []string{"dep_delay", "carrier"}})
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

// ExampleReadArrowStream sends a frame through an Arrow IPC stream, the
// format Arrow-based tools exchange over pipes and sockets.
func ExampleReadArrowStream() {
	f := dataset.MustNew(dataset.NewString("origin", []string{"EWR", "JFK"}, nil))
	var buf bytes.Buffer
	if err := dataset.WriteArrowStream(&buf, f); err != nil {
		panic(err)
	}
	back, err := dataset.ReadArrowStream(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Schema(), back.Col(0).StringAt(1))
	// Output: origin:string JFK
}
