//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package persist

import (
	"os"
	"syscall"
)

// fileLocks says whether this system has advisory file locks (flock), which
// the kernel releases when the holder closes the file or dies.
const fileLocks = true

// lockFile takes an exclusive lock on f, waiting until it is free.
func lockFile(f *os.File) error {
	for {
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != syscall.EINTR {
			return err
		}
	}
}

// tryLockFile takes an exclusive lock on f if no one holds it.
func tryLockFile(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case syscall.EWOULDBLOCK:
			return false, nil
		case syscall.EINTR:
			continue
		}
		return false, err
	}
}
