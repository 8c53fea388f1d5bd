//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package persist

import (
	"errors"
	"os"
)

// fileLocks says whether this system has advisory file locks: not here, so
// alias compare-and-swap is unsupported and stale temporary files are told
// from live ones by their age alone.
const fileLocks = false

func lockFile(f *os.File) error { return errors.ErrUnsupported }

func tryLockFile(f *os.File) (bool, error) { return false, errors.ErrUnsupported }
