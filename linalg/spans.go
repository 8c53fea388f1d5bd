package linalg

import (
	"slices"
	"sync"

	"github.com/kiln-ml/kiln/internal/bigmem"
)

// spanIndex is the inverted index that the multicore kernels walk (all three
// forms, and the algebra method's counting pass):
// for each term x, one span of the term list per document containing x, the
// terms to add into row x. A span holds offsets into the term list itself
// rather than a document number, so that the kernel reads the document's
// terms without first looking up where they start: that lookup is a cache
// miss per document, and removing it saves about a tenth of the kernel's time.
type spanIndex struct {
	indptr  []int    // m+1 offsets into the spans of each term (in spans)
	spans   []uint32 // pairs (from, to) of offsets into the term list
	weights []int32  // x's weight in each document; nil when binary
}

// spansOf returns the spans of term x, as from, to pairs, and x's weights.
func (s *spanIndex) spansOf(x int) (spans []uint32, weights []int32) {
	lo, hi := s.indptr[x], s.indptr[x+1]
	if s.weights != nil {
		weights = s.weights[lo:hi]
	}
	return s.spans[2*lo : 2*hi], weights
}

// spanIndex builds the index with a counting sort, in O(nnz + m·parts) time
// and 8 bytes per entry (12 when weighted) plus 8(m+1) bytes, and 8m bytes
// of cursors per part. With fromTerm, the span of (x, document) starts at x
// itself, so that it holds only the terms y >= x (the upper triangle);
// otherwise it is the whole document. Offsets are uint32, which newDocs
// guarantees (at most 2^32-1 entries). The documents are cut into parts of
// about equal size, counted and placed in parallel; each term's spans come
// in document order whatever the number of parts.
func (d *docs) spanIndex(fromTerm bool, parts int) *spanIndex {
	s := &spanIndex{indptr: make([]int, d.m+1), spans: bigmem.Make[uint32](2 * d.nnz())}
	if d.weights != nil {
		s.weights = bigmem.Make[int32](d.nnz())
	}
	ranges := d.docRanges(parts)
	cursors := make([][]int, len(ranges))
	inParallel(len(ranges), func(p int) {
		count := make([]int, d.m)
		for _, t := range d.terms[d.indptr[ranges[p].lo]:d.indptr[ranges[p].hi]] {
			count[t]++
		}
		cursors[p] = count
	})
	// Term t's spans start at indptr[t]; part p's spans of t follow those of
	// the parts before it.
	at := 0
	for t := 0; t < d.m; t++ {
		s.indptr[t] = at
		for _, c := range cursors {
			c[t], at = at, at+c[t]
		}
	}
	s.indptr[d.m] = at
	inParallel(len(ranges), func(p int) {
		next := cursors[p]
		for i := ranges[p].lo; i < ranges[p].hi; i++ {
			lo, hi := d.indptr[i], d.indptr[i+1]
			for k := lo; k < hi; k++ {
				t := d.terms[k]
				at := next[t]
				from := lo
				if fromTerm {
					from = k
				}
				s.spans[2*at], s.spans[2*at+1] = uint32(from), uint32(hi)
				if s.weights != nil {
					s.weights[at] = d.weights[k]
				}
				next[t] = at + 1
			}
		}
	})
	return s
}

// work returns the cost of each output row: the number of entries its spans
// hold, the increments that fill it.
func (s *spanIndex) work(parts int) []int64 {
	m := len(s.indptr) - 1
	work := make([]int64, m)
	inParallel(parts, func(p int) {
		for x := m * p / parts; x < m*(p+1)/parts; x++ {
			spans, _ := s.spansOf(x)
			var w int64
			for j := 0; j+1 < len(spans); j += 2 {
				w += int64(spans[j+1] - spans[j])
			}
			work[x] = w
		}
	})
	return work
}

// docRanges cuts the documents into at most parts ranges of about equal
// numbers of entries.
func (d *docs) docRanges(parts int) []rowRange {
	parts = max(1, min(parts, d.n))
	var out []rowRange
	lo := 0
	for p := 1; p <= parts; p++ {
		target := d.nnz() * p / parts
		hi, _ := slices.BinarySearch(d.indptr[lo:], target)
		hi = min(lo+hi, d.n)
		if p == parts {
			hi = d.n
		}
		if hi > lo {
			out = append(out, rowRange{lo, hi})
			lo = hi
		}
	}
	if len(out) == 0 {
		out = append(out, rowRange{0, d.n})
	}
	return out
}

// maxSetupParts caps the goroutines that validate B and build its index.
const maxSetupParts = 8

// setupParts is the number of goroutines that build the span index: the
// workers, up to maxSetupParts, and only as many as have each at least
// max(m, 2^16) entries to place, since each holds 8m bytes of cursors and
// small inputs are not worth the goroutines.
func setupParts(workers, m, nnz int) int {
	return max(1, min(workers, maxSetupParts, nnz/max(m, 1<<16)))
}

