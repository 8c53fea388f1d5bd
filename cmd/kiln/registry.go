package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kiln-ml/kiln/persist"
)

func init() {
	register(command{"registry", "list, publish, promote, roll back and garbage-collect the versions of a model registry", registryCmd})
}

// registrySub is one subcommand of kiln registry.
type registrySub struct {
	name, args, help string
	minArgs, maxArgs int // positional arguments, DIR first
	run              func(c *registryCall) int
	flags            func(fs *flag.FlagSet) // declares the subcommand's flags, or nil
}

// registryCall is one run of a subcommand: its parsed flags, its arguments
// after DIR, and the registry at DIR.
type registryCall struct {
	name           string // "registry promote"
	fs             *flag.FlagSet
	args           []string
	reg            *persist.Registry
	stdout, stderr io.Writer
}

func (c *registryCall) fail(err error) int { return fail(c.stderr, c.name, err) }

func (c *registryCall) flag(name string) any { return c.fs.Lookup(name).Value.(flag.Getter).Get() }

var registrySubs []registrySub

func init() {
	registrySubs = []registrySub{
		{"list", "DIR [NAME]", `Lists the models of the registry at DIR with their versions and aliases, or,
with NAME, each version of that model (when it was published, its size, the
aliases pointing at it) and each alias with the version it would roll back to.`, 1, 2, registryList, nil},
		{"publish", "[-alias ALIAS] DIR NAME BUNDLE", `Publishes the bundle file BUNDLE as the next version of NAME in the registry
at DIR (created if missing), after checking that it loads. With -alias, the
alias is then promoted to the new version (it never moves back: if another
publisher promoted a newer version meanwhile, the alias stays there).`, 3, 3, registryPublish, func(fs *flag.FlagSet) {
			fs.String("alias", "", "promote this alias (such as production) to the new version")
		}},
		{"promote", "DIR NAME ALIAS VERSION", `Points ALIAS of NAME at VERSION (a number or "latest"), creating the alias
if needed. Promotion only moves forward: if the alias already points at a
newer version, it is left there and the command fails (exit 1); to go back,
use kiln registry rollback. Servers that follow the alias (kiln serve) pick
the move up at their next poll or on SIGHUP.`, 4, 4, registryPromote, nil},
		{"rollback", "DIR NAME ALIAS [VERSION]", `Moves ALIAS of NAME back to the version it pointed at before its last move,
or to VERSION. Rolling back again goes further back through the alias's
history, never forward.`, 3, 4, registryRollback, nil},
		{"gc", "[-keep N] [-n] [-stale DURATION] DIR [NAME]", `Removes old versions of NAME (of every model without NAME). A version is
removed when it is not among the -keep newest, no alias points at it, and no
alias would roll back to it (the previous version of each alias's history).
The newest version, which "latest" names, is always kept. Also removes what
publishers killed mid-write left behind once it is older than -stale.`, 1, 2, registryGC, func(fs *flag.FlagSet) {
			fs.Int("keep", 3, "how many of the newest versions to keep whatever points at them (at least 1)")
			fs.Bool("n", false, "dry run: print what would be removed, remove nothing")
			fs.Duration("stale", time.Hour, "age after which a leftover temporary file of a dead publisher is removed")
		}},
	}
}

func registryUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: kiln registry SUBCOMMAND [arguments]  (kiln registry SUBCOMMAND -h for more)")
	fmt.Fprintln(w)
	for _, s := range registrySubs {
		fmt.Fprintf(w, "  kiln registry %s %s\n", s.name, s.args)
	}
	fmt.Fprintln(w, `
A registry is a directory of NAME/VERSION/model.kiln files and NAME/aliases
(see persist.Registry). Exit codes: 0 success, 1 failure, 2 usage error.`)
}

