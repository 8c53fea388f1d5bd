package persist

import (
	"errors"
	"fmt"
	"github.com/kiln-ml/kiln/pipeline"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Registry is a directory of named, versioned bundles:
//
//	ROOT/NAME/VERSION/model.kiln   VERSION = 1, 2, 3 ... in order of publication
//	ROOT/NAME/aliases/ALIAS        a text file holding the version an alias points to
//
// Versions are immutable: Publish takes the next free number with an exclusive
// mkdir, so two processes publishing at once get different versions, and the
// bundle is written read-only and never replaced. Aliases such as "production"
// are moved atomically (a temporary file renamed over the old one), so a reader
// sees the old version or the new one, never neither.
type Registry struct {
	Root string
}

// ModelFile is the bundle's file name inside a version directory.
const ModelFile = "model.kiln"

// Ref names one version of a model, so predictions can say which model made them.
type Ref = pipeline.Ref

func checkName(kind, s string) error {
	if s == "" || len(s) > 128 || s[0] == '.' || s == "aliases" {
		return fmt.Errorf("persist: invalid %s %q", kind, s)
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

// Publish stores b as the next version of name and returns its reference.
func (r *Registry) Publish(name string, b *Bundle) (Ref, error) {
	if err := checkName("model name", name); err != nil {
		return Ref{}, err
	}
	buf, err := Encode(b)
	if err != nil {
		return Ref{}, err
	}
	dir := filepath.Join(r.Root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Ref{}, fmt.Errorf("persist: %w", err)
	}
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
		err := os.Mkdir(vdir, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue // another publisher took it
		}
		if err != nil {
			return Ref{}, fmt.Errorf("persist: %w", err)
		}
		path := filepath.Join(vdir, ModelFile)
		if err := writeAtomic(path, buf, false); err != nil {
			return Ref{}, err
		}
		os.Chmod(path, 0o444)
		return Ref{Name: name, Version: next}, nil
	}
}

// Names returns the models in the registry, sorted.
func (r *Registry) Names() ([]string, error) {
	entries, err := os.ReadDir(r.Root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("persist: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && checkName("model name", e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// List returns the published versions of name in increasing order. A version
// directory without a complete model file (a publisher that died) is skipped.
func (r *Registry) List(name string) ([]int, error) {
	if err := checkName("model name", name); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(r.Root, name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("persist: %w", err)
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
		return Ref{}, fmt.Errorf("persist: registry has no model %q", name)
	}
	return Ref{Name: name, Version: versions[len(versions)-1]}, nil
}

// SetAlias points alias (for example "production") at a published version,
// replacing what it pointed at before in one atomic step.
func (r *Registry) SetAlias(name, alias string, version int) error {
	if err := checkName("alias", alias); err != nil {
		return err
	}
	if _, err := r.Path(Ref{Name: name, Version: version}); err != nil {
		return err
	}
	dir := filepath.Join(r.Root, name, "aliases")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	return writeAtomic(filepath.Join(dir, alias), []byte(strconv.Itoa(version)+"\n"), true)
}

// Resolve turns "latest", an alias or a version number into a reference.
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
	raw, err := os.ReadFile(filepath.Join(r.Root, name, "aliases", ref))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Ref{}, fmt.Errorf("persist: model %q has no alias %q", name, ref)
		}
		return Ref{}, fmt.Errorf("persist: %w", err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return Ref{}, fmt.Errorf("persist: alias %s/%s is corrupt: %q", name, ref, raw)
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
		return "", fmt.Errorf("persist: model %s is not in the registry", ref)
	}
	return p, nil
}

// Open reads and verifies the bundle of a reference from Resolve or Publish.
func (r *Registry) Open(ref Ref) (*Bundle, error) {
	p, err := r.Path(ref)
	if err != nil {
		return nil, err
	}
	return ReadFile(p)
}
