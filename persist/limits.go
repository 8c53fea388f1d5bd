package persist

// What loading may allocate (see the package documentation). Everything a
// bundle declares (tensor counts and shapes, string offsets, a step's sizes
// such as k-means' k or a table's level counts) is checked against the bytes
// actually present before anything of that size is allocated, so the memory
// that Load (or Unmarshal) allocates, the file's bytes included, is at most
// loadAllocPerByte bytes per byte of the file plus loadAllocFixed.
// TestHostileBundles measures the costliest bundles per byte that the format
// allows and checks them against this bound.
const (
	loadAllocPerByte = 24
	loadAllocFixed   = 1 << 20
)

func loadAllocBound(size int64) int64 { return loadAllocPerByte*size + loadAllocFixed }
