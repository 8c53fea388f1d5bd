package linalg

import (
	"context"
	"slices"
)

// The sparse form treats a row in one of two ways. A heavy row (whose work,
// the total length of the documents containing x, is at least m/denseRowShare)
// is summed into a dense accumulator without any branch, then scanned in
// column order. A light row records each column the first time it is met
// (mark) and sorts the short list of them, so that its cost does not grow
// with m: this keeps the sparse form usable for vocabularies far larger than
// a dense row scan could afford.
const denseRowShare = 32

func heavyRow(work int64, m int) bool { return work >= int64(m/denseRowShare) }

// sparseScratch is one worker's buffers for the sparse form: O(m), reused
// for every row the worker takes.
type sparseScratch struct {
	mark    []int32 // last light row (plus one) that met column y
	acc     []int32 // the row being summed
	touched []int32 // the distinct columns of a light row, in order of first touch
}

func newSparseScratch(m int) *sparseScratch {
	return &sparseScratch{mark: make([]int32, m), acc: make([]int32, m), touched: make([]int32, 0, m)}
}

// sparseInput is what the two passes of the sparse form read: the span
// index, the term list (16-bit when the vocabulary allows), B's weights and
// each row's work.
type sparseInput[T termIndex] struct {
	terms   []T
	weights []int32 // nil when binary
	idx     *spanIndex
	work    []int64
	m       int
}

// sumRow adds the documents containing x into s.acc; for a light row it
// also lists the distinct columns in s.touched.
func (in *sparseInput[T]) sumRow(s *sparseScratch, x int, heavy bool) {
	spans, wx := in.idx.spansOf(x)
	if heavy {
		acc := s.acc
		for j := 0; j+1 < len(spans); j += 2 {
			from, to := spans[j], spans[j+1]
			if wx == nil {
				for _, y := range in.terms[from:to] {
					acc[y]++
				}
				continue
			}
			w, ws := wx[j/2], in.weights[from:to]
			for k, y := range in.terms[from:to] {
				acc[y] += w * ws[k]
			}
		}
		return
	}
	tag := int32(x + 1)
	touched := s.touched[:0]
	for j := 0; j+1 < len(spans); j += 2 {
		from, to := spans[j], spans[j+1]
		w := int32(1)
		if wx != nil {
			w = wx[j/2]
		}
		for k, y := range in.terms[from:to] {
			if s.mark[y] != tag {
				s.mark[y] = tag
				touched = append(touched, int32(y))
			}
			if wx == nil {
				s.acc[y]++
			} else {
				s.acc[y] += w * in.weights[int(from)+k]
			}
		}
	}
	s.touched = touched
}

// countRows is the first pass of the sparse form: the number of distinct
// columns y of each row x in lo..hi-1 (weights are positive, so a non-zero
// sum means a column that occurs).
func (in *sparseInput[T]) countRows(rowNNZ []int, s *sparseScratch, lo, hi int) {
	for x := lo; x < hi; x++ {
		heavy := heavyRow(in.work[x], in.m)
		in.sumRow(s, x, heavy)
		if !heavy {
			for _, y := range s.touched {
				s.acc[y] = 0
			}
			rowNNZ[x] = len(s.touched)
			continue
		}
		count := 0
		for y, v := range s.acc {
			count += int(uint32(v|-v) >> 31) // 1 when v != 0, without a branch
			s.acc[y] = 0
		}
		rowNNZ[x] = count
	}
}

// fillRows is the second pass of the sparse form: it sums rows lo..hi-1
// again and writes their non-zeros, in increasing column order, at their
// places in ind and data (found by the first pass).
func (in *sparseInput[T]) fillRows(indptr []int, ind []int, data []float64, s *sparseScratch, lo, hi int) {
	for x := lo; x < hi; x++ {
		heavy := heavyRow(in.work[x], in.m)
		in.sumRow(s, x, heavy)
		at := indptr[x]
		if heavy {
			for y, v := range s.acc {
				if v != 0 {
					ind[at], data[at] = y, float64(v)
					s.acc[y] = 0
					at++
				}
			}
			continue
		}
		slices.Sort(s.touched)
		for _, y := range s.touched {
			ind[at], data[at] = int(y), float64(s.acc[y])
			s.acc[y] = 0
			at++
		}
	}
}

