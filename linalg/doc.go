// Package linalg holds numeric kernels that gonum and james-bowman/sparse do
// not provide. Its main one is the word co-occurrence matrix of a bag of
// words.
//
// # Co-occurrence
//
// Given a document x term matrix B (n x m, typically the *sparse.CSR of a
// CountVectorizer), the co-occurrence matrix C is m x m: C(x, y) is the
// number of documents that contain both terms x and y, and C(x, x) the
// number of documents that contain x. C is symmetric, and the sum of all its
// entries is the sum of the squared document lengths. With Weighted set,
// C = BᵀB from B's integer counts instead.
//
// Chapter 5 of Effective Data Science Infrastructure computes C four ways: a
// plain loop over the pairs of terms of each document (Listing 5.7), the
// product BᵀB with scipy (5.9: fast, but it copies B and ran out of 64 GB at
// full scale), the loop compiled with Numba (5.10), and a multicore variant
// (5.11) in which every thread fills a private copy of the whole output,
// summed at the end; it gains only about 40% on 4 cores because of those
// copies. (As printed, 5.11 also starts the copies from the filled matrix,
// which multiplies the counts.) This package offers three methods, selected
// by name in Cooccurrence.Method, that give identical counts:
//
//   - Plain: Listing 5.7 in Go, on one goroutine, the reference.
//   - Algebra: Listing 5.9, BᵀB through james-bowman/sparse, on one goroutine.
//   - Multicore (the default): output row x is the sum of the documents that
//     contain x, so each worker builds whole rows from B's inverted index.
//     Rows are shared out in ranges of equal work, taken dynamically, and a
//     row is written by one worker only: no private copies, no locks, no
//     final sum, and the row being filled stays in the core's cache. For the
//     dense and packed forms the index points straight at each document's
//     terms, held as 16-bit indices when m <= 65,536, and on amd64 a small
//     assembly loop adds them while prefetching the next documents' terms.
//
// # Output forms and memory
//
// The result comes in four forms, with the memory each needs stated so that
// a caller can choose before allocating; Cooccurrence.MaxBytes makes a call
// return a *MemoryError (errors.Is(err, ErrMemoryBudget)) instead of
// allocating past a budget, and Cooccurrence.Memory tells the figure in
// advance.
//
//   - Dense: DenseCounts, the full m x m int32 matrix, 4m² bytes (2.67 GB for
//     the 25,858 terms of the 50,000 IMDB reviews).
//   - Packed: PackedCounts, the upper triangle with the diagonal, 2m(m+1)
//     bytes.
//   - Sparse: a *sparse.CSR of the non-zero counts, 16 bytes each, for
//     vocabularies whose dense matrix does not fit; it is sized by a first
//     counting pass and allocated once.
//   - Compact: CompactCounts, the non-zero counts of the upper triangle in a
//     byte code of about 1.2 bytes an entry (68 MB for IMDB), written once by
//     the kernel with no intermediate.
//
// Choosing a form: a new page of memory costs a page fault when it is first
// written, and on virtual machines that can cost more than the counting
// itself (see internal/bigmem), so the first call's time follows the size of
// its output. Take Compact for a matrix computed once and read row by row
// (AppendUpperRow) or entry by entry (Count, At: a binary search and at most
// 128 entries decoded); Dense when every entry is read many times at full
// speed, or when one output is recomputed in place (DenseTo: no new memory
// after the first call); Packed for half of Dense; Sparse to hand a CSR of
// both triangles to other code.
//
// Besides the output, a call holds a validated copy of B (4 bytes per
// non-zero) and, for the multicore kernel, its inverted index (8 to 14
// more), a few tens of MB for IMDB. DenseTo and PackedTo reuse a previous result's
// storage.
//
// Every call takes a context.Context, checked between pieces of work, and
// reports progress through Cooccurrence.Progress. Workers sets the number of
// goroutines of the multicore kernel; the counts do not depend on it. Input
// is validated first: a malformed CSR, an index out of range, a non-finite
// value, or (in weighted mode) a value that is not a count is an error naming
// its row and column; a count that could overflow int32 is refused.
package linalg
