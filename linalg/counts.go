package linalg

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// DenseCounts is a symmetric m x m matrix of co-occurrence counts stored in
// full, row-major, as int32: 4m² bytes (2.67 GB for m = 25,858). It is the
// book's output form. It implements mat.Symmetric, so gonum functions accept
// it; its values are read-only.
type DenseCounts struct {
	m    int
	data []int32
}

var _ mat.Symmetric = (*DenseCounts)(nil)

// Terms returns m, the number of terms (rows and columns).
func (c *DenseCounts) Terms() int { return c.m }

// Count returns the number of documents that contain both terms x and y
// (the weighted sum when weighted); Count(x, x) is x's document frequency.
// It panics when x or y is out of range, as gonum's At does.
func (c *DenseCounts) Count(x, y int) int32 {
	c.check(x, y)
	return c.data[x*c.m+y]
}

// Row returns row x (m counts) as a view into the matrix.
func (c *DenseCounts) Row(x int) []int32 {
	c.check(x, 0)
	return c.data[x*c.m : (x+1)*c.m : (x+1)*c.m]
}

// Data returns all counts, row-major, as a view: entry (x, y) is at x*m+y.
func (c *DenseCounts) Data() []int32 { return c.data }

// Sum returns the sum of all m² entries, which for a binary B equals the sum
// of the squared document lengths.
func (c *DenseCounts) Sum() int64 {
	var s int64
	for _, v := range c.data {
		s += int64(v)
	}
	return s
}

// Dims returns m, m.
func (c *DenseCounts) Dims() (r, cols int) { return c.m, c.m }

// At returns Count(i, j) as a float64.
func (c *DenseCounts) At(i, j int) float64 { return float64(c.Count(i, j)) }

// T returns the receiver: the matrix is symmetric.
func (c *DenseCounts) T() mat.Matrix { return c }

// SymmetricDim returns m.
func (c *DenseCounts) SymmetricDim() int { return c.m }

func (c *DenseCounts) check(x, y int) {
	if uint(x) >= uint(c.m) || uint(y) >= uint(c.m) {
		panic(fmt.Sprintf("linalg: index (%d, %d) out of range for %d terms", x, y, c.m))
	}
}

// PackedCounts is a symmetric m x m matrix of co-occurrence counts of which
// only the upper triangle, diagonal included, is stored, row by row, as
// int32: 2m(m+1) bytes, half of DenseCounts. Row x holds the counts of the
// pairs (x, y) for y = x..m-1. It implements mat.Symmetric; its values are
// read-only.
type PackedCounts struct {
	m    int
	data []int32
}

var _ mat.Symmetric = (*PackedCounts)(nil)

// packedOffset is the index of entry (x, x) in the packed upper triangle:
// rows 0..x-1 hold m, m-1, ..., m-x+1 entries.
func packedOffset(x, m int) int { return x*m - x*(x-1)/2 }

// packedLen is the number of stored entries, m(m+1)/2.
func packedLen(m int) int { return m * (m + 1) / 2 }

// Terms returns m, the number of terms (rows and columns).
func (c *PackedCounts) Terms() int { return c.m }

// Count returns the number of documents that contain both terms x and y, in
// either order. It panics when x or y is out of range, as gonum's At does.
func (c *PackedCounts) Count(x, y int) int32 {
	if uint(x) >= uint(c.m) || uint(y) >= uint(c.m) {
		panic(fmt.Sprintf("linalg: index (%d, %d) out of range for %d terms", x, y, c.m))
	}
	if x > y {
		x, y = y, x
	}
	return c.data[packedOffset(x, c.m)+y-x]
}

// UpperRow returns the stored part of row x, the counts of (x, y) for
// y = x..m-1, as a view.
func (c *PackedCounts) UpperRow(x int) []int32 {
	if uint(x) >= uint(c.m) {
		panic(fmt.Sprintf("linalg: row %d out of range for %d terms", x, c.m))
	}
	off := packedOffset(x, c.m)
	return c.data[off : off+c.m-x : off+c.m-x]
}

// Data returns the packed upper triangle as a view: entry (x, y), x <= y, is
// at x*m - x*(x-1)/2 + (y - x).
func (c *PackedCounts) Data() []int32 { return c.data }

// Sum returns the sum of all m² entries of the full symmetric matrix.
func (c *PackedCounts) Sum() int64 {
	var all, diag int64
	for _, v := range c.data {
		all += int64(v)
	}
	for x := 0; x < c.m; x++ {
		diag += int64(c.data[packedOffset(x, c.m)])
	}
	return 2*all - diag
}

// Dims returns m, m.
func (c *PackedCounts) Dims() (r, cols int) { return c.m, c.m }

// At returns Count(i, j) as a float64.
func (c *PackedCounts) At(i, j int) float64 { return float64(c.Count(i, j)) }

// T returns the receiver: the matrix is symmetric.
func (c *PackedCounts) T() mat.Matrix { return c }

// SymmetricDim returns m.
func (c *PackedCounts) SymmetricDim() int { return c.m }
