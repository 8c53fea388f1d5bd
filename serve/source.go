package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/kiln-ml/kiln/dataset"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiln-ml/kiln/persist"
)

// loaded is one model version ready to score. It never changes: a reload
// makes a new one, and requests that started on the old one finish on it.
type loaded struct {
	name    string
	version string // "3" for a registry version; "sha256:" and 12 hex digits for a file
	m       scorer
	inputs  []field
	index   map[string]int
	known   [][]string          // per input: the categories seen in training, sorted (nil: unknown)
	intern  []map[string]string // per input: the same categories, by value, so that requests share their strings
	out     outputSpec
	classes *dataset.Column
	drift   *drift // nil when the bundle records no training distribution
	obs     *modelObservers

	// nameHeader and versionHeader are the Kiln-Model and
	// Kiln-Model-Version header values, shared by every answer.
	nameHeader, versionHeader []string

	pool sync.Pool // of *columns for this model's requests
}

// columns returns empty columns for one request, with the buffers of an
// earlier one when there is one to reuse.
func (l *loaded) columns() *columns {
	if c, ok := l.pool.Get().(*columns); ok {
		return c
	}
	return newColumns(l.inputs, l.index, l.intern)
}

// release takes back the columns of a finished request: nothing of it may
// be used after.
func (l *loaded) release(c *columns) {
	if c.reset() {
		l.pool.Put(c)
	}
}

func newLoaded(name, version string, m scorer, opts *Options) (*loaded, error) {
	inputs, out, profile, err := describeModel(m)
	if err != nil {
		return nil, err
	}
	l := &loaded{name: name, version: version, m: m, inputs: inputs, out: out, classes: m.Classes(),
		nameHeader: []string{name}, versionHeader: []string{version}}
	l.index = make(map[string]int, len(l.inputs))
	for i, f := range l.inputs {
		l.index[f.Name] = i
	}
	l.known = knownCategories(l.inputs, profile)
	l.intern = make([]map[string]string, len(l.known))
	for i, known := range l.known {
		if known != nil {
			l.intern[i] = make(map[string]string, len(known))
			for _, v := range known {
				l.intern[i][v] = v
			}
		}
	}
	l.drift = newDrift(l.inputs, profile, opts.DriftWindow)
	return l, nil
}

// view is what one way of naming a model ("", an alias, "latest" or a
// version number) points at now.
type view struct {
	ref     string // the registry reference this view resolves
	cur     atomic.Pointer[loaded]
	lastErr atomic.Pointer[string] // why the last load failed, while cur is nil
	used    atomic.Int64           // unix nanoseconds of the last request, for eviction
}

// slot holds the views of one model name.
type slot struct {
	name  string
	mu    sync.Mutex // guards views
	views map[string]*view
}

func (sl *slot) get(ref string) *view {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	return sl.views[ref]
}

func (sl *slot) list() []*view {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	out := make([]*view, 0, len(sl.views))
	for _, v := range sl.views {
		out = append(out, v)
	}
	return out
}

// source is where models come from: a registry or one bundle file.
type source interface {
	names() ([]string, error)
	// resolve turns a reference into a version string; "" is the default.
	resolve(name, ref string) (string, error)
	load(name, version string) (scorer, error)
	versions(name string) ([]string, error)
}

type registrySource struct {
	reg   *persist.Registry
	alias string // the default reference
}

func (r *registrySource) names() ([]string, error) { return r.reg.Names() }

func (r *registrySource) resolve(name, ref string) (string, error) {
	if ref == "" {
		ref = r.alias
	}
	got, err := r.reg.Resolve(name, ref)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(got.Version), nil
}

func (r *registrySource) load(name, version string) (scorer, error) {
	p, err := r.reg.Load(name, version)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (r *registrySource) versions(name string) ([]string, error) {
	vs, err := r.reg.List(name)
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Itoa(v)
	}
	return out, err
}

