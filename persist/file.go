package persist

import (
	"errors"
	"fmt"
	"github.com/kiln-ml/kiln/pipeline"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LibraryVersion is the kiln version recorded in the lineage of new bundles:
// the pipeline package's.
const LibraryVersion = pipeline.LibraryVersion

// WriteFile encodes b and writes it to path atomically: the bytes go to a
// temporary file in the same directory, are synced to disk, and the file is
// renamed into place, so a reader never sees a half-written bundle. It refuses
// to replace an existing file unless overwrite is true (ErrExists).
//
// The file is created as os.Create creates files: mode 0666 less the
// process's umask. The temporary file is named ".BASE.kiln-tmp-RANDOM" and,
// where the system has file locks, stays locked for as long as it has that
// name; a writer killed mid-write leaves it behind, and later saves to the
// same directory remove such leftovers once they are an hour old (see
// RemoveStaleTemp).
func WriteFile(path string, b *Bundle, overwrite bool) error {
	buf, err := Encode(b)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, buf, overwrite); err != nil {
		return err
	}
	RemoveStaleTemp(filepath.Dir(path), staleTempAge)
	return nil
}

// tempMarker is in the name of every temporary file kiln writes, and
// RemoveStaleTemp removes only files whose names carry it.
const tempMarker = ".kiln-tmp-"

// staleTempAge is how old a temporary file must be before the automatic
// clean-ups remove it. With file locks, age only has to cover the instant
// between a file's creation and its locking; without them it is the only
// sign that a writer is gone.
const staleTempAge = time.Hour

// isTempName reports whether a file name is one that createTemp makes.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// createTemp creates a new temporary file beside path, with the mode
// os.Create gives (0666 less the umask) and a name isTempName recognizes.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for {
		name := filepath.Join(dir, "."+base+tempMarker+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

func writeAtomic(path string, buf []byte, overwrite bool) (err error) {
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("persist: %s: %w (pass SaveOptions{Overwrite: true} to replace it)", path, ErrExists)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	// The lock tells RemoveStaleTemp that a live writer owns the file; it is
	// held until the file has its final name.
	if fileLocks {
		if err := lockFile(tmp); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return fmt.Errorf("persist: locking %s: %w", tmp.Name(), err)
		}
	}
	closed := false
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
		if !closed {
			tmp.Close()
		}
	}()
	if _, err = tmp.Write(buf); err != nil {
		return fmt.Errorf("persist: writing %s: %w", path, err)
	}
	if testHookWritten != nil {
		testHookWritten(tmp.Name())
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("persist: syncing %s: %w", path, err)
	}
	if !fileLocks {
		// Nothing is gained by holding an unlocked file open, and some
		// systems cannot rename an open file.
		closed = true
		if err = tmp.Close(); err != nil {
			return fmt.Errorf("persist: closing %s: %w", path, err)
		}
	}
	if !overwrite {
		// Link fails if path appeared meanwhile, where rename would replace it.
		if err = os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("persist: %s: %w (pass SaveOptions{Overwrite: true} to replace it)", path, ErrExists)
			} else {
				err = fmt.Errorf("persist: %w", err)
			}
			return err
		}
		os.Remove(tmp.Name())
	} else if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	return syncDir(dir)
}

// testHookWritten, when set by a test, runs once a temporary file holds its
// bytes and before it is synced and renamed: the moment a test kills a writer.
var testHookWritten func(tmpName string)

// RemoveStaleTemp removes the temporary files that kiln's writers left in
// dir when they died mid-write, and returns their paths. It takes only
// files named as kiln names them (".BASE.kiln-tmp-..."), only those not
// modified for olderThan, and, where the system has file locks, only those
// that no live writer holds: a writer keeps its temporary file locked from
// the instant after it creates it until the file has its final name, so a
// live writer is never disturbed whatever olderThan is. Without file locks
// (see the package documentation) age is the only sign that a writer is
// gone: pass a generous olderThan. WriteFile and Registry.Publish call it
// with one hour.
func RemoveStaleTemp(dir string, olderThan time.Duration) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempName(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if removeIfStale(path, olderThan) {
			removed = append(removed, path)
		}
	}
	return removed, nil
}

// removeIfStale removes a temporary file that is old enough and, with file
// locks, unlocked: it locks the file itself first, so that it removes it
// while no writer can hold it.
func removeIfStale(path string, olderThan time.Duration) bool {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || time.Since(info.ModTime()) < olderThan {
		return false
	}
	if !fileLocks {
		return os.Remove(path) == nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if ok, err := tryLockFile(f); !ok || err != nil {
		return false // a live writer holds it
	}
	// A writer that renamed its file away after we opened it took the name
	// with it: remove the path only if it is still the file we locked.
	now, err := os.Lstat(path)
	if err != nil || !os.SameFile(now, info) {
		return false
	}
	return os.Remove(path) == nil
}

// syncDir makes a rename durable on file systems that need the directory synced.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // best effort: some systems do not open directories
	}
	defer d.Close()
	d.Sync()
	return nil
}

// ReadFile reads and verifies the bundle at path (see Decode). A missing
// file is ErrNotFound (and fs.ErrNotExist).
func ReadFile(path string) (*Bundle, error) {
	buf, err := readBundleFile(path)
	if err != nil {
		return nil, err
	}
	b, err := decode(buf)
	if err != nil {
		return nil, fmt.Errorf("persist: %s: %w", path, err)
	}
	return b, nil
}

// readBundleFile reads a whole bundle file, reporting a missing one as
// ErrNotFound.
func readBundleFile(path string) ([]byte, error) {
	buf, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("persist: %w: %w", ErrNotFound, err)
	}
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	return buf, nil
}
