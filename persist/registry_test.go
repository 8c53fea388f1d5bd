package persist

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestRegistry(t *testing.T) {
	reg := &Registry{Root: t.TempDir()}
	if _, err := reg.Latest("churn"); err == nil {
		t.Fatal("Latest of an empty registry: no error")
	}
	var refs []Ref
	for i := 0; i < 3; i++ {
		ref, err := reg.PublishBundle("churn", sampleBundle())
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	if refs[2] != (Ref{Name: "churn", Version: 3}) {
		t.Fatalf("third version: %v", refs[2])
	}
	if err := reg.SetAlias("churn", "production", 2); err != nil {
		t.Fatal(err)
	}
	if got, err := reg.Resolve("churn", "production"); err != nil || got.Version != 2 {
		t.Fatalf("production -> %v %v", got, err)
	}
	if err := reg.SetAlias("churn", "production", 3); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]int{"production": 3, "latest": 3, "1": 1} {
		got, err := reg.Resolve("churn", ref)
		if err != nil || got.Version != want {
			t.Errorf("Resolve(%q) = %v, %v; want version %d", ref, got, err, want)
		}
		if _, err := reg.ReadBundle(got); err != nil {
			t.Errorf("Open(%v): %v", got, err)
		}
	}
	bad := []func() error{
		func() error { return reg.SetAlias("churn", "staging", 9) },
		func() error { return reg.SetAlias("churn", "7", 1) },
		func() error { _, err := reg.Resolve("churn", "staging"); return err },
		func() error { _, err := reg.Resolve("churn", "9"); return err },
		func() error { _, err := reg.PublishBundle("../escape", sampleBundle()); return err },
		func() error { _, err := reg.Resolve("a/b", "latest"); return err },
	}
	for i, f := range bad {
		if f() == nil {
			t.Errorf("bad call %d: no error", i)
		}
	}
	names, _ := reg.Names()
	if len(names) != 1 || names[0] != "churn" {
		t.Errorf("Names = %v", names)
	}
}

