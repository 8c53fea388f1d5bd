package linalg

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/kiln-ml/kiln/internal/bigmem"
	"gonum.org/v1/gonum/mat"
)

// CompactCounts is a symmetric m x m matrix of co-occurrence counts of which
// only the non-zero entries of the upper triangle, diagonal included, are
// stored, row by row in increasing column order, in a byte code: the form
// whose first touch is cheapest. For the 50,000 IMDB reviews it holds 56.8
// million entries in 64 MB (1.13 bytes an entry), against 2.67 GB for
// DenseCounts.
//
// Storage rule: each entry is one byte, whose high four bits are the gap g
// from the previous column of the row (from x-1 for the first entry of row
// x), less one, and whose low four bits are the count v, less one, when g and
// v are at most 15. A nibble of 15 says that the value does not fit: the gap
// less 16, then the count less 16, follow as unsigned varints (LEB128), in
// that order. Co-occurrence rows are dense in their small gaps and small
// counts (in IMDB, 90% of the gaps and 96% of the counts fit). Every 128th
// entry of a row is marked with its byte offset and the column before it, so
// that Count and At decode at most 128 entries after a binary search.
//
// Rows live in blocks of consecutive rows, one per piece of work of the
// kernel, carved out of large buffers advised for huge pages, so the result
// is written once, where it stays, with no final copy. The memory belongs to
// the Go heap: nothing to close. It implements mat.Symmetric; its values are
// read-only, and it is safe for concurrent reads.
type CompactCounts struct {
	m      int
	nnz    int64
	bytes  int64
	blocks []compactBlock // in row order; block i holds rows firsts[i]..firsts[i+1]-1
	firsts []int
}

// compactBlock holds the entries of rows lo..lo+len(ptr)-2: row lo+r's code
// is data[ptr[r]:ptr[r+1]], and its marks are marks[mptr[r]:mptr[r+1]].
type compactBlock struct {
	lo    int
	nnz   int64
	ptr   []int
	data  []byte
	marks []compactMark
	mptr  []int32
}

// compactMark is where an entry of a row starts: the byte offset from the
// row's start, and the column of the entry before it (the state the decoder
// needs to resume there).
type compactMark struct {
	off, prev int32
}

// compactMarkEvery is the number of entries between marks.
const compactMarkEvery = 128

var _ mat.Symmetric = (*CompactCounts)(nil)

// compactEntryBytes is the size of one entry's code.
func compactEntryBytes(gap int, count int32) int {
	n := 1
	if gap > 15 {
		n += uvarintLen(uint64(gap - 16))
	}
	if count > 15 {
		n += uvarintLen(uint64(count - 16))
	}
	return n
}

func uvarintLen(u uint64) int {
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}

// compactEncoder writes the code of rows into a growing buffer, with their
// marks; rowStart starts a row, add appends its next entry.
type compactEncoder struct {
	data  []byte
	ptr   []int
	marks []compactMark
	mptr  []int32
	prev  int   // column of the row's last entry
	n     int   // entries of the row so far
	start int   // offset of the row's code
	nnz   int64 // entries of all rows
}

func (e *compactEncoder) reset() {
	e.data, e.ptr, e.marks, e.mptr, e.nnz = e.data[:0], append(e.ptr[:0], 0), e.marks[:0], append(e.mptr[:0], 0), 0
}

func (e *compactEncoder) rowStart(x int) {
	e.prev, e.n, e.start = x-1, 0, len(e.data)
}

func (e *compactEncoder) add(y int, v int32) {
	if e.n > 0 && e.n%compactMarkEvery == 0 {
		e.marks = append(e.marks, compactMark{off: int32(len(e.data) - e.start), prev: int32(e.prev)})
	}
	g := y - e.prev
	e.prev = y
	e.n++
	e.nnz++
	hi, lo := byte(15), byte(15)
	if g <= 15 {
		hi = byte(g - 1)
	}
	if v <= 15 {
		lo = byte(v - 1)
	}
	e.data = append(e.data, hi<<4|lo)
	if hi == 15 {
		e.data = binary.AppendUvarint(e.data, uint64(g-16))
	}
	if lo == 15 {
		e.data = binary.AppendUvarint(e.data, uint64(v-16))
	}
}

