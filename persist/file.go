package persist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LibraryVersion is the kiln version recorded in the lineage of new bundles.
const LibraryVersion = "0.1.0"

// WriteFile encodes b and writes it to path atomically: the bytes go to a
// temporary file in the same directory, are synced to disk, and the file is
// renamed into place, so a reader never sees a half-written bundle. It refuses
// to replace an existing file unless overwrite is true.
func WriteFile(path string, b *Bundle, overwrite bool) error {
	buf, err := Encode(b)
	if err != nil {
		return err
	}
	return writeAtomic(path, buf, overwrite)
}

func writeAtomic(path string, buf []byte, overwrite bool) (err error) {
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%w: %s (pass overwrite to replace it)", ErrExists, path)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(buf); err != nil {
		return fmt.Errorf("persist: writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("persist: syncing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("persist: closing %s: %w", path, err)
	}
	if !overwrite {
		// Link fails if path appeared meanwhile, where rename would replace it.
		if err = os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("%w: %s", ErrExists, path)
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

// ReadFile reads and verifies the bundle at path (see Decode).
func ReadFile(path string) (*Bundle, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	b, err := Decode(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}
