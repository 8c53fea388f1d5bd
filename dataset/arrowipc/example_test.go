package arrowipc_test

import (
	"bytes"
	"fmt"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/arrowipc"
)

// Send a frame through an Arrow IPC stream, the format Arrow-based tools
// exchange over pipes and sockets.
func ExampleReadStream() {
	f := dataset.MustNew(dataset.NewString("origin", []string{"EWR", "JFK"}, nil))
	var buf bytes.Buffer
	if err := arrowipc.WriteStream(&buf, f); err != nil {
		panic(err)
	}
	back, err := arrowipc.ReadStream(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Schema(), back.Col(0).StringAt(1))
	// Output: origin:string JFK
}