// addDense appends the non-zero cells of row, whose cell j is column base+j,
// as the row's next entries, then zeroes row. nz is scratch space of at
// least len(row) cells.
func (e *compactEncoder) addDense(base int, row, nz []int32) {
	// Collect the non-zero cells without a branch per cell: co-occurrence
	// rows are about one cell in six non-zero, where a branch on each cell
	// mispredicts often and the scan costs more than the encoding.
	nz = nz[:len(row)]
	n := 0
	for j, v := range row {
		nz[n] = int32(j) // n <= j
		n += int((uint32(v) | -uint32(v)) >> 31)
	}
	// Encode, with the common one-byte entry handled in this loop.
	data, prev, count, fast := e.data, e.prev, e.n, 0
	for _, j := range nz[:n] {
		y, v := base+int(j), row[j]
		if g := y - prev; g <= 15 && uint32(v-1) < 15 && count%compactMarkEvery != 0 {
			data = append(data, byte(g-1)<<4|byte(v-1))
			prev, count, fast = y, count+1, fast+1
			continue
		}
		e.data, e.prev, e.n = data, prev, count
		e.add(y, v)
		data, prev, count = e.data, e.prev, e.n
	}
	e.data, e.prev, e.n, e.nnz = data, prev, count, e.nnz+int64(fast)
	clear(row)
}

func (e *compactEncoder) rowEnd() {
	e.ptr = append(e.ptr, len(e.data))
	e.mptr = append(e.mptr, int32(len(e.marks)))
}

// decodeEntry decodes the entry at data[i:] of a row whose previous column is
// prev: its column, its count, and the offset of the next entry.
func decodeEntry(data []byte, i, prev int) (y int, v int32, next int) {
	b := data[i]
	i++
	g := int(b>>4) + 1
	if g == 16 {
		u, n := binary.Uvarint(data[i:])
		g, i = int(u)+16, i+n
	}
	v = int32(b&15) + 1
	if v == 16 {
		u, n := binary.Uvarint(data[i:])
		v, i = int32(u)+16, i+n
	}
	return prev + g, v, i
}

// Terms returns m, the number of terms (rows and columns).
func (c *CompactCounts) Terms() int { return c.m }

// NonZeros returns the number of stored entries: the non-zero counts of the
// upper triangle, diagonal included.
func (c *CompactCounts) NonZeros() int64 { return c.nnz }

// Bytes returns the size of the storage: the code of the entries, the marks
// and the row offsets.
func (c *CompactCounts) Bytes() int64 { return c.bytes }

func (c *CompactCounts) block(x int) (*compactBlock, int) {
	if uint(x) >= uint(c.m) {
		panic(fmt.Sprintf("linalg: row %d out of range for %d terms", x, c.m))
	}
	i := sort.SearchInts(c.firsts, x+1) - 1
	return &c.blocks[i], x - c.blocks[i].lo
}

// AppendUpperRow appends the stored entries of row x, the non-zero counts
// of (x, y) for y >= x in increasing y, to cols and counts.
func (c *CompactCounts) AppendUpperRow(x int, cols []int, counts []int32) ([]int, []int32) {
	b, r := c.block(x)
	data := b.data[b.ptr[r]:b.ptr[r+1]]
	for i, y := 0, x-1; i < len(data); {
		var v int32
		y, v, i = decodeEntry(data, i, y)
		cols, counts = append(cols, y), append(counts, v)
	}
	return cols, counts
}

// Count returns the number of documents that contain both terms x and y, in
// either order. It panics when x or y is out of range, as gonum's At does.
func (c *CompactCounts) Count(x, y int) int32 {
	if uint(y) >= uint(c.m) {
		panic(fmt.Sprintf("linalg: index (%d, %d) out of range for %d terms", x, y, c.m))
	}
	if x > y {
		x, y = y, x
	}
	b, r := c.block(x)
	data := b.data[b.ptr[r]:b.ptr[r+1]]
	i, col := 0, x-1
	marks := b.marks[b.mptr[r]:b.mptr[r+1]]
	if k := sort.Search(len(marks), func(k int) bool { return int(marks[k].prev) >= y }); k > 0 {
		i, col = int(marks[k-1].off), int(marks[k-1].prev) // the last mark before y
	}
	for i < len(data) {
		var v int32
		col, v, i = decodeEntry(data, i, col)
		if col >= y {
			if col == y {
				return v
			}
			return 0
		}
	}
	return 0
}

// Sum returns the sum of all m² entries of the full symmetric matrix.
func (c *CompactCounts) Sum() int64 {
	var all, diag int64
	for bi := range c.blocks {
		b := &c.blocks[bi]
		for r := 0; r+1 < len(b.ptr); r++ {
			x := b.lo + r
			data := b.data[b.ptr[r]:b.ptr[r+1]]
			for i, y := 0, x-1; i < len(data); {
				var v int32
				y, v, i = decodeEntry(data, i, y)
				all += int64(v)
				if y == x {
					diag += int64(v)
				}
			}
		}
	}
	return 2*all - diag
}

