package parquet

import (
	"errors"
	"fmt"
)

// The page headers of a column chunk, decoded from Thrift's compact protocol
// by hand: the page decoder (pages.go) reads them straight from the chunk's
// bytes, without the Arrow library's per-page buffers. Only the fields the
// decoder uses are kept; the others (statistics, CRC, page indexes) are
// skipped. Every length is checked against the bytes present.

// Parquet page types (parquet-format PageType).
const (
	pageData       = 0
	pageIndex      = 1
	pageDictionary = 2
	pageDataV2     = 3
)

// pageHeader is a parquet-format PageHeader with the fields of its data,
// dictionary or data v2 header.
type pageHeader struct {
	typ                      int32
	uncompressed, compressed int32

	numValues int32 // values, nulls included (data pages); entries (dictionary page)
	encoding  int32

	defEncoding, repEncoding int32 // data page v1

	numNulls, numRows  int32 // data page v2
	defBytes, repBytes int32
	v2Compressed       bool

	hasType, hasUncompressed, hasCompressed, hasBody bool
}

var errThrift = errors.New("corrupt page header")

// thriftReader reads Thrift compact-protocol values from a byte slice.
type thriftReader struct {
	buf []byte
	pos int
	err error
}

func (r *thriftReader) fail() {
	if r.err == nil {
		r.err = errThrift
	}
	r.pos = len(r.buf)
}

func (r *thriftReader) byte() byte {
	if r.pos >= len(r.buf) {
		r.fail()
		return 0
	}
	b := r.buf[r.pos]
	r.pos++
	return b
}

func (r *thriftReader) uvarint() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	r.fail()
	return 0
}

func (r *thriftReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// i32 reads a zigzag varint that must fit an int32.
func (r *thriftReader) i32() int32 {
	v := r.varint()
	if v != int64(int32(v)) {
		r.fail()
		return 0
	}
	return int32(v)
}

// Compact-protocol type codes.
const (
	ctTrue   = 1
	ctFalse  = 2
	ctByte   = 3
	ctI16    = 4
	ctI32    = 5
	ctI64    = 6
	ctDouble = 7
	ctBinary = 8
	ctList   = 9
	ctSet    = 10
	ctMap    = 11
	ctStruct = 12
)

const maxThriftDepth = 16

// field reads a struct field header; typ 0 is the struct's end.
func (r *thriftReader) field(last int16) (id int16, typ byte) {
	b := r.byte()
	if r.err != nil || b == 0 {
		return 0, 0
	}
	typ = b & 0x0f
	if delta := int16(b >> 4); delta != 0 {
		return last + delta, typ
	}
	v := r.varint()
	if v != int64(int16(v)) {
		r.fail()
		return 0, 0
	}
	return int16(v), typ
}

// skip passes over a value of compact type typ: a struct field's, or with
// elem a list, set or map element's.
func (r *thriftReader) skip(typ byte, depth int, elem bool) {
	if depth > maxThriftDepth {
		r.fail()
		return
	}
	switch typ {
	case ctTrue, ctFalse:
		// a struct field's boolean lives in its type; an element's is a byte
		if elem {
			r.byte()
		}
	case ctByte:
		r.byte()
	case ctI16, ctI32, ctI64:
		r.uvarint()
	case ctDouble:
		r.bytes(8)
	case ctBinary:
		n := r.uvarint()
		if n > uint64(len(r.buf)) {
			r.fail()
			return
		}
		r.bytes(int(n))
	case ctList, ctSet:
		h := r.byte()
		n := uint64(h >> 4)
		if n == 15 {
			n = r.uvarint()
		}
		if n > uint64(len(r.buf)) { // every element takes at least a byte
			r.fail()
			return
		}
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.skip(h&0x0f, depth+1, true)
		}
	case ctMap:
		n := r.uvarint()
		if n == 0 {
			return
		}
		if n > uint64(len(r.buf)) {
			r.fail()
			return
		}
		kv := r.byte()
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.skip(kv>>4, depth+1, true)
			r.skip(kv&0x0f, depth+1, true)
		}
	case ctStruct:
		var last int16
		for r.err == nil {
			id, t := r.field(last)
			if t == 0 {
				return
			}
			r.skip(t, depth+1, false)
			last = id
		}
	default:
		r.fail()
	}
}

