package persist

import (
	"encoding/binary"
	"fmt"
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
		return t, fmt.Errorf("persist: bundle has no tensor %q", name)
	}
	if t.DType != dt {
		return t, fmt.Errorf("persist: tensor %q has dtype %s, want %s", name, t.DType, dt)
	}
	if len(shape) > 0 {
		if len(shape) != len(t.Shape) {
			return t, fmt.Errorf("persist: tensor %q has shape %v, want %d dimensions", name, t.Shape, len(shape))
		}
		for i, d := range shape {
			if d >= 0 && t.Shape[i] != d {
				return t, fmt.Errorf("persist: tensor %q has shape %v, want %v", name, t.Shape, shape)
			}
		}
	}
	return t, nil
}

// Float64s returns an F64 tensor's values, checking its shape (see tensor).
func (b *Bundle) Float64s(name string, shape ...int) ([]float64, error) {
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

// Int64s returns an I64 tensor's values, checking its shape.
func (b *Bundle) Int64s(name string, shape ...int) ([]int64, error) {
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

// Int32s returns an I32 tensor's values, checking its shape.
func (b *Bundle) Int32s(name string, shape ...int) ([]int32, error) {
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

// Strings returns the strings stored by PutStrings, checking that the offsets
// start at 0, never decrease, end at the text's length, and that every string
// is valid UTF-8.
func (b *Bundle) Strings(name string) ([]string, error) {
	text, err := b.tensor(name+".bytes", U8, []int{-1})
	if err != nil {
		return nil, err
	}
	offsets, err := b.Int64s(name+".offsets", -1)
	if err != nil {
		return nil, err
	}
	if len(offsets) == 0 || offsets[0] != 0 || offsets[len(offsets)-1] != int64(len(text.Data)) {
		return nil, fmt.Errorf("persist: strings %q: offsets do not span the %d text bytes", name, len(text.Data))
	}
	all := string(text.Data) // one copy; the strings below share it
	out := make([]string, len(offsets)-1)
	for i := range out {
		lo, hi := offsets[i], offsets[i+1]
		if hi < lo {
			return nil, fmt.Errorf("persist: strings %q: offset %d decreases (%d -> %d)", name, i+1, lo, hi)
		}
		out[i] = all[lo:hi]
		if !utf8.ValidString(out[i]) {
			return nil, fmt.Errorf("persist: strings %q: entry %d is not valid UTF-8", name, i)
		}
	}
	return out, nil
}
