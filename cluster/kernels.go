package cluster

// The sparse distance kernels. A sparse row x (columns cols, values vals)
// meets a dense table t whose row j holds, at t[j*stride+c], the value of
// feature j in centre (or candidate) c. dotsBlocked sets out[c] = Σ x_j t[j,c]
// for c in [0, len(out)), eight centres at a time held in registers, so the
// row's nonzeros (in L1) are read once per group while each table row is
// read in one cache-line run.
func dotsBlocked[I int | int32](cols []I, vals []float64, t []float64, stride int, out []float64) {
	vals = vals[:len(cols)]
	k := len(out)
	c := 0
	for ; c+8 <= k; c += 8 {
		var a0, a1, a2, a3, a4, a5, a6, a7 float64
		for n, jj := range cols {
			j := int(jj)
			v := vals[n]
			s := t[j*stride+c : j*stride+c+8 : j*stride+c+8]
			a0 += v * s[0]
			a1 += v * s[1]
			a2 += v * s[2]
			a3 += v * s[3]
			a4 += v * s[4]
			a5 += v * s[5]
			a6 += v * s[6]
			a7 += v * s[7]
		}
		o := out[c : c+8 : c+8]
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = a0, a1, a2, a3, a4, a5, a6, a7
	}
	if c+4 <= k {
		var a0, a1, a2, a3 float64
		for n, jj := range cols {
			j := int(jj)
			v := vals[n]
			s := t[j*stride+c : j*stride+c+4 : j*stride+c+4]
			a0 += v * s[0]
			a1 += v * s[1]
			a2 += v * s[2]
			a3 += v * s[3]
		}
		o := out[c : c+4 : c+4]
		o[0], o[1], o[2], o[3] = a0, a1, a2, a3
		c += 4
	}
	if c+2 <= k {
		var a0, a1 float64
		for n, jj := range cols {
			j := int(jj)
			v := vals[n]
			s := t[j*stride+c : j*stride+c+2 : j*stride+c+2]
			a0 += v * s[0]
			a1 += v * s[1]
		}
		out[c], out[c+1] = a0, a1
		c += 2
	}
	if c < k {
		var a0 float64
		for n, j := range cols {
			a0 += vals[n] * t[int(j)*stride+c]
		}
		out[c] = a0
	}
}
