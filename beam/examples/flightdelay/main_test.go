package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
)

// TestMain runs the pipelines on prism, in this process.
func TestMain(m *testing.M) { ptest.Main(m) }

// TestFourPathsAgree runs the core example on January and February (the
// model of January published, February held out and scored in process,
// one day of it also through the HTTP server and kiln predict), then scores
// February's flights on Beam: every flight must get the in-process answer,
// and the day's flights the answer of every other path, bit for bit, from
// the published version.
func TestFourPathsAgree(t *testing.T) {
	// The core module's folder: ../ in the repository (go.mod's replace).
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/kiln-ml/kiln").Output()
	if err != nil {
		t.Fatalf("finding the core module: %v", err)
	}
	dir := t.TempDir()
	core := exec.Command("go", "run", "./examples/flightdelay", "-months", "2", "-dir", dir, "-plots", dir)
	core.Dir = strings.TrimSpace(string(root))
	var stderr bytes.Buffer
	core.Stderr = &stderr
	if out, err := core.Output(); err != nil {
		t.Fatalf("the core example: %v\n%s%s", err, out, stderr.Bytes())
	}

	var out bytes.Buffer
	rep, err := run(context.Background(), &out, config{Dir: dir, BatchRows: 4096})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	// pandas 1.5.3: February 2013 has 23,611 flights that left and arrived.
	if rep.Rows != 23611 || len(rep.Scored) != 23611 || rep.DeadLetters != 0 {
		t.Errorf("%d rows for %d flights, %d dead letters; want 23611 flights once each, none dead", rep.Rows, len(rep.Scored), rep.DeadLetters)
	}
	for id, a := range rep.Scored {
		if a.Name != "flightdelay" || a.Version != "1" {
			t.Fatalf("flight %d: model %q version %q, want flightdelay 1", id, a.Name, a.Version)
		}
	}
	if rep.Ref != "flightdelay@1" {
		t.Errorf("scored by %s, want flightdelay@1", rep.Ref)
	}
	if rep.Compared["batch"] != 23611 {
		t.Errorf("%d flights of the in-process batch path, want 23611", rep.Compared["batch"])
	}
	for _, path := range paths {
		if n := rep.Compared[path.key]; n == 0 || rep.Identical[path.key] != n {
			t.Errorf("%s: %d of %d identical", path.title, rep.Identical[path.key], n)
		}
	}
	if strings.Count(out.String(), " identical") != len(paths) {
		t.Errorf("the report does not give the %d paths' agreement:\n%s", len(paths), out.String())
	}
}

// TestMissingRun: a folder the core example did not write is a clear error.
func TestMissingRun(t *testing.T) {
	_, err := run(context.Background(), new(bytes.Buffer), config{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "go run ./examples/flightdelay") {
		t.Errorf("error %v, want one saying to run the core example first", err)
	}
}
