package text

import (
	"encoding/binary"
	"math/bits"
)

// murmur3 is MurmurHash3_x86_32 (Austin Appleby's public-domain reference,
// as scikit-learn's sklearn.utils.murmurhash3_32 wraps it) of b with seed.
func murmur3(b []byte, seed uint32) uint32 {
	const (
		c1 = 0xcc9e2d51
		c2 = 0x1b873593
	)
	h := seed
	n := len(b)
	for ; len(b) >= 4; b = b[4:] {
		k := binary.LittleEndian.Uint32(b)
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	var k uint32
	switch len(b) {
	case 3:
		k ^= uint32(b[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(b[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(b[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// hashColumn maps a term to its column and sign as scikit-learn's
// FeatureHasher does: h = murmurhash3_32(utf8, seed=0) as a signed 32-bit
// integer, column |h| mod n (|-2^31| taken as 2^31), sign -1 when h < 0.
func hashColumn(term []byte, n int) (col int32, negative bool) {
	h := int64(int32(murmur3(term, 0)))
	negative = h < 0
	if negative {
		h = -h
	}
	return int32(h % int64(n)), negative
}
