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

// cpuNanos returns the CPU time the process has used so far, user and
// system, on all its threads: beside the wall time, it shows how much of a
// benchmark ran in parallel and how much a loaded machine took from it.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
