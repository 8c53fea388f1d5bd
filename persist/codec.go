package persist

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// A Codec saves and restores one type of pipeline step. The built-in step
// kinds are registered through Register too; register a Codec for a step
// type of your own, in the program that saves and in every program that
// loads (for example from an init function).
type Codec struct {
	// Kind names the step type in manifests, as "package.Type"
	// ("models.LogisticRegression"). It must be unique.
	Kind string
	// Step is a value of the step's type, such as
	// (*models.LogisticRegression)(nil): steps of exactly that dynamic type
	// are saved with this codec.
	Step any
	// Encode stores a fitted step's learned state in b as tensors named
	// name + "." + suffix (see Bundle's Put methods) and returns its
	// parameters, a JSON-encodable value holding the effective value of
	// every setting (never a zero that stands for a default).
	Encode func(step any, b *Bundle, name string) (params any, err error)
	// Decode rebuilds the step from its tensors and parameters. The bundle
	// may come from an attacker who recomputed its digests: Decode must
	// check every size it takes from params against the tensors present
	// before allocating, and return an error, never panic.
	Decode func(b *Bundle, name string, params json.RawMessage) (step any, err error)
}

var registry = struct {
	sync.RWMutex
	byKind map[string]Codec
	byType map[reflect.Type]Codec
}{byKind: map[string]Codec{}, byType: map[reflect.Type]Codec{}}

// Register adds a codec. It is an error to register a kind or a step type
// twice, or a codec without Kind, Step, Encode or Decode.
func Register(c Codec) error {
	t := reflect.TypeOf(c.Step)
	switch {
	case c.Kind == "" || t == nil || c.Encode == nil || c.Decode == nil:
		return fmt.Errorf("persist: Register: a codec needs Kind, Step, Encode and Decode: %w", ErrUnsupported)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.byKind[c.Kind]; dup {
		return fmt.Errorf("persist: Register: kind %q is registered already: %w", c.Kind, ErrUnsupported)
	}
	if old, dup := registry.byType[t]; dup {
		return fmt.Errorf("persist: Register: type %s is registered already as %q: %w", t, old.Kind, ErrUnsupported)
	}
	registry.byKind[c.Kind] = c
	registry.byType[t] = c
	return nil
}

// mustRegister registers a built-in codec.
func mustRegister(c Codec) {
	if err := Register(c); err != nil {
		panic(err)
	}
}

func codecFor(step any) (Codec, error) {
	registry.RLock()
	c, ok := registry.byType[reflect.TypeOf(step)]
	registry.RUnlock()
	if ok {
		return c, nil
	}
	t := reflect.TypeOf(step)
	if t != nil && t.Kind() != reflect.Pointer {
		registry.RLock()
		_, ptr := registry.byType[reflect.PointerTo(t)]
		registry.RUnlock()
		if ptr {
			return Codec{}, fmt.Errorf("cannot save a step of type %s: pass a pointer (&step), as the pipeline's steps are: %w", t, ErrUnsupported)
		}
	}
	return Codec{}, fmt.Errorf("cannot save a step of type %T: no codec is registered for it (persist.Register): %w", step, ErrUnsupported)
}

func codecByKind(kind string) (Codec, error) {
	registry.RLock()
	defer registry.RUnlock()
	if c, ok := registry.byKind[kind]; ok {
		return c, nil
	}
	known := make([]string, 0, len(registry.byKind))
	for k := range registry.byKind {
		known = append(known, k)
	}
	slices.Sort(known)
	return Codec{}, fmt.Errorf("unknown step kind %q (this reader knows %s; a kind of your own needs persist.Register): %w", kind, strings.Join(known, ", "), ErrUnsupported)
}
