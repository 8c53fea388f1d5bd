package beam

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/kiln-ml/kiln/features/dfs"
)

// errConfig marks an invalid configuration in error messages. Errors cross
// the runner as text, so callers read the message, not the value.
var errConfig = errors.New("invalid configuration")

// The element types that cross the shuffle have compact binary coders:
// varints for integers (column indices delta-coded), raw little-endian
// float64s. Beam's default coder for structs would work too, but spends
// reflection and bytes per slice element.
func init() {
	beam.RegisterCoder(reflect.TypeOf(CooccurrenceRow{}), encodeCooccurrenceRow, decodeCooccurrenceRow)
	beam.RegisterCoder(reflect.TypeOf(docTerms{}), encodeDocTerms, decodeDocTerms)
	beam.RegisterCoder(reflect.TypeOf(docBatch{}), encodeDocBatch, decodeDocBatch)
	beam.RegisterCoder(reflect.TypeOf(documentFrequencies{}), encodeDocumentFrequencies, decodeDocumentFrequencies)
	beam.RegisterCoder(reflect.TypeOf(RowBlock{}), encodeRowBlock, decodeRowBlock)
	// K-means' small internal values go through gob (each coder function
	// needs a name of its own: Beam finds them by symbol).
	beam.RegisterCoder(reflect.TypeOf(kmeansState{}), encodeKMeansState, decodeKMeansState)
	beam.RegisterCoder(reflect.TypeOf(clusterPartial{}), encodeClusterPartial, decodeClusterPartial)
	beam.RegisterCoder(reflect.TypeOf(partialList{}), encodePartialList, decodePartialList)
	beam.RegisterCoder(reflect.TypeOf(clusterTotal{}), encodeClusterTotal, decodeClusterTotal)
	beam.RegisterCoder(reflect.TypeOf(featureMoments{}), encodeFeatureMoments, decodeFeatureMoments)
	beam.RegisterCoder(reflect.TypeOf(momentsList{}), encodeMomentsList, decodeMomentsList)
	beam.RegisterCoder(reflect.TypeOf(dfsAcc{}), encodeDFSAcc, decodeDFSAcc)
	beam.RegisterCoder(reflect.TypeOf(Cutoff{}), encodeCutoff, decodeCutoff)
	beam.RegisterCoder(reflect.TypeOf(FeatureRow{}), encodeFeatureRow, decodeFeatureRow)
}

// encoder appends varints and floats to a byte slice.
type encoder struct{ b []byte }

func (e *encoder) uint(v uint64)   { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int64)     { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) float(v float64) { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v)) }
func (e *encoder) string(s string) { e.uint(uint64(len(s))); e.b = append(e.b, s...) }

