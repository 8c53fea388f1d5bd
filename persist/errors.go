package persist

import (
	"errors"
	"fmt"
)

// Errors that callers can test with errors.Is. Every error the package
// returns starts with "persist: " once and says what failed and, where there
// is something to do about it, what to do.
var (
	// ErrCorrupt: the bytes are not a readable kiln bundle: truncated,
	// modified after writing (a digest does not match), not a kiln file at
	// all, or well sealed but breaking a rule of the format (a size that the
	// tensors do not back, an offset outside the data, ...). Re-copy or
	// re-publish the file; never load it anyway.
	ErrCorrupt = errors.New("corrupt bundle")
	// ErrUnsupportedVersion: the bundle's format major version is newer than
	// this reader's. Upgrade kiln in the loading program.
	ErrUnsupportedVersion = errors.New("unsupported format version")
	// ErrNotFound: a registry root, model, version or alias, or a file, that
	// does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a save that would replace a file it was not asked to replace.
	ErrExists = errors.New("already exists")
	// ErrAliasMoved: an alias no longer points at the version a
	// compare-and-swap expected (Registry.MoveAlias); read it again and decide.
	ErrAliasMoved = errors.New("alias moved")
)

// corrupt returns an error that errors.Is reports as ErrCorrupt, reading
// "corrupt bundle: " and the formatted text.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// asCorrupt marks err, returned while rebuilding a step from a sealed bundle
// (a learner refusing its saved state), as ErrCorrupt unless it already is.
func asCorrupt(err error) error {
	if err == nil || errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}

// prefixed adds the package prefix to an error of an exported function.
func prefixed(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("persist: %w", err)
}
