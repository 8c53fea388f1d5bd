package persist

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleBundle() *Bundle {
	b := NewBundle(Manifest{
		Format:  FormatName,
		Version: Version{FormatMajor, FormatMinor},
		Steps:   []Step{{Kind: "test.Step", Name: "step0", Params: json.RawMessage(`{"alpha":0.5}`)}},
		Inputs:  []Field{{Name: "x", Type: "float64"}},
		Outputs: Outputs{Name: "y", Classes: []float64{0, 1}},
		Lineage: Lineage{Rows: 3, Seed: 7, Created: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Library: LibraryVersion},
	})
	b.PutFloat64s("step0.coef", []float64{1.5, -2, math.Pi, math.Inf(-1)}, 2, 2)
	b.PutInt64s("step0.count", []int64{-1, 1 << 40})
	b.PutInt32s("step0.codes", []int32{3, -4, 5})
	b.PutStrings("step0.terms", []string{"are", "cats", "", "ünïcode"})
	return b
}

func TestRoundTrip(t *testing.T) {
	buf, err := Encode(sampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Encode(sampleBundle())
	if !bytes.Equal(buf, again) {
		t.Fatal("Encode is not deterministic")
	}
	if n := binary.LittleEndian.Uint64(buf); (8+n)%8 != 0 {
		t.Errorf("header of %d bytes leaves the data unaligned", n)
	}
	b, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Steps[0].Kind != "test.Step" || b.Manifest.Lineage.Seed != 7 || string(b.Manifest.Steps[0].Params) != `{"alpha":0.5}` {
		t.Errorf("manifest: %+v", b.Manifest)
	}
	coef, err := b.Float64s("step0.coef", 2, 2)
	if err != nil || coef[2] != math.Pi || !math.IsInf(coef[3], -1) {
		t.Errorf("coef %v %v", coef, err)
	}
	cnt, err := b.Int64s("step0.count")
	if err != nil || cnt[1] != 1<<40 || cnt[0] != -1 {
		t.Errorf("count %v %v", cnt, err)
	}
	codes, err := b.Int32s("step0.codes", 3)
	if err != nil || codes[1] != -4 {
		t.Errorf("codes %v %v", codes, err)
	}
	terms, err := b.Strings("step0.terms")
	if err != nil || strings.Join(terms, "|") != "are|cats||ünïcode" {
		t.Errorf("terms %q %v", terms, err)
	}
	if _, err := b.Float64s("step0.coef", 4); err == nil {
		t.Error("wrong shape accepted")
	}
	if _, err := b.Int64s("step0.coef"); err == nil {
		t.Error("wrong dtype accepted")
	}
	if _, err := b.Float64s("nope"); err == nil {
		t.Error("missing tensor accepted")
	}
}

// Every single-byte change of a bundle must be detected: the digests cover the
// header (with the header digest zeroed) and the data.
func TestEveryByteFlipDetected(t *testing.T) {
	buf, err := Encode(sampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(buf)
			bad[i] ^= mask
			if _, err := Decode(bad); err == nil {
				t.Fatalf("flipping byte %d with %#x was not detected", i, mask)
			}
		}
	}
}

func TestTruncationDetected(t *testing.T) {
	buf, _ := Encode(sampleBundle())
	for n := 0; n < len(buf); n++ {
		if _, err := Decode(buf[:n]); err == nil {
			t.Fatalf("truncation to %d of %d bytes not detected", n, len(buf))
		}
	}
	if _, err := Decode(append(bytes.Clone(buf), 0)); err == nil {
		t.Fatal("trailing byte not detected")
	}
}

// forge builds a file with a hand-written header and valid digests, to reach
// the structural checks behind them.
func forge(t *testing.T, entries map[string]any, data []byte, manifest Manifest) []byte {
	t.Helper()
	b := NewBundle(manifest)
	// Encode a bundle with no tensors, then splice in our own entries and data
	// and recompute the digests the way Encode does.
	m, _ := json.Marshal(b.Manifest)
	sum := sha256sum(data)
	header := map[string]any{"__metadata__": map[string]string{metaManifest: string(m), metaDataSHA: sum, metaHeaderSHA: zeroDigest}}
	for k, v := range entries {
		header[k] = v
	}
	hdr, _ := json.Marshal(header)
	pos, err := headerDigestPos(hdr)
	if err != nil {
		t.Fatal(err)
	}
	copy(hdr[pos:], sha256sum(hdr))
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	return append(append(out, hdr...), data...)
}

