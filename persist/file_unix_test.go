//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package persist

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Saved files get the mode os.Create gives, 0666 less the umask; registry
// versions lose their write bits on top.
func TestFileModesFollowUmask(t *testing.T) {
	dir := t.TempDir()
	for _, umask := range []int{0o022, 0o077, 0o002} {
		old := syscall.Umask(umask)
		path := filepath.Join(dir, "m.kiln")
		err := WriteFile(path, sampleBundle(), true)
		reg := &Registry{Root: filepath.Join(dir, "registry")}
		ref, perr := reg.PublishBundle("m", sampleBundle())
		syscall.Umask(old)
		if err != nil || perr != nil {
			t.Fatal(err, perr)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := os.FileMode(0o666 &^ umask); info.Mode().Perm() != want {
			t.Errorf("umask %03o: WriteFile made %v, want %v", umask, info.Mode().Perm(), want)
		}
		published, _ := reg.Path(ref)
		info, err = os.Stat(published)
		if err != nil {
			t.Fatal(err)
		}
		if want := os.FileMode(0o444 &^ umask); info.Mode().Perm() != want {
			t.Errorf("umask %03o: Publish made %v, want %v", umask, info.Mode().Perm(), want)
		}
	}
}
