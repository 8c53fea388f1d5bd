package persist

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// PutFloat64s stores v as an F64 tensor of the given shape (a vector when no
// shape is given). The caller keeps ownership of v.
func (b *Bundle) PutFloat64s(name string, v []float64, shape ...int) {
	buf := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
	}
	b.Tensors[name] = Tensor{F64, shapeOf(len(v), shape), buf}
}

// PutInt64s stores v as an I64 tensor.
func (b *Bundle) PutInt64s(name string, v []int64, shape ...int) {
	buf := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(x))
	}
	b.Tensors[name] = Tensor{I64, shapeOf(len(v), shape), buf}
}

// PutInt32s stores v as an I32 tensor.
func (b *Bundle) PutInt32s(name string, v []int32, shape ...int) {
	buf := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], uint32(x))
	}
	b.Tensors[name] = Tensor{I32, shapeOf(len(v), shape), buf}
}

// PutStrings stores v as two tensors: NAME.bytes (U8, the UTF-8 text of all
// strings one after another) and NAME.offsets (I64, len(v)+1 entries; string i
// is bytes[offsets[i]:offsets[i+1]]).
func (b *Bundle) PutStrings(name string, v []string) {
	total := 0
	for _, s := range v {
		total += len(s)
	}
	text := make([]byte, 0, total)
	offsets := make([]int64, len(v)+1)
	for i, s := range v {
		text = append(text, s...)
		offsets[i+1] = int64(len(text))
	}
	b.Tensors[name+".bytes"] = Tensor{U8, []int{len(text)}, text}
	b.PutInt64s(name+".offsets", offsets)
}

func shapeOf(n int, shape []int) []int {
	if len(shape) == 0 {
		return []int{n}
	}
	return append([]int(nil), shape...)
}

// tensor returns the named tensor after checking its dtype and, for each
// non-negative entry of shape, that dimension (-1 accepts any size).
func (b *Bundle) tensor(name string, dt DType, shape []int) (Tensor, error) {
	t, ok := b.Tensors[name]
	if !ok {
		return t, corrupt("no tensor %q", name)
	}
	if t.DType != dt {
		return t, corrupt("tensor %q has dtype %s, want %s", name, t.DType, dt)
	}
	if len(shape) > 0 {
		if len(shape) != len(t.Shape) {
			return t, corrupt("tensor %q has shape %v, want %d dimensions", name, t.Shape, len(shape))
		}
		for i, d := range shape {
			if d >= 0 && t.Shape[i] != d {
				return t, corrupt("tensor %q has shape %v, want %v", name, t.Shape, shape)
			}
		}
	}
	return t, nil
}

// Float64s returns an F64 tensor's values, checking its shape (for each
// non-negative entry of shape, that dimension; -1 accepts any size). Errors
// wrap ErrCorrupt.
func (b *Bundle) Float64s(name string, shape ...int) ([]float64, error) {
	v, err := b.float64s(name, shape...)
	return v, prefixed(err)
}

// Int64s returns an I64 tensor's values, checking its shape as Float64s does.
func (b *Bundle) Int64s(name string, shape ...int) ([]int64, error) {
	v, err := b.int64s(name, shape...)
	return v, prefixed(err)
}

// Int32s returns an I32 tensor's values, checking its shape as Float64s does.
func (b *Bundle) Int32s(name string, shape ...int) ([]int32, error) {
	v, err := b.int32s(name, shape...)
	return v, prefixed(err)
}

// Strings returns the strings stored by PutStrings, checking that the offsets
// start at 0, never decrease, end at the text's length, and that every string
// is valid UTF-8.
func (b *Bundle) Strings(name string) ([]string, error) {
	v, err := b.strings(name)
	return v, prefixed(err)
}

// The unexported accessors serve the codecs, whose errors the pipeline
// wraps with the package prefix once.

func (b *Bundle) float64s(name string, shape ...int) ([]float64, error) {
	t, err := b.tensor(name, F64, shape)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(t.Data)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return out, nil
}

func (b *Bundle) int64s(name string, shape ...int) ([]int64, error) {
	t, err := b.tensor(name, I64, shape)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(t.Data)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return out, nil
}

func (b *Bundle) int32s(name string, shape ...int) ([]int32, error) {
	t, err := b.tensor(name, I32, shape)
	if err != nil {
		return nil, err
	}
	out := make([]int32, len(t.Data)/4)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return out, nil
}

// strings validates every offset against the text before it slices anything:
// offsets come from the file, and a bad one must be an error, never a panic.
func (b *Bundle) strings(name string) ([]string, error) {
	text, err := b.tensor(name+".bytes", U8, []int{-1})
	if err != nil {
		return nil, err
	}
	offsets, err := b.int64s(name+".offsets", -1)
	if err != nil {
		return nil, err
	}
	if len(offsets) == 0 || offsets[0] != 0 {
		return nil, corrupt("strings %q: offsets must start with 0", name)
	}
	size := int64(len(text.Data))
	for i := 1; i < len(offsets); i++ {
		if offsets[i] < offsets[i-1] || offsets[i] > size {
			return nil, corrupt("strings %q: offset %d is %d, outside [%d, %d]", name, i, offsets[i], offsets[i-1], size)
		}
	}
	if offsets[len(offsets)-1] != size {
		return nil, corrupt("strings %q: offsets end at %d, not at the %d text bytes", name, offsets[len(offsets)-1], size)
	}
	all := string(text.Data) // one copy; the strings below share it
	out := make([]string, len(offsets)-1)
	for i := range out {
		out[i] = all[offsets[i]:offsets[i+1]]
		if !utf8.ValidString(out[i]) {
			return nil, corrupt("strings %q: entry %d is not valid UTF-8", name, i)
		}
	}
	return out, nil
}
