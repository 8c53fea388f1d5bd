//go:build unix

package dfs

import "syscall"

// minorFaults returns the process's minor page faults so far: first touches
// of fresh memory, the cost that separates a fresh process from a warm one.
func minorFaults() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Minflt
}
