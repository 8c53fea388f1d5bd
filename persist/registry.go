package persist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-ml/kiln/pipeline"
)

// Registry is a directory of named, versioned bundles:
//
//	ROOT/NAME/VERSION/model.kiln      VERSION = 1, 2, 3 ... in order of publication
//	ROOT/NAME/aliases/ALIAS           a text file holding the version an alias points to
//	ROOT/NAME/aliases/.ALIAS.history  the versions it pointed to before, oldest first (for Rollback)
//	ROOT/NAME/aliases/.lock           locked while an alias moves or versions are removed
//
// Publish and Load store and load pipelines; PublishBundle and ReadBundle
// do the same for bundles, as WriteFile and ReadFile do outside a registry.
//
// Versions are immutable: Publish takes the next free number with an exclusive
// mkdir, so two processes publishing at once get different versions, and the
// bundle is written read-only and never replaced. Aliases such as "production"
// are moved atomically (a temporary file renamed over the old one), so a reader
// sees the old version or the new one, never neither. MoveAlias (a
// compare-and-swap) and Promote (forward only) move an alias under a file
// lock, so that publishers racing each other cannot leave an alias on an
// older version than they meant; SetAlias moves it unconditionally. Every
// move is recorded in the alias's history, which Rollback walks back.
// Collect removes old versions that no alias points at or would roll back to.
//
// A publisher killed mid-write leaves a temporary file, and perhaps an empty
// version directory, behind; Publish removes those of its model once they
// are an hour old and no live writer holds them (RemoveStale does it on
// demand). File locks are flock(2) locks: on systems without them MoveAlias,
// Promote, Rollback and Collect return an error wrapping
// errors.ErrUnsupported, and leftovers are told from live writes by their
// age alone.
type Registry struct {
	Root string
}

// ModelFile is the bundle's file name inside a version directory.
const ModelFile = "model.kiln"

// Ref names one version of a model, so predictions can say which model made them.
type Ref = pipeline.Ref

func checkName(kind, s string) error {
	if s == "" || len(s) > 128 || s[0] == '.' || s == "aliases" {
		return fmt.Errorf("persist: invalid %s %q: use 1 to 128 letters, digits, '-', '_' and '.', not starting with '.'", kind, s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("persist: invalid %s %q: use letters, digits, '-', '_' and '.'", kind, s)
		}
	}
	if _, err := strconv.Atoi(s); err == nil && kind == "alias" {
		return fmt.Errorf("persist: invalid alias %q: a number would be read as a version", s)
	}
	return nil
}

// PublishBundle stores b as the next version of name and returns its
// reference, as Publish does for a pipeline. The registry's root is created
// if it does not exist.
func (r *Registry) PublishBundle(name string, b *Bundle) (Ref, error) {
	if err := checkName("model name", name); err != nil {
		return Ref{}, err
	}
	buf, err := Encode(b)
	if err != nil {
		return Ref{}, err
	}
	dir := filepath.Join(r.Root, name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return Ref{}, fmt.Errorf("persist: %w", err)
	}
	r.RemoveStale(name, staleTempAge)
	versions, err := r.List(name)
	if err != nil {
		return Ref{}, err
	}
	next := 1
	if len(versions) > 0 {
		next = versions[len(versions)-1] + 1
	}
	for ; ; next++ {
		vdir := filepath.Join(dir, strconv.Itoa(next))
		err := os.Mkdir(vdir, 0o777)
		if errors.Is(err, fs.ErrExist) {
			continue // another publisher took it
		}
		if err != nil {
			return Ref{}, fmt.Errorf("persist: %w", err)
		}
		path := filepath.Join(vdir, ModelFile)
		if err := writeAtomic(path, buf, false); err != nil {
			os.Remove(vdir)
			return Ref{}, err
		}
		// Versions are immutable: no write permission, whatever the umask gave.
		if info, err := os.Stat(path); err == nil {
			os.Chmod(path, info.Mode().Perm()&^0o222)
		}
		return Ref{Name: name, Version: next}, nil
	}
}

// RemoveStale removes what publishers and alias writers of name left behind
// when they died mid-write: temporary files not modified for olderThan and
// held by no live writer (see RemoveStaleTemp), and version directories that
// hold no model file and nothing else and were last changed before
// olderThan; and the directories of versions whose removal by Prune did not
// finish. It returns the paths removed. Publish calls it with one hour.
func (r *Registry) RemoveStale(name string, olderThan time.Duration) ([]string, error) {
	if err := checkName("model name", name); err != nil {
		return nil, err
	}
	dir := filepath.Join(r.Root, name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, r.missing(name, err)
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), removedPrefix) { // a Prune that died
			if os.RemoveAll(sub) == nil {
				removed = append(removed, sub)
			}
			continue
		}
		before, err := os.Stat(sub)
		if err != nil {
			continue
		}
		gone, _ := RemoveStaleTemp(sub, olderThan)
		removed = append(removed, gone...)
		if v, err := strconv.Atoi(e.Name()); err != nil || v < 1 || time.Since(before.ModTime()) < olderThan {
			continue
		}
		// An empty version directory whose publisher died: os.Remove
		// refuses a directory that is not empty, so a live publisher's
		// file is never touched.
		if os.Remove(sub) == nil {
			removed = append(removed, sub)
		}
	}
	return removed, nil
}

