package cluster

import (
	"encoding/binary"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzKMeans feeds arbitrary small matrices (any float64 bit patterns,
// including NaN, infinities and huge values), K, weights and options to
// KMeans and MiniBatchKMeans, dense and sparse: they must return an error or
// a well-formed model, never panic.
func FuzzKMeans(f *testing.F) {
	f.Add([]byte{3, 2, 2, 0}, []byte("\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40"))
	f.Add([]byte{5, 3, 1, 1}, []byte("0123456789abcdef0123456789abcdef01234567"))
	f.Add([]byte{4, 1, 4, 2}, []byte{})
	f.Add([]byte{2, 2, 0, 3}, []byte("\x00\x00\x00\x00\x00\x00\xf8\x7f"))
	f.Fuzz(func(t *testing.T, shape, raw []byte) {
		if len(shape) < 4 {
			return
		}
		rows, cols, k, opts := int(shape[0]%12), int(shape[1]%5), int(shape[2]%8)-1, shape[3]
		X := mat.NewDense(max(rows, 1), max(cols, 1), nil)
		for i := 0; i < rows*cols; i++ {
			var v float64
			if off := i * 8; off+8 <= len(raw) {
				v = math.Float64frombits(binary.LittleEndian.Uint64(raw[off:]))
			} else if i < len(raw) {
				v = float64(raw[i]%7) - 3 // many duplicates and zeros
			}
			X.Set(i/cols, i%cols, v)
		}
		var in mat.Matrix = X
		if rows == 0 || cols == 0 {
			in = &mat.Dense{}
		}
		if opts&1 == 1 && rows > 0 && cols > 0 {
			in = toCSR(X)
		}
		var w []float64
		if opts&2 == 2 && rows > 0 {
			w = make([]float64, rows)
			for i := range w {
				w[i] = float64(i % 3) // some zero weights
			}
		}
		km := &KMeans{K: k, Seed: uint64(opts), NInit: 2, MaxIter: 20, Workers: 1 + int(opts>>4)%3}
		if opts&4 == 4 {
			km.Algorithm = Elkan
		}
		if opts&8 == 8 {
			km.Init = RandomRows
		}
		if err := km.FitWeighted(t.Context(), in, w); err == nil {
			r, _ := in.Dims()
			if len(km.Labels()) != r {
				t.Fatalf("%d labels for %d rows", len(km.Labels()), r)
			}
			for _, l := range km.Labels() {
				if l < 0 || l >= k {
					t.Fatalf("label %d out of range for K=%d", l, k)
				}
			}
			if !(km.Inertia() >= 0) && !math.IsNaN(km.Inertia()) {
				t.Fatalf("inertia %v", km.Inertia())
			}
			if _, err := km.Transform(in); err != nil {
				t.Fatal(err)
			}
		}
		mb := &MiniBatchKMeans{K: k, Seed: uint64(opts), BatchSize: 1 + int(opts%5), MaxIter: 5}
		if err := mb.FitWeighted(t.Context(), in, w); err == nil {
			if _, err := mb.Predict(in); err != nil {
				t.Fatal(err)
			}
		}
	})
}
