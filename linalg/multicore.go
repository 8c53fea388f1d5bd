package linalg

import "context"

// The multicore kernel. Output row x (the counts of the pairs (x, y)) is the
// sum of the rows of B of the documents that contain x. So the kernel walks
// the inverted index: for term x, for each document containing x, it adds the
// document's terms into row x. Rows are cut into ranges of equal work that
// workers take one at a time; a row is written by one worker only, so the
// book's private copies of the whole output (and their final sum) are not
// needed. A row (4m bytes: 103 KB for IMDB) stays in the core's cache while
// it is filled, and the document lists are read in order, where the book's
// loop scatters its increments over the whole m x m matrix. Every form walks
// a span index (spans.go); the sparse form's two passes are in sparserows.go.

// multicoreDense runs the kernel into out (m*m entries), or into the packed
// upper triangle (m(m+1)/2 entries) when packed.
func multicoreDense(ctx context.Context, d *docs, workers int, out []int32, packed, reused bool, prog *progress) error {
	k := newKernelIndex(d, workers, packed)
	idx, narrow, m := k.idx, k.narrow, d.m
	return forChunks(ctx, workers, k.chunks, prog, func(_ int, r rowRange) {
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
