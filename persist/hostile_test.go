package persist

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The hostile-bundle acceptance test: bundles crafted as an attacker would
// (anyone who can write a file can recompute SHA-256, so each one carries
// valid digests unless the attack is on the digests themselves), each loaded
// in a child process under an address-space limit. Every one must give a
// clear error (or load, for the bundles that only test the memory bound),
// none may panic or die, and what Load allocates must stay under
// loadAllocBound.

const (
	hostileEnv      = "KILN_PERSIST_HOSTILE_BUNDLE" // child mode: the bundle to load
	hostileLimitEnv = "KILN_PERSIST_HOSTILE_LIMIT"  // child mode: address-space allowance in bytes
)

// hostileResult is what the child reports on stdout.
type hostileResult struct {
	Err             string `json:"err"`
	Corrupt         bool   `json:"corrupt"`
	Unsupported     bool   `json:"unsupported"`
	UnsupportedStep bool   `json:"unsupported_step"`
	Alloc           uint64 `json:"alloc"`    // bytes allocated by Load (runtime.MemStats.TotalAlloc)
	PeakRSS         uint64 `json:"peak_rss"` // VmHWM of the child, bytes
	Size            int64  `json:"size"`
}

// loadHostileChild loads one bundle under an address-space limit and
// reports the outcome; a panic or a fatal out-of-memory error kills it
// with a non-zero status, which the parent reports.
func loadHostileChild(path string) int {
	if s := os.Getenv(hostileLimitEnv); s != "" {
		allowance, _ := strconv.ParseUint(s, 10, 64)
		if err := limitAddressSpace(allowance); err != nil {
			fmt.Fprintln(os.Stderr, "limiting the address space:", err)
			return 3
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Load(path)
	runtime.ReadMemStats(&after)
	res := hostileResult{Alloc: after.TotalAlloc - before.TotalAlloc, PeakRSS: peakRSS(), Size: st.Size()}
	if err != nil {
		res.Err = err.Error()
		res.Corrupt = errors.Is(err, ErrCorrupt)
		res.Unsupported = errors.Is(err, ErrUnsupportedVersion)
		res.UnsupportedStep = errors.Is(err, ErrUnsupported)
	}
	json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

// peakRSS reads the process's peak resident set size (Linux), or 0.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

type hostileCase struct {
	name string
	file []byte
	want error  // ErrCorrupt, ErrUnsupportedVersion, ErrUnsupported, or nil: it loads
	text string // a part of the message
}

func TestHostileBundles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds multi-megabyte bundles and starts a process per bundle")
	}
	cases := hostileCases(t)
	dir := t.TempDir()
	py := pythonIfAny()
	var mu sync.Mutex
	var worst float64
	t.Run("load", func(t *testing.T) {
		for i, c := range cases {
			path := filepath.Join(dir, fmt.Sprintf("%02d.kiln", i))
			if err := os.WriteFile(path, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				res := loadInChild(t, path)
				switch {
				case c.want == nil && res.Err != "":
					t.Errorf("%s", res.Err)
				case c.want == ErrCorrupt && !res.Corrupt, c.want == ErrUnsupportedVersion && !res.Unsupported,
					c.want == ErrUnsupported && !res.UnsupportedStep:
					t.Errorf("error %q is not %v", res.Err, c.want)
				case c.want != nil && !strings.Contains(res.Err, c.text):
					t.Errorf("error %q does not say %q", res.Err, c.text)
				case strings.Count(res.Err, "persist:") > 1:
					t.Errorf("doubled prefix in %q", res.Err)
				}
				if bound := loadAllocBound(res.Size); res.Alloc > uint64(bound) {
					t.Errorf("Load of %d bytes allocated %d bytes, over the bound of %d", res.Size, res.Alloc, bound)
				}
				ratio := float64(res.Alloc) / float64(res.Size)
				if res.Size >= 1<<20 { // smaller files measure the fixed cost, not the per-byte one
					mu.Lock()
					worst = math.Max(worst, ratio)
					mu.Unlock()
				}
				t.Logf("%10d bytes: allocated %11d (%6.2f x), peak RSS %5.1f MiB: %s",
					res.Size, res.Alloc, ratio, float64(res.PeakRSS)/(1<<20), res.Err)
				if py != "" && res.Size < 8<<20 {
					checkWithReader(t, py, path, c.want == nil, c.want == ErrUnsupportedVersion)
				}
			})
		}
	})
	t.Logf("largest allocation per file byte, files of 1 MiB or more: %.2f (bound %d)", worst, loadAllocPerByte)
}