// Dims returns m, m.
func (c *CompactCounts) Dims() (r, cols int) { return c.m, c.m }

// At returns Count(i, j) as a float64.
func (c *CompactCounts) At(i, j int) float64 { return float64(c.Count(i, j)) }

// T returns the receiver: the matrix is symmetric.
func (c *CompactCounts) T() mat.Matrix { return c }

// SymmetricDim returns m.
func (c *CompactCounts) SymmetricDim() int { return c.m }

// compactSlabBytes is the size of the buffers that the blocks' code is
// carved from: large enough to be advised for huge pages, small enough that
// the unused end of each worker's last buffer (never touched, so never
// resident) is a small share of the output.
const compactSlabBytes = 16 << 20

// compactWriter is one worker's state: its accumulator row, the encoder of
// the block being built, and the buffer it carves blocks from.
type compactWriter struct {
	acc     []int32
	keys    []uint64 // a light row's (column << 32 | count), sorted
	nz      []int32  // a heavy row's non-zero cells
	enc     compactEncoder
	slab    []byte
	budget  *compactBudget
	overrun bool
}

// compactBudget counts the bytes carved so far, by every worker, against
// Cooccurrence.MaxBytes.
type compactBudget struct {
	limit int64 // 0: none
	used  atomic.Int64
}

// add counts n more bytes and reports whether the total is over the limit.
func (b *compactBudget) add(n int64) bool {
	return b.used.Add(n) > b.limit
}

// take returns n bytes of the worker's current slab, starting a new slab
// when it is full.
func (w *compactWriter) take(n int) []byte {
	if len(w.slab) < n {
		size := compactSlabBytes
		if w.budget.limit > 0 { // a slab is not larger than what the budget has left
			size = min(size, int(w.budget.limit-w.budget.used.Load()))
		}
		w.slab = bigmem.Make[byte](max(size, n))
	}
	s := w.slab[:n:n]
	w.slab = w.slab[n:]
	return s
}

// lightRowShare: a row whose spans hold fewer than (m-x)/lightRowShare
// entries is read back from its spans (then sorted) instead of scanning its
// m-x accumulator cells.
const lightRowShare = 16

// compactRows computes rows lo..hi-1 into a new block. sum adds row x's
// spans into acc, indexed by column.
func (w *compactWriter) compactRows(idx *spanIndex, work []int64, m, lo, hi int, sum func(acc []int32, x int), readTerms func(x int, visit func(y int))) compactBlock {
	e := &w.enc
	e.reset()
	acc := w.acc
	for x := lo; x < hi; x++ {
		sum(acc, x)
		e.rowStart(x)
		if work[x] < int64((m-x)/lightRowShare) {
			keys := w.keys[:0]
			readTerms(x, func(y int) {
				if v := acc[y]; v != 0 {
					keys = append(keys, uint64(y)<<32|uint64(uint32(v)))
					acc[y] = 0
				}
			})
			slices.Sort(keys)
			for _, k := range keys {
				e.add(int(k>>32), int32(uint32(k)))
			}
			w.keys = keys
		} else {
			if w.nz == nil {
				w.nz = make([]int32, m)
			}
			e.addDense(x, acc[x:m], w.nz) // the index holds the upper triangle only
		}
		e.rowEnd()
	}
	b := compactBlock{lo: lo, nnz: e.nnz, ptr: slices.Clone(e.ptr), marks: slices.Clone(e.marks), mptr: slices.Clone(e.mptr)}
	if w.budget.limit > 0 && w.budget.add(b.size(len(e.data))) {
		w.overrun = true
		return b
	}
	b.data = w.take(len(e.data))
	copy(b.data, e.data)
	return b
}

// The storage of the compact form besides the code: per row, its offset
// and the index of its first mark; per mark, its two int32s.
const (
	compactRowOverhead = 8 + 4
	compactMarkBytes   = 8
)

// compactMarks is the number of marks of a row of n entries.
func compactMarks(n int) int {
	if n == 0 {
		return 0
	}
	return (n - 1) / compactMarkEvery
}

// size is the storage of a block whose code takes n bytes.
func (b *compactBlock) size(n int) int64 {
	return int64(n) + compactMarkBytes*int64(len(b.marks)) + compactRowOverhead*int64(len(b.ptr)-1)
}

