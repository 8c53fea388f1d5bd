package linalg

import (
	"errors"
	"fmt"
)

// Form is the shape of the output.
type Form int

const (
	// DenseForm is the full m x m int32 matrix (DenseCounts): 4m² bytes.
	DenseForm Form = iota
	// PackedForm is the upper triangle with the diagonal (PackedCounts): 2m(m+1) bytes.
	PackedForm
	// SparseForm is a *sparse.CSR holding only the non-zero counts, both
	// triangles: 16 bytes per non-zero (an int index and a float64 value)
	// plus 8(m+1) bytes of row pointers.
	SparseForm
	// CompactForm is the non-zero counts of the upper triangle with the
	// diagonal (CompactCounts), in a byte code: one byte per entry whose gap
	// from the previous column and count are both at most 15, a varint more
	// for each that is not, and 12 bytes per row plus 8 per 128 entries.
	CompactForm
)

func (f Form) String() string {
	switch f {
	case DenseForm:
		return "dense"
	case PackedForm:
		return "packed"
	case SparseForm:
		return "sparse"
	case CompactForm:
		return "compact"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// ErrMemoryBudget is the error (matched with errors.Is) returned when a
// computation would need more memory than Cooccurrence.MaxBytes allows. It
// is returned before the output is allocated.
var ErrMemoryBudget = errors.New("over the memory budget")

// MemoryError tells how much memory a refused computation needed.
type MemoryError struct {
	Method  Method
	Form    Form
	Output  int64 // bytes of the result
	Working int64 // bytes of temporary buffers, freed on return
	Budget  int64 // Cooccurrence.MaxBytes
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("linalg: %s co-occurrence in %s form needs %s (output %s + working %s), over the budget of %s",
		e.Method, e.Form, bytesText(e.Output+e.Working), bytesText(e.Output), bytesText(e.Working), bytesText(e.Budget))
}

// Unwrap lets errors.Is(err, ErrMemoryBudget) match.
func (e *MemoryError) Unwrap() error { return ErrMemoryBudget }

func bytesText(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

// shape is what the memory estimates depend on.
type shape struct {
	n, m         int64 // documents, terms
	nnz          int64 // stored entries of B (an upper bound of the distinct non-zeros)
	nnzC         int64 // non-zeros of the result, both triangles; only needed for the sparse and compact forms and the algebra method
	compactBytes int64 // the compact form's storage, once known (Memory finds it)
	workers      int64
	weighted     bool
}

// outputBytes is the size of the result in the given form.
func (s shape) outputBytes(f Form) int64 {
	switch f {
	case DenseForm:
		return 4 * s.m * s.m
	case PackedForm:
		return 2 * s.m * (s.m + 1)
	case CompactForm: // before Memory's sizing pass, the part known in advance: the rows
		return max(s.compactBytes, compactRowOverhead*s.m)
	default:
		return 16*s.nnzC + 8*(s.m+1)
	}
}

// docsBytes is the size of the validated copy of B (docs), which every
// method builds; spanBytes is the size of the multicore kernel's inverted
// index (which the algebra method's counting pass uses too).
func (s shape) docsBytes() int64 {
	per := int64(4)
	if s.weighted {
		per = 8
	}
	return 8*(s.n+1) + per*s.nnz
}

func (s shape) spanBytes() int64 {
	per := int64(8) // a (from, to) pair of uint32 offsets
	if s.weighted {
		per = 12
	}
	if s.m <= maxNarrowTerms {
		per += 2 // the 16-bit copy of the term list
	}
	// index, counting-sort cursors per part, per-row work
	return 8*(s.m+1) + 8*s.m*int64(setupParts(int(s.workers), int(s.m), int(s.nnz))) + 8*s.m + per*s.nnz
}

// workingBytes is the temporary memory of a method producing a form.
func (s shape) workingBytes(meth Method, f Form) int64 {
	switch meth {
	case Plain:
		w := s.docsBytes()
		if f == SparseForm { // the loop fills a dense matrix, then compresses it
			w += 4 * s.m * s.m
		}
		if f == CompactForm { // the loop fills a packed triangle, then compresses it
			w += 2 * s.m * (s.m + 1)
		}
		return w
	case Algebra:
		// docs and the count pass that sizes the product, then the library's
		// operands: B as a CSR of ints and float64s, B^T through a COO (row,
		// column, value) compressed into a CSR, its sparse accumulator, and
		// the product C itself unless C is the output.
		w := s.docsBytes() + s.spanBytes() + 12*s.m*s.workers
		w += 8*(s.n+1) + 16*s.nnz
		w += 24*s.nnz + 8*(s.m+1)
		w += 16 * s.m
		if f != SparseForm {
			w += 16*s.nnzC + 8*(s.m+1)
		}
		if f == CompactForm { // through a packed triangle
			w += 2 * s.m * (s.m + 1)
		}
		return w
	default: // Multicore
		if f == CompactForm { // accumulator and staging rows per worker
			return s.docsBytes() + s.spanBytes() + 12*s.m*s.workers
		}
		if f != SparseForm {
			return s.docsBytes() + s.spanBytes()
		}
		// marker, accumulator and touched list per worker
		return s.docsBytes() + s.spanBytes() + 12*s.m*s.workers
	}
}

// check returns a *MemoryError when the computation does not fit the budget.
func (s shape) check(meth Method, f Form, budget int64) error {
	if budget <= 0 {
		return nil
	}
	out, work := s.outputBytes(f), s.workingBytes(meth, f)
	if out+work > budget {
		return &MemoryError{Method: meth, Form: f, Output: out, Working: work, Budget: budget}
	}
	return nil
}
