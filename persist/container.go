package persist

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The file layout is the safetensors layout (see FORMAT.md):
//
//	8 bytes   little-endian uint64 N, the header's length
//	N bytes   JSON header: {"__metadata__": {...}, "<tensor>": {"dtype", "shape", "data_offsets"}, ...}
//	rest      the tensors' raw little-endian bytes, contiguous, in the order of their offsets
//
// kiln puts its manifest and two SHA-256 digests in __metadata__, so that any
// changed byte, in the header or the data, is detected before a model is built.

const (
	metaManifest   = "kiln.manifest"
	metaDataSHA    = "kiln.data_sha256"
	metaHeaderSHA  = "kiln.header_sha256"
	headerAlign    = 8
	maxHeaderBytes = 100 << 20 // as safetensors: a header this large is corrupt, not a model
	maxRank        = 8         // dimensions of a tensor; kiln writes one or two
	zeroDigest     = "0000000000000000000000000000000000000000000000000000000000000000"
)

// DType names a tensor's element type with safetensors' spelling.
type DType string

// The element types kiln writes. Strings are stored as U8 bytes plus I64 offsets.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	I64  DType = "I64"
	I32  DType = "I32"
	U8   DType = "U8"
	Bool DType = "BOOL"
)

// Size returns the element size in bytes, or 0 for an unknown type.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case U8, Bool:
		return 1
	}
	return 0
}

// Tensor is one named array of a bundle: a type, a shape and its raw
// little-endian bytes.
type Tensor struct {
	DType DType
	Shape []int
	Data  []byte
}

// Bundle is the in-memory form of a .kiln file: a manifest and named tensors.
// Learners are turned into bundles by their codecs; Encode and Decode turn
// bundles into bytes and back, checking every structural rule of the format.
type Bundle struct {
	Manifest Manifest
	Tensors  map[string]Tensor
}

// NewBundle returns an empty bundle with the given manifest.
func NewBundle(m Manifest) *Bundle {
	return &Bundle{Manifest: m, Tensors: make(map[string]Tensor)}
}

type headerEntry struct {
	DType       DType   `json:"dtype"`
	Shape       dims    `json:"shape"`
	DataOffsets offsets `json:"data_offsets"`
}

// dims is a tensor's shape in the header: at most maxRank dimensions.
type dims []int

func (d *dims) UnmarshalJSON(raw []byte) error {
	var buf [maxRank]int64
	n, err := parseIntArray(raw, buf[:])
	if err != nil {
		return fmt.Errorf("shape: %v", err)
	}
	*d = make(dims, n)
	for i, v := range buf[:n] {
		if v > math.MaxInt {
			return fmt.Errorf("shape: dimension %d is too large", v)
		}
		(*d)[i] = int(v)
	}
	return nil
}

// offsets is a tensor's [begin, end) in the header: exactly two numbers.
type offsets [2]int64

func (o *offsets) UnmarshalJSON(raw []byte) error {
	n, err := parseIntArray(raw, o[:])
	if err == nil && n != 2 {
		err = fmt.Errorf("%d numbers, want 2", n)
	}
	if err != nil {
		return fmt.Errorf("data_offsets: %v", err)
	}
	return nil
}

// parseIntArray reads a JSON array of integers into out and returns how
// many it held. It refuses more than len(out) of them, so a header cannot
// make it allocate, and anything that is not an array of integers that fit
// in int64.
func parseIntArray(raw []byte, out []int64) (int, error) {
	s := bytes.TrimSpace(raw)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return 0, fmt.Errorf("not an array of integers")
	}
	s = bytes.TrimSpace(s[1 : len(s)-1])
	if len(s) == 0 {
		return 0, nil
	}
	n := 0
	for {
		end := bytes.IndexByte(s, ',')
		if end < 0 {
			end = len(s)
		}
		if n == len(out) {
			return 0, fmt.Errorf("more than %d numbers", len(out))
		}
		num := bytes.TrimSpace(s[:end])
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || (len(num) > 1 && num[0] == '0') || (len(num) > 2 && num[0] == '-' && num[1] == '0') || num[0] == '+' {
			return 0, fmt.Errorf("%q is not an integer", num)
		}
		out[n] = v
		n++
		if end == len(s) {
			return n, nil
		}
		s = s[end+1:]
	}
}

