package persist

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// limitAddressSpace caps the process's address space at what it has mapped
// now plus allowance bytes, so that a runaway allocation fails at once.
func limitAddressSpace(allowance uint64) error {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	var size uint64
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmSize:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			size = kb << 10
		}
	}
	limit := size + allowance
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit})
}
