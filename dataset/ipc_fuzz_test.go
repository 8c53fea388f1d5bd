package dataset

import (
	"bytes"
	"testing"
)

// FuzzReadArrowStream feeds arbitrary bytes to ReadArrowStream: it must
// return a frame or an error, never panic, and a frame it returns must be
// consistent. Seeds: streams written by WriteArrowStream of the every-type
// frame, an empty frame and a one-column frame.
//
//	go test ./dataset -run '^$' -fuzz FuzzReadArrowStream -fuzztime 60s -fuzzminimizetime 10x
func FuzzReadArrowStream(f *testing.F) {
	f.Add(arrowStreamBytes(f, everyTypeFrame(f)))
	f.Add(arrowStreamBytes(f, MustNew(NewInt64("x", []int64{}, nil))))
	dict, _ := NewDictString("s", []int32{1, 0, 1}, []string{"a", "b"}, []bool{true, false, true})
	f.Add(arrowStreamBytes(f, MustNew(dict)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ReadArrowStream(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkFrameConsistent(t, fr)
	})
}

// checkFrameConsistent touches every cell of a frame the readers returned, so
// that a malformed frame (bad dictionary code, short slice) shows up as a
// failure under the fuzzer.
func checkFrameConsistent(t *testing.T, f *Frame) {
	for _, c := range f.Columns() {
		if c.Len() != f.NumRows() {
			t.Fatalf("column %q has %d rows in a frame of %d", c.Name(), c.Len(), f.NumRows())
		}
		for i := 0; i < c.Len(); i++ {
			_ = c.Format(i)
		}
	}
	if _, err := f.ToArrow(nil); err != nil {
		t.Fatalf("ToArrow of a frame the reader returned: %v", err)
	}
}
