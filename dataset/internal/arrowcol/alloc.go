package arrowcol

import (
	"unsafe"

	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/kiln-ml/kiln/internal/bigmem"
)

// Allocator is the Arrow memory allocator of the readers: Go memory, as
// memory.GoAllocator gives (64-byte aligned, freed by the garbage collector),
// with the large buffers advised for huge pages through bigmem, so that
// decoding a large file does not pay a page fault per 4 KiB of new memory.
var Allocator memory.Allocator = bigAllocator{}

type bigAllocator struct{}

const alignment = 64 // Arrow's buffer alignment

func (bigAllocator) Allocate(size int) []byte {
	buf := bigmem.Make[byte](size + alignment)
	shift := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) & (alignment - 1))
	return buf[shift : size+shift : size+shift]
}

func (a bigAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		return b[:size]
	}
	out := a.Allocate(size)
	copy(out, b)
	return out
}

func (bigAllocator) Free([]byte) {}
