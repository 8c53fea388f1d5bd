package arrowipc_test

import (
	"bytes"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/arrowipc"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
)

// FuzzReadStream feeds arbitrary bytes to ReadStream: it must return a frame
// or an error, never panic, and a frame it returns must be consistent. Seeds:
// streams written by WriteStream of the every-type frame, an empty frame and
// a one-column frame.
//
//	go test ./dataset/arrowipc -run '^$' -fuzz FuzzReadStream -fuzztime 60s -fuzzminimizetime 10x
func FuzzReadStream(f *testing.F) {
	f.Add(streamBytes(f, frametest.EveryType(f)))
	f.Add(streamBytes(f, dataset.MustNew(dataset.NewInt64("x", []int64{}, nil))))
	dict, _ := dataset.NewDictString("s", []int32{1, 0, 1}, []string{"a", "b"}, []bool{true, false, true})
	f.Add(streamBytes(f, dataset.MustNew(dict)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := arrowipc.ReadStream(bytes.NewReader(data))
		if err != nil {
			return
		}
		frametest.Consistent(t, fr)
	})
}
