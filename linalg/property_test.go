package linalg

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"
)

// randomCSR builds an n x m bag of words with Zipf-like term frequencies, as
// a caller might hand-make it: some rows empty, some with repeated or
// unsorted columns, some explicit zeros, and count values from 1 to 3.
func randomCSR(rng *rand.Rand, n, m int) *sparse.CSR { return randomCSRLen(rng, n, m, m) }

// randomCSRLen is randomCSR with at most maxLen entries per row.
func randomCSRLen(rng *rand.Rand, n, m, maxLen int) *sparse.CSR {
	indptr := []int{0}
	var ind []int
	var data []float64
	for i := 0; i < n; i++ {
		length := rng.IntN(maxLen + 1)
		if rng.IntN(8) == 0 {
			length = 0
		}
		cols := make([]int, 0, length)
		for len(cols) < length {
			// Square of a uniform: low term indices are much more frequent.
			u := rng.Float64()
			cols = append(cols, int(u*u*float64(m)))
		}
		if rng.IntN(3) > 0 { // most rows sorted, as CountVectorizer gives
			sortInts(cols)
		}
		for _, c := range cols {
			v := float64(1 + rng.IntN(3))
			if rng.IntN(20) == 0 {
				v = 0
			}
			ind, data = append(ind, c), append(data, v)
		}
		indptr = append(indptr, len(ind))
	}
	return sparse.NewCSR(n, m, indptr, ind, data)
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// presence returns B as an n x m 0/1 matrix: entry (d, t) is 1 when a non-zero
// value is stored at (d, t).
func presence(b *sparse.CSR) [][]int32 {
	n, m := b.Dims()
	out := make([][]int32, n)
	raw := b.RawMatrix()
	for i := range out {
		out[i] = make([]int32, m)
		for k := raw.Indptr[i]; k < raw.Indptr[i+1]; k++ {
			if raw.Data[k] != 0 {
				out[i][raw.Ind[k]] = 1
			}
		}
	}
	return out
}

// allCounts returns the full m x m matrix a method computes in a form.
func allCounts(t *testing.T, c Cooccurrence, f Form, b *sparse.CSR) [][]int32 {
	t.Helper()
	count := countsOf(t, c, f, b)
	_, m := b.Dims()
	out := make([][]int32, m)
	for x := range out {
		out[x] = make([]int32, m)
		for y := range out[x] {
			out[x][y] = count(x, y)
		}
	}
	return out
}

func TestRandomProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2026))
	for trial := 0; trial < 12; trial++ {
		n, m := 1+rng.IntN(60), 1+rng.IntN(40)
		b := randomCSR(rng, n, m)
		bin := presence(b)
		reference := allCounts(t, Cooccurrence{Method: Plain}, DenseForm, b)

		// Properties of the reference loop itself.
		var total, sumSq int64
		for _, row := range bin {
			var l int64
			for _, v := range row {
				l += int64(v)
			}
			sumSq += l * l
		}
		for x := 0; x < m; x++ {
			var df int32
			for _, row := range bin {
				df += row[x]
			}
			if reference[x][x] != df {
				t.Fatalf("trial %d: C(%d, %d) = %d, want the column sum %d", trial, x, x, reference[x][x], df)
			}
			for y := 0; y < m; y++ {
				total += int64(reference[x][y])
				if reference[x][y] != reference[y][x] {
					t.Fatalf("trial %d: C(%d, %d) = %d but C(%d, %d) = %d", trial, x, y, reference[x][y], y, x, reference[y][x])
				}
				var both int32 // the definition: documents containing x and y
				for _, row := range bin {
					both += row[x] * row[y]
				}
				if reference[x][y] != both {
					t.Fatalf("trial %d: C(%d, %d) = %d, want %d documents", trial, x, y, reference[x][y], both)
				}
			}
		}
		if total != sumSq {
			t.Fatalf("trial %d: sum of entries %d, want the sum of squared row lengths %d", trial, total, sumSq)
		}

		// Every method, form and worker count gives the same matrix.
		for _, meth := range Methods() {
			for _, f := range forms {
				for workers := 1; workers <= 8; workers++ {
					if meth != Multicore && workers > 1 {
						continue // one goroutine: Workers does not apply
					}
					got := allCounts(t, Cooccurrence{Method: meth, Workers: workers}, f, b)
					for x := range got {
						for y := range got[x] {
							if got[x][y] != reference[x][y] {
								t.Fatalf("trial %d (%d x %d): %s %s workers=%d: C(%d, %d) = %d, plain loop %d",
									trial, n, m, meth, f, workers, x, y, got[x][y], reference[x][y])
							}
						}
					}
				}
			}
		}
	}
}

