package parquet

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// decodeHybrid decodes len(out) values of width bits (0 to 32) from the
// RLE / bit-packed hybrid encoding that Parquet uses for definition levels
// and dictionary indices, and returns the bytes it read. Input that ends
// before len(out) values, or whose run headers are malformed, is an error.
func decodeHybrid(data []byte, width int, out []int32) (int, error) {
	if width < 0 || width > 32 {
		return 0, fmt.Errorf("bit width %d", width)
	}
	valueBytes := (width + 7) / 8
	mask := uint64(1)<<width - 1
	pos, n := 0, 0
	for n < len(out) {
		h, k := binary.Uvarint(data[pos:])
		if k <= 0 {
			return pos, fmt.Errorf("truncated or malformed run header after %d of %d values", n, len(out))
		}
		pos += k
		if h&1 == 0 { // a run of one repeated value
			count := h >> 1
			if count == 0 || pos+valueBytes > len(data) {
				return pos, fmt.Errorf("malformed repeated run after %d of %d values", n, len(out))
			}
			var v uint32
			for i := 0; i < valueBytes; i++ {
				v |= uint32(data[pos+i]) << (8 * i)
			}
			pos += valueBytes
			if uint64(v) > mask {
				return pos, fmt.Errorf("repeated value %d wider than %d bits", v, width)
			}
			m := int(min(count, uint64(len(out)-n)))
			fill := out[n : n+m]
			for i := range fill {
				fill[i] = int32(v)
			}
			n += m
			continue
		}
		// bit-packed groups of 8 values
		groups := min(h>>1, uint64(len(out)))
		if groups == 0 {
			return pos, fmt.Errorf("empty bit-packed run after %d of %d values", n, len(out))
		}
		// A writer may end the last run early (its values past the count
		// are padding): take what the bytes hold.
		runBytes := min(int(groups)*width, len(data)-pos)
		m := min(int(groups)*8, len(out)-n)
		if width > 0 {
			m = min(m, runBytes*8/width)
		}
		if m == 0 {
			return pos, fmt.Errorf("truncated bit-packed run after %d of %d values", n, len(out))
		}
		unpack(data[pos:pos+runBytes], data[pos:], width, mask, out[n:n+m])
		pos += runBytes
		n += m
	}
	return pos, nil
}

// unpack reads len(out) little-endian bit-packed values of width bits from
// run; tail is run followed by whatever bytes come after it, read eight at a
// time where there are enough (the extra bits are masked off).
func unpack(run, tail []byte, width int, mask uint64, out []int32) {
	if width == 0 {
		clear(out)
		return
	}
	// Values 0 to fast-1 can each be read with one 8-byte load inside tail.
	fast := 0
	if len(tail) >= 8 {
		fast = min(len(out), (8*(len(tail)-8)+7)/width+1)
	}
	i, bit := 0, 0
	if littleEndian && fast > 0 {
		base := unsafe.Pointer(unsafe.SliceData(tail))
		for ; i < fast; i++ {
			w := *(*uint64)(unsafe.Add(base, bit>>3)) // in bounds: see fast
			out[i] = int32(w >> (bit & 7) & mask)
			bit += width
		}
	}
	for ; i < fast; i++ {
		out[i] = int32(binary.LittleEndian.Uint64(tail[bit>>3:]) >> (bit & 7) & mask)
		bit += width
	}
	for ; i < len(out); i++ {
		var w uint64
		for j, b := range run[bit>>3 : min(bit>>3+8, len(run))] {
			w |= uint64(b) << (8 * j)
		}
		out[i] = int32(w >> (bit & 7) & mask)
		bit += width
	}
}

// littleEndian says whether unpack may load eight bytes as a native uint64.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
