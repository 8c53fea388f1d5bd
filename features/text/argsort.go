package text

// numpyArgsort returns the permutation that sorts v, exactly as NumPy 1.24's
// default np.argsort (kind="quicksort", an introsort) orders it, ties
// included. scikit-learn's max_features keeps the first entries of
// (-tfs).argsort(); since that sort is not stable, matching its choice among
// equal counts needs the same algorithm. This is a transcription of
// aquicksort_ and aheapsort_ in numpy/core/src/npysort (quicksort.cpp,
// heapsort.cpp) for integer keys.
func numpyArgsort(v []int64) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	const smallQuicksort = 15
	type span struct{ pl, pr, depth int }
	var stack []span
	num := len(v)
	if num < 2 {
		return idx
	}
	cdepth := 0
	for u := num; u > 1; u >>= 1 {
		cdepth++ // npy_get_msb(num)
	}
	cdepth *= 2
	pl, pr := 0, num-1
	for {
		if cdepth < 0 {
			aheapsort(v, idx[pl:pr+1])
			goto pop
		}
		for pr-pl > smallQuicksort {
			pm := pl + (pr-pl)>>1
			if v[idx[pm]] < v[idx[pl]] {
				idx[pm], idx[pl] = idx[pl], idx[pm]
			}
			if v[idx[pr]] < v[idx[pm]] {
				idx[pr], idx[pm] = idx[pm], idx[pr]
			}
			if v[idx[pm]] < v[idx[pl]] {
				idx[pm], idx[pl] = idx[pl], idx[pm]
			}
			vp := v[idx[pm]]
			pi, pj := pl, pr-1
			idx[pm], idx[pj] = idx[pj], idx[pm]
			for {
				for {
					pi++
					if !(v[idx[pi]] < vp) {
						break
					}
				}
				for {
					pj--
					if !(vp < v[idx[pj]]) {
						break
					}
				}
				if pi >= pj {
					break
				}
				idx[pi], idx[pj] = idx[pj], idx[pi]
			}
			pk := pr - 1
			idx[pi], idx[pk] = idx[pk], idx[pi]
			// push the larger partition, continue with the smaller
			cdepth--
			if pi-pl < pr-pi {
				stack = append(stack, span{pi + 1, pr, cdepth})
				pr = pi - 1
			} else {
				stack = append(stack, span{pl, pi - 1, cdepth})
				pl = pi + 1
			}
		}
		// insertion sort
		for pi := pl + 1; pi <= pr; pi++ {
			vi := idx[pi]
			vp := v[vi]
			pj := pi
			for pj > pl && vp < v[idx[pj-1]] {
				idx[pj] = idx[pj-1]
				pj--
			}
			idx[pj] = vi
		}
	pop:
		if len(stack) == 0 {
			break
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pl, pr, cdepth = top.pl, top.pr, top.depth
	}
	return idx
}

// aheapsort is NumPy's aheapsort_: a heapsort of the indices tosort by v,
// used when the quicksort recursion gets too deep.
func aheapsort(v []int64, tosort []int) {
	n := len(tosort)
	a := func(i int) *int { return &tosort[i-1] } // one-based, as in NumPy
	for l := n >> 1; l > 0; l-- {
		tmp := *a(l)
		i, j := l, l<<1
		for j <= n {
			if j < n && v[*a(j)] < v[*a(j + 1)] {
				j++
			}
			if v[tmp] < v[*a(j)] {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
	for n > 1 {
		tmp := *a(n)
		*a(n) = *a(1)
		n--
		i, j := 1, 2
		for j <= n {
			if j < n && v[*a(j)] < v[*a(j + 1)] {
				j++
			}
			if v[tmp] < v[*a(j)] {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
}
