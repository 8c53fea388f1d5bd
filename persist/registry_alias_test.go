package persist

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// publishN publishes n versions of m.
func publishN(t *testing.T, reg *Registry, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := reg.PublishBundle("m", sampleBundle()); err != nil {
			t.Fatal(err)
		}
	}
}

func resolveVersion(t *testing.T, reg *Registry, alias string) int {
	t.Helper()
	ref, err := reg.Resolve("m", alias)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Version
}

// Every move is recorded; Rollback walks the history back, never forward,
// and to a named version cuts the history back to it.
func TestAliasHistoryAndRollback(t *testing.T) {
	if !fileLocks {
		t.Skip("no file locks on this system")
	}
	reg := &Registry{Root: t.TempDir()}
	publishN(t, reg, 5)
	if _, _, err := reg.Rollback("m", "production", 0); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no alias "production"`) {
		t.Errorf("rollback of a missing alias: %v", err)
	}
	for _, v := range []int{1, 2, 2, 3} { // moving onto the same version is no move
		if _, err := reg.Promote("m", "production", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.SetAlias("m", "production", 5); err != nil {
		t.Fatal(err)
	}
	if h, err := reg.History("m", "production"); err != nil || !slices.Equal(h, []int{1, 2, 3}) {
		t.Fatalf("history %v, %v; want [1 2 3]", h, err)
	}
	for _, want := range []int{3, 2, 1} {
		from, to, err := reg.Rollback("m", "production", 0)
		if err != nil || to.Version != want || resolveVersion(t, reg, "production") != want {
			t.Fatalf("rollback from %v to %v, %v; want %d", from, to, err, want)
		}
	}
	if _, _, err := reg.Rollback("m", "production", 0); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no earlier version") {
		t.Errorf("rollback past the first version: %v", err)
	}
	// Forward again, then back to a named version: the history is cut there.
	for _, v := range []int{2, 4, 5} {
		if err := reg.MoveAlias("m", "production", resolveVersion(t, reg, "production"), v); err != nil {
			t.Fatal(err)
		}
	}
	if _, to, err := reg.Rollback("m", "production", 2); err != nil || to.Version != 2 {
		t.Fatalf("rollback to 2: %v %v", to, err)
	}
	if h, _ := reg.History("m", "production"); !slices.Equal(h, []int{1}) {
		t.Errorf("history after rolling back to 2: %v, want [1]", h)
	}
	if _, _, err := reg.Rollback("m", "production", 9); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no version 9") {
		t.Errorf("rollback to a version never published: %v", err)
	}
	if aliases, err := reg.Aliases("m"); err != nil || len(aliases) != 1 || aliases["production"] != 2 {
		t.Errorf("aliases %v, %v", aliases, err)
	}
	// A history that is not a list of versions is an error that says what to do.
	os.WriteFile(filepath.Join(reg.Root, "m", "aliases", ".production.history"), []byte("1\nbanana\n"), 0o666)
	if _, _, err := reg.Rollback("m", "production", 0); err == nil || !strings.Contains(err.Error(), `holds "banana"`) {
		t.Errorf("corrupt history: %v", err)
	}
}

// Prune keeps the newest versions, every version an alias points at and
// the one each alias would roll back to, and nothing else.
func TestPrune(t *testing.T) {
	if !fileLocks {
		t.Skip("no file locks on this system")
	}
	reg := &Registry{Root: t.TempDir()}
	publishN(t, reg, 10)
	for _, v := range []int{2, 3} { // production: 3, would roll back to 2
		if _, err := reg.Promote("m", "production", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.SetAlias("m", "staging", 5); err != nil {
		t.Fatal(err)
	}
	dry, err := reg.Prune("m", PruneOptions{Keep: 2, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var dryVersions []int
	for _, r := range dry {
		dryVersions = append(dryVersions, r.Version)
	}
	if want := []int{1, 4, 6, 7, 8}; !slices.Equal(dryVersions, want) {
		t.Fatalf("dry run removes %v, want %v", dryVersions, want)
	}
	if versions, _ := reg.List("m"); len(versions) != 10 {
		t.Fatalf("a dry run removed versions: %v", versions)
	}
	removed, err := reg.Prune("m", PruneOptions{Keep: 2})
	if err != nil || !slices.Equal(removed, dry) {
		t.Fatalf("removed %v, %v; want %v", removed, err, dry)
	}
	if versions, _ := reg.List("m"); !slices.Equal(versions, []int{2, 3, 5, 9, 10}) {
		t.Errorf("left %v", versions)
	}
	if _, err := reg.Load("m", "4"); !errors.Is(err, ErrNotFound) {
		t.Errorf("loading a removed version: %v", err)
	}
	// Keep below 1 still keeps the newest, which "latest" names; numbers
	// are never reused.
	if _, err := reg.Prune("m", PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if versions, _ := reg.List("m"); !slices.Equal(versions, []int{2, 3, 5, 10}) {
		t.Errorf("after Keep 0: %v", versions)
	}
	if ref, err := reg.PublishBundle("m", sampleBundle()); err != nil || ref.Version != 11 {
		t.Errorf("next version %v, %v; want 11", ref, err)
	}
	if err := reg.SetAlias("m", "production", 4); !errors.Is(err, ErrNotFound) {
		t.Errorf("an alias moved onto a removed version: %v", err)
	}
	// A removal that died half way is finished by RemoveStale.
	if err := os.MkdirAll(filepath.Join(reg.Root, "m", removedPrefix+"7", "x"), 0o777); err != nil {
		t.Fatal(err)
	}
	if gone, err := reg.RemoveStale("m", 0); err != nil || len(gone) != 1 {
		t.Errorf("RemoveStale after a dead Prune: %v, %v", gone, err)
	}
	if _, err := reg.Prune("nope", PruneOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Prune of a missing model: %v", err)
	}
}
