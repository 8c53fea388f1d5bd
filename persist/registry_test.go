package persist

import (
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
		ref, err := reg.Publish("churn", sampleBundle())
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
		if _, err := reg.Open(got); err != nil {
			t.Errorf("Open(%v): %v", got, err)
		}
	}
	bad := []func() error{
		func() error { return reg.SetAlias("churn", "staging", 9) },
		func() error { return reg.SetAlias("churn", "7", 1) },
		func() error { _, err := reg.Resolve("churn", "staging"); return err },
		func() error { _, err := reg.Resolve("churn", "9"); return err },
		func() error { _, err := reg.Publish("../escape", sampleBundle()); return err },
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
			ref, err := reg.Publish("m", sampleBundle())
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
