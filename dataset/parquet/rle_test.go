package parquet

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
)

// encodeHybrid writes values in the RLE / bit-packed hybrid encoding as the
// Parquet format specifies it: runs of a repeated value where there are at
// least 8, bit-packed groups of 8 elsewhere (the last group padded with
// zeros), each run behind its varint header.
func encodeHybrid(values []uint32, width int) []byte {
	var out []byte
	valueBytes := (width + 7) / 8
	for i := 0; i < len(values); {
		j := i
		for j < len(values) && values[j] == values[i] {
			j++
		}
		if j-i >= 8 {
			out = binary.AppendUvarint(out, uint64(j-i)<<1)
			for b := range valueBytes {
				out = append(out, byte(values[i]>>(8*b)))
			}
			i = j
			continue
		}
		groups := min((len(values)-i+7)/8, 63) // 63 groups: the longest run a one-byte header holds
		out = binary.AppendUvarint(out, uint64(groups)<<1|1)
		packed := make([]byte, groups*width)
		for k := range groups * 8 {
			var v uint64
			if i+k < len(values) {
				v = uint64(values[i+k])
			}
			for b := range width {
				if v>>b&1 == 1 {
					bit := k*width + b
					packed[bit/8] |= 1 << (bit % 8)
				}
			}
		}
		out = append(out, packed...)
		i += groups * 8
	}
	return out
}

func TestDecodeHybridEveryWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for width := 0; width <= 32; width++ {
		for _, n := range []int{1, 7, 8, 9, 100, 1000} {
			values := make([]uint32, n)
			for i := range values {
				if rng.IntN(3) == 0 && i > 0 { // runs long enough for RLE
					values[i] = values[i-1]
				} else if width > 0 {
					values[i] = uint32(rng.Uint64() & (1<<width - 1))
				}
			}
			data := encodeHybrid(values, width)
			for _, trailing := range []int{0, 16} { // the page's next bytes, read but masked off
				buf := append(slices.Clone(data), make([]byte, trailing)...)
				for i := len(data); i < len(buf); i++ {
					buf[i] = 0xff
				}
				out := make([]int32, n)
				if _, err := decodeHybrid(buf, width, out); err != nil {
					t.Fatalf("width %d, %d values: %v", width, n, err)
				}
				for i, v := range out {
					if uint32(v) != values[i] {
						t.Fatalf("width %d, %d values, %d trailing bytes: value %d is %d, want %d", width, n, trailing, i, uint32(v), values[i])
					}
				}
			}
			if n > 1 && len(data) > 2 {
				if _, err := decodeHybrid(data[:1], width, make([]int32, n)); err == nil {
					t.Errorf("width %d, %d values: no error for a truncated run", width, n)
				}
			}
		}
	}
	if _, err := decodeHybrid([]byte{2, 1}, 33, make([]int32, 1)); err == nil {
		t.Error("no error for a bit width of 33")
	}
}

func BenchmarkDecodeHybrid(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, width := range []int{1, 9, 15} {
		values := make([]uint32, 272_727)
		for i := range values {
			values[i] = uint32(rng.Uint64() & (1<<width - 1))
		}
		data := encodeHybrid(values, width)
		out := make([]int32, len(values))
		b.Run(string(rune('0'+width/10))+string(rune('0'+width%10))+"bits", func(b *testing.B) {
			b.SetBytes(int64(4 * len(values)))
			for b.Loop() {
				if _, err := decodeHybrid(data, width, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