// Encode returns the bundle's bytes. The output is deterministic: tensors are
// laid out in name order and the header's keys are sorted, so the same bundle
// always gives the same bytes (the golden tests rely on it).
func Encode(b *Bundle) ([]byte, error) {
	names := make([]string, 0, len(b.Tensors))
	for name, t := range b.Tensors {
		if err := checkTensor(name, t); err != nil {
			return nil, prefixed(err)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	manifest, err := json.Marshal(b.Manifest)
	if err != nil {
		return nil, fmt.Errorf("persist: encoding manifest: %w", err)
	}
	header := make(map[string]any, len(names)+1)
	var data bytes.Buffer
	for _, name := range names {
		t := b.Tensors[name]
		begin := int64(data.Len())
		data.Write(t.Data)
		header[name] = headerEntry{t.DType, shapeOrEmpty(t.Shape), [2]int64{begin, int64(data.Len())}}
	}
	dataSum := sha256.Sum256(data.Bytes())
	header["__metadata__"] = map[string]string{
		metaManifest:  string(manifest),
		metaDataSHA:   hex.EncodeToString(dataSum[:]),
		metaHeaderSHA: zeroDigest,
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("persist: encoding header: %w", err)
	}
	if pad := len(hdr) % headerAlign; pad != 0 {
		hdr = append(hdr, bytes.Repeat([]byte{' '}, headerAlign-pad)...)
	}
	// The header digest covers the header with its own value zeroed; it is then
	// written in place (same length, so no offset moves).
	pos, err := headerDigestPos(hdr)
	if err != nil {
		return nil, fmt.Errorf("persist: encoding header: %v", err) // a metadata value spelled the digest key
	}
	sum := sha256.Sum256(hdr)
	copy(hdr[pos:], hex.EncodeToString(sum[:]))

	out := make([]byte, 8, 8+len(hdr)+data.Len())
	binary.LittleEndian.PutUint64(out, uint64(len(hdr)))
	out = append(out, hdr...)
	return append(out, data.Bytes()...), nil
}

func shapeOrEmpty(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

// checkTensor checks a tensor's name, dtype and rank, and that its shape
// accounts for its bytes exactly.
func checkTensor(name string, t Tensor) error {
	if name == "" || name == "__metadata__" {
		return fmt.Errorf("invalid tensor name %q", name)
	}
	size := t.DType.Size()
	if size == 0 {
		return fmt.Errorf("tensor %q: unknown dtype %q", name, t.DType)
	}
	if len(t.Shape) > maxRank {
		return fmt.Errorf("tensor %q: shape %v has more than %d dimensions", name, t.Shape, maxRank)
	}
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", name, t.Shape)
		}
		if d > 0 && n > math.MaxInt/d {
			return fmt.Errorf("tensor %q: shape %v overflows", name, t.Shape)
		}
		n *= d
	}
	if n > math.MaxInt/size || n*size != len(t.Data) {
		return fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, has %d", name, t.Shape, t.DType, n*size, len(t.Data))
	}
	return nil
}

// headerDigestPos finds the 64 hex digits of the header digest in the raw
// header. The key must appear exactly once, followed by 64 characters and a
// closing quote.
func headerDigestPos(hdr []byte) (int, error) {
	key := []byte(`"` + metaHeaderSHA + `":"`)
	i := bytes.Index(hdr, key)
	if i < 0 || bytes.Index(hdr[i+1:], key) >= 0 {
		return 0, corrupt("header digest %q missing or repeated", metaHeaderSHA)
	}
	pos := i + len(key)
	if len(hdr)-pos < 65 || hdr[pos+64] != '"' {
		return 0, corrupt("header digest %q is not 64 characters long", metaHeaderSHA)
	}
	return pos, nil
}

// Decode parses and verifies a bundle. It checks the header length, both
// SHA-256 digests, the JSON, every tensor's name, dtype, shape and byte range
// (in range, no overlaps, no gaps), and the manifest's format version; any
// failure is an error and no bundle is returned. The tensors' Data slices
// alias buf.
//
// Decode never panics and what it allocates is bounded by a multiple of
// len(buf) (see the package documentation for the figure): the data is not
// copied, and nothing in the header can ask for memory that its own bytes do
// not pay for. Errors wrap ErrCorrupt, or ErrUnsupportedVersion for a bundle
// of a newer major version.
func Decode(buf []byte) (*Bundle, error) {
	b, err := decode(buf)
	return b, prefixed(err)
}

func decode(buf []byte) (*Bundle, error) {
	if len(buf) < 8 {
		return nil, corrupt("%d bytes are too short for a kiln bundle (truncated, or not a kiln file)", len(buf))
	}
	n := binary.LittleEndian.Uint64(buf)
	if n < 2 || n > maxHeaderBytes || n > uint64(len(buf)-8) {
		return nil, corrupt("header length %d is impossible for a %d-byte file (truncated, or not a kiln file)", n, len(buf))
	}
	hdr, data := buf[8:8+n], buf[8+n:]
	if !utf8.Valid(hdr) {
		return nil, corrupt("header is not UTF-8 (not a kiln file)")
	}
	pos, err := headerDigestPos(hdr)
	if err != nil {
		return nil, err
	}
	// The digest covers the header with its own 64 digits read as zeros.
	h := sha256.New()
	h.Write(hdr[:pos])
	h.Write([]byte(zeroDigest))
	h.Write(hdr[pos+64:])
	if !digestIs(h.Sum(nil), hdr[pos:pos+64]) {
		return nil, corrupt("header checksum mismatch: the file was damaged or modified after it was written")
	}
	meta, entries, err := parseHeader(hdr)
	if err != nil {
		return nil, err
	}
	dataSum := sha256.Sum256(data)
	if !digestIs(dataSum[:], []byte(meta[metaDataSHA])) {
		return nil, corrupt("data checksum mismatch: the file was damaged or modified after it was written")
	}
	b := &Bundle{Tensors: make(map[string]Tensor, len(entries))}
	if err := b.Manifest.decode(meta[metaManifest]); err != nil {
		return nil, err
	}
	for i := range entries {
		e := &entries[i]
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > int64(len(data)) {
			return nil, corrupt("tensor %q: byte range [%d, %d) outside the %d-byte data section", e.name, begin, end, len(data))
		}
		t := Tensor{DType: e.DType, Shape: e.Shape, Data: data[begin:end:end]}
		if err := checkTensor(e.name, t); err != nil {
			return nil, corrupt("%v", err)
		}
		if _, dup := b.Tensors[e.name]; dup {
			return nil, corrupt("tensor %q is described twice", e.name)
		}
		b.Tensors[e.name] = t
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].DataOffsets[0] != entries[j].DataOffsets[0] {
			return entries[i].DataOffsets[0] < entries[j].DataOffsets[0]
		}
		return entries[i].DataOffsets[1] < entries[j].DataOffsets[1]
	})
	var at int64
	for _, e := range entries {
		if begin := e.DataOffsets[0]; begin != at {
			if begin < at {
				return nil, corrupt("tensor %q: byte range [%d, %d) overlaps another tensor", e.name, begin, e.DataOffsets[1])
			}
			return nil, corrupt("tensor %q: gap before byte %d in the data section", e.name, begin)
		}
		at = e.DataOffsets[1]
	}
	if at != int64(len(data)) {
		return nil, corrupt("%d trailing bytes after the last tensor", int64(len(data))-at)
	}
	return b, nil
}

