package bigmem

import (
	"testing"
	"unsafe"
)

func TestMakeIsZeroedAndSized(t *testing.T) {
	for _, n := range []int{0, 1, 1000, MinHugeBytes/8 + 12345} {
		s := Make[int64](n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("Make(%d): len %d cap %d", n, len(s), cap(s))
		}
		for i, v := range s {
			if v != 0 {
				t.Fatalf("Make(%d)[%d] = %d, want 0", n, i, v)
			}
		}
		for i := range s {
			s[i] = int64(i)
		}
	}
	s := MakeCap[int32](3, 5<<20)
	if len(s) != 3 || cap(s) != 5<<20 {
		t.Fatalf("MakeCap: len %d cap %d", len(s), cap(s))
	}
	s = MakeCap[int32](7, 2)
	if len(s) != 7 || cap(s) != 7 {
		t.Fatalf("MakeCap with a capacity below the length: len %d cap %d", len(s), cap(s))
	}
}

func TestAlignedInterior(t *testing.T) {
	cases := []struct{ p, size, start, length uintptr }{
		{0, 4 << 20, 0, 4 << 20},
		{1, 4 << 20, 2 << 20, 2 << 20},
		{1, 2 << 20, 2 << 20, 0},
		{(2 << 20) - 4096, 6 << 20, 2 << 20, 4 << 20},
		{3 << 20, 1 << 20, 4 << 20, 0},
	}
	for _, c := range cases {
		start, length := alignedInterior(c.p, c.size)
		if length != c.length || (length > 0 && start != c.start) {
			t.Errorf("alignedInterior(%#x, %#x) = %#x, %#x; want %#x, %#x", c.p, c.size, start, length, c.start, c.length)
		}
	}
}

// BenchmarkFirstTouch writes one byte per 4 KiB page of a fresh 256 MiB
// buffer: Make (advised) against a plain make. On a machine where page faults
// are expensive the difference is the point of the package.
func BenchmarkFirstTouch(b *testing.B) {
	const n = 256 << 20
	touch := func(s []byte) {
		for i := 0; i < len(s); i += 4096 {
			s[i] = 1
		}
	}
	b.Run("make", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			touch(make([]byte, n))
		}
	})
	b.Run("bigmem", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			touch(Make[byte](n))
		}
	})
}

func TestLargeSlicesStartOnHugePages(t *testing.T) {
	for _, s := range [][]int64{MakeAligned[int64](MinHugeBytes/8 + 3), MakeHuge[int64](100), MakeHuge[int64](hugePageSize/8 + 1)} {
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(s))); p%hugePageSize != 0 {
			t.Errorf("slice of %d elements at %#x, not on a huge-page boundary", len(s), p)
		}
		for i := range s {
			if s[i] != 0 {
				t.Fatalf("element %d is %d, want 0", i, s[i])
			}
			s[i] = int64(i)
		}
	}
	if s := MakeHuge[int32](10); len(s) != 10 || cap(s) != hugePageSize/4 {
		t.Errorf("MakeHuge(10): len %d cap %d, want 10 and a whole huge page", len(s), cap(s))
	}
}