func TestStructuralErrors(t *testing.T) {
	good := sampleBundle().Manifest
	newer := good
	newer.Version = Version{FormatMajor + 1, 0}
	olderMinor := good
	olderMinor.Version = Version{FormatMajor, 0}
	wrongFormat := good
	wrongFormat.Format = "pickle"
	data := make([]byte, 16)
	cases := []struct {
		name     string
		entries  map[string]any
		data     []byte
		manifest Manifest
		want     string
	}{
		{"overlap", map[string]any{
			"a": headerEntry{F64, []int{1}, [2]int64{0, 8}},
			"b": headerEntry{F64, []int{2}, [2]int64{0, 16}}}, data, good, "overlaps"},
		{"gap", map[string]any{"a": headerEntry{F64, []int{1}, [2]int64{8, 16}}}, data, good, "gap"},
		{"out of range", map[string]any{"a": headerEntry{F64, []int{4}, [2]int64{0, 32}}}, data, good, "outside"},
		{"negative offset", map[string]any{"a": headerEntry{U8, []int{16}, [2]int64{-8, 8}}}, data, good, "outside"},
		{"shape mismatch", map[string]any{"a": headerEntry{F64, []int{3}, [2]int64{0, 16}}}, data, good, "needs 24 bytes"},
		{"unknown dtype", map[string]any{"a": headerEntry{"C128", []int{1}, [2]int64{0, 16}}}, data, good, "unknown dtype"},
		{"trailing", map[string]any{"a": headerEntry{F64, []int{1}, [2]int64{0, 8}}}, data, good, "trailing"},
		{"unknown field", map[string]any{"a": map[string]any{"dtype": "U8", "shape": []int{16}, "data_offsets": []int{0, 16}, "pickle": 1}}, data, good, "unknown field"},
		{"newer major", map[string]any{"a": headerEntry{U8, []int{16}, [2]int64{0, 16}}}, data, newer, "newer than this reader"},
		{"not kiln", map[string]any{"a": headerEntry{U8, []int{16}, [2]int64{0, 16}}}, data, wrongFormat, "not a kiln bundle"},
		{"huge shape", map[string]any{"a": headerEntry{F64, []int{1 << 62, 1 << 62}, [2]int64{0, 16}}}, data, good, "overflows"},
	}
	for _, c := range cases {
		_, err := Decode(forge(t, c.entries, c.data, c.manifest))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
	if _, err := Decode(forge(t, map[string]any{"a": headerEntry{U8, []int{16}, [2]int64{0, 16}}}, data, olderMinor)); err != nil {
		t.Errorf("same major version must load: %v", err)
	}
	absurd := binary.LittleEndian.AppendUint64(nil, math.MaxUint64)
	if _, err := Decode(append(absurd, "{}"...)); err == nil || !strings.Contains(err.Error(), "impossible") {
		t.Errorf("absurd header length: %v", err)
	}
}

func TestStringsValidation(t *testing.T) {
	b := NewBundle(Manifest{})
	b.Tensors["s.bytes"] = Tensor{U8, []int{3}, []byte("abc")}
	for _, offs := range [][]int64{{0, 2, 1, 3}, {1, 3}, {0, 4}, {}} {
		b.PutInt64s("s.offsets", offs)
		if _, err := b.Strings("s"); err == nil {
			t.Errorf("offsets %v accepted", offs)
		}
	}
	b.Tensors["s.bytes"] = Tensor{U8, []int{2}, []byte{0xff, 0xfe}}
	b.PutInt64s("s.offsets", []int64{0, 2})
	if _, err := b.Strings("s"); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}

func TestWriteFileAtomicNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.kiln")
	if err := WriteFile(path, sampleBundle(), false); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, sampleBundle(), false); !errors.Is(err, ErrExists) {
		t.Fatalf("second save without overwrite: %v", err)
	}
	if err := WriteFile(path, sampleBundle(), true); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	if _, err := ReadFile(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.kiln")); err == nil {
		t.Error("missing file: no error")
	}
}

func FuzzDecode(f *testing.F) {
	buf, _ := Encode(sampleBundle())
	f.Add(buf)
	f.Add(buf[:40])
	f.Add([]byte{})
	f.Add(binary.LittleEndian.AppendUint64(nil, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode and read back the same.
		for name := range b.Tensors {
			t := b.Tensors[name]
			_ = t.DType.Size()
		}
		if _, err := Encode(b); err != nil {
			t.Fatalf("decoded bundle does not re-encode: %v", err)
		}
	})
}

// RemoveStaleTemp removes only kiln's own temporary files, only old ones.
func TestRemoveStaleTempTakesOnlyOldKilnFiles(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	files := map[string]bool{ // name -> removed
		".m.kiln.kiln-tmp-abc":     true,
		".other.kiln.kiln-tmp-1z":  true,
		".m.kiln.kiln-tmp-young":   false,
		".m.kiln.tmp-123":          false, // not named by kiln
		"m.kiln":                   false,
		"notes.kiln-tmp-not-dot":   false,
		".m.kiln.kiln-tmp-dir.d/x": false,
	}
	for name := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o777)
		if err := os.WriteFile(path, []byte("x"), 0o666); err != nil {
			t.Fatal(err)
		}
		if name != ".m.kiln.kiln-tmp-young" {
			os.Chtimes(path, old, old)
		}
	}
	removed, err := RemoveStaleTemp(dir, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Errorf("removed %v", removed)
	}
	for name, gone := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone != errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: removed = %v", name, !gone)
		}
	}
}