// TestWeightedIsBtB compares weighted counts with BᵀB computed by gonum's
// dense product on the same matrix, where repeated entries of a row are
// summed (the meaning weighted mode gives them).
func TestWeightedIsBtB(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 6; trial++ {
		n, m := 1+rng.IntN(50), 1+rng.IntN(30)
		b := randomCSR(rng, n, m)
		// Merge repeated columns by summing, the meaning weighted mode gives them.
		dense := mat.NewDense(n, m, nil)
		raw := b.RawMatrix()
		for i := 0; i < n; i++ {
			for k := raw.Indptr[i]; k < raw.Indptr[i+1]; k++ {
				dense.Set(i, raw.Ind[k], dense.At(i, raw.Ind[k])+raw.Data[k])
			}
		}
		var want mat.Dense
		want.Mul(dense.T(), dense)
		for _, meth := range Methods() {
			for _, f := range forms {
				for _, workers := range []int{1, 3, 8} {
					if meth != Multicore && workers > 1 {
						continue
					}
					got := allCounts(t, Cooccurrence{Method: meth, Workers: workers, Weighted: true}, f, b)
					for x := 0; x < m; x++ {
						for y := 0; y < m; y++ {
							if float64(got[x][y]) != want.At(x, y) {
								t.Fatalf("trial %d: %s %s workers=%d: C(%d, %d) = %d, BᵀB %v",
									trial, meth, f, workers, x, y, got[x][y], want.At(x, y))
							}
						}
					}
				}
			}
		}
		// The dense gonum matrix itself is accepted as input too.
		got := allCounts(t, Cooccurrence{Weighted: true}, DenseForm, toCSR(dense))
		fromDense, err := Cooccurrence{Weighted: true}.Dense(context.Background(), dense)
		if err != nil {
			t.Fatal(err)
		}
		for x := 0; x < m; x++ {
			for y := 0; y < m; y++ {
				if fromDense.Count(x, y) != got[x][y] {
					t.Fatalf("trial %d: *mat.Dense input: C(%d, %d) = %d, want %d", trial, x, y, fromDense.Count(x, y), got[x][y])
				}
			}
		}
	}
}

func toCSR(d *mat.Dense) *sparse.CSR {
	n, m := d.Dims()
	indptr := []int{0}
	var ind []int
	var data []float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if v := d.At(i, j); v != 0 {
				ind, data = append(ind, j), append(data, v)
			}
		}
		indptr = append(indptr, len(ind))
	}
	return sparse.NewCSR(n, m, indptr, ind, data)
}

