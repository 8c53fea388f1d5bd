package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln/persist"
)

// cli runs the command line and returns its exit code and outputs.
func cli(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, nil, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRegistryCommands(t *testing.T) {
	dir, p := registry(t) // cars@1, production -> 1
	bundle := filepath.Join(t.TempDir(), "cars.kiln")
	if err := persist.Save(bundle, p, persist.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args []string
		code int
		want string // in stdout, or in stderr when the code is not 0
	}{
		{[]string{"registry"}, exitUsage, "usage: kiln registry SUBCOMMAND"},
		{[]string{"registry", "frobnicate"}, exitUsage, `unknown subcommand "frobnicate"`},
		{[]string{"registry", "promote", dir, "cars"}, exitUsage, "usage: kiln registry promote DIR NAME ALIAS VERSION"},
		{[]string{"registry", "publish", dir, "cars", bundle, "-alias", "staging"}, exitOK, "published " + bundle + " as cars@2\ncars:staging -> 2\n"},
		{[]string{"registry", "publish", dir, "cars", bundle}, exitOK, "as cars@3"},
		{[]string{"registry", "publish", dir, "cars", filepath.Join(dir, "nope.kiln")}, exitFail, "nope.kiln"},
		{[]string{"registry", "publish", dir, "../cars", bundle}, exitFail, `invalid model name "../cars"`},
		{[]string{"registry", "promote", dir, "cars", "production", "latest"}, exitOK, "cars:production -> 3 (was 1)"},
		{[]string{"registry", "promote", dir, "cars", "production", "3"}, exitOK, "already points at version 3"},
		{[]string{"registry", "promote", dir, "cars", "production", "2"}, exitFail, "newer than 2: promotion never moves an alias back"},
		{[]string{"registry", "promote", dir, "cars", "production", "9"}, exitFail, "no version 9 (versions 1 to 3 are published)"},
		{[]string{"registry", "promote", dir, "cars", "production", "two"}, exitFail, `"two" is not a version`},
		{[]string{"registry", "promote", filepath.Join(dir, "nope"), "cars", "production", "2"}, exitFail, "no such file or directory"},
		{[]string{"registry", "list", dir}, exitOK, "cars   3         3       production=3, staging=2"},
		{[]string{"registry", "list", dir, "cars"}, exitOK, "production  3        1"},
		{[]string{"registry", "list", dir, "trucks"}, exitFail, `no model "trucks" (it holds cars)`},
		{[]string{"registry", "rollback", dir, "cars", "production"}, exitOK, "cars:production -> 1 (was 3)"},
		{[]string{"registry", "rollback", dir, "cars", "production"}, exitFail, "no earlier version to roll back to"},
		{[]string{"registry", "rollback", dir, "cars", "staging", "1"}, exitOK, "cars:staging -> 1 (was 2)"},
		{[]string{"registry", "gc", dir, "-keep", "0"}, exitUsage, "-keep must be at least 1"},
		{[]string{"registry", "gc", "-n", "-keep", "1", dir}, exitOK, "would remove cars@2\nwould remove 1 version(s)"},
		{[]string{"registry", "gc", dir, "cars", "-keep=1"}, exitOK, "removed cars@2\nremoved 1 version(s)"},
		{[]string{"registry", "list", dir, "cars"}, exitOK, "production  1        -"},
		{[]string{"inspect", dir + "/cars@2"}, exitFail, "no version 2"},
	}
	for _, s := range steps {
		code, out, errs := cli(s.args...)
		got := out
		if s.code != exitOK {
			got = errs
		}
		if code != s.code || !strings.Contains(got, s.want) {
			t.Errorf("kiln %s: exit %d, want %d and %q in\n%s%s", strings.Join(s.args, " "), code, s.code, s.want, out, errs)
		}
	}
	for _, sub := range registrySubs {
		if code, _, errs := cli("registry", sub.name, "-h"); code != exitOK || !strings.Contains(errs, "usage: kiln registry "+sub.name) {
			t.Errorf("registry %s -h: %d %s", sub.name, code, errs)
		}
	}
}
