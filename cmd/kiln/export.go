package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiln-ml/kiln/onnx"
)

func init() {
	register(command{"export", "write a model in another format: onnx, for ONNX Runtime in any language", export})
}

const exportUsage = `usage: kiln export onnx MODEL -o FILE [-name NAME] [-version VERSION]

Writes MODEL as an ONNX model (ai.onnx opset 17, ai.onnx.ml opset 3) that
ONNX Runtime scores as kiln does. The model's name and version, recorded in
its metadata, default to the registry's (for a bundle file: the file's name
and the first 12 hex digits of its SHA-256). Text models read kiln's tokens,
not raw documents; go doc github.com/kiln-ml/kiln/onnx says why, and which
settings cannot be exported (those are refused, named, with exit code 1).
`

func export(args []string, _ io.Reader, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiln export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "the ONNX file to write (required)")
	name := fs.String("name", "", "the model name in the metadata (default: the registry's, or the file's)")
	version := fs.String("version", "", "the model version in the metadata (default: the registry's, or the file's digest)")
	fs.Usage = func() {
		fmt.Fprint(stderr, exportUsage)
		fs.PrintDefaults()
	}
	// Flags may come before or after the format and MODEL.
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return flagExit(err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 2 || *out == "" {
		fs.Usage()
		return exitUsage
	}
	if pos[0] != "onnx" {
		fmt.Fprintf(stderr, "kiln export: unknown format %q (known: onnx)\n", pos[0])
		return exitUsage
	}
	m, err := parseModel(pos[1])
	if err != nil {
		return fail(stderr, "export", err)
	}
	p, fileVersion, err := m.load()
	if err != nil {
		return fail(stderr, "export", err)
	}
	opts := onnx.Options{Name: *name, Version: *version}
	if m.file != "" {
		if opts.Name == "" {
			opts.Name = strings.TrimSuffix(filepath.Base(m.file), filepath.Ext(m.file))
		}
		if opts.Version == "" {
			opts.Version = fileVersion
		}
	} else if opts.Version == "" && p.Ref().Version > 0 {
		opts.Version = strconv.Itoa(p.Ref().Version)
	}
	buf, err := onnx.Export(p, opts)
	if err != nil {
		return fail(stderr, "export", fmt.Errorf("%s: %w", m, err))
	}
	if err := os.WriteFile(*out, buf, 0o644); err != nil {
		os.Remove(*out) // no half-written model
		return fail(stderr, "export", err)
	}
	return exitOK
}