// digestIs reports whether hexDigits is the lower-case hex spelling of sum.
func digestIs(sum, hexDigits []byte) bool {
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], sum)
	return bytes.Equal(want[:], hexDigits)
}

type namedEntry struct {
	name string
	headerEntry
}

// parseHeader reads the header's JSON object one member at a time, so that
// what it allocates stays proportional to the header's bytes: each tensor's
// entry is decoded straight into its fixed-size form (a shape of at most
// maxRank dimensions, two offsets), never kept as raw text.
func parseHeader(hdr []byte) (map[string]string, []namedEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, corrupt("header is not a JSON object (not a kiln file)")
	}
	var meta map[string]string
	// Every entry spells "data_offsets": counting them sizes the list once.
	entries := make([]namedEntry, 0, bytes.Count(hdr, []byte(`"data_offsets"`)))
	var e headerEntry
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, corrupt("header: %v", err)
		}
		name, _ := tok.(string)
		if name == "__metadata__" {
			if meta != nil {
				return nil, nil, corrupt("header: __metadata__ is repeated")
			}
			if err := dec.Decode(&meta); err != nil || meta == nil {
				return nil, nil, corrupt("header: __metadata__ is not a map of strings to strings")
			}
			continue
		}
		e = headerEntry{}
		if err := dec.Decode(&e); err != nil {
			return nil, nil, corrupt("tensor %q: header entry: %v", name, err)
		}
		entries = append(entries, namedEntry{name, e})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, nil, corrupt("header: the JSON object does not close")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, corrupt("header: more than one JSON value")
	}
	if meta == nil {
		return nil, nil, corrupt("header has no __metadata__ (not a kiln file)")
	}
	return meta, entries, nil
}

// names returns the tensor names with a prefix, sorted; for error messages.
func (b *Bundle) names(prefix string) string {
	var out []string
	for name := range b.Tensors {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
