package dataset

import "math"

// Sorting here is a least-significant-digit radix sort on uint64 keys that
// preserve the order of the values they encode: it is stable, linear in the
// rows, and skips the byte positions where all keys agree (so small integers
// and dictionary ranks take one or two passes instead of eight). On 3 million
// rows it is about ten times faster than a comparison sort through closures.

// orderedFloat maps a float64 to a uint64 of the same order (-0 as 0).
func orderedFloat(v float64) uint64 {
	if v == 0 {
		v = 0
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// floatFromOrdered is the inverse of orderedFloat.
func floatFromOrdered(u uint64) float64 {
	if u>>63 != 0 {
		return math.Float64frombits(u &^ (1 << 63))
	}
	return math.Float64frombits(^u)
}

// orderedInt maps an int64 to a uint64 of the same order.
func orderedInt(v int64) uint64 { return uint64(v) ^ 1<<63 }

// Digits of 11 bits: six passes over 64-bit keys, counts that fit in cache.
const (
	radixBits    = 11
	radixBuckets = 1 << radixBits
	radixDigits  = (64 + radixBits - 1) / radixBits
)

// radixSort sorts keys in place, stably, carrying idx along (idx may be nil).
// keyBuf and idxBuf are scratch space of the same lengths (idxBuf nil when idx
// is). It returns the sorted slices, which are either the inputs or the
// buffers.
func radixSort(keys, keyBuf []uint64, idx, idxBuf []int) ([]uint64, []int) {
	n := len(keys)
	if n < 2 {
		return keys, idx
	}
	counts := make([][radixBuckets]int, radixDigits)
	for _, k := range keys {
		for d := range radixDigits {
			counts[d][(k>>(radixBits*d))&(radixBuckets-1)]++
		}
	}
	for d := range radixDigits {
		c := &counts[d]
		shift := radixBits * d
		if c[(keys[0]>>shift)&(radixBuckets-1)] == n { // every key has this digit: nothing to do
			continue
		}
		pos := 0
		for b := range radixBuckets {
			pos, c[b] = pos+c[b], pos
		}
		if idx == nil {
			for _, k := range keys {
				b := (k >> shift) & (radixBuckets - 1)
				keyBuf[c[b]] = k
				c[b]++
			}
		} else {
			for i, k := range keys {
				b := (k >> shift) & (radixBuckets - 1)
				keyBuf[c[b]] = k
				idxBuf[c[b]] = idx[i]
				c[b]++
			}
			idx, idxBuf = idxBuf, idx
		}
		keys, keyBuf = keyBuf, keys
	}
	return keys, idx
}
