package linalg

import (
	"context"
	"fmt"
	"testing"

	"github.com/james-bowman/sparse"
)

// figure57 is the binary bag of words of the three documents of Effective
// Data Science Infrastructure, ch. 5, Figure 5.7: "cats are fun", "dogs are
// fun", "cats eat fish", over the vocabulary are, cats, dogs, eat, fish, fun
// (scikit-learn's alphabetical order).
func figure57() *sparse.CSR {
	return sparse.NewCSR(3, 6,
		[]int{0, 3, 6, 9},
		[]int{0, 1, 5, 0, 2, 5, 1, 3, 4},
		[]float64{1, 1, 1, 1, 1, 1, 1, 1, 1})
}

// figure57Counts is the book's Figure 5.7 co-occurrence matrix, the same as
// scikit-learn 1.2.1 gives: CountVectorizer(binary=True).fit_transform(docs)
// then (B.T @ B).toarray(), computed with /usr/bin/python3.
var figure57Counts = [6][6]int32{
	//are cats dogs eat fish fun
	{2, 1, 1, 0, 0, 2}, // are
	{1, 2, 0, 1, 1, 1}, // cats
	{1, 0, 1, 0, 0, 1}, // dogs
	{0, 1, 0, 1, 1, 0}, // eat
	{0, 1, 0, 1, 1, 0}, // fish
	{2, 1, 1, 0, 0, 2}, // fun
}

// countsOf runs one method into one form and returns a reader of the counts.
func countsOf(t *testing.T, c Cooccurrence, f Form, b *sparse.CSR) func(x, y int) int32 {
	t.Helper()
	ctx := context.Background()
	switch f {
	case DenseForm:
		d, err := c.Dense(ctx, b)
		if err != nil {
			t.Fatalf("%s dense: %v", c.Method, err)
		}
		return d.Count
	case PackedForm:
		p, err := c.Packed(ctx, b)
		if err != nil {
			t.Fatalf("%s packed: %v", c.Method, err)
		}
		return p.Count
	case CompactForm:
		cc, err := c.Compact(ctx, b)
		if err != nil {
			t.Fatalf("%s compact: %v", c.Method, err)
		}
		checkCompact(t, cc)
		return cc.Count
	}
	s, err := c.Sparse(ctx, b)
	if err != nil {
		t.Fatalf("%s sparse: %v", c.Method, err)
	}
	checkCanonicalCSR(t, s)
	return func(x, y int) int32 { return int32(s.At(x, y)) }
}

// checkCompact checks that every row of a CompactCounts lists increasing
// columns from its diagonal on, stores no zero, and agrees with Count, and
// that the rows hold NonZeros entries in all.
func checkCompact(t *testing.T, c *CompactCounts) {
	t.Helper()
	var total int64
	var cols []int
	var counts []int32
	for x := 0; x < c.Terms(); x++ {
		cols, counts = c.AppendUpperRow(x, cols[:0], counts[:0])
		for k, y := range cols {
			if counts[k] == 0 || y < x || (k > 0 && y <= cols[k-1]) {
				t.Fatalf("row %d: entry %d is (%d, %d)", x, k, y, counts[k])
			}
			if got := c.Count(y, x); got != counts[k] {
				t.Fatalf("Count(%d, %d) = %d, row lists %d", y, x, got, counts[k])
			}
		}
		total += int64(len(cols))
	}
	if total != c.NonZeros() {
		t.Fatalf("rows hold %d entries, NonZeros %d", total, c.NonZeros())
	}
}

// checkCanonicalCSR checks that every row's columns are strictly increasing
// and that no zero is stored.
func checkCanonicalCSR(t *testing.T, s *sparse.CSR) {
	t.Helper()
	raw := s.RawMatrix()
	for x := 0; x < raw.I; x++ {
		for k := raw.Indptr[x]; k < raw.Indptr[x+1]; k++ {
			if raw.Data[k] == 0 {
				t.Fatalf("row %d stores a zero at column %d", x, raw.Ind[k])
			}
			if k > raw.Indptr[x] && raw.Ind[k] <= raw.Ind[k-1] {
				t.Fatalf("row %d: columns %d, %d not increasing", x, raw.Ind[k-1], raw.Ind[k])
			}
		}
	}
}

var forms = []Form{DenseForm, PackedForm, SparseForm, CompactForm}

func TestFigure57(t *testing.T) {
	for _, meth := range Methods() {
		for _, f := range forms {
			for _, workers := range []int{1, 2, 3} {
				t.Run(fmt.Sprintf("%s/%s/workers=%d", meth, f, workers), func(t *testing.T) {
					count := countsOf(t, Cooccurrence{Method: meth, Workers: workers}, f, figure57())
					for x := range figure57Counts {
						for y, want := range figure57Counts[x] {
							if got := count(x, y); got != want {
								t.Errorf("C(%d, %d) = %d, want %d", x, y, got, want)
							}
						}
					}
				})
			}
		}
	}
}

