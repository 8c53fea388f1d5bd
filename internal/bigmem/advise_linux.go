//go:build linux

package bigmem

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks Linux to back [p, p+size) with transparent huge pages. A
// refusal (a kernel without THP, or THP disabled) leaves ordinary pages, so
// its error is ignored.
func adviseHuge(p unsafe.Pointer, size uintptr) {
	start, length := alignedInterior(uintptr(p), size)
	if length == 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, length, syscall.MADV_HUGEPAGE)
}