// Names returns the models in the registry, sorted.
func (r *Registry) Names() ([]string, error) {
	entries, err := os.ReadDir(r.Root)
	if err != nil {
		return nil, r.missing("", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && checkName("model name", e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// missing turns a failure to read the registry's root or a model's directory
// into an error that says which of the two is missing (ErrNotFound).
func (r *Registry) missing(name string, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("persist: %w", err)
	}
	if _, rootErr := os.Stat(r.Root); rootErr != nil {
		return fmt.Errorf("persist: registry root %q does not exist (check Registry.Root; Publish creates it): %w", r.Root, ErrNotFound)
	}
	if name == "" {
		return fmt.Errorf("persist: %w", err)
	}
	names, _ := r.Names()
	return fmt.Errorf("persist: registry %q has no model %q (it holds %s): %w", r.Root, name, listOrNone(names), ErrNotFound)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// List returns the published versions of name in increasing order. A version
// directory without a complete model file (a publisher that died) is skipped.
func (r *Registry) List(name string) ([]int, error) {
	if err := checkName("model name", name); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(r.Root, name))
	if err != nil {
		return nil, r.missing(name, err)
	}
	var out []int
	for _, e := range entries {
		v, err := strconv.Atoi(e.Name())
		if err != nil || v < 1 || !e.IsDir() || strconv.Itoa(v) != e.Name() {
			continue
		}
		if _, err := os.Stat(filepath.Join(r.Root, name, e.Name(), ModelFile)); err == nil {
			out = append(out, v)
		}
	}
	sort.Ints(out)
	return out, nil
}

// Latest returns the newest version of name.
func (r *Registry) Latest(name string) (Ref, error) {
	versions, err := r.List(name)
	if err != nil {
		return Ref{}, err
	}
	if len(versions) == 0 {
		return Ref{}, fmt.Errorf("persist: model %q has no published version: %w", name, ErrNotFound)
	}
	return Ref{Name: name, Version: versions[len(versions)-1]}, nil
}

// SetAlias points alias (for example "production") at a published version,
// whatever it pointed at before, in one atomic step. Publishers that race
// should use MoveAlias or Promote instead.
func (r *Registry) SetAlias(name, alias string, version int) error {
	return r.moveAlias(name, alias, version, nil)
}

// MoveAlias points alias at version to if it points at version from now (from
// 0: if the alias does not exist yet), as one compare-and-swap under the
// model's alias lock. If the alias has moved meanwhile it is left alone and
// the error wraps ErrAliasMoved: read it again (Resolve) and decide.
func (r *Registry) MoveAlias(name, alias string, from, to int) error {
	return r.moveAlias(name, alias, to, func(current int) error {
		if current != from {
			return fmt.Errorf("persist: alias %s/%s points at version %d, not %d: %w", name, alias, current, from, ErrAliasMoved)
		}
		return nil
	})
}

// Promote points alias at version unless it already points at that version
// or a newer one: an alias never moves backwards, however promotions race.
// It returns the version the alias points at afterwards.
func (r *Registry) Promote(name, alias string, version int) (Ref, error) {
	now := version
	err := r.moveAlias(name, alias, version, func(current int) error {
		if current >= version {
			now = current
			return errKeep
		}
		return nil
	})
	if err == errKeep {
		err = nil
	}
	return Ref{Name: name, Version: now}, err
}

// errKeep tells moveAlias to leave the alias as it is, without an error.
var errKeep = errors.New("keep")

// moveAlias writes alias -> to if check, given the version the alias points
// at now (0 for none), allows it. Everything from reading the alias to
// renaming the new file into place happens under the model's alias lock. A
// nil check (SetAlias) accepts anything, and then the atomic rename alone
// suffices where the system has no file locks.
func (r *Registry) moveAlias(name, alias string, to int, check func(current int) error) error {
	if err := checkName("alias", alias); err != nil {
		return err
	}
	if _, err := r.Path(Ref{Name: name, Version: to}); err != nil {
		return err
	}
	unlock, err := r.lock(name)
	if err != nil && (check != nil || !errors.Is(err, errors.ErrUnsupported)) {
		return err
	}
	defer unlock()
	current, err := r.aliasVersion(name, alias)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if testHookAliasRead != nil {
		testHookAliasRead()
	}
	if check != nil {
		if err := check(current); err != nil {
			return err
		}
	}
	// Checked again under the lock: Collect may have removed the version.
	if _, err := r.Path(Ref{Name: name, Version: to}); err != nil {
		return err
	}
	if current == to {
		return nil
	}
	if current != 0 {
		history, err := r.History(name, alias)
		if err != nil {
			return err
		}
		if err := r.writeHistory(name, alias, append(history, current)); err != nil {
			return err
		}
	}
	return r.writeAlias(name, alias, to)
}

func (r *Registry) writeAlias(name, alias string, version int) error {
	return writeAtomic(filepath.Join(r.Root, name, "aliases", alias), []byte(strconv.Itoa(version)+"\n"), true)
}

// lock takes the lock of a model's aliases directory, creating it, for
// moving an alias or removing versions.
func (r *Registry) lock(name string) (unlock func(), err error) {
	if err := checkName("model name", name); err != nil {
		return func() {}, err
	}
	if _, err := os.Stat(filepath.Join(r.Root, name)); err != nil {
		return func() {}, r.missing(name, err)
	}
	dir := filepath.Join(r.Root, name, "aliases")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return func() {}, fmt.Errorf("persist: %w", err)
	}
	return lockAliases(dir)
}

// testHookAliasRead, when set by a test, runs between reading an alias and
// replacing it, to widen the window in which racing writers would collide.
var testHookAliasRead func()

// lockAliases takes the lock of a model's aliases directory.
func lockAliases(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return func() {}, fmt.Errorf("persist: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return func() {}, fmt.Errorf("persist: locking the aliases of %s: %w", filepath.Dir(dir), err)
	}
	return func() { f.Close() }, nil
}

// aliasVersion reads the version an alias points at; a missing alias is
// ErrNotFound with version 0.
func (r *Registry) aliasVersion(name, alias string) (int, error) {
	raw, err := os.ReadFile(filepath.Join(r.Root, name, "aliases", alias))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("persist: %w", err)
		}
		if _, err := os.Stat(filepath.Join(r.Root, name)); err != nil {
			return 0, r.missing(name, err)
		}
		return 0, fmt.Errorf("persist: model %q has no alias %q (%s): %w", name, alias, r.aliasesHint(name), ErrNotFound)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("persist: alias %s/%s holds %q, not a version: set it again with SetAlias", name, alias, raw)
	}
	return v, nil
}

