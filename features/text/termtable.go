package text

import (
	"encoding/binary"
	"math/bits"
)

// termTable is the dictionary of a counting shard: term bytes -> dense id.
// It is an open-addressing table with linear probing, specialised for the
// short keys of text: each slot keeps the first 8 bytes of the term, 31 bits
// of the hash and the id, so that a look-up of a term of up to 8 bytes (most
// words) reads one slot and never the term itself. Against a Go map[string]int32 it saves more than half of the
// look-up time, which is most of the time of counting.
type termTable struct {
	slots []tableSlot
	terms []string // by id
	low   []uint32 // by id: low 32 bits of the hash, so that growing needs no rehashing
	mask  uint64
}

// tableSlot is one slot: the term's key8 beside its tag and id, so that a
// probe reads one cache line.
type tableSlot struct {
	key  uint64
	meta uint64 // tag << 32 | (id + 1), 0 when empty; tag: 31 high bits of the hash, then 1 if short
}

func newTermTable() *termTable {
	const initial = 1 << 12
	return &termTable{slots: make([]tableSlot, initial), mask: initial - 1}
}

// key8 packs a term's first 8 bytes into a word. A term shorter than 8 bytes
// gets its length in the top byte, so that the word identifies it; short
// reports whether it does (terms hold no bytes below 8: their bytes are word
// characters, UTF-8 and spaces).
func key8(term []byte) (k uint64, short bool) {
	n := len(term)
	if n >= 8 {
		return binary.LittleEndian.Uint64(term), n == 8 && term[7] >= 8
	}
	if cap(term) >= 8 { // one load, the bytes past the term masked off
		k = binary.LittleEndian.Uint64(term[:8]) & (1<<(8*uint(n)) - 1)
	} else {
		for i := n - 1; i >= 0; i-- {
			k = k<<8 | uint64(term[i])
		}
	}
	return k | uint64(n)<<56, true
}

// lookup returns the id of term, adding it if absent.
func (t *termTable) lookup(term []byte) (id int32, added bool) {
	k, short := key8(term)
	var h uint64
	if short {
		h = mix(k^0xa0761d6478bd642f, 0xe7037ed1a0b428db)
	} else {
		h = hashTerm(term)
	}
	tag := h >> 33 << 1
	if short {
		tag |= 1 // a short term only matches short terms, whose key8 identifies them
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s.meta == 0 {
			id = int32(len(t.terms))
			t.terms = append(t.terms, string(term))
			t.low = append(t.low, uint32(h))
			t.slots[i] = tableSlot{key: k, meta: tag<<32 | uint64(id+1)}
			if uint64(len(t.terms))*2 > t.mask { // keep the load under one half
				t.grow()
			}
			return id, true
		}
		if s.meta>>32 == tag && s.key == k {
			id := int32(uint32(s.meta)) - 1
			if short || t.terms[id] == string(term) {
				return id, false
			}
		}
	}
}

func (t *termTable) grow() {
	old := t.slots
	t.slots = make([]tableSlot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.meta == 0 {
			continue
		}
		h := uint64(t.low[uint32(s.meta)-1]) // the table never has 2^32 slots
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i].meta == 0 {
				t.slots[i] = s
				break
			}
		}
	}
}

// hashTerm is a fast 64-bit hash for byte strings longer than 8 bytes (the
// mixing of wyhash: 64 x 64 -> 128-bit multiplications folded by xor). It is
// not seeded: the table's result does not depend on the hash, only its speed
// does, and every step of the probe compares 32 hash bits first.
func hashTerm(b []byte) uint64 {
	const (
		p0 = 0xa0761d6478bd642f
		p1 = 0xe7037ed1a0b428db
		p2 = 0x8ebc6af09c88c6e3
	)
	h := uint64(len(b)) ^ p0
	for len(b) >= 8 {
		h = mix(h^binary.LittleEndian.Uint64(b), p1)
		b = b[8:]
	}
	var tail uint64
	switch {
	case len(b) >= 4:
		tail = uint64(binary.LittleEndian.Uint32(b))<<32 | uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	case len(b) > 0:
		tail = uint64(b[0])<<16 | uint64(b[len(b)>>1])<<8 | uint64(b[len(b)-1])
	}
	return mix(h^tail, p2)
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}