// loadInChild loads the bundle at path in a new process of this test binary,
// under an address-space limit a little above the allocation bound.
func loadInChild(t *testing.T, path string) hostileResult {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hostileEnv+"="+path,
		hostileLimitEnv+"="+strconv.FormatUint(addressAllowance(loadAllocBound(st.Size())), 10))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the loading process died (%v):\n%s", err, firstLines(stderr.String(), 12))
	}
	var res hostileResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("child output %q: %v", stdout.String(), err)
	}
	return res
}

// addressAllowance is the address space the child may add to what it has
// mapped at start: the allocation bound, twice over for the garbage
// collector's headroom, plus room for the runtime's own reservations.
func addressAllowance(bound int64) uint64 {
	return uint64(2*bound) + 512<<20
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// goldenBundle decodes a golden file for crafting.
func goldenBundle(t *testing.T, name string) *Bundle {
	t.Helper()
	buf, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	b.Tensors = cloneTensors(b.Tensors)
	return b
}

func cloneTensors(m map[string]Tensor) map[string]Tensor {
	out := make(map[string]Tensor, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sealed encodes a crafted bundle with valid digests.
func sealed(t *testing.T, b *Bundle) []byte {
	t.Helper()
	buf, err := Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	return buf
}

// withParam returns the bundle with one key of step i's params replaced.
func withParam(t *testing.T, b *Bundle, step int, key string, value any) *Bundle {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b.Manifest.Steps[step].Params, &m); err != nil {
		t.Fatal(err)
	}
	m[key] = value
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	steps := append([]Step(nil), b.Manifest.Steps...)
	steps[step].Params = raw
	out := *b
	out.Manifest.Steps = steps
	return &out
}

func offsetsTensor(v ...int64) Tensor {
	b := NewBundle(Manifest{})
	b.PutInt64s("x", v)
	return b.Tensors["x"]
}

// sealRaw builds a file from a hand-written list of header members (the
// JSON text between the braces, after __metadata__), the manifest and the
// data, with both digests computed as a writer computes them.
func sealRaw(members, manifest string, data []byte) []byte {
	ds := sha256.Sum256(data)
	m, _ := json.Marshal(manifest)
	var hdr bytes.Buffer
	fmt.Fprintf(&hdr, `{"__metadata__":{"%s":"%s","%s":"%s","%s":%s}`, metaDataSHA, hex.EncodeToString(ds[:]), metaHeaderSHA, zeroDigest, metaManifest, m)
	if members != "" {
		hdr.WriteString("," + members)
	}
	hdr.WriteString("}")
	for hdr.Len()%headerAlign != 0 {
		hdr.WriteByte(' ')
	}
	h := hdr.Bytes()
	pos, _ := headerDigestPos(h)
	sum := sha256.Sum256(h)
	copy(h[pos:], hex.EncodeToString(sum[:]))
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(out, h...), data...)
}

func manifestJSON(t *testing.T, b *Bundle) string {
	m, err := json.Marshal(b.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	return string(m)
}

func hostileCases(t *testing.T) []hostileCase {
	km := goldenBundle(t, "kmeans_v1.1.kiln")
	table := goldenBundle(t, "table_v1.1.kiln")
	txt := goldenBundle(t, "text_v1.1.kiln")
	logit := goldenBundle(t, "logistic_v1.1.kiln")
	linear, err := os.ReadFile(filepath.Join("testdata", "linear_v1.1.kiln"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []hostileCase
	add := func(name string, file []byte, want error, text string) {
		cases = append(cases, hostileCase{name, file, want, text})
	}

	// 1. The header-digest lookup and the length prefix.
	short := []byte(`{"__metadata__":{"` + metaHeaderSHA + `":"` + zeroDigest)
	for len(short)%8 != 0 {
		short = append([]byte(" "), short...)
	}
	add("header ends after the digest digits", append(binary.LittleEndian.AppendUint64(nil, uint64(len(short))), short...), ErrCorrupt, "not 64 characters")
	pos, _ := headerDigestPos(linear[8:])
	cut := bytes.Clone(linear)
	binary.LittleEndian.PutUint64(cut, uint64(pos+64))
	add("length prefix cut after the digest digits", cut, ErrCorrupt, "not 64 characters")
	long := bytes.Clone(linear)
	binary.LittleEndian.PutUint64(long, uint64(len(linear)-8))
	add("length prefix covering the data", long, ErrCorrupt, "header")
	huge := bytes.Clone(linear)
	binary.LittleEndian.PutUint64(huge, math.MaxUint64)
	add("length prefix 2^64-1", huge, ErrCorrupt, "impossible")

	// 2. String offsets that point outside their text.
	bad := *table
	bad.Tensors = cloneTensors(table.Tensors)
	bad.Tensors["table.levels.0.offsets"] = offsetsTensor(0, 1<<40, int64(len(table.Tensors["table.levels.0.bytes"].Data)))
	add("category level offsets past the text", sealed(t, &bad), ErrCorrupt, "outside")
	bad.Tensors["table.levels.0.offsets"] = offsetsTensor(0, 5, 2, int64(len(table.Tensors["table.levels.0.bytes"].Data)))
	add("category level offsets decreasing", sealed(t, &bad), ErrCorrupt, "outside")
	bad.Tensors["table.levels.0.offsets"] = offsetsTensor(0, -3, int64(len(table.Tensors["table.levels.0.bytes"].Data)))
	add("category level offsets negative", sealed(t, &bad), ErrCorrupt, "outside")
	vocab := *txt
	vocab.Tensors = cloneTensors(txt.Tensors)
	vocab.Tensors["countvectorizer.vocabulary.offsets"] = offsetsTensor(0, math.MaxInt64, int64(len(txt.Tensors["countvectorizer.vocabulary.bytes"].Data)))
	add("vocabulary offsets past the text", sealed(t, &vocab), ErrCorrupt, "outside")
	vocab.Tensors = cloneTensors(txt.Tensors)
	vocab.PutStrings("countvectorizer.vocabulary", []string{"are", "cats", "are", "dogs", "eat", "fish"})
	add("vocabulary with a repeated term", sealed(t, &vocab), ErrCorrupt, "vocabulary")

	// 3. Sizes in the params that the tensors do not back.
	for _, k := range []int64{1 << 33, 1 << 24} {
		b := withParam(t, km, 0, "k", k)
		b.Tensors = map[string]Tensor{
			"kmeans.centroids": {F64, []int{int(k), 0}, nil},
			"kmeans.labels":    {I64, []int{0}, nil},
		}
		add(fmt.Sprintf("k-means k = 2^%d, no centroid bytes", bits(k)), sealed(t, b), ErrCorrupt, "at least one feature")
	}
	b := withParam(t, km, 0, "k", 3)
	add("k-means k larger than the centroids", sealed(t, b), ErrCorrupt, "shape")
	b = withParam(t, km, 0, "k", -1)
	add("k-means k negative", sealed(t, b), ErrCorrupt, "k is -1")
	b = withParam(t, km, 0, "k", 1e300)
	add("k-means k not an integer", sealed(t, b), ErrCorrupt, "params")
	b = withParam(t, km, 0, "k", 2)
	b.Tensors = cloneTensors(km.Tensors)
	b.PutInt64s("kmeans.labels", []int64{0, 1, 7})
	add("k-means label outside [0, k)", sealed(t, b), ErrCorrupt, "label 7")
	b.Tensors = cloneTensors(km.Tensors)
	b.PutFloat64s("kmeans.centroids", []float64{1, math.NaN(), 3, 4}, 2, 2)
	add("k-means NaN centroid", sealed(t, b), ErrCorrupt, "NaN")
	lb := *logit
	lb.Tensors = cloneTensors(logit.Tensors)
	lb.Tensors["logisticregression.coef"] = Tensor{F64, []int{1 << 40, 0}, nil}
	lb.Tensors["logisticregression.intercept"] = Tensor{F64, []int{0}, nil}
	add("logistic coef of 2^40 empty rows", sealed(t, &lb), ErrCorrupt, "at least one row")
	lb.Tensors = cloneTensors(logit.Tensors)
	lb.PutFloat64s("logisticregression.classes", []float64{0, 1, 2})
	add("logistic with more classes than coef rows", sealed(t, &lb), ErrCorrupt, "class")
	tb := withParam(t, table, 0, "hash_buckets", int64(1)<<40)
	add("table hash_buckets 2^40", sealed(t, tb), ErrCorrupt, "hash_buckets")
	tb = withParam(t, table, 0, "impute", []bool{true, true, true})
	add("table impute flags for absent columns", sealed(t, tb), ErrCorrupt, "params describe")
	tb = table
	tb.Tensors = cloneTensors(table.Tensors)
	delete(tb.Tensors, "table.levels.0.bytes")
	add("table missing a level tensor", sealed(t, tb), ErrCorrupt, "no tensor")
	hb := withParam(t, txt, 0, "ngram_range", []int{3, 1})
	add("vectorizer ngram_range [3, 1]", sealed(t, hb), ErrCorrupt, "ngram_range")

	// 4. What a header can make the loader allocate.
	manifest := manifestJSON(t, km)
	var many strings.Builder
	// The race detector makes the million ~10 times slower; a tenth shows the
	// same cost per byte.
	tensors := 1_000_000
	if raceEnabled {
		tensors = 100_000
	}
	for i := 0; i < tensors; i++ {
		if i > 0 {
			many.WriteByte(',')
		}
		fmt.Fprintf(&many, `"t%d":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`, i)
	}
	add(fmt.Sprintf("%d zero-byte tensors", tensors), sealRaw(many.String(), manifest, nil), ErrCorrupt, "no tensor")
	add("shape of nine dimensions", sealRaw(`"a":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}`, manifest, []byte{1}), ErrCorrupt, "shape: more than 8")
	add("shape that overflows", sealRaw(`"a":{"dtype":"F64","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,0]}`, manifest, nil), ErrCorrupt, "overflows")
	add("three data offsets", sealRaw(`"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,1]}`, manifest, []byte{1}), ErrCorrupt, "data_offsets: more than 2")
	add("a tensor described twice", sealRaw(`"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}`, manifest, []byte{1}), ErrCorrupt, "twice")
	add("an unknown field in an entry", sealRaw(`"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"pickle":"os.system"}`, manifest, []byte{1}), ErrCorrupt, "unknown field")
	add("overlapping tensors", sealRaw(`"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}`, manifest, []byte{1, 2, 3}), ErrCorrupt, "overlaps")
	add("manifest that is not JSON", sealRaw("", "{", nil), ErrCorrupt, "manifest")
	add("no manifest", sealRaw("", "", nil), ErrCorrupt, "not a kiln bundle")

	defs := func(doc string) []byte {
		d := NewBundle(Manifest{Format: FormatName, Version: Version{FormatMajor, FormatMinor},
			Steps: []Step{{Kind: "dfs.Definitions", Name: "step0", Params: json.RawMessage("{}")}}})
		d.Tensors["step0.definitions"] = Tensor{U8, []int{len(doc)}, []byte(doc)}
		return sealed(t, d)
	}
	add("a million empty feature definitions", defs(`{"target":"t","features":[{}`+strings.Repeat(`,{}`, 999_999)+`]}`), ErrCorrupt, "JSON objects")
	add("feature definitions nested 9,000 deep", defs(`{"target":"t","features":[`+strings.Repeat(`{"entity":"t","kind":"transform","primitive":"absolute","input":`, 9000)+
		`{"entity":"t","column":"x","kind":"identity"}`+strings.Repeat("}", 9000)+`]}`), ErrCorrupt, "32 deep")

	// Valid bundles that are as expensive per byte as the format allows:
	// they must load within the bound.
	var metrics strings.Builder
	for i := 0; i < 200_000; i++ {
		fmt.Fprintf(&metrics, `,"%s":1`, strconv.FormatInt(int64(i), 36))
	}
	mm := strings.Replace(manifest, `"lineage"`, `"metrics":{"x":1`+metrics.String()+`},"lineage"`, 1)
	add("200,000 metrics (loads)", sealRaw(`"kmeans.centroids":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]},"kmeans.labels":{"dtype":"I64","shape":[0],"data_offsets":[32,32]}`,
		mm, km.Tensors["kmeans.centroids"].Data), nil, "")
	terms := make([]string, 300_000)
	for i := range terms {
		terms[i] = strconv.FormatInt(int64(i), 36)
	}
	big := *txt
	big.Tensors = cloneTensors(txt.Tensors)
	big.PutStrings("countvectorizer.vocabulary", terms)
	coef := make([]float64, len(terms))
	big.PutFloat64s("logisticregression.coef", coef, 1, len(coef))
	add("300,000-term vocabulary of short terms (loads)", sealed(t, &big), nil, "")

	// Versions and kinds.
	nb := *logit
	nb.Manifest.Version = Version{FormatMajor + 1, 0}
	add("newer major version", sealed(t, &nb), ErrUnsupportedVersion, "upgrade kiln")
	uk := *logit
	uk.Manifest.Steps = []Step{{Kind: "models.GradientBoosting", Name: "step0"}}
	add("unknown step kind", sealed(t, &uk), ErrUnsupported, "models.GradientBoosting")
	return cases
}

func bits(v int64) int {
	n := 0
	for v > 1 {
		v >>= 1
		n++
	}
	return n
}

// pythonIfAny returns Debian's interpreter with numpy, or "".
func pythonIfAny() string {
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import numpy").Run() != nil {
		return ""
	}
	return py
}

// checkWithReader loads a crafted bundle with the reference reader, which
// must refuse what kiln refuses, with its own error, and load the rest.
func checkWithReader(t *testing.T, py, path string, loads, newer bool) {
	t.Helper()
	out, err := exec.Command(py, filepath.Join("reader", "kiln_reader.py"), "--check", path).CombinedOutput()
	got := strings.TrimSpace(string(out))
	switch {
	case loads && (err != nil || got != "ok"):
		t.Errorf("the reference reader refuses it: %s (%v)", got, err)
	case !loads && newer && !strings.HasPrefix(got, "UnsupportedVersion:"):
		t.Errorf("the reference reader says %q, want UnsupportedVersion", got)
	case !loads && !strings.HasPrefix(got, "BundleError:") && !strings.HasPrefix(got, "UnsupportedVersion:"):
		t.Errorf("the reference reader says %q, want a BundleError", got)
	}
}
