package text

import (
	"encoding/binary"
	"math/bits"
)

// termTable is the dictionary of a counting shard: term bytes -> dense id.
// It is an open-addressing table with linear probing, specialised for the
// short keys of text (most under 16 bytes): each slot keeps 32 bits of the
// hash beside the id, so a probe rarely touches the term itself. Against a
// Go map[string]int32 it saves about half of the look-up time, which is
// most of the time of counting.
type termTable struct {
	slots []uint64 // high 32 bits of the hash << 32 | (id + 1); 0 is empty
	terms []string // by id
	low   []uint32 // by id: low 32 bits of the hash, so that growing needs no rehashing
	mask  uint64
}

func newTermTable() *termTable {
	const initial = 1 << 12
	return &termTable{slots: make([]uint64, initial), mask: initial - 1}
}

// lookup returns the id of term, adding it if absent.
func (t *termTable) lookup(term []byte) (id int32, added bool) {
	h := hashTerm(term)
	tag := h >> 32
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			id = int32(len(t.terms))
			t.terms = append(t.terms, string(term))
			t.low = append(t.low, uint32(h))
			t.slots[i] = tag<<32 | uint64(id+1)
			if uint64(len(t.terms))*2 > t.mask { // keep the load under one half
				t.grow()
			}
			return id, true
		}
		if s>>32 == tag {
			if id := int32(uint32(s)) - 1; equalTerm(t.terms[id], term) {
				return id, false
			}
		}
	}
}

func (t *termTable) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		h := s>>32<<32 | uint64(t.low[uint32(s)-1])
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i] == 0 {
				t.slots[i] = s
				break
			}
		}
	}
}

// hashTerm is a fast 64-bit hash for short byte strings (the mixing of
// wyhash: 64 x 64 -> 128-bit multiplications folded by xor). It is not
// seeded: the table's result does not depend on the hash, only its speed
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

// equalTerm compares short terms inline, where the runtime's memequal would
// cost a call.
func equalTerm(k string, b []byte) bool {
	if len(k) != len(b) {
		return false
	}
	if len(b) > 16 {
		return k == string(b)
	}
	for i := 0; i < len(b); i++ {
		if k[i] != b[i] {
			return false
		}
	}
	return true
}