// aliasesHint lists a model's aliases for an error message.
func (r *Registry) aliasesHint(name string) string {
	entries, _ := os.ReadDir(filepath.Join(r.Root, name, "aliases"))
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && checkName("alias", e.Name()) == nil {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return "it has none; SetAlias, MoveAlias or Promote creates one"
	}
	return "it has " + strings.Join(names, ", ")
}

// Resolve turns "latest", an alias or a version number into a reference.
// Anything missing (the registry's root, the model, the alias, the version)
// is an error that says which, wrapping ErrNotFound.
func (r *Registry) Resolve(name, ref string) (Ref, error) {
	if err := checkName("model name", name); err != nil {
		return Ref{}, err
	}
	if ref == "latest" {
		return r.Latest(name)
	}
	if v, err := strconv.Atoi(ref); err == nil {
		_, err := r.Path(Ref{Name: name, Version: v})
		return Ref{Name: name, Version: v}, err
	}
	if err := checkName("alias", ref); err != nil {
		return Ref{}, err
	}
	v, err := r.aliasVersion(name, ref)
	if err != nil {
		return Ref{}, err
	}
	return Ref{Name: name, Version: v}, nil
}

// Path returns the file of a published version.
func (r *Registry) Path(ref Ref) (string, error) {
	if err := checkName("model name", ref.Name); err != nil {
		return "", err
	}
	p := filepath.Join(r.Root, ref.Name, strconv.Itoa(ref.Version), ModelFile)
	if _, err := os.Stat(p); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("persist: %w", err)
		}
		versions, lerr := r.List(ref.Name)
		if lerr != nil {
			return "", lerr
		}
		if len(versions) == 0 {
			return "", fmt.Errorf("persist: model %q has no published version: %w", ref.Name, ErrNotFound)
		}
		return "", fmt.Errorf("persist: model %q has no version %d (versions %d to %d are published): %w",
			ref.Name, ref.Version, versions[0], versions[len(versions)-1], ErrNotFound)
	}
	return p, nil
}

// ReadBundle reads and verifies the bundle of a reference from Resolve or
// Publish, as ReadFile does for a file.
func (r *Registry) ReadBundle(ref Ref) (*Bundle, error) {
	p, err := r.Path(ref)
	if err != nil {
		return nil, err
	}
	return ReadFile(p)
}
