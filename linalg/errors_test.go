package linalg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"gonum.org/v1/gonum/mat"
)

func TestBadInput(t *testing.T) {
	csr := func(n, m int, indptr, ind []int, data []float64) *sparse.CSR {
		return sparse.NewCSR(n, m, indptr, ind, data)
	}
	tests := []struct {
		name     string
		c        Cooccurrence
		b        mat.Matrix
		contains string
	}{
		{"nil", Cooccurrence{}, nil, "nil"},
		{"nil CSR", Cooccurrence{}, (*sparse.CSR)(nil), "nil"},
		{"no documents", Cooccurrence{}, csr(0, 3, []int{0}, nil, nil), "empty (0 x 3)"},
		{"no terms", Cooccurrence{}, mat.NewDense(2, 1, nil).Slice(0, 2, 0, 0), "empty (2 x 0)"},
		{"short row pointer", Cooccurrence{}, csr(2, 3, []int{0, 1}, []int{0}, []float64{1}), "2 entries, want 2 rows + 1"},
		{"row pointer not from 0", Cooccurrence{}, csr(1, 3, []int{1, 2}, []int{0, 1}, []float64{1, 1}), "starts at 1"},
		{"row pointer past the end", Cooccurrence{}, csr(1, 3, []int{0, 5}, []int{0, 1}, []float64{1, 1}), "ends at 5"},
		{"decreasing row pointer", Cooccurrence{}, csr(2, 3, []int{0, 2, 1}, []int{0, 1}, []float64{1, 1}), "row pointer of row 0 is 2, past the last entry 1"},
		{"decreasing row pointer inside", Cooccurrence{}, csr(3, 3, []int{0, 2, 1, 2}, []int{0, 1}, []float64{1, 1}), "row pointer decreases at row 1 (2, then 1)"},
		{"column out of range", Cooccurrence{}, csr(2, 3, []int{0, 1, 2}, []int{0, 3}, []float64{1, 1}), "row 1: column index 3 out of range [0, 3)"},
		{"negative column", Cooccurrence{}, csr(1, 3, []int{0, 1}, []int{-1}, []float64{1}), "row 0: column index -1"},
		{"NaN", Cooccurrence{}, csr(1, 3, []int{0, 2}, []int{0, 2}, []float64{1, math.NaN()}), "row 0, column 2: value NaN is not finite"},
		{"Inf", Cooccurrence{}, csr(1, 3, []int{0, 1}, []int{1}, []float64{math.Inf(1)}), "row 0, column 1: value +Inf"},
		{"weighted fraction", Cooccurrence{Weighted: true}, csr(1, 3, []int{0, 1}, []int{1}, []float64{0.5}), "row 0, column 1: value 0.5 is not a non-negative integer"},
		{"weighted negative", Cooccurrence{Weighted: true}, csr(1, 3, []int{0, 1}, []int{2}, []float64{-1}), "row 0, column 2: value -1"},
		{"weighted dense fraction", Cooccurrence{Weighted: true}, mat.NewDense(1, 2, []float64{0, 1.5}), "row 0, column 1: value 1.5"},
		{"weighted overflow", Cooccurrence{Weighted: true}, csr(2, 3, []int{0, 1, 2}, []int{1, 1}, []float64{40000, 40000}), "column 1: the weighted count C(1, 1) exceeds the int32 range"},
		{"weighted repeats overflow", Cooccurrence{Weighted: true}, csr(1, 3, []int{0, 2}, []int{1, 1}, []float64{math.MaxInt32, 1}), "row 0, column 1: repeated entries sum to 2147483648"},
		{"unknown method", Cooccurrence{Method: "numba"}, figure57(), `unknown co-occurrence method "numba"`},
		{"negative workers", Cooccurrence{Workers: -1}, figure57(), "Workers is -1"},
	}
	for _, tt := range tests {
		for _, meth := range Methods() {
			c := tt.c
			if c.Method == "" {
				c.Method = meth
			}
			for _, f := range forms {
				var err error
				switch f {
				case DenseForm:
					_, err = c.Dense(context.Background(), tt.b)
				case PackedForm:
					_, err = c.Packed(context.Background(), tt.b)
				case CompactForm:
					_, err = c.Compact(context.Background(), tt.b)
				default:
					_, err = c.Sparse(context.Background(), tt.b)
				}
				if err == nil || !strings.Contains(err.Error(), tt.contains) {
					t.Errorf("%s, %s %s: error %v, want one containing %q", tt.name, c.Method, f, err, tt.contains)
				}
			}
		}
	}
}

