package serve

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHotReloadUnderLoad promotes a new version every 10 ms while clients
// score without pause and another goroutine asks for reloads: no request
// fails, every answer names a version, and the versions each client sees
// never go backwards.
func TestHotReloadUnderLoad(t *testing.T) {
	housing, _, houses := trained(t)
	reg := newRegistry(t)
	if err := reg.SetAlias("housing", "production", 1); err != nil {
		t.Fatal(err)
	}
	reg.SetAlias("iris", "production", 1)
	s, ts := newTestServer(t, reg, Options{Alias: "production", PollInterval: 5 * time.Millisecond, Default: "housing"})
	body := mustJSON(t, map[string]any{"rows": housingRows(houses, 0)})

	var failures atomic.Int64
	var answers atomic.Int64
	stop := make(chan struct{})
	var clients sync.WaitGroup
	for c := 0; c < 8; c++ {
		clients.Add(1)
		go func() {
			defer clients.Done()
			last := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := newPost(ts.URL+"/predict", body)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					failures.Add(1)
					t.Errorf("request: %v", err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				v, err := strconv.Atoi(resp.Header.Get("Kiln-Model-Version"))
				if resp.StatusCode != 200 || err != nil {
					failures.Add(1)
					t.Errorf("status %d, version %q", resp.StatusCode, resp.Header.Get("Kiln-Model-Version"))
					return
				}
				if v < last {
					failures.Add(1)
					t.Errorf("version went back from %d to %d", last, v)
					return
				}
				last = v
				answers.Add(1)
			}
		}()
	}
	var reloader sync.WaitGroup
	reloader.Add(1)
	go func() { // reloads on demand race with the poller and with each other
		defer reloader.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(3 * time.Millisecond):
				s.Reload(context.Background())
			}
		}
	}()
	latest := 1
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		ref, err := reg.Publish("housing", housing)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.SetAlias("housing", "production", ref.Version); err != nil {
			t.Fatal(err)
		}
		latest = ref.Version
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(stop)
	clients.Wait()
	reloader.Wait()
	_, h, _ := do(t, "POST", ts.URL+"/predict", "", body)
	if got := h.Get("Kiln-Model-Version"); got != strconv.Itoa(latest) {
		t.Fatalf("after the last promotion the server answers with version %s, want %d", got, latest)
	}
	t.Logf("%d answers across %d versions, %d failures", answers.Load(), latest, failures.Load())
	if answers.Load() == 0 {
		t.Fatal("no answers")
	}
}

// TestPinnedVersionsAndRollback serves a pinned version beside the alias,
// and follows the alias when it is moved back.
func TestPinnedVersionsAndRollback(t *testing.T) {
	housing, _, houses := trained(t)
	reg := newRegistry(t)
	reg.Publish("housing", housing) // version 2
	reg.SetAlias("housing", "production", 2)
	reg.SetAlias("iris", "production", 1)
	s, ts := newTestServer(t, reg, Options{Alias: "production"})
	body := mustJSON(t, map[string]any{"rows": housingRows(houses, 0)})
	version := func(path string) string {
		status, h, out := do(t, "POST", ts.URL+path, "", body)
		if status != 200 {
			t.Fatalf("%s: %d %s", path, status, out)
		}
		return h.Get("Kiln-Model-Version")
	}
	if v := version("/models/housing/predict"); v != "2" {
		t.Fatalf("production serves %s", v)
	}
	if v := version("/models/housing/versions/1/predict"); v != "1" {
		t.Fatalf("pinned 1 serves %s", v)
	}
	reg.SetAlias("housing", "production", 1) // a rollback
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := version("/models/housing/predict"); v != "1" {
		t.Fatalf("after the rollback production serves %s", v)
	}
	if v := version("/models/housing/versions/production/predict"); v != "1" {
		t.Fatalf("the alias by name serves %s", v)
	}
}
