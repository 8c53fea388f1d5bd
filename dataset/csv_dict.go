package dataset

import (
	"bytes"
	"encoding/binary"
)

// shortDict maps strings of at most 8 bytes to dictionary codes, faster than a
// map[string]int32 for the short codes (carriers, airports, categories) that
// make most dictionary columns. A string is packed into a uint64, padded with
// zero bytes; the readers reject NUL bytes, so the packing is unambiguous.
// It is an open-addressing table with linear probing, at most half full.
type shortDict struct {
	keys  []uint64
	codes []int32 // code+1; 0 marks an empty slot
	n     int
	shift uint
}

func packShort(b []byte) uint64 {
	if len(b) == 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var k uint64
	for i, c := range b {
		k |= uint64(c) << (8 * i)
	}
	return k
}

func (d *shortDict) reset() {
	if d.keys == nil {
		d.resize(1024)
		return
	}
	clear(d.codes)
	d.n = 0
}

func (d *shortDict) resize(size int) {
	keys, codes := d.keys, d.codes
	d.keys = make([]uint64, size)
	d.codes = make([]int32, size)
	d.n = 0
	d.shift = 64
	for s := size; s > 1; s >>= 1 {
		d.shift--
	}
	for i, c := range codes {
		if c != 0 {
			d.insert(keys[i], c-1)
		}
	}
}

func (d *shortDict) slot(k uint64) int {
	return int((k * 0x9E3779B97F4A7C15) >> d.shift)
}

func (d *shortDict) lookup(k uint64) (int32, bool) {
	mask := len(d.keys) - 1
	for i := d.slot(k); ; i = (i + 1) & mask {
		c := d.codes[i]
		if c == 0 {
			return 0, false
		}
		if d.keys[i] == k {
			return c - 1, true
		}
	}
}

func (d *shortDict) insert(k uint64, code int32) {
	if 2*(d.n+1) > len(d.keys) {
		d.resize(2 * len(d.keys))
	}
	mask := len(d.keys) - 1
	i := d.slot(k)
	for d.codes[i] != 0 {
		i = (i + 1) & mask
	}
	d.keys[i] = k
	d.codes[i] = code + 1
	d.n++
}

// chunkLevels indexes the distinct strings of one column of one chunk, as the
// readers build a chunk's dictionary: strings of at most 8 bytes without a NUL
// (so that packing is unambiguous) in a shortDict, longer ones in a map.
type chunkLevels struct {
	long  map[string]int32
	short shortDict
}

// levelKey says where find looked for a string, for add.
type levelKey struct {
	packed uint64
	short  bool
}

func (x *chunkLevels) reset() {
	if x.long == nil {
		x.long = make(map[string]int32)
	}
	clear(x.long)
	x.short.reset()
}

// find returns the code of b, or ok false and the key to add it with.
func (x *chunkLevels) find(b []byte) (code int32, ok bool, key levelKey) {
	if len(b) <= 8 && bytes.IndexByte(b, 0) < 0 {
		key = levelKey{packShort(b), true}
		code, ok = x.short.lookup(key.packed)
		return code, ok, key
	}
	code, ok = x.long[bytesString(b)]
	return code, ok, key
}

// add records s, the text find was given (in memory that outlives the
// index), as code.
func (x *chunkLevels) add(key levelKey, s string, code int32) {
	if key.short {
		x.short.insert(key.packed, code)
	} else {
		x.long[s] = code
	}
}
