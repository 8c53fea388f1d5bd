package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/dataset/builtin"
	"github.com/kiln-ml/kiln/features"
	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/onnx"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// kiln export onnx writes the bytes that onnx.Export gives for the same
// pipeline, named and versioned from the registry; the onnx package's own
// tests score such files with ONNX Runtime.
func TestExportONNX(t *testing.T) {
	dir, p := registry(t)
	out := filepath.Join(t.TempDir(), "cars.onnx")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"export", "onnx", dir + "/cars:production", "-o", out}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := onnx.Export(p, onnx.Options{Name: "cars", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("kiln export wrote %d bytes, onnx.Export of the pipeline gives %d other bytes", len(got), len(want))
	}

	// Flags first, and a bundle file named and versioned by the flags.
	bundle := filepath.Join(t.TempDir(), "cars.kiln")
	if err := persist.Save(bundle, p, persist.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	loaded, err := persist.Load(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"export", "-o", out, "-name", "mpg", "-version", "7", "onnx", bundle}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, _ = os.ReadFile(out)
	if want, _ = onnx.Export(loaded, onnx.Options{Name: "mpg", Version: "7"}); !bytes.Equal(got, want) {
		t.Error("the bundle file's export differs from onnx.Export of the loaded pipeline")
	}
}

func TestExportErrors(t *testing.T) {
	dir, _ := registry(t)
	out := filepath.Join(t.TempDir(), "m.onnx")

	// A setting ONNX cannot express: refused, naming it, and no file written.
	planes, err := builtin.Planes()
	if err != nil {
		t.Fatal(err)
	}
	hashed := pipeline.New(&features.Table{Numeric: []string{"year"}, Hashed: []string{"manufacturer"}, HashBuckets: 8, Impute: features.ImputeMedian}, &models.LinearRegression{})
	if err := hashed.Fit(context.Background(), planes, "seats"); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "hashed.kiln")
	if err := persist.Save(bundle, hashed, persist.SaveOptions{}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export", "onnx", bundle, "-o", out}, exitFail, "Table.Hashed"},
		{[]string{"export", "onnx", dir + "/absent", "-o", out}, exitFail, "absent"},
		{[]string{"export", "pmml", dir + "/cars", "-o", out}, exitUsage, `unknown format "pmml"`},
		{[]string{"export", "onnx", dir + "/cars"}, exitUsage, "usage: kiln export"},
		{[]string{"export", "onnx"}, exitUsage, "usage: kiln export"},
		{[]string{"export", "onnx", dir + "/cars", "-o", out, "extra"}, exitUsage, "usage: kiln export"},
		{[]string{"export", "-x"}, exitUsage, "flag provided but not defined"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, nil, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s behind", out)
	}
}