// kernelIndex is what a multicore kernel reads besides B: the span index,
// each row's work, the rows cut into ranges of equal work, and the 16-bit
// term list when m allows (nil otherwise).
type kernelIndex struct {
	idx    *spanIndex
	work   []int64
	chunks []rowRange
	narrow []uint16
}

// newKernelIndex builds the kernelIndex of d for the given workers; fromTerm
// is spanIndex's (the packed upper triangle).
func newKernelIndex(d *docs, workers int, fromTerm bool) kernelIndex {
	parts := setupParts(workers, d.m, d.nnz())
	k := kernelIndex{idx: d.spanIndex(fromTerm, parts)}
	k.work = k.idx.work(parts)
	k.chunks = rowChunks(k.work, workers*chunksPerWorker)
	if d.m <= maxNarrowTerms {
		k.narrow = d.narrowTerms(parts)
	}
	return k
}

// inParallel runs fn(0) .. fn(parts-1) on their own goroutines and waits.
func inParallel(parts int, fn func(part int)) {
	if parts <= 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(p)
		}()
	}
	wg.Wait()
}

// narrowTerms returns the term list as 16-bit indices, which m <= 2^16
// allows: the kernels read every document's terms once per term it
// contains (438 million reads for IMDB), and half the bytes to read make
// them about 15% faster.
func (d *docs) narrowTerms(parts int) []uint16 {
	out := bigmem.Make[uint16](len(d.terms))
	n := len(d.terms)
	inParallel(parts, func(p int) {
		lo, hi := n*p/parts, n*(p+1)/parts
		for k, t := range d.terms[lo:hi] {
			out[lo+k] = uint16(t)
		}
	})
	return out
}

// maxNarrowTerms is the largest vocabulary whose indices fit a uint16.
const maxNarrowTerms = 1 << 16

// termIndex is the type of a term list: uint16 when the vocabulary allows,
// int32 otherwise. The kernels are generic over it.
type termIndex interface{ ~uint16 | ~int32 }

// spanDenseRows fills rows lo..hi-1 of the full m x m output, clearing them
// first when the output is reused.
func spanDenseRows[T termIndex](terms []T, weights []int32, idx *spanIndex, m int, out []int32, lo, hi int, reused bool) {
	for x := lo; x < hi; x++ {
		row := out[x*m : (x+1)*m : (x+1)*m]
		if reused {
			clear(row)
		}
		spans, wx := idx.spansOf(x)
		if wx == nil {
			for j := 0; j+1 < len(spans); j += 2 {
				for _, y := range terms[spans[j]:spans[j+1]] {
					row[y]++
				}
			}
			continue
		}
		for j := 0; j+1 < len(spans); j += 2 {
			from, to := spans[j], spans[j+1]
			w, ws := wx[j/2], weights[from:to]
			for k, y := range terms[from:to] {
				row[y] += w * ws[k]
			}
		}
	}
}

// spanPackedRows fills rows lo..hi-1 of the packed upper triangle, whose
// spans start at x (see spanIndex).
func spanPackedRows[T termIndex](terms []T, weights []int32, idx *spanIndex, m int, out []int32, lo, hi int, reused bool) {
	for x := lo; x < hi; x++ {
		off := packedOffset(x, m) - x
		row := out[off+x : off+m : off+m] // row[y-x] is the count of (x, y)
		if reused {
			clear(row)
		}
		spans, wx := idx.spansOf(x)
		for j := 0; j+1 < len(spans); j += 2 {
			from, to := spans[j], spans[j+1]
			if wx == nil {
				for _, y := range terms[from:to] {
					row[int(y)-x]++
				}
				continue
			}
			w, ws := wx[j/2], weights[from:to]
			for k, y := range terms[from:to] {
				row[int(y)-x] += w * ws[k]
			}
		}
	}
}

// denseRows16 is spanDenseRows for binary counts over 16-bit terms, the
// common case, through addSpans (assembly on amd64).
func denseRows16(terms []uint16, idx *spanIndex, m int, out []int32, lo, hi int, reused bool) {
	for x := lo; x < hi; x++ {
		row := out[x*m : (x+1)*m : (x+1)*m]
		if reused {
			clear(row)
		}
		spans, _ := idx.spansOf(x)
		addSpans(row, terms, spans)
	}
}

// packedRows16 is spanPackedRows for binary counts over 16-bit terms. Row x
// is passed to addSpans as the m entries ending with its last, so that it is
// indexed by y like a dense row: its spans start at x, and the x entries
// before (x, x), which belong to row x-1, are never touched.
func packedRows16(terms []uint16, idx *spanIndex, m int, out []int32, lo, hi int, reused bool) {
	for x := lo; x < hi; x++ {
		off := packedOffset(x, m)
		if reused {
			clear(out[off : off+m-x])
		}
		spans, _ := idx.spansOf(x)
		addSpans(out[off-x:off-x+m:off-x+m], terms, spans)
	}
}