func registryCmd(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		registryUsage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, s := range registrySubs {
		if s.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("kiln registry "+s.name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		if s.flags != nil {
			s.flags(fs)
		}
		fs.Usage = func() {
			fmt.Fprintf(stderr, "usage: kiln registry %s %s\n\n%s\n", s.name, s.args, s.help)
			fs.PrintDefaults()
		}
		rest, err := parseInterspersed(fs, args[1:])
		if err != nil {
			return flagExit(err)
		}
		if len(rest) < s.minArgs || len(rest) > s.maxArgs {
			fs.Usage()
			return exitUsage
		}
		c := &registryCall{name: "registry " + s.name, fs: fs, args: rest[1:], reg: &persist.Registry{Root: rest[0]}, stdout: stdout, stderr: stderr}
		if s.name != "publish" { // which creates the registry
			if err := checkRegistry(rest[0]); err != nil {
				return c.fail(err)
			}
		}
		return s.run(c)
	}
	fmt.Fprintf(stderr, "kiln registry: unknown subcommand %q\n\n", args[0])
	registryUsage(stderr)
	return exitUsage
}

// parseInterspersed parses flags wherever they stand among the arguments
// (kiln registry gc models -keep 5) and returns the other arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// checkRegistry checks that dir is an existing directory.
func checkRegistry(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("registry %s: %w", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("registry %s: not a directory", dir)
	}
	return nil
}

func registryList(c *registryCall) int {
	reg := c.reg
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	if len(c.args) == 0 {
		names, err := reg.Names()
		if err != nil {
			return c.fail(err)
		}
		fmt.Fprintln(tw, "MODEL\tVERSIONS\tLATEST\tALIASES")
		for _, name := range names {
			versions, err := reg.List(name)
			if err != nil {
				return c.fail(err)
			}
			aliases, err := reg.Aliases(name)
			if err != nil {
				return c.fail(err)
			}
			latest := "-"
			if len(versions) > 0 {
				latest = strconv.Itoa(versions[len(versions)-1])
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", name, len(versions), latest, aliasList(aliases))
		}
		if err := tw.Flush(); err != nil {
			return c.fail(err)
		}
		return exitOK
	}
	name := c.args[0]
	versions, err := reg.List(name)
	if err != nil {
		return c.fail(err)
	}
	aliases, err := reg.Aliases(name)
	if err != nil {
		return c.fail(err)
	}
	at := map[int][]string{}
	for a, v := range aliases {
		at[v] = append(at[v], a)
	}
	fmt.Fprintln(tw, "VERSION\tPUBLISHED\tSIZE\tALIASES")
	for _, v := range versions {
		path, err := reg.Path(persist.Ref{Name: name, Version: v})
		if err != nil {
			continue // removed meanwhile
		}
		st, err := os.Stat(path)
		if err != nil {
			continue
		}
		names := "-"
		if len(at[v]) > 0 {
			sort.Strings(at[v])
			names = strings.Join(at[v], ", ")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", v, st.ModTime().UTC().Format("2006-01-02 15:04:05Z"), byteSize(st.Size()), names)
	}
	if len(aliases) > 0 {
		fmt.Fprintln(tw, "\nALIAS\tVERSION\tROLLS BACK TO")
		for _, a := range sortedKeys(aliases) {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", a, aliases[a], rollbackTarget(reg, name, a, aliases[a]))
		}
	}
	if err := tw.Flush(); err != nil {
		return c.fail(err)
	}
	return exitOK
}

// rollbackTarget is the version Rollback would move an alias to, or "-".
func rollbackTarget(reg *persist.Registry, name, alias string, current int) string {
	h, err := reg.History(name, alias)
	if err != nil {
		return "?"
	}
	for i := len(h) - 1; i >= 0; i-- {
		if _, err := reg.Path(persist.Ref{Name: name, Version: h[i]}); err == nil && h[i] != current {
			return strconv.Itoa(h[i])
		}
	}
	return "-"
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func aliasList(aliases map[string]int) string {
	if len(aliases) == 0 {
		return "-"
	}
	var parts []string
	for _, a := range sortedKeys(aliases) {
		parts = append(parts, fmt.Sprintf("%s=%d", a, aliases[a]))
	}
	return strings.Join(parts, ", ")
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func registryPublish(c *registryCall) int {
	name, file, alias := c.args[0], c.args[1], c.flag("alias").(string)
	b, err := persist.ReadFile(file) // verifies the digests
	if err != nil {
		return c.fail(err)
	}
	if _, err := persist.Load(file); err != nil { // every step decodes
		return c.fail(err)
	}
	ref, err := c.reg.PublishBundle(name, b)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "published %s as %s\n", file, ref)
	if alias == "" {
		return exitOK
	}
	now, err := c.reg.Promote(name, alias, ref.Version)
	if err != nil {
		return c.fail(err)
	}
	if now.Version != ref.Version {
		return c.fail(fmt.Errorf("%s:%s stays at version %d, newer than %d (promoted by another publisher)", name, alias, now.Version, ref.Version))
	}
	fmt.Fprintf(c.stdout, "%s:%s -> %d\n", name, alias, now.Version)
	return exitOK
}

func registryPromote(c *registryCall) int {
	name, alias := c.args[0], c.args[1]
	target, err := parseVersion(c.reg, name, c.args[2])
	if err != nil {
		return c.fail(err)
	}
	before, _ := c.reg.Resolve(name, alias)
	now, err := c.reg.Promote(name, alias, target)
	if err != nil {
		return c.fail(err)
	}
	switch {
	case now.Version > target:
		return c.fail(fmt.Errorf("%s:%s points at version %d, newer than %d: promotion never moves an alias back (use kiln registry rollback)",
			name, alias, now.Version, target))
	case before.Version == target:
		fmt.Fprintf(c.stdout, "%s:%s already points at version %d\n", name, alias, target)
	case before.Version == 0:
		fmt.Fprintf(c.stdout, "%s:%s -> %d (new alias)\n", name, alias, target)
	default:
		fmt.Fprintf(c.stdout, "%s:%s -> %d (was %d)\n", name, alias, target, before.Version)
	}
	return exitOK
}

// parseVersion reads a version number or "latest".
func parseVersion(reg *persist.Registry, name, s string) (int, error) {
	if s == "latest" {
		ref, err := reg.Latest(name)
		return ref.Version, err
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%q is not a version (a number from 1, or latest)", s)
	}
	return v, nil
}

func registryRollback(c *registryCall) int {
	name, alias := c.args[0], c.args[1]
	target := 0
	if len(c.args) == 3 {
		var err error
		if target, err = parseVersion(c.reg, name, c.args[2]); err != nil {
			return c.fail(err)
		}
	}
	from, to, err := c.reg.Rollback(name, alias, target)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "%s:%s -> %d (was %d)\n", name, alias, to.Version, from.Version)
	return exitOK
}

func registryGC(c *registryCall) int {
	keep, dry, stale := c.flag("keep").(int), c.flag("n").(bool), c.flag("stale").(time.Duration)
	if keep < 1 {
		fmt.Fprintln(c.stderr, "kiln registry gc: -keep must be at least 1 (the newest version is always kept)")
		return exitUsage
	}
	names := c.args
	if len(names) == 0 {
		var err error
		if names, err = c.reg.Names(); err != nil {
			return c.fail(err)
		}
	}
	verb := "removed"
	if dry {
		verb = "would remove"
	}
	total := 0
	for _, name := range names {
		if !dry {
			gone, err := c.reg.RemoveStale(name, stale)
			if err != nil {
				return c.fail(err)
			}
			for _, p := range gone {
				fmt.Fprintf(c.stdout, "removed leftover %s\n", filepath.ToSlash(p))
			}
		}
		removed, err := c.reg.Prune(name, persist.PruneOptions{Keep: keep, DryRun: dry})
		for _, r := range removed {
			fmt.Fprintf(c.stdout, "%s %s\n", verb, r)
		}
		total += len(removed)
		if err != nil {
			return c.fail(err)
		}
	}
	fmt.Fprintf(c.stdout, "%s %d version(s)\n", verb, total)
	return exitOK
}
