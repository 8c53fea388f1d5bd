// Command kiln inspects, scores and serves kiln models.
//
//	kiln inspect MODEL                 manifest, schema, steps, metrics, lineage, R-style summary; digests verified
//	kiln predict MODEL [IN] [-o OUT]   score CSV, JSON Lines or Parquet in batches (stdin/stdout by default)
//	kiln serve [flags] REGISTRY|BUNDLE the HTTP server of package serve; SIGHUP reloads, SIGTERM drains
//	kiln export onnx MODEL -o FILE     an ONNX model for ONNX Runtime (package onnx)
//	kiln registry list|publish|promote|rollback|gc DIR ...
//
// MODEL is a bundle file or a registry reference:
//
//	model.kiln            a bundle file (any path to an existing file)
//	DIR/NAME              the latest version of NAME in the registry at DIR
//	DIR/NAME@VERSION      a version number
//	DIR/NAME:ALIAS        the version an alias (such as production) points at
//
// Exit codes: 0 success, 1 failure (a bad model, bad input, a failed
// write), 2 a usage error (unknown command or flag, wrong arguments).
// Every command has -h.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand; run returns the exit code. Adding a command is
// adding an entry to commands.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands []command

func register(c command) { commands = append(commands, c) }

const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "kiln: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kiln COMMAND [arguments]  (kiln COMMAND -h for its flags)")
	fmt.Fprintln(w)
	sorted := append([]command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
MODEL is a bundle file, or DIR/NAME, DIR/NAME@VERSION, DIR/NAME:ALIAS in a registry.
Exit codes: 0 success, 1 failure, 2 usage error.`)
}

// fail prints an error and returns exitFail.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "kiln %s: %v\n", cmd, strings.TrimPrefix(err.Error(), "persist: "))
	return exitFail
}
