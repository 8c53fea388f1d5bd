//go:build !linux

package persist

// limitAddressSpace is a no-op where the address space is not limited the
// Linux way; the allocation bound is still measured and checked.
func limitAddressSpace(allowance uint64) error { return nil }
