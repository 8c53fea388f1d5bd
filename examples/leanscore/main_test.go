package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The golden table bundle (persist/testdata/table_v1.0.kiln) imputes rooms
// with 4, scales it as (rooms-3.5)/1.25, one-hot encodes ocean over INLAND and
// NEAR BAY with an unknown bucket, and applies coefficients 1, 2, 3, 4 with
// intercept 0.5; the wanted values below follow from that arithmetic.
func TestScoreGoldenBundle(t *testing.T) {
	rows := "rooms,ocean\n6,INLAND\n,NEAR BAY\n3.5,ISLAND\n"
	var out bytes.Buffer
	if err := run(&out, filepath.Join("..", "..", "persist", "testdata", "table_v1.0.kiln"), strings.NewReader(rows)); err != nil {
		t.Fatal(err)
	}
	want := []float64{
		(6-3.5)/1.25*1 + 2 + 0.5, // INLAND
		(4-3.5)/1.25*1 + 3 + 0.5, // rooms imputed with 4; NEAR BAY
		0 + 4 + 0.5,              // a level unseen in training: the unknown bucket
	}
	got := strings.Fields(out.String())
	if len(got) != len(want) {
		t.Fatalf("got %d predictions %q, want %d", len(got), got, len(want))
	}
	for i, s := range got {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Abs(v-want[i]) > 1e-12 {
			t.Errorf("row %d: %s, want %v", i, s, want[i])
		}
	}
}

func TestBadInput(t *testing.T) {
	model := filepath.Join("..", "..", "persist", "testdata", "table_v1.0.kiln")
	if err := run(&bytes.Buffer{}, model, strings.NewReader("rooms\n6\n")); err == nil || !strings.Contains(err.Error(), "ocean") {
		t.Errorf("rows without the ocean column: got %v, want an error naming it", err)
	}
	if err := run(&bytes.Buffer{}, filepath.Join(t.TempDir(), "absent.kiln"), strings.NewReader("rooms,ocean\n")); err == nil {
		t.Error("absent bundle: no error")
	}
}

// heavyPackages are the import path fragments a program that loads a bundle
// and scores a frame must not link: the Arrow library (and through its
// Parquet reader Thrift, gRPC and protobuf), and Arrow IPC's flatbuffers.
var heavyPackages = []string{"apache/arrow", "parquet", "thrift", "grpc", "flatbuffers", "protobuf"}

// TestLeanDependencies keeps this scorer lean: go list -deps must show none
// of heavyPackages, and the binary, built with default flags, must stay
// within 15 MB (it was 44 MB, 412 packages, when package dataset held the
// Parquet and Arrow readers).
func TestLeanDependencies(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot list this program's dependencies")
	}
	deps, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	var heavy []string
	for _, pkg := range strings.Fields(string(deps)) {
		for _, frag := range heavyPackages {
			if strings.Contains(pkg, frag) {
				heavy = append(heavy, pkg)
				break
			}
		}
	}
	if len(heavy) > 0 {
		t.Errorf("a program that only loads and scores links %d heavy packages, among them %s", len(heavy), strings.Join(heavy[:min(len(heavy), 10)], ", "))
	}
	t.Logf("%d packages", len(strings.Fields(string(deps))))

	if testing.Short() {
		return
	}
	bin := filepath.Join(t.TempDir(), "leanscore")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 15_000_000
	if st.Size() > limit {
		t.Errorf("binary is %d bytes, over the %d-byte budget", st.Size(), limit)
	}
	t.Logf("binary: %d bytes", st.Size())
}