// fileSource serves one bundle file under one name. Its version is the
// file's digest, so a replaced file is a new version.
type fileSource struct {
	path, name string

	mu      sync.Mutex
	stamp   fileStamp // of the file last hashed
	version string
	bundle  []byte // read when hashed, decoded by load
}

type fileStamp struct {
	size int64
	mod  time.Time
}

func (f *fileSource) names() ([]string, error) { return []string{f.name}, nil }

func (f *fileSource) resolve(name, ref string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := os.Stat(f.path)
	if err != nil {
		return "", err
	}
	stamp := fileStamp{st.Size(), st.ModTime()}
	if stamp != f.stamp || f.version == "" {
		buf, err := os.ReadFile(f.path)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(buf)
		f.stamp, f.version, f.bundle = stamp, "sha256:"+hex.EncodeToString(sum[:6]), buf
	}
	if ref != "" && ref != f.version && ref != "latest" {
		return "", fmt.Errorf("model %q has no version %q (it serves %s)", name, ref, f.version)
	}
	return f.version, nil
}

func (f *fileSource) load(name, version string) (scorer, error) {
	f.mu.Lock()
	buf, current := f.bundle, f.version
	f.mu.Unlock()
	if version != current {
		return nil, fmt.Errorf("%s changed while loading", f.path)
	}
	p, err := persist.Unmarshal(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.path, err)
	}
	return p, nil
}

func (f *fileSource) versions(string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []string{f.version}, nil
}

func fileModelName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// errNoModel answers 404.
type errNoModel struct{ msg string }

func (e *errNoModel) Error() string { return e.msg }

// Reload brings every model up to date with its source now: new models in
// the registry are loaded, and every alias the server follows is resolved
// again and, if it moved, its new version loaded and swapped in. Requests in
// flight finish on the version they started with. Reloads are serialised:
// one that starts after another has finished sees at least what the other
// saw, so a view never goes back to a version it has left unless its alias
// was moved back (a rollback). A model whose load fails keeps serving the
// version it had; the errors are returned, joined.
func (s *Server) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	return s.reloadLocked(ctx)
}

func (s *Server) reloadLocked(ctx context.Context) error {
	var errs []error
	names, err := s.src.names()
	if err != nil {
		return fmt.Errorf("listing models: %w", err)
	}
	slots := s.slots.Load()
	var grown map[string]*slot
	for _, name := range names {
		if _, ok := (*slots)[name]; ok {
			continue
		}
		if grown == nil {
			grown = make(map[string]*slot, len(*slots)+1)
			for k, v := range *slots {
				grown[k] = v
			}
		}
		grown[name] = &slot{name: name, views: map[string]*view{"": {ref: ""}}}
	}
	if grown != nil {
		s.slots.Store(&grown)
		slots = &grown
	}
	keep := map[string]bool{}
	for _, sl := range *slots {
		for _, v := range sl.list() {
			if ctx.Err() != nil {
				return errors.Join(append(errs, ctx.Err())...)
			}
			if err := s.refresh(sl, v); err != nil {
				errs = append(errs, err)
			}
			if l := v.cur.Load(); l != nil {
				keep[l.name+"\x00"+l.version] = true
			}
		}
	}
	s.retire(keep)
	return errors.Join(errs...)
}

// refresh resolves a view again and loads its version if it changed.
// The caller holds reloadMu.
func (s *Server) refresh(sl *slot, v *view) error {
	version, err := s.src.resolve(sl.name, v.ref)
	if err == nil {
		cur := v.cur.Load()
		if cur != nil && cur.version == version {
			return nil
		}
		var l *loaded
		if l, err = s.loadVersion(sl, version); err == nil {
			v.cur.Store(l)
			v.lastErr.Store(nil)
			s.metrics.loads.WithLabelValues(sl.name, "ok").Inc()
			from := ""
			if cur != nil {
				from = cur.version
			}
			s.log.Info("model loaded", "model", sl.name, "ref", refName(v.ref, s.alias()), "version", version, "previous", from)
			return nil
		}
	}
	msg := err.Error()
	v.lastErr.Store(&msg)
	s.metrics.loads.WithLabelValues(sl.name, "error").Inc()
	s.log.Error("model load failed", "model", sl.name, "ref", refName(v.ref, s.alias()), "error", err)
	return fmt.Errorf("model %s (%s): %w", sl.name, refName(v.ref, s.alias()), err)
}