func (r *thriftReader) bytes(n int) []byte {
	if n < 0 || n > len(r.buf)-r.pos {
		r.fail()
		return nil
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	return b
}

// i32Field reads an i32 struct field, failing on any other type.
func (r *thriftReader) i32Field(typ byte) int32 {
	if typ != ctI32 {
		r.fail()
		return 0
	}
	return r.i32()
}

// readPageHeader decodes the page header at the start of buf and returns it
// with the header's length in bytes.
func readPageHeader(buf []byte) (h pageHeader, n int, err error) {
	r := &thriftReader{buf: buf}
	var last int16
	for r.err == nil {
		id, typ := r.field(last)
		if typ == 0 {
			break
		}
		switch id {
		case 1:
			h.typ, h.hasType = r.i32Field(typ), true
		case 2:
			h.uncompressed, h.hasUncompressed = r.i32Field(typ), true
		case 3:
			h.compressed, h.hasCompressed = r.i32Field(typ), true
		case 5, 7, 8:
			if typ != ctStruct {
				r.fail()
				break
			}
			if (id == 5 && h.typ == pageData) || (id == 7 && h.typ == pageDictionary) || (id == 8 && h.typ == pageDataV2) {
				r.body(&h, id)
				h.hasBody = true
			} else {
				r.skip(typ, 1, false)
			}
		default:
			r.skip(typ, 1, false)
		}
		last = id
	}
	if r.err != nil {
		return h, 0, r.err
	}
	if !h.hasType || !h.hasUncompressed || !h.hasCompressed {
		return h, 0, fmt.Errorf("%w: a required field is missing", errThrift)
	}
	if h.uncompressed < 0 || h.compressed < 0 || h.numValues < 0 || h.numNulls < 0 || h.numRows < 0 || h.defBytes < 0 || h.repBytes < 0 {
		return h, 0, fmt.Errorf("%w: negative size or count", errThrift)
	}
	if (h.typ == pageData || h.typ == pageDictionary || h.typ == pageDataV2) && !h.hasBody {
		return h, 0, fmt.Errorf("%w: page of type %d without its header", errThrift, h.typ)
	}
	return h, r.pos, nil
}

// body decodes a DataPageHeader (field 5), DictionaryPageHeader (7) or
// DataPageHeaderV2 (8) into h.
func (r *thriftReader) body(h *pageHeader, which int16) {
	h.v2Compressed = true // parquet-format's default
	var last int16
	for r.err == nil {
		id, typ := r.field(last)
		if typ == 0 {
			return
		}
		switch {
		case id == 1:
			h.numValues = r.i32Field(typ)
		case which == 5 && id == 2, which == 7 && id == 2, which == 8 && id == 4:
			h.encoding = r.i32Field(typ)
		case which == 5 && id == 3:
			h.defEncoding = r.i32Field(typ)
		case which == 5 && id == 4:
			h.repEncoding = r.i32Field(typ)
		case which == 8 && id == 2:
			h.numNulls = r.i32Field(typ)
		case which == 8 && id == 3:
			h.numRows = r.i32Field(typ)
		case which == 8 && id == 5:
			h.defBytes = r.i32Field(typ)
		case which == 8 && id == 6:
			h.repBytes = r.i32Field(typ)
		case which == 8 && id == 7:
			if typ != ctTrue && typ != ctFalse {
				r.fail()
				return
			}
			h.v2Compressed = typ == ctTrue
		default:
			r.skip(typ, 1, false)
		}
		last = id
	}
}
