package persist

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/models"
)

// Errors say what went wrong and what to do, carry the package prefix once,
// and are told apart with errors.Is.
func TestErrorsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	p, _ := housingPipeline(t)
	byValue := roundTrip(t, p)
	byValue.Steps[1] = *byValue.Steps[1].(*models.LinearRegression) // a value where the pointer belongs
	saved := filepath.Join(dir, "m.kiln")
	if err := Save(saved, p, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	newer := goldenBundle(t, "logistic_v1.2.kiln")
	newer.Manifest.Version.Major++
	newerPath := filepath.Join(dir, "newer.kiln")
	if err := os.WriteFile(newerPath, sealed(t, newer), 0o644); err != nil {
		t.Fatal(err)
	}
	flipped, _ := os.ReadFile(saved)
	flipped[len(flipped)-1] ^= 1
	flippedPath := filepath.Join(dir, "flipped.kiln")
	os.WriteFile(flippedPath, flipped, 0o644)
	cases := []struct {
		name string
		err  error
		is   error
		says string
	}{
		{"a value instead of a pointer", Save(filepath.Join(dir, "v.kiln"), byValue, SaveOptions{}), nil, "pass a pointer"},
		{"an existing file", Save(saved, p, SaveOptions{}), ErrExists, "SaveOptions{Overwrite: true}"},
		{"a missing file", second(Load(filepath.Join(dir, "nope.kiln"))), ErrNotFound, "no such file"},
		{"a newer major version", second(Load(newerPath)), ErrUnsupportedVersion, "upgrade kiln"},
		{"a changed byte", second(Load(flippedPath)), ErrCorrupt, "damaged or modified"},
	}
	for _, c := range cases {
		switch {
		case c.err == nil:
			t.Errorf("%s: no error", c.name)
		case c.is != nil && !errors.Is(c.err, c.is):
			t.Errorf("%s: %v is not %v", c.name, c.err, c.is)
		case !strings.Contains(c.err.Error(), c.says):
			t.Errorf("%s: %q does not say %q", c.name, c.err, c.says)
		case strings.Count(c.err.Error(), "persist:") != 1:
			t.Errorf("%s: %q has not one package prefix", c.name, c.err)
		}
	}
	if _, err := Load(filepath.Join(dir, "nope.kiln")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file is not fs.ErrNotExist: %v", err)
	}
}
