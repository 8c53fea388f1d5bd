package linalg

import (
	"context"
	"fmt"
	"math"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/internal/bigmem"
	"gonum.org/v1/gonum/mat"
)

// Method names an algorithm, as the book's pluggable co-occurrence
// implementations were named. All methods give identical counts.
type Method string

const (
	// Multicore is the fast kernel (the default): output rows are shared out
	// among Workers goroutines so that no two write the same cell.
	Multicore Method = "multicore"
	// Algebra is the book's Listing 5.9, C = B^T B with james-bowman/sparse,
	// on one goroutine. It holds B, B^T and the sparse product C at once.
	Algebra Method = "algebra"
	// Plain is the book's Listing 5.7, the reference loop over the pairs of
	// terms of each document, on one goroutine.
	Plain Method = "plain"
)

// Methods lists every method, for callers that select one by name.
func Methods() []Method { return []Method{Multicore, Algebra, Plain} }

// Cooccurrence computes the word-word co-occurrence matrix C of a document x
// term matrix B (n x m): C(x, y) is the number of documents that contain both
// terms x and y, C(x, x) the number of documents that contain x (its
// document frequency). C is symmetric. With Weighted, C = BᵀB: C(x, y) is the
// sum over documents of B(d, x)·B(d, y).
//
// The zero value is ready to use: the multicore kernel on GOMAXPROCS
// goroutines, binary counts, no memory budget, no progress reports.
type Cooccurrence struct {
	// Method selects the algorithm by name; "" means Multicore.
	Method Method

	// Weighted computes BᵀB from B's values, which must then be
	// non-negative integers (counts) with every C(x, x) below 2^31. When
	// false, every non-zero value of B counts as presence (1).
	Weighted bool

	// Workers is the number of goroutines of the multicore kernel (0 means
	// GOMAXPROCS). The other methods run on one goroutine. The result does
	// not depend on it.
	Workers int

	// MaxBytes, when positive, is the most memory the call may allocate: the
	// output plus temporary buffers (see Memory). A call that would need
	// more returns a *MemoryError (errors.Is(err, ErrMemoryBudget)) before
	// allocating the output.
	MaxBytes int64

	// Progress, if set, is called as work finishes, with Stage
	// "cooccurrence", Done the units finished so far and Total the units in
	// all: output rows for Multicore (twice m for the sparse form, which takes
	// two passes), documents for Plain, the counting pass's rows plus two
	// steps for Algebra. It is called from worker goroutines but never
	// concurrently, and Done only grows.
	Progress kiln.ProgressFunc
}

// Dense returns C as a full m x m int32 matrix: 4m² bytes (2.67 GB for
// IMDB's 25,858 terms). See Memory for the temporary buffers.
func (c Cooccurrence) Dense(ctx context.Context, b mat.Matrix) (*DenseCounts, error) {
	return c.DenseTo(ctx, nil, b)
}

// DenseTo is Dense writing into dst's storage when it holds at least m²
// entries, so that repeated calls reuse one large allocation; otherwise it
// allocates. It returns the matrix written.
func (c Cooccurrence) DenseTo(ctx context.Context, dst *DenseCounts, b mat.Matrix) (*DenseCounts, error) {
	var reuse []int32
	if dst != nil {
		reuse = dst.data
	}
	r, err := c.compute(ctx, b, DenseForm, reuse)
	if err != nil {
		return nil, err
	}
	return &DenseCounts{m: r.m, data: r.counts}, nil
}

// Packed returns the upper triangle of C, diagonal included: 2m(m+1)
// bytes, half of Dense.
func (c Cooccurrence) Packed(ctx context.Context, b mat.Matrix) (*PackedCounts, error) {
	return c.PackedTo(ctx, nil, b)
}

// PackedTo is Packed writing into dst's storage when it holds at least
// m(m+1)/2 entries; otherwise it allocates. It returns the matrix written.
func (c Cooccurrence) PackedTo(ctx context.Context, dst *PackedCounts, b mat.Matrix) (*PackedCounts, error) {
	var reuse []int32
	if dst != nil {
		reuse = dst.data
	}
	r, err := c.compute(ctx, b, PackedForm, reuse)
	if err != nil {
		return nil, err
	}
	return &PackedCounts{m: r.m, data: r.counts}, nil
}

// Sparse returns C as an m x m CSR matrix of its non-zero counts (both
// triangles, columns in increasing order): 16 bytes per non-zero plus
// 8(m+1), for vocabularies whose dense matrix does not fit. The multicore
// method takes two passes: the first counts each row's non-zeros, so that
// the result is allocated once, at its size, after the budget check.
func (c Cooccurrence) Sparse(ctx context.Context, b mat.Matrix) (*sparse.CSR, error) {
	r, err := c.compute(ctx, b, SparseForm, nil)
	if err != nil {
		return nil, err
	}
	return r.csr, nil
}

