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
	"sort"
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
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Encode returns the bundle's bytes. The output is deterministic: tensors are
// laid out in name order and the header's keys are sorted, so the same bundle
// always gives the same bytes (the golden tests rely on it).
func Encode(b *Bundle) ([]byte, error) {
	names := make([]string, 0, len(b.Tensors))
	for name, t := range b.Tensors {
		if err := checkTensor(name, t); err != nil {
			return nil, err
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
		return nil, err
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

func checkTensor(name string, t Tensor) error {
	if name == "" || name == "__metadata__" {
		return fmt.Errorf("persist: invalid tensor name %q", name)
	}
	size := t.DType.Size()
	if size == 0 {
		return fmt.Errorf("persist: tensor %q: unknown dtype %q", name, t.DType)
	}
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("persist: tensor %q: negative dimension in shape %v", name, t.Shape)
		}
		if d > 0 && n > math.MaxInt/d {
			return fmt.Errorf("persist: tensor %q: shape %v overflows", name, t.Shape)
		}
		n *= d
	}
	if n > math.MaxInt/size || n*size != len(t.Data) {
		return fmt.Errorf("persist: tensor %q: shape %v of %s needs %d bytes, has %d", name, t.Shape, t.DType, n*size, len(t.Data))
	}
	return nil
}

// headerDigestPos finds the 64 hex digits of the header digest in the raw
// header. The key must appear exactly once.
func headerDigestPos(hdr []byte) (int, error) {
	key := []byte(`"` + metaHeaderSHA + `":"`)
	i := bytes.Index(hdr, key)
	if i < 0 || bytes.Index(hdr[i+1:], key) >= 0 {
		return 0, errors.New("persist: corrupt header: header digest missing or repeated")
	}
	pos := i + len(key)
	if pos+64 > len(hdr) || hdr[pos+64] != '"' {
		return 0, errors.New("persist: corrupt header: malformed header digest")
	}
	return pos, nil
}

// Decode parses and verifies a bundle. It checks the header length, the JSON,
// both SHA-256 digests, every tensor's dtype, shape and byte range (in range,
// no overlaps, no gaps), and the manifest's format version; any failure is an
// error and no bundle is returned. The tensors' Data slices alias buf.
func Decode(buf []byte) (*Bundle, error) {
	if len(buf) < 8 {
		return nil, fmt.Errorf("persist: file too short (%d bytes): not a kiln bundle", len(buf))
	}
	n := binary.LittleEndian.Uint64(buf)
	if n < 2 || n > maxHeaderBytes || n > uint64(len(buf)-8) {
		return nil, fmt.Errorf("persist: header length %d is impossible for a %d-byte file: truncated or not a kiln bundle", n, len(buf))
	}
	hdr := buf[8 : 8+n]
	data := buf[8+n:]
	if !utf8.Valid(hdr) {
		return nil, errors.New("persist: corrupt header: invalid UTF-8")
	}
	pos, err := headerDigestPos(hdr)
	if err != nil {
		return nil, err
	}
	want := string(hdr[pos : pos+64])
	zeroed := make([]byte, len(hdr))
	copy(zeroed, hdr)
	copy(zeroed[pos:], zeroDigest)
	sum := sha256.Sum256(zeroed)
	if hex.EncodeToString(sum[:]) != want {
		return nil, errors.New("persist: header checksum mismatch: the file is corrupt or was modified")
	}

	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("persist: corrupt header: %v", err)
	}
	var meta map[string]string
	if err := json.Unmarshal(raw["__metadata__"], &meta); err != nil || meta == nil {
		return nil, errors.New("persist: corrupt header: __metadata__ missing or not a string map")
	}
	dataSum := sha256.Sum256(data)
	if meta[metaDataSHA] != hex.EncodeToString(dataSum[:]) {
		return nil, errors.New("persist: data checksum mismatch: the file is corrupt or was modified")
	}
	b := &Bundle{Tensors: make(map[string]Tensor, len(raw))}
	if err := b.Manifest.decode(meta[metaManifest]); err != nil {
		return nil, err
	}

	type span struct {
		name       string
		begin, end int64
	}
	spans := make([]span, 0, len(raw))
	for name, msg := range raw {
		if name == "__metadata__" {
			continue
		}
		var e headerEntry
		d := json.NewDecoder(bytes.NewReader(msg))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, fmt.Errorf("persist: tensor %q: corrupt header entry: %v", name, err)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > int64(len(data)) {
			return nil, fmt.Errorf("persist: tensor %q: byte range [%d, %d) outside the %d-byte data section", name, begin, end, len(data))
		}
		t := Tensor{DType: e.DType, Shape: e.Shape, Data: data[begin:end:end]}
		if err := checkTensor(name, t); err != nil {
			return nil, err
		}
		b.Tensors[name] = t
		spans = append(spans, span{name, begin, end})
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	var at int64
	for _, s := range spans {
		if s.begin != at {
			if s.begin < at {
				return nil, fmt.Errorf("persist: tensor %q: byte range [%d, %d) overlaps another tensor", s.name, s.begin, s.end)
			}
			return nil, fmt.Errorf("persist: tensor %q: gap before byte %d in the data section", s.name, s.begin)
		}
		at = s.end
	}
	if at != int64(len(data)) {
		return nil, fmt.Errorf("persist: %d trailing bytes after the last tensor", int64(len(data))-at)
	}
	return b, nil
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