func TestFigure57DenseAccessors(t *testing.T) {
	d, err := Cooccurrence{}.Dense(context.Background(), figure57())
	if err != nil {
		t.Fatal(err)
	}
	if d.Terms() != 6 || d.SymmetricDim() != 6 {
		t.Fatalf("Terms %d, SymmetricDim %d; want 6", d.Terms(), d.SymmetricDim())
	}
	if r, c := d.Dims(); r != 6 || c != 6 {
		t.Fatalf("Dims %d x %d", r, c)
	}
	// The sum of all entries is the sum of the squared document lengths: 3 x 3².
	if d.Sum() != 27 {
		t.Errorf("Sum %d, want 27", d.Sum())
	}
	if got := d.Row(1); fmt.Sprint(got) != fmt.Sprint(figure57Counts[1][:]) {
		t.Errorf("Row(1) = %v, want %v", got, figure57Counts[1])
	}
	if d.At(5, 0) != 2 || d.T().At(0, 5) != 2 {
		t.Errorf("At(5, 0) = %v, T().At(0, 5) = %v; want 2", d.At(5, 0), d.T().At(0, 5))
	}
	if len(d.Data()) != 36 {
		t.Errorf("len(Data) = %d, want 36", len(d.Data()))
	}

	p, err := Cooccurrence{}.Packed(context.Background(), figure57())
	if err != nil {
		t.Fatal(err)
	}
	if p.Sum() != 27 || len(p.Data()) != 21 || p.Terms() != 6 || p.SymmetricDim() != 6 {
		t.Errorf("packed: Sum %d, %d entries, %d terms; want 27, 21, 6", p.Sum(), len(p.Data()), p.Terms())
	}
	// Row "cats" of the upper triangle: cats, dogs, eat, fish, fun.
	if got := p.UpperRow(1); fmt.Sprint(got) != "[2 0 1 1 1]" {
		t.Errorf("UpperRow(1) = %v, want [2 0 1 1 1]", got)
	}
	if r, c := p.Dims(); r != 6 || c != 6 || p.At(3, 1) != 1 || p.T().At(1, 3) != 1 {
		t.Errorf("packed Dims %d x %d, At(3, 1) %v", r, c, p.At(3, 1))
	}
}

func TestCountPanicsOutOfRange(t *testing.T) {
	d, err := Cooccurrence{}.Dense(context.Background(), figure57())
	if err != nil {
		t.Fatal(err)
	}
	p, err := Cooccurrence{}.Packed(context.Background(), figure57())
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"dense Count":  func() { d.Count(6, 0) },
		"dense Row":    func() { d.Row(-1) },
		"packed Count": func() { p.Count(0, 6) },
		"packed Row":   func() { p.UpperRow(6) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s out of range did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestCompactCode checks every branch of the compact form's byte code
// against the dense form: gaps and counts past 15 (one escape) and past 143
// (a two-byte varint), rows with more than 128 entries (marks), terms that
// never occur (empty rows), weighted counts past 65,535, and Memory's size.
func TestCompactCode(t *testing.T) {
	const m = 700
	var indptr, ind []int
	var data []float64
	indptr = append(indptr, 0)
	addDoc := func(terms []int, w float64) {
		for _, y := range terms {
			ind = append(ind, y)
			data = append(data, w)
		}
		indptr = append(indptr, len(ind))
	}
	for d := 0; d < 300; d++ { // a pair in 300 documents: counts past 143
		addDoc([]int{3, 4}, 1)
	}
	for d := 0; d < 20; d++ { // counts of 20 at gaps of 1
		addDoc([]int{10, 11, 12}, 1)
	}
	wide := []int{0}
	for y := 20; y < m; y += 3 { // a long row, gaps of 3, and one gap past 143
		if y < 200 || y > 400 {
			wide = append(wide, y)
		}
	}
	addDoc(wide, 1)
	addDoc([]int{5, 699}, 300) // weighted: 90,000
	b := sparse.NewCSR(len(indptr)-1, m, indptr, ind, data)
	for _, weighted := range []bool{false, true} {
		for _, meth := range Methods() {
			c := Cooccurrence{Method: meth, Weighted: weighted, Workers: 3}
			dense, err := c.Dense(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			cc, err := c.Compact(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			for x := 0; x < m; x++ {
				for y := 0; y < m; y++ {
					if got, want := cc.Count(x, y), dense.Count(x, y); got != want {
						t.Fatalf("%s weighted=%v: C(%d, %d) = %d, want %d", meth, weighted, x, y, got, want)
					}
				}
			}
			checkCompact(t, cc)
			if cc.Sum() != dense.Sum() {
				t.Errorf("%s weighted=%v: sum %d, want %d", meth, weighted, cc.Sum(), dense.Sum())
			}
			out, _, err := c.Memory(context.Background(), b, CompactForm)
			if err != nil || out != cc.Bytes() {
				t.Errorf("%s weighted=%v: Memory says %d bytes (%v), the result takes %d", meth, weighted, out, err, cc.Bytes())
			}
		}
	}
}
