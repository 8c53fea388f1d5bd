package arrowcol

import (
	"fmt"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/bitutil"
)

// Checked access to the buffers of Arrow arrays that come from files: every
// length is compared with the bytes actually present before use.

// validity returns the chunk's validity bitmap and its bit offset, or nil when
// the chunk has no nulls.
func validity(name string, arr arrow.Array) ([]byte, int, error) {
	if arr.NullN() == 0 {
		return nil, 0, nil
	}
	data := arr.Data()
	bufs := data.Buffers()
	if arr.NullN() > arr.Len() || len(bufs) == 0 || bufs[0] == nil || bufs[0].Len()*8 < data.Offset()+data.Len() {
		return nil, 0, fmt.Errorf("column %q: malformed validity bitmap", name)
	}
	return bufs[0].Bytes(), data.Offset(), nil
}

// values returns the chunk's fixed-width value buffer as a []T of its rows,
// checking that the buffer is long enough.
func values[T any](name string, arr arrow.Array) ([]T, error) {
	data := arr.Data()
	bufs := data.Buffers()
	var zero T
	width := int(unsafe.Sizeof(zero))
	lo, hi := data.Offset(), data.Offset()+data.Len()
	if hi == 0 {
		return nil, nil
	}
	if len(bufs) < 2 || bufs[1] == nil || bufs[1].Len() < hi*width {
		return nil, fmt.Errorf("column %q: value buffer too short for %d rows", name, data.Len())
	}
	b := bufs[1].Bytes()
	all := unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/width)
	return all[lo:hi:hi], nil
}

// fillStrings copies a string or large_string chunk: the chunk's text is
// copied once into a single Go string, and each row is a substring of it.
func fillStrings[O int32 | int64](name string, dst []string, arr arrow.Array, isValid func(int) bool, off int) error {
	data := arr.Data()
	bufs := data.Buffers()
	n := data.Len()
	if n == 0 {
		return nil
	}
	if len(bufs) < 3 || bufs[1] == nil {
		return fmt.Errorf("column %q: missing string offsets", name)
	}
	var zero O
	width := int(unsafe.Sizeof(zero))
	ob := bufs[1].Bytes()
	if len(ob) < (data.Offset()+n+1)*width {
		return fmt.Errorf("column %q: string offsets too short for %d rows", name, n)
	}
	offs := unsafe.Slice((*O)(unsafe.Pointer(&ob[0])), len(ob)/width)[data.Offset() : data.Offset()+n+1]
	var text []byte
	if bufs[2] != nil {
		text = bufs[2].Bytes()
	}
	if offs[0] < 0 || int64(offs[n]) > int64(len(text)) {
		return fmt.Errorf("column %q: string offsets [%d,%d] outside %d bytes of text", name, offs[0], offs[n], len(text))
	}
	for i := 0; i < n; i++ {
		if offs[i+1] < offs[i] {
			return fmt.Errorf("column %q row %d: decreasing string offsets", name, off+i)
		}
	}
	base := offs[0]
	all := string(text[base:offs[n]])
	valid := utf8.ValidString(all)
	for i := range dst {
		if !isValid(i) {
			dst[i] = ""
			continue
		}
		dst[i] = all[offs[i]-base : offs[i+1]-base]
		if !valid && !utf8.ValidString(dst[i]) {
			return fmt.Errorf("column %q row %d: invalid UTF-8", name, off+i)
		}
	}
	if !valid {
		// The invalid bytes sit under null rows or straddle rows: reject too,
		// since each row is text a frame must hold as UTF-8.
		return fmt.Errorf("column %q: invalid UTF-8 in the string data", name)
	}
	return nil
}

// arrowStrings copies a string or large_string array (a dictionary) into Go
// strings; null entries become "".
func arrowStrings(arr arrow.Array) ([]string, error) {
	out := make([]string, arr.Len())
	bits, bitOff, err := validity("dictionary", arr)
	if err != nil {
		return nil, err
	}
	isValid := func(i int) bool { return bits == nil || bitutil.BitIsSet(bits, bitOff+i) }
	switch arr.DataType().ID() {
	case arrow.STRING:
		err = fillStrings[int32]("dictionary", out, arr, isValid, 0)
	case arrow.LARGE_STRING:
		err = fillStrings[int64]("dictionary", out, arr, isValid, 0)
	default:
		err = fmt.Errorf("dictionary of %s, want strings", arr.DataType())
	}
	return out, err
}

// CheckBuffers checks that a chunk's buffers hold as many rows as its length
// says, so that the readers never size a column from a corrupt length.
func CheckBuffers(name string, arr arrow.Array) error {
	if _, _, err := validity(name, arr); err != nil {
		return err
	}
	data := arr.Data()
	n := data.Len() + data.Offset()
	if data.Len() < 0 || data.Offset() < 0 {
		return fmt.Errorf("column %q: negative length or offset", name)
	}
	need := func(buf, bytes int) error {
		bufs := data.Buffers()
		have := 0
		if buf < len(bufs) && bufs[buf] != nil {
			have = bufs[buf].Len()
		}
		if have < bytes {
			return fmt.Errorf("column %q: buffer %d holds %d bytes, %d rows need %d", name, buf, have, data.Len(), bytes)
		}
		return nil
	}
	if data.Len() == 0 {
		return nil
	}
	switch dt := arr.DataType().(type) {
	case *arrow.BooleanType:
		return need(1, (n+7)/8)
	case *arrow.StringType:
		return need(1, 4*(n+1))
	case *arrow.LargeStringType:
		return need(1, 8*(n+1))
	case *arrow.DictionaryType:
		width := dt.IndexType.(arrow.FixedWidthDataType).BitWidth() / 8
		if err := need(1, width*n); err != nil {
			return err
		}
		if d, ok := arr.(*array.Dictionary); ok {
			return CheckBuffers(name, d.Dictionary())
		}
		return nil
	case arrow.FixedWidthDataType:
		return need(1, dt.BitWidth()/8*n)
	}
	return nil
}