func refName(ref, alias string) string {
	if ref == "" {
		return alias
	}
	return ref
}

// loadVersion returns the loaded version, shared with any view of the slot
// that already holds it.
func (s *Server) loadVersion(sl *slot, version string) (*loaded, error) {
	for _, v := range sl.list() {
		if l := v.cur.Load(); l != nil && l.version == version {
			return l, nil
		}
	}
	m, err := s.src.load(sl.name, version)
	if err != nil {
		return nil, err
	}
	l, err := newLoaded(sl.name, version, m, &s.opts)
	if err != nil {
		return nil, err
	}
	l.obs = s.metrics.observers(l)
	return l, nil
}

// lookup finds the model a request names; ref "" is the default alias.
// A reference the server does not follow yet (a pinned version or another
// alias) is loaded on first use and followed from then on.
func (s *Server) lookup(name, ref string) (*loaded, error) {
	sl, ok := (*s.slots.Load())[name]
	if !ok {
		return nil, &errNoModel{fmt.Sprintf("no model %q (the server has %s)", name, s.modelList())}
	}
	v := sl.get(ref)
	if v == nil {
		var err error
		if v, err = s.follow(sl, ref); err != nil {
			return nil, err
		}
	}
	l := v.cur.Load()
	if l == nil {
		why := "it is not loaded"
		if e := v.lastErr.Load(); e != nil {
			why = "it failed to load: " + *e
		}
		return nil, &requestError{503, fmt.Sprintf("model %s (%s) is not ready: %s", name, refName(ref, s.alias()), why)}
	}
	v.used.Store(s.now().UnixNano())
	return l, nil
}

// follow adds a view for ref, evicting the least recently used one beyond
// the limit.
func (s *Server) follow(sl *slot, ref string) (*view, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if v := sl.get(ref); v != nil {
		return v, nil
	}
	if _, err := s.src.resolve(sl.name, ref); err != nil {
		return nil, &errNoModel{fmt.Sprintf("model %q has no version or alias %q", sl.name, ref)}
	}
	v := &view{ref: ref}
	if err := s.refresh(sl, v); err != nil {
		return nil, &requestError{503, err.Error()}
	}
	sl.mu.Lock()
	if len(sl.views) >= s.opts.maxViews() {
		var oldest *view
		var oldestRef string
		for r, o := range sl.views {
			if r != "" && (oldest == nil || o.used.Load() < oldest.used.Load()) {
				oldest, oldestRef = o, r
			}
		}
		if oldest != nil {
			delete(sl.views, oldestRef)
		}
	}
	sl.views[ref] = v
	sl.mu.Unlock()
	return v, nil
}

// retire forgets the metrics of versions no view has held since the pass
// before this one, so that requests that were still finishing on them when
// they were swapped out do not bring their series back.
func (s *Server) retire(keep map[string]bool) {
	for key := range s.retiring {
		if !keep[key] {
			name, version, _ := strings.Cut(key, "\x00")
			s.metrics.forget(name, version)
		}
	}
	s.retiring = map[string]bool{}
	for key := range s.served {
		if !keep[key] {
			s.retiring[key] = true
		}
	}
	s.served = keep
}

func (s *Server) modelList() string {
	slots := s.slots.Load()
	names := make([]string, 0, len(*slots))
	for n := range *slots {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "no models"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// poll reloads at the configured interval until the server is closed.
func (s *Server) poll(interval time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*interval+time.Minute)
			s.Reload(ctx) // errors are logged where they happen
			cancel()
		}
	}
}
