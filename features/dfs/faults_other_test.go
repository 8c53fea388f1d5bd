//go:build !unix

package dfs

// minorFaults is not counted where getrusage is missing.
func minorFaults() int64 { return 0 }

// cpuNanos is not measured where getrusage is missing.
func cpuNanos() int64 { return 0 }
