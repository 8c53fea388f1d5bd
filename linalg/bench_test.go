package linalg

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/james-bowman/sparse"
)

// The benchmarks run on the IMDB binary bag of words (skipped when the data
// is absent). scripts/bench.sh --only cooc runs them side by side with scipy's
// (B.T * B).todense() and the book's Numba loop (bench/py/references.py), or
// by hand:
//
//	flock /tmp/kiln-bench.lock /usr/bin/python3 bench/py/references.py numba data/imdb/reviews.json
//	GOMAXPROCS=2 flock /tmp/kiln-bench.lock go test -run '^$' -bench 'Cooccurrence/multicore' -count 5 ./linalg
//
// Every iteration starts from a collected heap (outside the timer), so one
// output is alive at a time; "fresh" outputs are allocated inside the timer.

var imdbOnce struct {
	sync.Once
	b *sparse.CSR
}

// imdbMatrix builds the IMDB bag of words once per process, then returns
// the vectorizer's garbage to the operating system, so that the peak RSS
// measured around the kernel is the kernel's.
func imdbMatrix(b *testing.B) *sparse.CSR {
	b.Helper()
	imdbOnce.Do(func() {
		imdbOnce.b, _ = imdbBinary(b)
		debug.FreeOSMemory()
	})
	if imdbOnce.b == nil {
		b.Skip("IMDB bag of words unavailable")
	}
	return imdbOnce.b
}

// peakRSS measures the peak resident memory of the process from now on:
// Linux resets the high-water mark when "5" is written to
// /proc/self/clear_refs, and reports it as VmHWM in /proc/self/status. It
// returns a function that reports the peak, in MB, as the metric peak-RSS-MB
// (nothing where /proc does not offer this).
func peakRSS(b *testing.B) (report func()) {
	debug.FreeOSMemory() // what earlier benchmarks left must not count
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return func() {}
	}
	return func() {
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				if err == nil {
					b.ReportMetric(kb/1000, "peak-RSS-MB")
				}
			}
		}
	}
}

func BenchmarkCooccurrence(b *testing.B) {
	ctx := context.Background()
	for _, meth := range Methods() {
		for _, f := range forms {
			b.Run(string(meth)+"/"+f.String(), func(b *testing.B) {
				benchIMDB(b, ctx, Cooccurrence{Method: meth}, f, false)
			})
		}
		if meth == Multicore {
			b.Run("multicore/dense-reuse", func(b *testing.B) {
				benchIMDB(b, ctx, Cooccurrence{Method: meth}, DenseForm, true)
			})
		}
	}
}

// benchIMDB times one method and form on IMDB and checks, outside the
// timer, that the last result sums to scipy's checksum.
func benchIMDB(b *testing.B, ctx context.Context, c Cooccurrence, f Form, reuse bool) {
	bow := imdbMatrix(b)
	var dense *DenseCounts
	var packed *PackedCounts
	var csr *sparse.CSR
	var compact *CompactCounts
	var err error
	report := peakRSS(b)
	if reuse {
		if dense, err = c.Dense(ctx, bow); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var faults int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if !reuse {
			dense, packed, csr, compact = nil, nil, nil, nil
		}
		runtime.GC()
		f0 := minorFaults()
		b.StartTimer()
		switch f {
		case DenseForm:
			if reuse {
				dense, err = c.DenseTo(ctx, dense, bow)
			} else {
				dense, err = c.Dense(ctx, bow)
			}
		case PackedForm:
			packed, err = c.Packed(ctx, bow)
		case CompactForm:
			compact, err = c.Compact(ctx, bow)
		default:
			csr, err = c.Sparse(ctx, bow)
		}
		if err != nil {
			b.Fatal(err)
		}
		faults += minorFaults() - f0
	}
	b.StopTimer()
	report()
	b.ReportMetric(float64(faults)/float64(b.N), "page-faults/op")
	var sum int64
	switch f {
	case DenseForm:
		sum = dense.Sum()
	case PackedForm:
		sum = packed.Sum()
	case CompactForm:
		sum = compact.Sum()
		b.ReportMetric(float64(compact.Bytes())/1e6, "output-MB")
	default:
		for _, v := range csr.RawMatrix().Data {
			sum += int64(v)
		}
	}
	if sum != imdbSum {
		b.Fatalf("checksum %d, want %d", sum, imdbSum)
	}
}

// BenchmarkCooccurrenceStacked13 runs the multicore kernel (dense output) on
// the IMDB bag of words stacked 13 times: 650,000 documents, the size of the
// book's Yelp corpus. Compare with the book's Numba loop on the same stacked
// matrix:
//
//	flock /tmp/kiln-bench.lock /usr/bin/python3 linalg/testdata/scipy_cooccurrence.py data/imdb/reviews.json --numba-stacked 13
func BenchmarkCooccurrenceStacked13(b *testing.B) {
	const repeat = 13
	one := imdbMatrix(b)
	raw := one.RawMatrix()
	nnz := raw.Indptr[raw.I]
	indptr := make([]int, 0, repeat*raw.I+1)
	ind := make([]int, 0, repeat*nnz)
	data := make([]float64, 0, repeat*nnz)
	indptr = append(indptr, 0)
	for r := 0; r < repeat; r++ {
		for i := 0; i < raw.I; i++ {
			indptr = append(indptr, r*nnz+raw.Indptr[i+1])
		}
		ind = append(ind, raw.Ind[:nnz]...)
		data = append(data, raw.Data[:nnz]...)
	}
	bow := sparse.NewCSR(repeat*raw.I, raw.J, indptr, ind, data)
	ctx := context.Background()
	var c *DenseCounts
	var err error
	runtime.GC()
	report := peakRSS(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c = nil
		runtime.GC()
		b.StartTimer()
		if c, err = (Cooccurrence{}).Dense(ctx, bow); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report()
	if got := c.Sum(); got != repeat*imdbSum {
		b.Fatalf("checksum %d, want %d", got, int64(repeat*imdbSum))
	}
}
