package beam

import (
	"reflect"
	"testing"
)

// FuzzDecoders: the coders' decoders read what crosses the runner; arbitrary
// bytes give an error or a value, never a panic, and what they accept
// encodes back to a value that decodes the same.
func FuzzDecoders(f *testing.F) {
	f.Add(encodeRowBlock(RowBlock{Start: 3, Rows: 2, Features: 3, Indptr: []int64{0, 1, 2}, Columns: []int32{0, 2}, Values: []float64{1, 2}}))
	f.Add(encodeRowBlock(RowBlock{Rows: 1, Features: 2, Values: []float64{1.5, -2}}))
	row, _ := encodeCooccurrenceRow(CooccurrenceRow{Term: 4, Columns: []int32{1, 4, 9}, Counts: []int64{2, 5, 1}})
	f.Add(row)
	f.Add(encodeDocBatch(docBatch{Docs: []docTerms{{Terms: []string{"cat", "sat"}, Counts: []int32{1, 2}}}}))
	f.Add(encodeDocumentFrequencies(documentFrequencies{Docs: 2, DF: map[string]int{"cat": 2}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := decodeRowBlock(b); err == nil {
			again, err := decodeRowBlock(encodeRowBlock(v))
			if err != nil || !reflect.DeepEqual(again, v) {
				t.Fatalf("RowBlock %+v does not survive a round trip: %v", v, err)
			}
			_ = v.check() // validation of any decoded block must not panic either
		}
		if v, err := decodeCooccurrenceRow(b); err == nil {
			if enc, err := encodeCooccurrenceRow(v); err == nil {
				if again, err := decodeCooccurrenceRow(enc); err != nil || !reflect.DeepEqual(again, v) {
					t.Fatalf("CooccurrenceRow %+v does not survive a round trip: %v", v, err)
				}
			}
		}
		if v, err := decodeDocBatch(b); err == nil {
			if again, err := decodeDocBatch(encodeDocBatch(v)); err != nil || !reflect.DeepEqual(again, v) {
				t.Fatalf("docBatch %+v does not survive a round trip: %v", v, err)
			}
		}
		if v, err := decodeDocumentFrequencies(b); err == nil {
			if again, err := decodeDocumentFrequencies(encodeDocumentFrequencies(v)); err != nil || !reflect.DeepEqual(again, v) {
				t.Fatalf("documentFrequencies %+v does not survive a round trip: %v", v, err)
			}
		}
	})
}
