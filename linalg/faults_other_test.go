//go:build !unix

package linalg

// minorFaults is not counted where getrusage is missing.
func minorFaults() int64 { return 0 }
