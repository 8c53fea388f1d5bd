package linalg

import (
	"context"
	"math"
	"testing"

	"github.com/james-bowman/sparse"
)

// csrFromBytes decodes fuzz input into a possibly malformed CSR: byte 0 and
// 1 give the shape, then n+1 row pointers, then (column, value) pairs. The
// row pointers are not forced to be valid, nor the columns in range.
func csrFromBytes(in []byte) *sparse.CSR {
	next := func() int {
		if len(in) == 0 {
			return 0
		}
		v := int(int8(in[0]))
		in = in[1:]
		return v
	}
	n, m := 1+abs(next())%6, 1+abs(next())%7
	indptr := make([]int, n+1)
	for i := range indptr {
		indptr[i] = next()
	}
	var ind []int
	var data []float64
	values := []float64{1, 2, 0, 3, -1, 0.5, math.NaN(), 7}
	for len(in) >= 2 {
		ind = append(ind, next())
		data = append(data, values[abs(next())%len(values)])
	}
	return sparse.NewCSR(n, m, indptr, ind, data)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// FuzzCooccurrence feeds arbitrary, often malformed, matrices to every
// method: each must return an error or the same counts as the plain loop,
// never panic.
func FuzzCooccurrence(f *testing.F) {
	f.Add([]byte{3, 6, 0, 3, 6, 9, 0, 0, 1, 0, 5, 0, 0, 0, 2, 0, 5, 0, 1, 0, 3, 0, 4, 0}) // Figure 5.7
	f.Add([]byte{2, 3, 0, 2, 3, 2, 1, 0, 0, 2, 1, 1, 1})                                  // unsorted, repeated column
	f.Add([]byte{1, 2, 0, 2, 1, 3, 0, 1})                                                 // a count of 2 and of 3
	f.Add([]byte{2, 2, 0, 5, 1, 0, 0})                                                    // row pointer past the end
	f.Add([]byte{1, 2, 0, 1, 9, 0})                                                       // column out of range
	f.Add([]byte{1, 2, 0, 2, 0, 6, 1, 0})                                                 // NaN
	f.Add([]byte{2, 4, 0, 2, 1, 0, 0, 3, 0, 1, 4})                                        // decreasing row pointer
	f.Fuzz(func(t *testing.T, in []byte) {
		b := csrFromBytes(in)
		for _, weighted := range []bool{false, true} {
			ref, refErr := Cooccurrence{Method: Plain, Weighted: weighted}.Dense(context.Background(), b)
			for _, meth := range Methods() {
				c := Cooccurrence{Method: meth, Weighted: weighted, Workers: 3}
				d, err := c.Dense(context.Background(), b)
				p, perr := c.Packed(context.Background(), b)
				s, serr := c.Sparse(context.Background(), b)
				cc, cerr := c.Compact(context.Background(), b)
				if (err == nil) != (refErr == nil) || (perr == nil) != (refErr == nil) || (serr == nil) != (refErr == nil) || (cerr == nil) != (refErr == nil) {
					t.Fatalf("%s weighted=%v: errors %v, %v, %v, %v; plain loop %v", meth, weighted, err, perr, serr, cerr, refErr)
				}
				if refErr != nil {
					continue
				}
				m := ref.Terms()
				for x := 0; x < m; x++ {
					for y := 0; y < m; y++ {
						want := ref.Count(x, y)
						if d.Count(x, y) != want || p.Count(x, y) != want || int32(s.At(x, y)) != want || cc.Count(x, y) != want || ref.Count(y, x) != want {
							t.Fatalf("%s weighted=%v: C(%d, %d) dense %d packed %d sparse %v compact %d, plain %d",
								meth, weighted, x, y, d.Count(x, y), p.Count(x, y), s.At(x, y), cc.Count(x, y), want)
						}
					}
				}
			}
		}
	})
}