func TestRegistryConcurrentPublish(t *testing.T) {
	reg := &Registry{Root: t.TempDir()}
	var wg sync.WaitGroup
	got := make([]Ref, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref, err := reg.PublishBundle("m", sampleBundle())
			if err != nil {
				t.Error(err)
			}
			got[i] = ref
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, r := range got {
		if seen[r.Version] {
			t.Fatalf("version %d published twice: %v", r.Version, got)
		}
		seen[r.Version] = true
	}
	versions, _ := reg.List("m")
	if len(versions) != 8 || versions[7] != 8 {
		t.Errorf("versions %v", versions)
	}
}

// A missing registry root, model, alias or version is ErrNotFound, with a
// message that says which.
func TestRegistryNotFound(t *testing.T) {
	root := filepath.Join(t.TempDir(), "registry")
	reg := &Registry{Root: root}
	for _, f := range []func() error{
		func() error { _, err := reg.Resolve("m", "production"); return err },
		func() error { _, err := reg.Latest("m"); return err },
		func() error { _, err := reg.Load("m", "latest"); return err },
		func() error { _, err := reg.List("m"); return err },
	} {
		err := f()
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "registry root") || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("missing root: %v", err)
		}
	}
	if _, err := reg.PublishBundle("churn", sampleBundle()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		err  error
		want string
	}{
		{second(reg.Resolve("m", "production")), `has no model "m" (it holds churn)`},
		{second(reg.Resolve("churn", "production")), `model "churn" has no alias "production" (it has none`},
		{second(reg.Resolve("churn", "7")), `model "churn" has no version 7 (versions 1 to 1 are published)`},
		{second(reg.ReadBundle(Ref{Name: "churn", Version: 2})), "no version 2"},
		{reg.SetAlias("churn", "production", 9), "no version 9"},
	}
	for _, c := range cases {
		if !errors.Is(c.err, ErrNotFound) || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("got %v, want ErrNotFound saying %q", c.err, c.want)
		}
		if strings.Count(c.err.Error(), "persist:") != 1 {
			t.Errorf("prefix: %v", c.err)
		}
	}
	if err := reg.SetAlias("churn", "staging", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Resolve("churn", "production"); err == nil || !strings.Contains(err.Error(), "it has staging") {
		t.Errorf("missing alias among others: %v", err)
	}
	if _, err := ReadFile(filepath.Join(root, "nope.kiln")); !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(filepath.Join(root, "nope.kiln")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load of a missing file: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

// MoveAlias is a compare-and-swap; Promote only moves an alias forward.
func TestAliasCompareAndSwap(t *testing.T) {
	if !fileLocks {
		t.Skip("no file locks on this system")
	}
	reg := &Registry{Root: t.TempDir()}
	for i := 0; i < 3; i++ {
		if _, err := reg.PublishBundle("m", sampleBundle()); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.MoveAlias("m", "production", 1, 2); !errors.Is(err, ErrAliasMoved) {
		t.Errorf("move of a missing alias from 1: %v", err)
	}
	if err := reg.MoveAlias("m", "production", 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := reg.MoveAlias("m", "production", 1, 3); !errors.Is(err, ErrAliasMoved) || !strings.Contains(err.Error(), "points at version 2, not 1") {
		t.Errorf("stale compare-and-swap: %v", err)
	}
	if err := reg.MoveAlias("m", "production", 2, 1); err != nil {
		t.Errorf("a compare-and-swap may move back on purpose: %v", err)
	}
	for _, c := range []struct{ promote, want int }{{3, 3}, {2, 3}, {1, 3}} {
		ref, err := reg.Promote("m", "production", c.promote)
		if err != nil || ref.Version != c.want {
			t.Errorf("Promote(%d) = %v, %v; want version %d", c.promote, ref, err, c.want)
		}
	}
	if got, _ := reg.Resolve("m", "production"); got.Version != 3 {
		t.Errorf("production -> %v", got)
	}
}

// Two processes publish 50 versions each and move "production" after every
// publication, one with Promote, one with a MoveAlias loop: the alias ends
// on the highest version, whoever finished last.
func TestTwoProcessesPublishAndPromote(t *testing.T) {
	if !fileLocks {
		t.Skip("no file locks on this system")
	}
	root := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, mode := range []string{"promote", "cas"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childRoleEnv+"=publish", childRootEnv+"="+root, childArgEnv+"="+mode)
		out := new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("publisher %d: %v\n%s", i, err, outs[i])
		}
	}
	reg := &Registry{Root: root}
	versions, err := reg.List("m")
	if err != nil || len(versions) != 100 || versions[99] != 100 {
		t.Fatalf("versions %v, %v", versions, err)
	}
	got, err := reg.Resolve("m", "production")
	if err != nil || got.Version != 100 {
		t.Errorf("production -> %v, %v; want version 100", got, err)
	}
}

// Publishers killed mid-write leave temporary files and version directories
// that RemoveStale takes away, while a live publisher paused at the same
// point keeps its file and finishes.
func TestKilledPublishersLeaveNothingBehind(t *testing.T) {
	if !fileLocks {
		t.Skip("no file locks on this system")
	}
	root := t.TempDir()
	reg := &Registry{Root: root}
	if _, err := reg.PublishBundle("m", sampleBundle()); err != nil {
		t.Fatal(err)
	}
	start := func() (*exec.Cmd, io.WriteCloser, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childRoleEnv+"=write", childRootEnv+"="+root)
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tmp, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			t.Fatalf("writer: %v", err)
		}
		return cmd, stdin, strings.TrimSpace(tmp)
	}
	const killed = 50
	var left []string
	for i := 0; i < killed; i++ {
		cmd, _, tmp := start()
		cmd.Process.Kill()
		cmd.Wait()
		left = append(left, tmp)
	}
	live, liveIn, liveTmp := start()
	for _, tmp := range append(left, liveTmp) {
		if _, err := os.Stat(tmp); err != nil {
			t.Fatalf("temporary file %s: %v", tmp, err)
		}
		if !isTempName(filepath.Base(tmp)) {
			t.Fatalf("temporary file %s is not named recognisably", tmp)
		}
	}
	removed, err := reg.RemoveStale("m", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2*killed { // a file and an empty version directory each
		t.Errorf("removed %d paths, want %d: %v", len(removed), 2*killed, removed)
	}
	for _, tmp := range left {
		if _, err := os.Stat(filepath.Dir(tmp)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: still there (%v)", filepath.Dir(tmp), err)
		}
	}
	if _, err := os.Stat(liveTmp); err != nil {
		t.Fatalf("the live writer's file was removed: %v", err)
	}
	fmt.Fprintln(liveIn)
	if err := live.Wait(); err != nil {
		t.Fatalf("the live writer failed: %v", err)
	}
	version, _ := strconv.Atoi(filepath.Base(filepath.Dir(liveTmp)))
	if _, err := reg.ReadBundle(Ref{Name: "m", Version: version}); err != nil {
		t.Errorf("the live writer's version: %v", err)
	}
	if _, err := os.Stat(liveTmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the live writer left its temporary file: %v", err)
	}
	versions, _ := reg.List("m")
	if len(versions) != 2 {
		t.Errorf("versions %v, want 1 and the live writer's", versions)
	}
}
