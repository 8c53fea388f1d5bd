package linalg

import (
	"context"
	"slices"
)

// The multicore kernel. Output row x (the counts of the pairs (x, y)) is the
// sum of the rows of B of the documents that contain x. So the kernel walks
// the inverted index: for term x, for each document containing x, it adds the
// document's terms into row x. Rows are cut into ranges of equal work that
// workers take one at a time; a row is written by one worker only, so the
// book's private copies of the whole output (and their final sum) are not
// needed. A row (4m bytes: 103 KB for IMDB) stays in the core's cache while
// it is filled, and the document lists are read in order, where the book's
// loop scatters its increments over the whole m x m matrix. The dense and
// packed forms walk a span index (spans.go); the sparse form, which needs
// document numbers to merge rows, walks the postings.

// rowWork returns the cost of each output row x: the number of increments it
// takes, the total length of the documents containing x (upper: only their
// terms from x on).
func rowWork(d *docs, upper bool) []int64 {
	work := make([]int64, d.m)
	for i := 0; i < d.n; i++ {
		terms := d.terms[d.indptr[i]:d.indptr[i+1]]
		l := int64(len(terms))
		for k, t := range terms {
			if upper {
				work[t] += l - int64(k)
			} else {
				work[t] += l
			}
		}
	}
	return work
}

// of returns the postings of term x: the documents containing it
// and, when weighted, x's weight in each.
func (p *postings) of(x int) (docs []uint32, weights []int32) {
	lo, hi := p.indptr[x], p.indptr[x+1]
	if p.weights != nil {
		weights = p.weights[lo:hi]
	}
	return p.docs[lo:hi], weights
}

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

// sumRow adds the documents containing x into s.acc; for a light row it
// also lists the distinct columns in s.touched.
func sumRow(d *docs, p *postings, s *sparseScratch, x int, heavy bool) {
	pdocs, pweights := p.of(x)
	if heavy {
		acc := s.acc
		for j, doc := range pdocs {
			start, end := d.indptr[doc], d.indptr[doc+1]
			if pweights == nil {
				for _, y := range d.terms[start:end] {
					acc[y]++
				}
				continue
			}
			wx, weights := pweights[j], d.weights[start:end]
			for k, y := range d.terms[start:end] {
				acc[y] += wx * weights[k]
			}
		}
		return
	}
	tag := int32(x + 1)
	touched := s.touched[:0]
	for j, doc := range pdocs {
		start, end := d.indptr[doc], d.indptr[doc+1]
		wx := int32(1)
		if pweights != nil {
			wx = pweights[j]
		}
		for k, y := range d.terms[start:end] {
			if s.mark[y] != tag {
				s.mark[y] = tag
				touched = append(touched, y)
			}
			if pweights == nil {
				s.acc[y]++
			} else {
				s.acc[y] += wx * d.weights[start+k]
			}
		}
	}
	s.touched = touched
}

// countRows is the first pass of the sparse form: the number of distinct
// columns y of each row x in lo..hi-1 (weights are positive, so a non-zero
// sum means a column that occurs).
func countRows(d *docs, p *postings, work []int64, rowNNZ []int, s *sparseScratch, lo, hi int) {
	for x := lo; x < hi; x++ {
		heavy := heavyRow(work[x], d.m)
		sumRow(d, p, s, x, heavy)
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

// sparseRows is the second pass of the sparse form: it sums rows lo..hi-1
// again and writes their non-zeros, in increasing column order, at their
// places in ind and data (found by the first pass).
func sparseRows(d *docs, p *postings, work []int64, indptr []int, ind []int, data []float64, s *sparseScratch, lo, hi int) {
	for x := lo; x < hi; x++ {
		heavy := heavyRow(work[x], d.m)
		sumRow(d, p, s, x, heavy)
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

// multicoreDense runs the kernel into out (m*m entries), or into the packed
// upper triangle (m(m+1)/2 entries) when packed.
func multicoreDense(ctx context.Context, d *docs, workers int, out []int32, packed, reused bool, prog *progress) error {
	parts := setupParts(workers, d.m, d.nnz())
	idx := d.spanIndex(packed, parts)
	chunks := rowChunks(idx.work(parts), workers*chunksPerWorker)
	var narrow []uint16
	if d.m <= maxNarrowTerms {
		narrow = d.narrowTerms(parts)
	}
	m := d.m
	return forChunks(ctx, workers, chunks, prog, func(_ int, r rowRange) {
		switch {
		case packed && narrow != nil && d.weights == nil:
			packedRows16(narrow, idx, m, out, r.lo, r.hi, reused)
		case narrow != nil && d.weights == nil:
			denseRows16(narrow, idx, m, out, r.lo, r.hi, reused)
		case packed && narrow != nil:
			spanPackedRows(narrow, d.weights, idx, m, out, r.lo, r.hi, reused)
		case packed:
			spanPackedRows(d.terms, d.weights, idx, m, out, r.lo, r.hi, reused)
		case narrow != nil:
			spanDenseRows(narrow, d.weights, idx, m, out, r.lo, r.hi, reused)
		default:
			spanDenseRows(d.terms, d.weights, idx, m, out, r.lo, r.hi, reused)
		}
	})
}

// multicoreCount runs the first pass of the sparse form and returns the row
// pointers of the result (m+1 entries; the last is the number of non-zeros).
func multicoreCount(ctx context.Context, d *docs, p *postings, workers int, work []int64, chunks []rowRange, prog *progress) ([]int, error) {
	scratch := make([]*sparseScratch, min(workers, len(chunks)))
	for w := range scratch {
		scratch[w] = newSparseScratch(d.m)
	}
	indptr := make([]int, d.m+1)
	rowNNZ := indptr[1:]
	err := forChunks(ctx, workers, chunks, prog, func(w int, r rowRange) {
		countRows(d, p, work, rowNNZ, scratch[w], r.lo, r.hi)
	})
	if err != nil {
		return nil, err
	}
	for x := 0; x < d.m; x++ {
		indptr[x+1] += indptr[x]
	}
	return indptr, nil
}

// multicoreSparse runs the second pass of the sparse form into ind and data,
// sized by multicoreCount.
func multicoreSparse(ctx context.Context, d *docs, p *postings, workers int, work []int64, chunks []rowRange,
	indptr []int, ind []int, data []float64, prog *progress) error {
	scratch := make([]*sparseScratch, min(workers, len(chunks)))
	for w := range scratch {
		scratch[w] = newSparseScratch(d.m)
	}
	return forChunks(ctx, workers, chunks, prog, func(w int, r rowRange) {
		sparseRows(d, p, work, indptr, ind, data, scratch[w], r.lo, r.hi)
	})
}
