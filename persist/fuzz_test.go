package persist

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/pipeline"
)

// goldenFiles lists every golden bundle of every format version.
func goldenFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.kiln"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden bundles in testdata: %v", err)
	}
	sort.Strings(files)
	return files
}

// splitBundle takes a sealed file apart into what FuzzUnmarshalResealed
// mutates: the manifest's JSON, the header's tensor members (the JSON text
// between the braces, without __metadata__) and the data section.
func splitBundle(t testing.TB, buf []byte) (manifest, members string, data []byte) {
	t.Helper()
	n := binary.LittleEndian.Uint64(buf)
	var header map[string]json.RawMessage
	if err := json.Unmarshal(buf[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	var meta map[string]string
	if err := json.Unmarshal(header["__metadata__"], &meta); err != nil {
		t.Fatal(err)
	}
	delete(header, "__metadata__")
	all, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	return meta[metaManifest], string(all[1 : len(all)-1]), buf[8+n:]
}

// FuzzUnmarshalResealed mutates a bundle's manifest, its tensor table and
// its data, then seals the result with valid digests, as an attacker would:
// the mutations reach the decoders behind the digests, which byte-level
// fuzzing of a sealed file almost never does. Every failure must be a
// classified error without a doubled prefix; every bundle that loads must
// survive scoring attempts and a save-and-load round trip.
//
//	go test ./persist -run '^$' -fuzz FuzzUnmarshalResealed -fuzztime 10m -fuzzminimizetime 5s
func FuzzUnmarshalResealed(f *testing.F) {
	for _, path := range goldenFiles(f) {
		buf, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		manifest, members, data := splitBundle(f, buf)
		f.Add([]byte(manifest), []byte(members), data)
	}
	f.Fuzz(func(t *testing.T, manifest, members, data []byte) {
		p, err := Unmarshal(sealRaw(string(members), string(manifest), data))
		if err != nil {
			checkLoadError(t, err)
			return
		}
		exercise(p)
		again, err := Marshal(p)
		if err != nil {
			t.Fatalf("a loaded pipeline does not save: %v", err)
		}
		if _, err := Unmarshal(again); err != nil {
			t.Fatalf("a loaded pipeline, saved again, does not load: %v", err)
		}
	})
}

// checkLoadError fails unless err says why in a way a caller can test.
func checkLoadError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.Count(msg, "persist:") != 1 {
		t.Fatalf("error without one package prefix: %q", msg)
	}
	// kiln.ErrConfig: pipeline.Assemble refusing steps that do not chain, or
	// a text preprocessor the loading program has not registered.
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) && !errors.Is(err, ErrUnsupported) &&
		!errors.Is(err, kiln.ErrConfig) {
		t.Fatalf("unclassified load error: %q", msg)
	}
}

// exercise scores whatever inputs the pipeline might take: errors are fine,
// panics are not.
func exercise(p *pipeline.Pipeline) {
	fr := frameFor(p.Inputs(), p.TextColumn)
	for _, data := range []*dataset.Frame{fr, numericFrame(1), numericFrame(2), numericFrame(6)} {
		if data == nil {
			continue
		}
		p.Predict(data)
		p.PredictProba(data)
		p.Transform(data)
	}
	p.Classes()
}

// frameFor builds two rows, the second all nulls, for a pipeline's inputs
// and its text column.
func frameFor(inputs []pipeline.Field, textColumn string) *dataset.Frame {
	var cols []*dataset.Column
	valid := []bool{true, false}
	seen := map[string]bool{}
	if textColumn != "" {
		inputs = append(inputs, pipeline.Field{Name: textColumn, Type: "string"})
	}
	for _, f := range inputs {
		if seen[f.Name] {
			continue
		}
		seen[f.Name] = true
		switch f.Type {
		case "float64":
			cols = append(cols, dataset.NewFloat64(f.Name, []float64{2.5, 0}, valid))
		case "int64":
			cols = append(cols, dataset.NewInt64(f.Name, []int64{3, 0}, valid))
		case "bool":
			cols = append(cols, dataset.NewBool(f.Name, []bool{true, false}, valid))
		case "timestamp":
			cols = append(cols, dataset.NewTimestamp(f.Name, []int64{1e18, 0}, valid))
		default:
			cols = append(cols, dataset.NewString(f.Name, []string{"cats are fun <br /> INLAND", ""}, valid))
		}
	}
	if len(cols) == 0 {
		return nil
	}
	fr, err := dataset.New(cols...)
	if err != nil {
		return nil
	}
	return fr
}

// numericFrame is two rows of width float64 columns named x0, x1, ...
func numericFrame(width int) *dataset.Frame {
	cols := make([]*dataset.Column, width)
	for j := range cols {
		cols[j] = dataset.NewFloat64(fmt.Sprintf("x%d", j), []float64{float64(j) - 1.5, 0.25}, nil)
	}
	return dataset.MustNew(cols...)
}

// Every single-bit flip and every truncation of every golden bundle is
// detected: the digests cover the header (its own digest read as zeros) and
// the data, and the length prefix cannot change without breaking the header.
func TestGoldenBitFlipsAndTruncationsDetected(t *testing.T) {
	for _, path := range goldenFiles(t) {
		buf, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Unmarshal(buf); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		bad := bytes.Clone(buf)
		flips := 0
		for i := range bad {
			for bit := 0; bit < 8; bit++ {
				bad[i] ^= 1 << bit
				_, err := Unmarshal(bad)
				bad[i] ^= 1 << bit
				if err == nil {
					t.Fatalf("%s: flipping bit %d of byte %d was not detected", path, bit, i)
				}
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s: flipping bit %d of byte %d: %v is not ErrCorrupt", path, bit, i, err)
				}
				flips++
			}
		}
		for n := 0; n < len(buf); n++ {
			if _, err := Unmarshal(buf[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: truncation to %d of %d bytes: %v", path, n, len(buf), err)
			}
		}
		t.Logf("%s: %d bit flips and %d truncations detected", path, flips, len(buf))
	}
}