// sizeCompactRows adds to *bytes the storage of rows lo..hi-1 in the compact
// form: their code (the upper triangle of each row in column order), their
// marks and their offsets.
func (in *sparseInput[T]) sizeCompactRows(bytes *int64, s *sparseScratch, lo, hi int) {
	var total int64
	for x := lo; x < hi; x++ {
		heavy := heavyRow(in.work[x], in.m)
		in.sumRow(s, x, heavy)
		n, prev := 0, x-1
		entry := func(y int, v int32) {
			total += int64(compactEntryBytes(y-prev, v))
			prev = y
			n++
		}
		if heavy {
			for y, v := range s.acc {
				if v != 0 && y >= x {
					entry(y, v)
				}
				s.acc[y] = 0
			}
		} else {
			slices.Sort(s.touched)
			for _, y := range s.touched {
				if int(y) >= x {
					entry(int(y), s.acc[y])
				}
				s.acc[y] = 0
			}
		}
		total += compactRowOverhead + compactMarkBytes*int64(compactMarks(n))
	}
	*bytes += total
}

// compactSize returns the storage of the compact form of C.
func (in *sparseInput[T]) compactSize(ctx context.Context, workers int, chunks []rowRange) (int64, error) {
	scratch := make([]*sparseScratch, min(workers, len(chunks)))
	sizes := make([]int64, len(scratch))
	for w := range scratch {
		scratch[w] = newSparseScratch(in.m)
	}
	err := forChunks(ctx, workers, chunks, nil, func(w int, r rowRange) {
		in.sizeCompactRows(&sizes[w], scratch[w], r.lo, r.hi)
	})
	var total int64
	for _, n := range sizes {
		total += n
	}
	return total, err
}

// count runs the first pass on the workers and returns the row pointers of
// the result (m+1 entries; the last is the number of non-zeros).
func (in *sparseInput[T]) count(ctx context.Context, workers int, chunks []rowRange, prog *progress) ([]int, error) {
	scratch := make([]*sparseScratch, min(workers, len(chunks)))
	for w := range scratch {
		scratch[w] = newSparseScratch(in.m)
	}
	indptr := make([]int, in.m+1)
	rowNNZ := indptr[1:]
	err := forChunks(ctx, workers, chunks, prog, func(w int, r rowRange) {
		in.countRows(rowNNZ, scratch[w], r.lo, r.hi)
	})
	if err != nil {
		return nil, err
	}
	for x := 0; x < in.m; x++ {
		indptr[x+1] += indptr[x]
	}
	return indptr, nil
}

// fill runs the second pass on the workers into ind and data, sized by count.
func (in *sparseInput[T]) fill(ctx context.Context, workers int, chunks []rowRange, indptr []int, ind []int, data []float64, prog *progress) error {
	scratch := make([]*sparseScratch, min(workers, len(chunks)))
	for w := range scratch {
		scratch[w] = newSparseScratch(in.m)
	}
	return forChunks(ctx, workers, chunks, prog, func(w int, r rowRange) {
		in.fillRows(indptr, ind, data, scratch[w], r.lo, r.hi)
	})
}

// sparsePasses are the two passes of the sparse form over one span index,
// whichever the width of its term list.
type sparsePasses interface {
	count(ctx context.Context, workers int, chunks []rowRange, prog *progress) ([]int, error)
	compactSize(ctx context.Context, workers int, chunks []rowRange) (int64, error)
	fill(ctx context.Context, workers int, chunks []rowRange, indptr []int, ind []int, data []float64, prog *progress) error
}

// newSparsePasses builds the span index of d (whole documents) and returns
// the passes over it, with the rows cut into ranges of equal work.
func newSparsePasses(d *docs, workers int) (sparsePasses, []rowRange) {
	k := newKernelIndex(d, workers, false)
	if k.narrow != nil {
		return &sparseInput[uint16]{terms: k.narrow, weights: d.weights, idx: k.idx, work: k.work, m: d.m}, k.chunks
	}
	return &sparseInput[int32]{terms: d.terms, weights: d.weights, idx: k.idx, work: k.work, m: d.m}, k.chunks
}
