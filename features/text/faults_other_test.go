//go:build !unix

package text

// minorFaults is not counted where getrusage is missing.
func minorFaults() int64 { return 0 }