// Compact returns the non-zero counts of C's upper triangle, diagonal
// included, in the byte code of CompactCounts: the form whose output is
// smallest, and so cheapest to touch the first time, as co-occurrence
// matrices of real vocabularies have few non-zeros, mostly small (17% of the
// entries for IMDB, at 1.2 bytes each). The multicore method writes it in one
// pass; the plain and algebra methods compute the packed triangle and encode
// it. A MaxBytes budget is checked as the rows are written, since the size is
// known only at the end (Memory finds it with a counting pass).
func (c Cooccurrence) Compact(ctx context.Context, b mat.Matrix) (*CompactCounts, error) {
	r, err := c.compute(ctx, b, CompactForm, nil)
	if err != nil {
		return nil, err
	}
	return r.compact, nil
}

// Memory returns the bytes a call would allocate for B in form f: the output,
// and the temporary buffers freed on return. The buffers of every method
// include a validated copy of B (8(n+1) bytes plus 4 per non-zero, 8 when
// weighted). The multicore kernel adds B's inverted index: 8 bytes per
// non-zero (12 when weighted), 2 more when m <= 65,536 (a 16-bit copy of
// the term list), and 16m plus 8m per goroutine that builds it (up to 8, one
// per max(m, 65,536) non-zeros); the sparse form adds 12m per worker. The
// plain loop in sparse form fills a dense matrix first (4m²). The algebra
// method counts with the multicore index, then adds the library's copies of
// B and Bᵀ (40 per non-zero plus 8(n+m)) and the sparse product (16 per
// non-zero of C) when it is not the output. The sparse form and the algebra
// method need the number of non-zeros of C, which Memory finds with the
// multicore counting pass (about a third of the cost of computing C); the
// compact form's size depends on the counts too, which Memory finds with a
// second pass over the rows (their code is sized, not written).
func (c Cooccurrence) Memory(ctx context.Context, b mat.Matrix, f Form) (output, working int64, err error) {
	meth, workers, err := c.settings()
	if err != nil {
		return 0, 0, err
	}
	n, m, nnz, err := dims(b)
	if err != nil {
		return 0, 0, err
	}
	s := shape{n: int64(n), m: int64(m), nnz: int64(nnz), workers: int64(workers), weighted: c.Weighted}
	if f == SparseForm || f == CompactForm || meth == Algebra {
		d, err := newDocs(b, c.Weighted, min(workers, maxSetupParts))
		if err != nil {
			return 0, 0, err
		}
		s.nnz = int64(d.nnz())
		passes, chunks := newSparsePasses(d, workers)
		indptr, err := passes.count(ctx, workers, chunks, nil)
		if err != nil {
			return 0, 0, err
		}
		s.nnzC = int64(indptr[m])
		if f == CompactForm {
			if s.compactBytes, err = passes.compactSize(ctx, workers, chunks); err != nil {
				return 0, 0, err
			}
		}
	}
	return s.outputBytes(f), s.workingBytes(meth, f), nil
}

// settings validates the configuration.
func (c Cooccurrence) settings() (Method, int, error) {
	meth := c.Method
	if meth == "" {
		meth = Multicore
	}
	switch meth {
	case Multicore, Algebra, Plain:
	default:
		return "", 0, fmt.Errorf("linalg: unknown co-occurrence method %q (want %q, %q or %q)", c.Method, Multicore, Algebra, Plain)
	}
	if c.Workers < 0 {
		return "", 0, fmt.Errorf("linalg: Workers is %d; want 0 (GOMAXPROCS) or more", c.Workers)
	}
	return meth, workerCount(c.Workers), nil
}

// result is the output of compute: counts (dense or packed) or csr.
type result struct {
	m       int
	counts  []int32
	csr     *sparse.CSR
	compact *CompactCounts
}

// compute checks the budget, validates B, and runs the method into the form.
func (c Cooccurrence) compute(ctx context.Context, b mat.Matrix, f Form, reuse []int32) (result, error) {
	meth, workers, err := c.settings()
	if err != nil {
		return result{}, err
	}
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	n, m, nnz, err := dims(b)
	if err != nil {
		return result{}, err
	}
	s := shape{n: int64(n), m: int64(m), nnz: int64(nnz), workers: int64(workers), weighted: c.Weighted}
	size := m * m
	if f == PackedForm {
		size = packedLen(m)
	}
	reused := (f == DenseForm || f == PackedForm) && cap(reuse) >= size
	budget := c.MaxBytes
	if reused && budget > 0 {
		budget += s.outputBytes(f) // the output exists already: it does not count
	}
	// The first check uses what is known before any allocation; the sparse
	// form and the algebra method check again once C's size is known.
	if err := s.check(meth, f, budget); err != nil {
		return result{}, err
	}
	d, err := newDocs(b, c.Weighted, min(workers, maxSetupParts))
	if err != nil {
		return result{}, err
	}
	if err := checkOverflow(d); err != nil {
		return result{}, err
	}
	s.nnz = int64(d.nnz())

	r := result{m: m}
	toCompact := false
	if f == CompactForm {
		if meth == Multicore {
			r.compact, err = multicoreCompact(ctx, d, s, workers, c.MaxBytes, newProgress(c.Progress, d.m))
			return r, err
		}
		f, size, toCompact = PackedForm, packedLen(m), true
	}
	if f != SparseForm {
		if reused {
			r.counts = reuse[:size]
		} else {
			r.counts = bigmem.Make[int32](size) // advised for huge pages: see bigmem
		}
	}
	switch meth {
	case Plain:
		err = c.plain(ctx, d, s, f, &r, reused)
	case Algebra:
		err = c.algebra(ctx, d, s, f, workers, &r, reused)
	default:
		err = c.multicore(ctx, d, s, f, workers, &r, reused)
	}
	if err != nil {
		return result{}, err
	}
	if toCompact {
		r.compact, r.counts = packedToCompact(r.counts, m), nil
	}
	return r, nil
}