// multicoreCompact runs the multicore kernel into a CompactCounts: each
// worker sums a row into its accumulator from the upper-triangle span index,
// encodes the row's non-zeros, and writes each piece of rows as one block.
func multicoreCompact(ctx context.Context, d *docs, s shape, workers int, limit int64, prog *progress) (*CompactCounts, error) {
	k := newKernelIndex(d, workers, true)
	idx, m := k.idx, d.m
	out := &CompactCounts{m: m, blocks: make([]compactBlock, len(k.chunks))}
	budget := &compactBudget{limit: limit}
	if limit > 0 {
		budget.used.Store(s.workingBytes(Multicore, CompactForm))
	}
	writers := make([]*compactWriter, max(1, min(workers, len(k.chunks))))
	for w := range writers {
		writers[w] = &compactWriter{acc: make([]int32, m), budget: budget}
	}
	var sum func(acc []int32, x int)
	var readTerms func(x int, visit func(y int))
	switch {
	case k.narrow != nil && d.weights == nil:
		sum = func(acc []int32, x int) {
			spans, _ := idx.spansOf(x)
			addSpans(acc, k.narrow, spans)
		}
		readTerms = spanReader(k.narrow, idx)
	case k.narrow != nil:
		sum = spanSummer(k.narrow, d.weights, idx)
		readTerms = spanReader(k.narrow, idx)
	default:
		sum = spanSummer(d.terms, d.weights, idx)
		readTerms = spanReader(d.terms, idx)
	}
	err := forChunks(ctx, workers, k.chunks, prog, func(w int, r rowRange) {
		wr := writers[w]
		if wr.overrun {
			return
		}
		i, _ := slices.BinarySearchFunc(k.chunks, r.lo, func(c rowRange, lo int) int { return c.lo - lo })
		out.blocks[i] = wr.compactRows(idx, k.work, m, r.lo, r.hi, sum, readTerms)
	})
	if err != nil {
		return nil, err
	}
	for _, w := range writers {
		if w.overrun {
			return nil, &MemoryError{Method: Multicore, Form: CompactForm, Output: budget.used.Load() - s.workingBytes(Multicore, CompactForm),
				Working: s.workingBytes(Multicore, CompactForm), Budget: limit}
		}
	}
	out.finish()
	return out, nil
}

// finish records the blocks' first rows, the entries and the bytes.
func (c *CompactCounts) finish() {
	c.firsts = make([]int, len(c.blocks))
	for i := range c.blocks {
		b := &c.blocks[i]
		c.firsts[i] = b.lo
		c.bytes += b.size(len(b.data))
		c.nnz += b.nnz
	}
}

// spanSummer returns the function that adds row x's spans, weighted or not,
// into an accumulator indexed by column.
func spanSummer[T termIndex](terms []T, weights []int32, idx *spanIndex) func(acc []int32, x int) {
	return func(acc []int32, x int) {
		spans, wx := idx.spansOf(x)
		for j := 0; j+1 < len(spans); j += 2 {
			from, to := spans[j], spans[j+1]
			if wx == nil {
				for _, y := range terms[from:to] {
					acc[y]++
				}
				continue
			}
			w, ws := wx[j/2], weights[from:to]
			for k, y := range terms[from:to] {
				acc[y] += w * ws[k]
			}
		}
	}
}

// spanReader returns the function that visits the columns of row x's spans
// (with repeats), for reading a light row back.
func spanReader[T termIndex](terms []T, idx *spanIndex) func(x int, visit func(y int)) {
	return func(x int, visit func(y int)) {
		spans, _ := idx.spansOf(x)
		for j := 0; j+1 < len(spans); j += 2 {
			for _, y := range terms[spans[j]:spans[j+1]] {
				visit(int(y))
			}
		}
	}
}

// packedToCompact converts a packed upper triangle (the plain and algebra
// methods' route to the compact form) into a CompactCounts of one block.
func packedToCompact(p []int32, m int) *CompactCounts {
	var e compactEncoder
	e.reset()
	for x := 0; x < m; x++ {
		off := packedOffset(x, m)
		e.rowStart(x)
		for j, v := range p[off : off+m-x] {
			if v != 0 {
				e.add(x+j, v)
			}
		}
		e.rowEnd()
	}
	c := &CompactCounts{m: m, blocks: []compactBlock{{lo: 0, nnz: e.nnz, ptr: e.ptr, data: e.data, marks: e.marks, mptr: e.mptr}}}
	c.finish()
	return c
}