func TestOtherSparseInputs(t *testing.T) {
	// A COO and a CSC of Figure 5.7 give the figure too.
	b := figure57()
	for name, in := range map[string]mat.Matrix{"COO": b.ToCOO(), "CSC": b.ToCSC(), "DOK": b.ToDOK()} {
		d, err := Cooccurrence{}.Dense(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for x := range figure57Counts {
			for y, want := range figure57Counts[x] {
				if d.Count(x, y) != want {
					t.Fatalf("%s: C(%d, %d) = %d, want %d", name, x, y, d.Count(x, y), want)
				}
			}
		}
	}
}

func TestReuseIsClean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := randomCSR(rng, 40, 25)
	for _, meth := range Methods() {
		c := Cooccurrence{Method: meth, Workers: 2}
		want, err := c.Dense(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		dirty := &DenseCounts{m: 25, data: make([]int32, 25*25+7)}
		for i := range dirty.data {
			dirty.data[i] = -9
		}
		got, err := c.DenseTo(context.Background(), dirty, b)
		if err != nil {
			t.Fatal(err)
		}
		if &got.Data()[0] != &dirty.data[0] {
			t.Errorf("%s: DenseTo did not reuse the storage", meth)
		}
		wantPacked, err := c.Packed(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		dirtyPacked := &PackedCounts{m: 25, data: make([]int32, packedLen(25))}
		for i := range dirtyPacked.data {
			dirtyPacked.data[i] = 77
		}
		gotPacked, err := c.PackedTo(context.Background(), dirtyPacked, b)
		if err != nil {
			t.Fatal(err)
		}
		for x := 0; x < 25; x++ {
			for y := 0; y < 25; y++ {
				if got.Count(x, y) != want.Count(x, y) || gotPacked.Count(x, y) != wantPacked.Count(x, y) {
					t.Fatalf("%s: reused output differs at (%d, %d)", meth, x, y)
				}
			}
		}
		// Too small a destination is not reused.
		small := &DenseCounts{m: 2, data: make([]int32, 4)}
		got, err = c.DenseTo(context.Background(), small, b)
		if err != nil || got.Terms() != 25 || fmt.Sprint(got.Row(3)) != fmt.Sprint(want.Row(3)) {
			t.Fatalf("%s: DenseTo into a small dst: %v", meth, err)
		}
	}
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(2026, 11)) }

// TestSparseLightAndHeavyRows checks the two ways the sparse form sums a row
// (a dense accumulator scanned in order for heavy rows, a sorted list of
// marked columns for light ones) on a vocabulary wide enough to have both.
func TestSparseLightAndHeavyRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3000))
	const n, m = 400, 3000
	b := randomCSRLen(rng, n, m, 12)
	d, err := newDocs(b, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	heavy := 0
	for _, w := range d.spanIndex(false, 1).work(1) {
		if heavyRow(w, m) {
			heavy++
		}
	}
	if heavy == 0 || heavy == m {
		t.Fatalf("%d heavy rows of %d: the test needs both kinds", heavy, m)
	}
	for _, weighted := range []bool{false, true} {
		want, err := Cooccurrence{Method: Plain, Weighted: weighted}.Sparse(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 3} {
			got, err := Cooccurrence{Workers: workers, Weighted: weighted}.Sparse(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			w, g := want.RawMatrix(), got.RawMatrix()
			if fmt.Sprint(w.Indptr) != fmt.Sprint(g.Indptr) || fmt.Sprint(w.Ind) != fmt.Sprint(g.Ind) || fmt.Sprint(w.Data) != fmt.Sprint(g.Data) {
				t.Fatalf("weighted=%v workers=%d: multicore CSR differs from the plain loop's", weighted, workers)
			}
		}
	}
}

// TestWideTermKernels checks the int32 term lists that vocabularies over
// 2^16 terms take (a dense output that wide needs 17 GB, so the kernels are
// run directly): on the same documents they give what the uint16 lists give,
// dense and packed, binary and weighted, fresh and reused; and the binary
// uint16 rows of addSpans give what the Go loop gives.
func TestWideTermKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 16))
	const n, m = 300, 400
	b := randomCSRLen(rng, n, m, 40)
	for _, weighted := range []bool{false, true} {
		d, err := newDocs(b, weighted, 3)
		if err != nil {
			t.Fatal(err)
		}
		narrow := d.narrowTerms(3)
		for _, packed := range []bool{false, true} {
			idx := d.spanIndex(packed, 3)
			// Built in parts or not, the index is the same, spans in document order.
			one := d.spanIndex(packed, 1)
			if fmt.Sprint(one.indptr, one.spans, one.weights) != fmt.Sprint(idx.indptr, idx.spans, idx.weights) {
				t.Fatalf("weighted=%v packed=%v: the span index built in 3 parts differs from the one built in 1", weighted, packed)
			}
			size := m * m
			if packed {
				size = packedLen(m)
			}
			want, got := make([]int32, size), make([]int32, size)
			for i := range got {
				got[i] = -1 // a dirty reused output
			}
			if packed {
				spanPackedRows(narrow, d.weights, idx, m, want, 0, m, false)
				spanPackedRows(d.terms, d.weights, idx, m, got, 0, m, true)
			} else {
				spanDenseRows(narrow, d.weights, idx, m, want, 0, m, false)
				spanDenseRows(d.terms, d.weights, idx, m, got, 0, m, true)
			}
			if !weighted { // the binary 16-bit rows go through addSpans (assembly on amd64)
				fast := make([]int32, size)
				for i := range fast {
					fast[i] = -1
				}
				if packed {
					packedRows16(narrow, idx, m, fast, 0, m, true)
				} else {
					denseRows16(narrow, idx, m, fast, 0, m, true)
				}
				if fmt.Sprint(fast) != fmt.Sprint(want) {
					t.Fatalf("packed=%v: addSpans rows differ from the Go loop's", packed)
				}
			}
			var sum int64
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("weighted=%v packed=%v: entry %d is %d with int32 terms, %d with uint16", weighted, packed, i, got[i], want[i])
				}
				sum += int64(want[i])
			}
			if sum == 0 {
				t.Fatalf("weighted=%v packed=%v: all counts are zero", weighted, packed)
			}
		}
	}
}

// TestSparseWideVocabulary checks the sparse form on a vocabulary over 2^16
// terms (int32 term lists), where a dense output would take 19.6 GB, against
// counts made pair by pair from the documents.
func TestSparseWideVocabulary(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 70000))
	const n, m = 300, 70000
	b := randomCSRLen(rng, n, m, 30)
	for _, weighted := range []bool{false, true} {
		want := map[[2]int]float64{}
		raw := b.RawMatrix()
		for i := 0; i < n; i++ {
			row := map[int]float64{} // canonical row: repeated columns merged, zeros dropped
			for k := raw.Indptr[i]; k < raw.Indptr[i+1]; k++ {
				if v := raw.Data[k]; v != 0 {
					if weighted {
						row[raw.Ind[k]] += v
					} else {
						row[raw.Ind[k]] = 1
					}
				}
			}
			for x, vx := range row {
				for y, vy := range row {
					want[[2]int{x, y}] += vx * vy
				}
			}
		}
		for _, workers := range []int{1, 3} {
			got, err := Cooccurrence{Workers: workers, Weighted: weighted}.Sparse(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			g := got.RawMatrix()
			if g.Indptr[m] != len(want) {
				t.Fatalf("weighted=%v workers=%d: %d non-zeros, want %d", weighted, workers, g.Indptr[m], len(want))
			}
			for x := 0; x < m; x++ {
				for k := g.Indptr[x]; k < g.Indptr[x+1]; k++ {
					if k > g.Indptr[x] && g.Ind[k] <= g.Ind[k-1] {
						t.Fatalf("row %d: columns not increasing", x)
					}
					if w := want[[2]int{x, g.Ind[k]}]; g.Data[k] != w {
						t.Fatalf("weighted=%v workers=%d: C(%d, %d) = %v, want %v", weighted, workers, x, g.Ind[k], g.Data[k], w)
					}
				}
			}
		}
	}
}