func (c Cooccurrence) plain(ctx context.Context, d *docs, s shape, f Form, r *result, reused bool) error {
	prog := newProgress(c.Progress, d.n)
	switch f {
	case DenseForm, PackedForm:
		if reused {
			clear(r.counts)
		}
		return plainLoop(ctx, d, r.counts, f == PackedForm, prog)
	}
	dense := make([]int32, d.m*d.m)
	if err := plainLoop(ctx, d, dense, false, prog); err != nil {
		return err
	}
	indptr, ind, data, err := denseToSparse(dense, d.m, func(nnz int) error {
		s.nnzC = int64(nnz)
		return s.check(Plain, SparseForm, c.MaxBytes)
	})
	if err != nil {
		return err
	}
	r.csr = sparse.NewCSR(d.m, d.m, indptr, ind, data)
	return nil
}

func (c Cooccurrence) multicore(ctx context.Context, d *docs, s shape, f Form, workers int, r *result, reused bool) error {
	if f != SparseForm {
		return multicoreDense(ctx, d, workers, r.counts, f == PackedForm, reused, newProgress(c.Progress, d.m))
	}
	prog := newProgress(c.Progress, 2*d.m)
	passes, chunks := newSparsePasses(d, workers)
	indptr, err := passes.count(ctx, workers, chunks, prog)
	if err != nil {
		return err
	}
	s.nnzC = int64(indptr[d.m])
	if err := s.check(Multicore, SparseForm, c.MaxBytes); err != nil {
		return err
	}
	ind, data := make([]int, indptr[d.m]), make([]float64, indptr[d.m])
	if err := passes.fill(ctx, workers, chunks, indptr, ind, data, prog); err != nil {
		return err
	}
	r.csr = sparse.NewCSR(d.m, d.m, indptr, ind, data)
	return nil
}

func (c Cooccurrence) algebra(ctx context.Context, d *docs, s shape, f Form, workers int, r *result, reused bool) error {
	prog := newProgress(c.Progress, d.m+2)
	// The count pass sizes the product so that the budget is checked, and
	// C allocated, before the library multiplies.
	passes, chunks := newSparsePasses(d, workers)
	indptr, err := passes.count(ctx, workers, chunks, prog)
	if err != nil {
		return err
	}
	s.nnzC = int64(indptr[d.m])
	budget := c.MaxBytes
	if reused && budget > 0 {
		budget += s.outputBytes(f)
	}
	if err := s.check(Algebra, f, budget); err != nil {
		return err
	}
	product := algebraProduct(d, indptr[d.m])
	prog.add(1)
	if err := ctx.Err(); err != nil {
		return err
	}
	switch f {
	case DenseForm:
		if reused {
			clear(r.counts)
		}
		scatterDense(product, r.counts)
	case PackedForm:
		if reused {
			clear(r.counts)
		}
		scatterPacked(product, r.counts)
	default:
		sortRows(product)
		r.csr = product
	}
	prog.add(1)
	return nil
}

// checkOverflow makes sure every count fits an int32: a binary count is at
// most n; a weighted C(x, y) is at most sqrt(C(x, x)·C(y, y)) (Cauchy-Schwarz)
// and every partial sum is below the total, so checking the diagonal is
// enough.
func checkOverflow(d *docs) error {
	if d.weights == nil {
		if d.n > math.MaxInt32 {
			return fmt.Errorf("linalg: %d documents: counts could exceed the int32 range", d.n)
		}
		return nil
	}
	diag := make([]int64, d.m)
	for k, t := range d.terms {
		w := int64(d.weights[k])
		diag[t] += w * w
		if diag[t] > math.MaxInt32 {
			return fmt.Errorf("linalg: column %d: the weighted count C(%d, %d) exceeds the int32 range", t, t, t)
		}
	}
	return nil
}
