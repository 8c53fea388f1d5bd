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

// MakeAligned is Make for a buffer that its first writer fills whole (a
// reader's column): a large slice starts on a huge-page boundary and its
// last huge page is advised whole, so that every page of it is a huge page
// rather than only its aligned interior. The allocation carries up to 4 MiB
// of padding that nothing touches: address space, not memory, but counted
// by the Go runtime's allocation statistics.
func MakeAligned[T any](n int) []T {
	var zero T
	elem := unsafe.Sizeof(zero)
	size := uintptr(n) * elem
	if size < MinHugeBytes || elem == 0 || hugePageSize%elem != 0 {
		return Make[T](n)
	}
	pad := int(2 * hugePageSize / elem)
	s := make([]T, n+pad)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	skip := ((p + hugePageSize - 1) &^ (hugePageSize - 1)) - p
	if skip%elem != 0 { // Go aligns large allocations to pages, so this does not happen
		adviseHuge(unsafe.Pointer(unsafe.SliceData(s)), size+uintptr(pad)*elem)
		return s[:n:n]
	}
	s = s[skip/elem:]
	adviseHuge(unsafe.Pointer(unsafe.SliceData(s)), (size+hugePageSize-1)&^(hugePageSize-1))
	return s[:n:n]
}

// MakeHuge returns a zeroed slice of n elements, whatever its size, that
// starts on a huge-page boundary and has its capacity rounded up to whole
// huge pages, all advised: for reused scratch buffers of a few hundred
// kilobytes and up, where one huge-page fault replaces a fault per 4 KiB.
// Each costs at least 2 MiB of memory once touched.
func MakeHuge[T any](n int) []T {
	var zero T
	elem := int(unsafe.Sizeof(zero))
	if elem == 0 || hugePageSize%elem != 0 {
		return Make[T](n)
	}
	capacity := (max(n*elem, 1) + hugePageSize - 1) &^ (hugePageSize - 1) / elem
	s := make([]T, capacity+hugePageSize/elem)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	skip := int(((p + hugePageSize - 1) &^ (hugePageSize - 1)) - p)
	if skip%elem != 0 {
		return s[:n:capacity]
	}
	s = s[skip/elem:]
	adviseHuge(unsafe.Pointer(unsafe.SliceData(s)), uintptr(capacity*elem))
	return s[:n:capacity]
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
