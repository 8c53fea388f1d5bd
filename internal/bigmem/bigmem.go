package bigmem

import "unsafe"

// MinHugeBytes is the smallest allocation that Make advises for huge pages:
// below it the 2 MiB-aligned interior of a buffer is too small a share to be
// worth the system call.
const MinHugeBytes = 8 << 20

// hugePageSize is the size of a transparent huge page on the platforms that
// have them (x86-64 and arm64 with 4 KiB base pages).
const hugePageSize = 2 << 20

// Make returns a zeroed slice of n elements whose backing memory, when large,
// is advised for huge pages before anything touches it.
func Make[T any](n int) []T {
	return MakeCap[T](n, n)
}

// MakeCap is Make with a capacity: the whole capacity is advised, so that a
// slice grown by append within it keeps the advice.
func MakeCap[T any](n, capacity int) []T {
	s := make([]T, n, max(n, capacity))
	var zero T
	size := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if size >= MinHugeBytes {
		adviseHuge(unsafe.Pointer(unsafe.SliceData(s)), size)
	}
	return s
}

// alignedInterior returns the largest range of whole huge pages inside
// [p, p+size), or a zero length when there is none.
func alignedInterior(p, size uintptr) (start, length uintptr) {
	start = (p + hugePageSize - 1) &^ (hugePageSize - 1)
	end := (p + size) &^ (hugePageSize - 1)
	if end <= start {
		return start, 0
	}
	return start, end - start
}
