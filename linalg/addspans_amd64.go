package linalg

//go:noescape
func addSpans16(row *int32, terms *uint16, spans *uint32, nspans int)

// addSpans adds one to row[y] for every y in terms[from:to], for each (from,
// to) pair of spans. Every y must index row and every span terms: the span
// index and the validated input guarantee both, so the assembly checks
// neither.
func addSpans(row []int32, terms []uint16, spans []uint32) {
	if len(spans) < 2 || len(row) == 0 || len(terms) == 0 {
		return
	}
	addSpans16(&row[0], &terms[0], &spans[0], len(spans)/2)
}
