package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// modelRef is a parsed MODEL argument.
type modelRef struct {
	file string // a bundle file, or ""
	dir  string // the registry root
	name string
	ref  string // a version number, an alias or "latest"
}

// parseModel reads MODEL: an existing file is a bundle; otherwise
// DIR/NAME[@VERSION|:ALIAS].
func parseModel(s string) (modelRef, error) {
	if st, err := os.Stat(s); err == nil && !st.IsDir() {
		return modelRef{file: s}, nil
	}
	dir, last := filepath.Split(s)
	dir = filepath.Clean(dir)
	if last == "" || dir == "." && !strings.ContainsAny(s, "/") {
		return modelRef{}, fmt.Errorf("%q is not a bundle file nor DIR/NAME[@VERSION|:ALIAS]", s)
	}
	m := modelRef{dir: dir, name: last, ref: "latest"}
	if i := strings.IndexAny(last, "@:"); i >= 0 {
		m.name, m.ref = last[:i], last[i+1:]
		if m.ref == "" {
			return modelRef{}, fmt.Errorf("%q: nothing after %q", s, last[i])
		}
	}
	return m, nil
}

func (m modelRef) String() string {
	if m.file != "" {
		return m.file
	}
	return filepath.Join(m.dir, m.name) + "@" + m.ref
}

// path returns the bundle file the reference names now.
func (m modelRef) path() (string, persist.Ref, error) {
	if m.file != "" {
		return m.file, persist.Ref{}, nil
	}
	reg := &persist.Registry{Root: m.dir}
	ref, err := reg.Resolve(m.name, m.ref)
	if err != nil {
		return "", ref, err
	}
	p, err := reg.Path(ref)
	return p, ref, err
}

// load returns the pipeline and the version to print beside predictions.
func (m modelRef) load() (*pipeline.Pipeline, string, error) {
	if m.file != "" {
		p, err := persist.Load(m.file)
		if err != nil {
			return nil, "", err
		}
		return p, fileModelVersion(m.file), nil
	}
	reg := &persist.Registry{Root: m.dir}
	p, err := reg.Load(m.name, m.ref)
	if err != nil {
		return nil, "", err
	}
	return p, p.Ref().String(), nil
}

// fileModelVersion names a bundle file's version as the server does: the
// first 12 hex digits of its SHA-256.
func fileModelVersion(path string) string {
	buf, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(buf)
	return "sha256:" + hex.EncodeToString(sum[:6])
}
