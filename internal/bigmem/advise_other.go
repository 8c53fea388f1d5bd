//go:build !linux

package bigmem

import "unsafe"

// adviseHuge does nothing where the system has no madvise(MADV_HUGEPAGE).
func adviseHuge(p unsafe.Pointer, size uintptr) {}
