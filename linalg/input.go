package linalg

import (
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/james-bowman/sparse"
	"github.com/james-bowman/sparse/blas"
	"github.com/kiln-ml/kiln/internal/bigmem"
	"gonum.org/v1/gonum/mat"
)

// docs is the canonical form of B that every method reads: for each document
// the distinct terms it contains, in increasing order, and (when weighted)
// their integer weights. Building it validates the caller's matrix once, so
// the kernels never meet a malformed index.
type docs struct {
	n, m    int
	indptr  []int   // n+1 offsets into terms
	terms   []int32 // sorted, distinct term indices of each document
	weights []int32 // weight of each entry of terms; nil when binary
}

// nnz reports the number of (document, term) entries.
func (d *docs) nnz() int { return len(d.terms) }

// rowLen returns the number of distinct terms of document i.
func (d *docs) rowLen(i int) int { return d.indptr[i+1] - d.indptr[i] }

// dims returns the shape of b and an upper bound of its stored entries,
// without copying anything, so that the memory budget can be checked first.
func dims(b mat.Matrix) (n, m, nnz int, err error) {
	if b == nil {
		return 0, 0, 0, fmt.Errorf("linalg: the document x term matrix is nil")
	}
	if v := reflect.ValueOf(b); v.Kind() == reflect.Pointer && v.IsNil() {
		return 0, 0, 0, fmt.Errorf("linalg: the document x term matrix is a nil %T", b)
	}
	switch s := b.(type) {
	case *sparse.CSR:
		raw := s.RawMatrix()
		n, m = raw.I, raw.J
		nnz = len(raw.Ind)
	case sparse.Sparser:
		n, m = b.Dims()
		nnz = s.NNZ()
	default:
		n, m = b.Dims()
		nnz = n * m
	}
	if n <= 0 || m <= 0 {
		return 0, 0, 0, fmt.Errorf("linalg: the document x term matrix is empty (%d x %d)", n, m)
	}
	if m > math.MaxInt32 {
		return 0, 0, 0, fmt.Errorf("linalg: %d terms exceed the 2^31-1 term limit", m)
	}
	return n, m, nnz, nil
}

// newDocs validates b and converts it to the canonical form. Binary mode
// treats every non-zero value as presence; weighted mode requires
// non-negative integer values that fit an int32. A CSR is read by up to
// parts goroutines.
func newDocs(b mat.Matrix, weighted bool, parts int) (*docs, error) {
	if _, _, _, err := dims(b); err != nil {
		return nil, err
	}
	switch s := b.(type) {
	case *sparse.CSR:
		return docsFromCSR(s, weighted, parts)
	case sparse.TypeConverter:
		return docsFromCSR(s.ToCSR(), weighted, parts)
	default:
		return docsFromDense(b, weighted)
	}
}

func docsFromCSR(s *sparse.CSR, weighted bool, parts int) (*docs, error) {
	raw := s.RawMatrix()
	n, m := raw.I, raw.J
	if len(raw.Indptr) != n+1 {
		return nil, fmt.Errorf("linalg: CSR row pointer has %d entries, want %d rows + 1", len(raw.Indptr), n)
	}
	if raw.Indptr[0] != 0 {
		return nil, fmt.Errorf("linalg: CSR row pointer starts at %d, want 0", raw.Indptr[0])
	}
	end := raw.Indptr[n]
	if end > len(raw.Ind) || end > len(raw.Data) {
		return nil, fmt.Errorf("linalg: CSR row pointer ends at %d but there are %d column indices and %d values",
			end, len(raw.Ind), len(raw.Data))
	}
	// The first pass checks the structure and counts the non-zeros, in
	// parallel over ranges of rows; the error reported is the first in row
	// order, as one pass would find it.
	parts = max(1, min(parts, n/minRowsPerPart))
	scans := make([]rowScan, parts)
	inParallel(parts, func(p int) { scans[p] = scanCSRRows(raw, n*p/parts, n*(p+1)/parts) })
	nnz, canonical := 0, true
	for _, sc := range scans {
		if sc.err != nil {
			return nil, sc.err
		}
		nnz += sc.nnz
		canonical = canonical && sc.canonical
	}
	if canonical && uint64(nnz) <= math.MaxUint32 {
		return copyCanonicalCSR(raw, weighted, parts)
	}
	d := &docs{n: n, m: m, indptr: make([]int, n+1)}
	if uint64(nnz) > math.MaxUint32 {
		return nil, fmt.Errorf("linalg: %d non-zero entries exceed the 2^32-1 limit", nnz)
	}
	d.terms = bigmem.MakeCap[int32](0, nnz) // the large working buffers are advised for huge pages: see bigmem
	if weighted {
		d.weights = bigmem.MakeCap[int32](0, nnz)
	}
	for i := 0; i < n; i++ {
		start := len(d.terms)
		sorted := true
		for k := raw.Indptr[i]; k < raw.Indptr[i+1]; k++ {
			v := raw.Data[k]
			if v == 0 {
				continue
			}
			w, err := weight(v, weighted)
			if err != nil {
				return nil, fmt.Errorf("linalg: row %d, column %d: %w", i, raw.Ind[k], err)
			}
			t := int32(raw.Ind[k])
			if len(d.terms) > start && t <= d.terms[len(d.terms)-1] {
				sorted = false
			}
			d.terms = append(d.terms, t)
			if weighted {
				d.weights = append(d.weights, w)
			}
		}
		if !sorted {
			if err := d.canonicalRow(i, start); err != nil {
				return nil, err
			}
		}
		d.indptr[i+1] = len(d.terms)
	}
	return d, nil
}