// TestBudgetBeforeAllocating asks for a 1.6 GB dense matrix with a 1 MB
// budget: the call must refuse without allocating anything near that size.
func TestBudgetBeforeAllocating(t *testing.T) {
	const m = 20000
	b := sparse.NewCSR(2, m, []int{0, 2, 3}, []int{0, m - 1, 5}, []float64{1, 1, 1})
	for _, meth := range Methods() {
		for _, f := range forms {
			c := Cooccurrence{Method: meth, MaxBytes: 1 << 20}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var err error
			switch f {
			case DenseForm:
				_, err = c.Dense(context.Background(), b)
			case PackedForm:
				_, err = c.Packed(context.Background(), b)
			case CompactForm:
				_, err = c.Compact(context.Background(), b)
			default:
				c.MaxBytes = 100 << 10 // the sparse result is small: 16 bytes x 5 + 160 KB of row pointers
				_, err = c.Sparse(context.Background(), b)
			}
			runtime.ReadMemStats(&after)
			var me *MemoryError
			if !errors.Is(err, ErrMemoryBudget) || !errors.As(err, &me) {
				t.Fatalf("%s %s: error %v, want a MemoryError", meth, f, err)
			}
			if me.Method != meth || me.Form != f || me.Output+me.Working <= me.Budget {
				t.Errorf("%s %s: %+v", meth, f, me)
			}
			if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 2<<20 {
				t.Errorf("%s %s: allocated %d bytes before refusing", meth, f, allocated)
			}
			if !strings.Contains(err.Error(), "over the budget of") {
				t.Errorf("%s %s: message %q", meth, f, err)
			}
		}
	}
}