// decoder reads what encoder wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("kiln/beam: corrupt element: bad %s", what)
	}
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("varint")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) float() float64 {
	if len(d.b) < 8 {
		d.fail("float")
		d.b = nil
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// length reads a count of items of at least min bytes each, refusing counts
// the remaining bytes cannot hold.
func (d *decoder) length(min int) int {
	n := d.uint()
	if n > uint64(len(d.b)/max(min, 1)) {
		d.fail("length")
		d.b = nil
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.length(1)
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

func encodeCooccurrenceRow(r CooccurrenceRow) ([]byte, error) {
	if len(r.Columns) != len(r.Counts) {
		return nil, fmt.Errorf("kiln/beam: CooccurrenceRow %d has %d columns and %d counts", r.Term, len(r.Columns), len(r.Counts))
	}
	e := encoder{b: make([]byte, 0, 8+3*len(r.Columns))}
	e.int(int64(r.Term))
	e.uint(uint64(len(r.Columns)))
	prev := int64(-1)
	for k, c := range r.Columns {
		e.uint(uint64(int64(c) - prev - 1)) // columns increase
		prev = int64(c)
		e.int(r.Counts[k])
	}
	return e.b, nil
}

func decodeCooccurrenceRow(b []byte) (CooccurrenceRow, error) {
	d := decoder{b: b}
	r := CooccurrenceRow{Term: int(d.int())}
	n := d.length(2)
	r.Columns, r.Counts = make([]int32, n), make([]int64, n)
	prev := int64(-1)
	for k := range n {
		prev += int64(d.uint()) + 1
		if prev > math.MaxInt32 {
			d.fail("column")
		}
		r.Columns[k] = int32(prev)
		r.Counts[k] = d.int()
	}
	return r, d.done()
}

func encodeDocTerms(t docTerms) []byte {
	var e encoder
	e.uint(uint64(len(t.Terms)))
	for _, s := range t.Terms {
		e.string(s)
	}
	e.uint(uint64(len(t.Counts)))
	for _, c := range t.Counts {
		e.uint(uint64(c))
	}
	return e.b
}

func decodeDocTerms(b []byte) (docTerms, error) {
	d := decoder{b: b}
	t := d.docTerms()
	return t, d.done()
}

func (d *decoder) docTerms() docTerms {
	var t docTerms
	if n := d.length(1); n > 0 {
		t.Terms = make([]string, n)
		for i := range t.Terms {
			t.Terms[i] = d.string()
		}
	}
	if n := d.length(1); n > 0 {
		t.Counts = make([]int32, n)
		for i := range t.Counts {
			c := d.uint()
			if c > math.MaxInt32 {
				d.fail("count")
			}
			t.Counts[i] = int32(c)
		}
	}
	return t
}

func encodeDocBatch(b docBatch) []byte {
	var e encoder
	e.uint(uint64(len(b.Docs)))
	for _, d := range b.Docs {
		e.b = append(e.b, encodeDocTerms(d)...)
	}
	return e.b
}

func decodeDocBatch(b []byte) (docBatch, error) {
	d := decoder{b: b}
	out := docBatch{Docs: make([]docTerms, d.length(2))}
	for i := range out.Docs {
		out.Docs[i] = d.docTerms()
	}
	return out, d.done()
}

func encodeDocumentFrequencies(f documentFrequencies) []byte {
	var e encoder
	e.uint(uint64(f.Docs))
	e.uint(uint64(len(f.DF)))
	for t, n := range f.DF { // the order does not matter: decoding builds a map
		e.string(t)
		e.uint(uint64(n))
	}
	return e.b
}

func decodeDocumentFrequencies(b []byte) (documentFrequencies, error) {
	d := decoder{b: b}
	f := documentFrequencies{Docs: int(min(d.uint(), math.MaxInt32))}
	n := d.length(2)
	f.DF = make(map[string]int, n)
	for range n {
		t := d.string()
		f.DF[t] = int(min(d.uint(), math.MaxInt32))
	}
	return f, d.done()
}

func gobEncode[T any](v T) ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(v)
	return b.Bytes(), err
}

func gobDecode[T any](b []byte) (T, error) {
	var v T
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v)
	return v, err
}

func encodeKMeansState(v kmeansState) ([]byte, error)       { return gobEncode(v) }
func decodeKMeansState(b []byte) (kmeansState, error)       { return gobDecode[kmeansState](b) }
func encodeClusterPartial(v clusterPartial) ([]byte, error) { return gobEncode(v) }
func decodeClusterPartial(b []byte) (clusterPartial, error) { return gobDecode[clusterPartial](b) }
func encodePartialList(v partialList) ([]byte, error)       { return gobEncode(v) }
func decodePartialList(b []byte) (partialList, error)       { return gobDecode[partialList](b) }
func encodeClusterTotal(v clusterTotal) ([]byte, error)     { return gobEncode(v) }
func decodeClusterTotal(b []byte) (clusterTotal, error)     { return gobDecode[clusterTotal](b) }
func encodeFeatureMoments(v featureMoments) ([]byte, error) { return gobEncode(v) }
func decodeFeatureMoments(b []byte) (featureMoments, error) { return gobDecode[featureMoments](b) }
func encodeMomentsList(v momentsList) ([]byte, error)       { return gobEncode(v) }
func decodeMomentsList(b []byte) (momentsList, error)       { return gobDecode[momentsList](b) }
func encodeCutoff(v Cutoff) ([]byte, error)                 { return gobEncode(v) }
func decodeCutoff(b []byte) (Cutoff, error)                 { return gobDecode[Cutoff](b) }
func encodeFeatureRow(v FeatureRow) ([]byte, error)         { return gobEncode(v) }
func decodeFeatureRow(b []byte) (FeatureRow, error)         { return gobDecode[FeatureRow](b) }

func encodeRowBlock(b RowBlock) []byte {
	e := encoder{b: make([]byte, 0, 32+4*len(b.Columns)+8*len(b.Values)+2*len(b.Indptr))}
	e.int(b.Start)
	e.uint(uint64(b.Rows))
	e.uint(uint64(b.Features))
	if b.Indptr == nil {
		e.uint(0)
	} else {
		e.uint(1)
		for _, p := range b.Indptr {
			e.int(p)
		}
		e.uint(uint64(len(b.Columns)))
		for _, c := range b.Columns {
			e.uint(uint64(c))
		}
	}
	e.uint(uint64(len(b.Values)))
	for _, v := range b.Values {
		e.float(v)
	}
	return e.b
}

// decodeRowBlock reads a block; RowBlock.check validates its shape later.
func decodeRowBlock(buf []byte) (RowBlock, error) {
	d := decoder{b: buf}
	b := RowBlock{Start: d.int()}
	b.Rows = int(min(d.uint(), math.MaxInt32))
	b.Features = int(min(d.uint(), math.MaxInt32))
	if d.uint() == 1 {
		if b.Rows+1 > len(d.b) {
			d.fail("rows")
			return b, d.done()
		}
		b.Indptr = make([]int64, b.Rows+1)
		for i := range b.Indptr {
			b.Indptr[i] = d.int()
		}
		b.Columns = make([]int32, d.length(1))
		for i := range b.Columns {
			b.Columns[i] = int32(min(d.uint(), math.MaxInt32))
		}
	}
	b.Values = make([]float64, d.length(8))
	for i := range b.Values {
		b.Values[i] = d.float()
	}
	return b, d.done()
}

// encodeDFSAcc writes a DFS accumulator: the instance, the counts, and per
// input its sums' partials, extremes and value counts.
func encodeDFSAcc(a dfsAcc) []byte {
	var e encoder
	e.string(a.Parent)
	e.int(a.Cutoff)
	e.uint(uint64(b2f(a.HasCutoff)))
	e.int(a.Instances)
	e.int(a.Rows)
	e.int(a.Parents)
	if a.Own == nil {
		e.uint(0)
	} else {
		e.uint(uint64(len(a.Own)) + 1)
		for _, v := range a.Own {
			switch {
			case v.Null:
				e.uint(0)
			case v.Str != "":
				e.uint(2)
				e.string(v.Str)
			default:
				e.uint(1)
				e.float(v.Float)
			}
		}
	}
	if a.Inputs == nil {
		e.uint(0)
		return e.b
	}
	e.uint(uint64(len(a.Inputs)) + 1)
	floats := func(v []float64) {
		e.uint(uint64(len(v)))
		for _, x := range v {
			e.float(x)
		}
	}
	for _, in := range a.Inputs {
		e.int(in.N)
		e.int(in.Trues)
		floats(in.S1)
		floats(in.S2)
		floats(in.S3)
		e.float(in.Min)
		e.float(in.Max)
		e.uint(uint64(len(in.Values)))
		for v, c := range in.Values { // the order does not matter: decoding builds a map
			e.float(v)
			e.int(c)
		}
		e.uint(uint64(len(in.Levels)))
		for v, c := range in.Levels {
			e.string(v)
			e.int(c)
		}
	}
	return e.b
}

func decodeDFSAcc(b []byte) (dfsAcc, error) {
	d := decoder{b: b}
	a := dfsAcc{Parent: d.string(), Cutoff: d.int(), HasCutoff: d.uint() == 1, Instances: d.int(), Rows: d.int(), Parents: d.int()}
	if m := d.length(1); m > 0 {
		a.Own = make([]dfs.Value, m-1)
		for k := range a.Own {
			switch d.uint() {
			case 0:
				a.Own[k].Null = true
			case 1:
				a.Own[k].Float = d.float()
			case 2:
				a.Own[k].Str = d.string()
			default:
				d.fail("value kind")
			}
		}
	}
	n := d.length(1)
	if n == 0 {
		return a, d.done()
	}
	floats := func() []float64 {
		v := make([]float64, d.length(8))
		for i := range v {
			v[i] = d.float()
		}
		return v
	}
	a.Inputs = make([]inputAcc, n-1)
	for k := range a.Inputs {
		in := &a.Inputs[k]
		in.N, in.Trues = d.int(), d.int()
		in.S1, in.S2, in.S3 = floats(), floats(), floats()
		in.Min, in.Max = d.float(), d.float()
		if m := d.length(9); m > 0 {
			in.Values = make(map[float64]int64, m)
			for range m {
				v := d.float()
				if _, ok := in.Values[v]; ok {
					d.fail("duplicate value")
				}
				in.Values[v] = d.int()
			}
		}
		if m := d.length(2); m > 0 {
			in.Levels = make(map[string]int64, m)
			for range m {
				v := d.string()
				if _, ok := in.Levels[v]; ok {
					d.fail("duplicate value")
				}
				in.Levels[v] = d.int()
			}
		}
	}
	return a, d.done()
}
