package linalg

import "context"

// plainCheckEvery is how many documents the plain loop processes between
// looks at its context and progress reports.
const plainCheckEvery = 1024

// plainLoop is the book's Listing 5.7, the reference: for each document, for
// each pair of its terms x < y, increment (x, y) and (y, x), and (x, x) for
// each term. It runs on one goroutine. With packed, only the upper cell of
// each pair is written, at its packed place.
func plainLoop(ctx context.Context, d *docs, out []int32, packed bool, prog *progress) error {
	for i := 0; i < d.n; i++ {
		if i%plainCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if i > 0 {
				prog.add(plainCheckEvery)
			}
		}
		if packed {
			plainPackedDoc(d, i, out)
		} else {
			plainDenseDoc(d, i, out)
		}
	}
	prog.add(d.n - (d.n-1)/plainCheckEvery*plainCheckEvery)
	return ctx.Err()
}

// plainDenseDoc adds document i into the full m x m matrix, as Listing 5.7.
func plainDenseDoc(d *docs, i int, out []int32) {
	m := d.m
	lo, hi := d.indptr[i], d.indptr[i+1]
	row := d.terms[lo:hi]
	for a, tx := range row {
		x := int(tx)
		wx := int32(1)
		if d.weights != nil {
			wx = d.weights[lo+a]
		}
		out[x*m+x] += wx * wx
		for b := a + 1; b < len(row); b++ {
			y := int(row[b])
			v := wx
			if d.weights != nil {
				v *= d.weights[lo+b]
			}
			out[x*m+y] += v
			out[y*m+x] += v
		}
	}
}

// plainPackedDoc adds document i into the packed upper triangle.
func plainPackedDoc(d *docs, i int, out []int32) {
	m := d.m
	lo, hi := d.indptr[i], d.indptr[i+1]
	row := d.terms[lo:hi]
	for a, tx := range row {
		x := int(tx)
		wx := int32(1)
		if d.weights != nil {
			wx = d.weights[lo+a]
		}
		off := packedOffset(x, m) - x // + y is the place of (x, y)
		out[off+x] += wx * wx
		for b := a + 1; b < len(row); b++ {
			v := wx
			if d.weights != nil {
				v *= d.weights[lo+b]
			}
			out[off+int(row[b])] += v
		}
	}
}

// denseToSparse compresses a full m x m matrix into CSR arrays: it counts
// the non-zeros first so that the arrays are allocated once, at their size,
// after check has approved that size.
func denseToSparse(dense []int32, m int, check func(nnz int) error) (indptr, ind []int, data []float64, err error) {
	nnz := 0
	for _, v := range dense {
		if v != 0 {
			nnz++
		}
	}
	if err := check(nnz); err != nil {
		return nil, nil, nil, err
	}
	indptr, ind, data = make([]int, m+1), make([]int, 0, nnz), make([]float64, 0, nnz)
	for x := 0; x < m; x++ {
		for y, v := range dense[x*m : (x+1)*m] {
			if v != 0 {
				ind, data = append(ind, y), append(data, float64(v))
			}
		}
		indptr[x+1] = len(ind)
	}
	return indptr, ind, data, nil
}
