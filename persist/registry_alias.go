package persist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxHistory bounds the versions an alias's history remembers.
const maxHistory = 100

// Aliases returns the aliases of name and the version each points at.
func (r *Registry) Aliases(name string) (map[string]int, error) {
	if err := checkName("model name", name); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(r.Root, name, "aliases"))
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(r.Root, name)); err != nil {
			return nil, r.missing(name, err)
		}
		return map[string]int{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	out := map[string]int{}
	for _, e := range entries {
		if !e.Type().IsRegular() || checkName("alias", e.Name()) != nil {
			continue
		}
		v, err := r.aliasVersion(name, e.Name())
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out[e.Name()] = v
	}
	return out, nil
}

func (r *Registry) historyPath(name, alias string) string {
	return filepath.Join(r.Root, name, "aliases", "."+alias+".history")
}

// History returns the versions alias pointed at before the one it points at
// now, oldest first: every move (SetAlias, MoveAlias, Promote) adds the
// version it moved from, and Rollback takes versions off the end. It keeps
// the last 100.
func (r *Registry) History(name, alias string) ([]int, error) {
	if err := checkName("model name", name); err != nil {
		return nil, err
	}
	if err := checkName("alias", alias); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(r.historyPath(name, alias))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	var out []int
	for _, line := range strings.Fields(string(raw)) {
		v, err := strconv.Atoi(line)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("persist: the history of alias %s/%s holds %q, not a version: remove %s to start it afresh",
				name, alias, line, r.historyPath(name, alias))
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *Registry) writeHistory(name, alias string, versions []int) error {
	if len(versions) > maxHistory {
		versions = versions[len(versions)-maxHistory:]
	}
	var b []byte
	for _, v := range versions {
		b = strconv.AppendInt(b, int64(v), 10)
		b = append(b, '\n')
	}
	return writeAtomic(r.historyPath(name, alias), b, true)
}

// Rollback moves alias back: to version when it is not 0, otherwise to the
// version it pointed at before its last move (the last entry of its History
// that is still published and differs from the current one). The history is
// walked back to the target: entries after the last occurrence of the target
// are dropped, so that rolling back again goes further back, never forward.
// It returns the versions the alias pointed at before and after, and fails
// with an error wrapping ErrNotFound when the alias has no earlier version.
// The move happens under the model's alias lock, as MoveAlias's does.
func (r *Registry) Rollback(name, alias string, version int) (from, to Ref, err error) {
	if err := checkName("alias", alias); err != nil {
		return Ref{}, Ref{}, err
	}
	unlock, err := r.lock(name)
	if err != nil {
		return Ref{}, Ref{}, err
	}
	defer unlock()
	current, err := r.aliasVersion(name, alias)
	if err != nil {
		return Ref{}, Ref{}, err
	}
	history, err := r.History(name, alias)
	if err != nil {
		return Ref{}, Ref{}, err
	}
	from = Ref{Name: name, Version: current}
	if version == 0 {
		for len(history) > 0 && version == 0 {
			last := history[len(history)-1]
			history = history[:len(history)-1]
			if last == current {
				continue
			}
			if _, err := r.Path(Ref{Name: name, Version: last}); err == nil {
				version = last
			}
		}
		if version == 0 {
			return from, from, fmt.Errorf("persist: alias %s/%s (version %d) has no earlier version to roll back to; name one: %w",
				name, alias, current, ErrNotFound)
		}
	} else {
		if _, err := r.Path(Ref{Name: name, Version: version}); err != nil {
			return from, from, err
		}
		// Back to the most recent time the alias left that version, if it did.
		for i := len(history) - 1; i >= 0; i-- {
			if history[i] == version {
				history = history[:i]
				break
			}
		}
	}
	if err := r.writeHistory(name, alias, history); err != nil {
		return from, from, err
	}
	if err := r.writeAlias(name, alias, version); err != nil {
		return from, from, err
	}
	return from, Ref{Name: name, Version: version}, nil
}

// PruneOptions say which versions Prune keeps.
type PruneOptions struct {
	// Keep is how many of the newest versions are kept whatever points at
	// them; values below 1 keep 1, the newest, which "latest" names.
	Keep int
	// DryRun returns the versions that would be removed, removing nothing.
	DryRun bool
}

// Prune removes the versions of name that are not among the opts.Keep
// newest, that no alias points at, and that no alias would roll back to
// (the last published entry of its History), and returns them. It holds
// the model's alias lock meanwhile, so no alias moves onto a version being
// removed; versions published meanwhile are newer than every version it
// considers and are never touched. A version goes in two steps: its
// directory is renamed out of the way (a reader sees it whole or not at all)
// and then deleted. A program that loaded a removed version keeps it in
// memory; loading it again fails with ErrNotFound.
func (r *Registry) Prune(name string, opts PruneOptions) ([]Ref, error) {
	unlock, err := r.lock(name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	versions, err := r.List(name)
	if err != nil {
		return nil, err
	}
	keep := map[int]bool{}
	for i := max(0, len(versions)-max(opts.Keep, 1)); i < len(versions); i++ {
		keep[versions[i]] = true
	}
	aliases, err := r.Aliases(name)
	if err != nil {
		return nil, err
	}
	for alias, v := range aliases {
		keep[v] = true
		history, err := r.History(name, alias)
		if err != nil {
			return nil, err
		}
		for i := len(history) - 1; i >= 0; i-- {
			if h := history[i]; h != v && slices.Contains(versions, h) {
				keep[h] = true
				break
			}
		}
	}
	var removed []Ref
	for _, v := range versions {
		if keep[v] {
			continue
		}
		ref := Ref{Name: name, Version: v}
		if !opts.DryRun {
			if err := r.removeVersion(ref); err != nil {
				return removed, err
			}
		}
		removed = append(removed, ref)
	}
	return removed, nil
}

// removeVersion renames a version's directory to a hidden name, which List
// ignores, and deletes it.
func (r *Registry) removeVersion(ref Ref) error {
	dir := filepath.Join(r.Root, ref.Name, strconv.Itoa(ref.Version))
	gone := filepath.Join(r.Root, ref.Name, removedPrefix+strconv.Itoa(ref.Version))
	if err := os.RemoveAll(gone); err != nil { // a removal that died before
		return fmt.Errorf("persist: %w", err)
	}
	if err := os.Rename(dir, gone); err != nil {
		return fmt.Errorf("persist: removing %s: %w", ref, err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("persist: removing %s: %w", ref, err)
	}
	return nil
}

// removedPrefix names a version directory being removed by Prune.
const removedPrefix = ".removed-"