// minRowsPerPart keeps small inputs on one goroutine.
const minRowsPerPart = 4096

// rowScan is what the first pass over a range of CSR rows found: its
// non-zeros, whether every row is canonical (strictly increasing columns, no
// stored zero), and the first structural error.
type rowScan struct {
	nnz       int
	canonical bool
	err       error
}

// scanCSRRows checks rows lo..hi-1 of a CSR whose row pointer starts at 0
// and ends within its arrays.
func scanCSRRows(raw *blas.SparseMatrix, lo, hi int) rowScan {
	end := raw.Indptr[raw.I]
	sc := rowScan{canonical: true}
	for i := lo; i < hi; i++ {
		start, stop := raw.Indptr[i], raw.Indptr[i+1]
		if stop < start {
			sc.err = fmt.Errorf("linalg: CSR row pointer decreases at row %d (%d, then %d)", i, start, stop)
			return sc
		}
		if stop > end {
			sc.err = fmt.Errorf("linalg: CSR row pointer of row %d is %d, past the last entry %d", i, stop, end)
			return sc
		}
		prev := -1
		for k := start; k < stop; k++ {
			j := raw.Ind[k]
			if j < 0 || j >= raw.J {
				sc.err = fmt.Errorf("linalg: row %d: column index %d out of range [0, %d)", i, j, raw.J)
				return sc
			}
			if raw.Data[k] != 0 {
				sc.nnz++
			} else {
				sc.canonical = false
			}
			if j <= prev {
				sc.canonical = false
			}
			prev = j
		}
	}
	return sc
}

// copyCanonicalCSR is the second pass for a CSR whose rows are all
// canonical, as a vectorizer gives them: the entries keep their places, so
// ranges of rows are copied in parallel. The first value error in row order
// is reported.
func copyCanonicalCSR(raw *blas.SparseMatrix, weighted bool, parts int) (*docs, error) {
	n, nnz := raw.I, raw.Indptr[raw.I]
	d := &docs{n: n, m: raw.J, indptr: slices.Clone(raw.Indptr), terms: bigmem.Make[int32](nnz)}
	if weighted {
		d.weights = bigmem.Make[int32](nnz)
	}
	errs := make([]error, parts)
	inParallel(parts, func(p int) {
		lo, hi := raw.Indptr[n*p/parts], raw.Indptr[n*(p+1)/parts]
		for k := lo; k < hi; k++ {
			w, err := weight(raw.Data[k], weighted)
			if err != nil {
				i, _ := slices.BinarySearch(raw.Indptr, k+1) // the row holding entry k
				errs[p] = fmt.Errorf("linalg: row %d, column %d: %w", i-1, raw.Ind[k], err)
				return
			}
			d.terms[k] = int32(raw.Ind[k])
			if weighted {
				d.weights[k] = w
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func docsFromDense(b mat.Matrix, weighted bool) (*docs, error) {
	n, m := b.Dims()
	d := &docs{n: n, m: m, indptr: make([]int, n+1)}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			v := b.At(i, j)
			if v == 0 {
				continue
			}
			w, err := weight(v, weighted)
			if err != nil {
				return nil, fmt.Errorf("linalg: row %d, column %d: %w", i, j, err)
			}
			d.terms = append(d.terms, int32(j))
			if weighted {
				d.weights = append(d.weights, w)
			}
		}
		d.indptr[i+1] = len(d.terms)
	}
	if uint64(len(d.terms)) > math.MaxUint32 {
		return nil, fmt.Errorf("linalg: %d non-zero entries exceed the 2^32-1 limit", len(d.terms))
	}
	return d, nil
}

// weight checks one stored value: binary mode accepts any finite non-zero
// value as presence, weighted mode a non-negative integer that fits an int32.
func weight(v float64, weighted bool) (int32, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %v is not finite", v)
	}
	if !weighted {
		return 1, nil
	}
	if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
		return 0, fmt.Errorf("value %v is not a non-negative integer count (weighted mode needs counts up to 2^31-1)", v)
	}
	return int32(v), nil
}

// canonicalRow sorts the entries of row i (which start at start and run to
// the end of d.terms) by term and merges repeated terms: presence in binary
// mode, summed weights in weighted mode.
func (d *docs) canonicalRow(i, start int) error {
	terms := d.terms[start:]
	if d.weights == nil {
		slices.Sort(terms)
		d.terms = d.terms[:start+len(slices.Compact(terms))]
		return nil
	}
	weights := d.weights[start:]
	order := make([]int, len(terms))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(terms[a]) - int(terms[b]) })
	st, sw := make([]int32, 0, len(terms)), make([]int64, 0, len(terms))
	for _, k := range order {
		if len(st) > 0 && st[len(st)-1] == terms[k] {
			sw[len(sw)-1] += int64(weights[k])
			continue
		}
		st, sw = append(st, terms[k]), append(sw, int64(weights[k]))
	}
	for k := range st {
		if sw[k] > math.MaxInt32 {
			return fmt.Errorf("linalg: row %d, column %d: repeated entries sum to %d, over the 2^31-1 limit", i, st[k], sw[k])
		}
		terms[k], weights[k] = st[k], int32(sw[k])
	}
	d.terms, d.weights = d.terms[:start+len(st)], d.weights[:start+len(st)]
	return nil
}
