//go:build !amd64

package linalg

// addSpans adds one to row[y] for every y in terms[from:to], for each (from,
// to) pair of spans. (amd64 has an assembly version that prefetches.)
func addSpans(row []int32, terms []uint16, spans []uint32) {
	for j := 0; j+1 < len(spans); j += 2 {
		for _, y := range terms[spans[j]:spans[j+1]] {
			row[y]++
		}
	}
}