func TestBudgetFigures(t *testing.T) {
	// The memory of IMDB's dense output as the documentation states it.
	s := shape{n: 50000, m: 25858, nnz: 3769555, workers: 2}
	if got := s.outputBytes(DenseForm); got != 2674544656 {
		t.Errorf("dense output %d bytes, want 4 x 25858² = 2674544656", got)
	}
	if got := s.outputBytes(PackedForm); got != 1337324044 {
		t.Errorf("packed output %d bytes, want 2 x 25858 x 25859 = 1337324044", got)
	}
	// The working buffers of the multicore kernel are small beside the
	// output: 400 KB for B's row pointers, 14 bytes per non-zero (15 MB for B,
	// 30 MB of spans, 7.5 MB of 16-bit terms) and 8(m+1) + 8m per worker +
	// 8m, 54 MB in all.
	if w := s.workingBytes(Multicore, DenseForm); w != 8*50001+(4+8+2)*3769555+8*25859+2*8*25858+8*25858 {
		t.Errorf("multicore working memory %d bytes, want 54,001,242", w)
	}
	out, work, err := Cooccurrence{Method: Algebra}.Memory(context.Background(), figure57(), SparseForm)
	if err != nil {
		t.Fatal(err)
	}
	// Figure 5.7 has 22 non-zero counts: 16 bytes each plus 8 x 7 row pointers.
	if out != 16*22+8*7 || work <= 0 {
		t.Errorf("Memory(algebra, sparse) = %d, %d; want output %d", out, work, 16*22+8*7)
	}
	if out, _, err := (Cooccurrence{}).Memory(context.Background(), figure57(), PackedForm); err != nil || out != 2*6*7 {
		t.Errorf("Memory(packed) = %d, %v; want 84", out, err)
	}
	// A budget that fits runs.
	c := Cooccurrence{MaxBytes: 4096}
	if _, err := c.Dense(context.Background(), figure57()); err != nil {
		t.Errorf("within budget: %v", err)
	}
	// A reused output does not count against the budget: the working
	// buffers are 8 x 4 + 4 x 9 bytes for B, 8 x 7 + 8 x 6 + 8 x 6 + 10 x 9
	// for its inverted index of spans and 16-bit terms (row pointers, the
	// cursors of one goroutine as the input is small, row costs), 310 in all,
	// and the output 4 x 36 = 144.
	if _, work, _ := (Cooccurrence{}).Memory(context.Background(), figure57(), DenseForm); work != 310 {
		t.Errorf("working memory %d, want 310", work)
	}
	dst := &DenseCounts{data: make([]int32, 36)}
	c.MaxBytes = 400
	if _, err := c.DenseTo(context.Background(), dst, figure57()); err != nil {
		t.Errorf("reused output over budget: %v", err)
	}
	if _, err := c.Dense(context.Background(), figure57()); !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("fresh output: error %v, want ErrMemoryBudget", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, meth := range Methods() {
		if _, err := (Cooccurrence{Method: meth}).Dense(ctx, figure57()); !errors.Is(err, context.Canceled) {
			t.Errorf("%s on a cancelled context: %v", meth, err)
		}
	}
	// Cancelled midway, from the progress callback.
	b := randomCSRLen(newRand(), 3000, 200, 12)
	for _, meth := range Methods() {
		for _, f := range forms {
			ctx, cancel := context.WithCancel(context.Background())
			calls := 0
			c := Cooccurrence{Method: meth, Workers: 2, Progress: func(kiln.Progress) {
				calls++
				cancel()
			}}
			var err error
			switch f {
			case DenseForm:
				_, err = c.Dense(ctx, b)
			case PackedForm:
				_, err = c.Packed(ctx, b)
			case CompactForm:
				_, err = c.Compact(ctx, b)
			default:
				_, err = c.Sparse(ctx, b)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s %s cancelled midway: error %v", meth, f, err)
			}
			if calls == 0 {
				t.Errorf("%s %s: no progress before the cancel", meth, f)
			}
			cancel()
		}
	}
}

func TestProgress(t *testing.T) {
	b := randomCSRLen(newRand(), 5000, 300, 12)
	for _, meth := range Methods() {
		for _, f := range forms {
			var last, total int64 = -1, -1
			calls := 0
			c := Cooccurrence{Method: meth, Workers: 3, Progress: func(p kiln.Progress) {
				done, tot := p.Done, p.Total
				if p.Stage != "cooccurrence" {
					t.Errorf("%s %s: progress stage %q", meth, f, p.Stage)
				}
				if done <= last || (total >= 0 && tot != total) {
					t.Errorf("%s %s: progress %d/%d after %d/%d", meth, f, done, tot, last, total)
				}
				last, total = done, tot
				calls++
			}}
			var err error
			switch f {
			case DenseForm:
				_, err = c.Dense(context.Background(), b)
			case PackedForm:
				_, err = c.Packed(context.Background(), b)
			case CompactForm:
				_, err = c.Compact(context.Background(), b)
			default:
				_, err = c.Sparse(context.Background(), b)
			}
			if err != nil {
				t.Fatal(err)
			}
			if last != total || calls < 2 {
				t.Errorf("%s %s: ended at %d/%d after %d calls", meth, f, last, total, calls)
			}
		}
	}
}

// TestParallelValidation checks that a CSR large enough to be read by
// several goroutines gives the same counts and the same first error (in row
// order) as when one goroutine reads it.
func TestParallelValidation(t *testing.T) {
	const n, m = 20000, 50
	build := func() (indptr, ind []int, data []float64) {
		indptr = []int{0}
		for i := 0; i < n; i++ {
			if i%7 != 3 { // some empty rows, so that row pointers repeat
				for j := 0; j < 3; j++ {
					ind, data = append(ind, (i+5*j)%m), append(data, float64(1+j))
				}
				sortInts(ind[len(ind)-3:])
			}
			indptr = append(indptr, len(ind))
		}
		return indptr, ind, data
	}
	ctx := context.Background()
	indptr, ind, data := build()
	b := sparse.NewCSR(n, m, indptr, ind, data)
	for _, weighted := range []bool{false, true} {
		one, err := Cooccurrence{Workers: 1, Weighted: weighted}.Dense(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		four, err := Cooccurrence{Workers: 4, Weighted: weighted}.Dense(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(one.data) != fmt.Sprint(four.data) || one.Sum() == 0 {
			t.Fatalf("weighted=%v: 4 workers give other counts than 1", weighted)
		}
	}
	cases := []struct {
		name  string
		spoil func(indptr, ind []int, data []float64)
		want  string
	}{
		{"value errors in two parts", func(indptr, _ []int, data []float64) {
			data[indptr[15000]] = math.NaN()
			data[indptr[100]+1] = math.Inf(1)
		}, "row 100, column"},
		{"value error in the last part", func(indptr, _ []int, data []float64) {
			data[indptr[19999]] = math.NaN()
		}, "row 19999, column"},
		{"column out of range in the last part", func(indptr, ind []int, _ []float64) {
			ind[indptr[18001]] = m
		}, "row 18001: column index 50 out of range"},
		{"structure before values", func(indptr, ind []int, data []float64) {
			data[0] = math.NaN()
			ind[indptr[19000]] = -1
		}, "row 19000: column index -1"},
	}
	for _, tc := range cases {
		indptr, ind, data := build()
		tc.spoil(indptr, ind, data)
		b := sparse.NewCSR(n, m, indptr, ind, data)
		for _, workers := range []int{1, 4} {
			_, err := Cooccurrence{Workers: workers}.Dense(ctx, b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s, %d workers: error %v, want one naming %q", tc.name, workers, err, tc.want)
			}
		}
	}
}
