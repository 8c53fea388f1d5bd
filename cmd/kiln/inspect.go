package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kiln-ml/kiln/models"
	"github.com/kiln-ml/kiln/persist"
)

func init() {
	register(command{"inspect", "print a model's manifest, schema, steps, metrics, lineage and statistical summary; verify its digests", inspect})
}

func inspect(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiln inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the manifest as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kiln inspect [-json] MODEL\n\nMODEL is a bundle file or DIR/NAME[@VERSION|:ALIAS].")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	m, err := parseModel(fs.Arg(0))
	if err != nil {
		return fail(stderr, "inspect", err)
	}
	path, ref, err := m.path()
	if err != nil {
		return fail(stderr, "inspect", err)
	}
	b, err := persist.ReadFile(path) // verifies both digests
	if err != nil {
		return fail(stderr, "inspect", err)
	}
	man := b.Manifest
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(man); err != nil {
			return fail(stderr, "inspect", err)
		}
		return exitOK
	}
	w := &errWriter{w: stdout}
	w.printf("file      %s\n", path)
	if ref.Name != "" {
		w.printf("model     %s\n", ref)
	}
	w.printf("format    kiln %d.%d, digests verified\n", man.Version.Major, man.Version.Minor)
	w.printf("output    %s (%s", man.Outputs.Name, man.Outputs.Kind)
	if man.Outputs.Type != "" {
		w.printf(", %s", man.Outputs.Type)
	}
	w.printf(")\n")
	if len(man.Outputs.Labels) > 0 {
		w.printf("classes   %s\n", strings.Join(man.Outputs.Labels, ", "))
	} else if len(man.Outputs.Classes) > 0 {
		w.printf("classes   %v\n", man.Outputs.Classes)
	}
	w.printf("inputs\n")
	for _, f := range man.Inputs {
		w.printf("  %-24s %s\n", f.Name, f.Type)
	}
	w.printf("steps\n")
	for _, st := range man.Steps {
		w.printf("  %-20s %-28s %s\n", st.Name, st.Kind, paramsShown(st.Params))
	}
	if len(man.Metrics) > 0 {
		w.printf("metrics\n")
		names := make([]string, 0, len(man.Metrics))
		for k := range man.Metrics {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			w.printf("  %-24s %.6g\n", k, man.Metrics[k])
		}
	}
	l := man.Lineage
	w.printf("lineage   %d rows, data %s, seed %d, created %s by kiln %s\n", l.Rows, orDash(l.DataFingerprint), l.Seed,
		l.Created.Format("2006-01-02 15:04:05 MST"), l.Library)
	if len(man.Profile) > 0 {
		w.printf("profile   training distributions of %d inputs (for drift)\n", len(man.Profile))
	}
	printSummary(w, path)
	if w.err != nil {
		return fail(stderr, "inspect", w.err)
	}
	return exitOK
}

// paramsShown returns a step's parameters for printing, with a model's
// statistical summary, printed as a table below, left out.
func paramsShown(params json.RawMessage) []byte {
	var fields map[string]json.RawMessage
	if json.Unmarshal(params, &fields) != nil || fields["summary"] == nil {
		return params
	}
	return bytes.Replace(params, append([]byte(`"summary":`), fields["summary"]...), []byte(`"summary":"(below)"`), 1)
}

// printSummary prints the statistical summary of the bundle's final model,
// laid out as R's summary() (bundles of format 1.2 and later hold it for
// least squares, unpenalized two-class logistic regression and GLMs), or
// why there is none.
func printSummary(w *errWriter, path string) {
	p, err := persist.Load(path)
	if err != nil {
		w.printf("summary   unavailable: %s\n", strings.TrimPrefix(err.Error(), "persist: "))
		return
	}
	s, err := p.Summary()
	if errors.Is(err, models.ErrNoSummary) {
		why := strings.TrimSuffix(strings.TrimPrefix(err.Error(), "pipeline: Summary: "), ": "+models.ErrNoSummary.Error())
		w.printf("summary   none: %s\n", why)
		return
	}
	if err != nil {
		w.printf("summary   unavailable: %v\n", err)
		return
	}
	w.printf("summary\n\n%s", s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error, so that a closed pipe is reported.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func flagExit(err error) int {
	if err == flag.ErrHelp {
		return exitOK
	}
	return exitUsage
}
