package text

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/internal/bigmem"
	"golang.org/x/sync/errgroup"
)

// The counting engine. A producer cuts the corpus into batches of documents;
// each worker owns a shard (an analyzer, a private term dictionary and
// document-frequency counts) and turns each batch into rows of (term id,
// count) entries, then lets the text go. The shards are merged by term
// string, so the result does not depend on which worker saw which batch.

// maxDenseHashColumns is the largest number of hashing columns for which
// each worker keeps a per-column scratch array (8 bytes a column); beyond
// it, a per-document map.
const maxDenseHashColumns = 1 << 24

const (
	batchDocs  = 256     // documents per batch, at most
	batchBytes = 1 << 20 // bytes of text per batch, at most (for long documents)
)

// batch is a run of consecutive documents; first is the index of docs[0].
type batch struct {
	seq, first int
	docs       []string
}

// batchRows holds the rows of one batch: row r has the entries
// ids[ptr[r]:ptr[r+1]] with their counts, ids local to the shard (learning)
// or columns (lookup).
type batchRows struct {
	seq, first int
	shard      int
	ptr        []int32
	ids        []int32
	counts     []int32
}

// count returns the count of entry e; rows kept for a binary matrix have
// none (1 stands for any).
func (b *batchRows) count(e int32) int32 {
	if b.counts == nil {
		return 1
	}
	return b.counts[e]
}

// shard is one worker's state.
type shard struct {
	an     *analyzer
	learn  bool
	fixed  map[string]int // lookup mode
	hashN  int            // hashing mode: number of columns
	alt    bool           // hashing mode: alternate signs
	table  *termTable
	stats  []termStats     // per id (learning only; seen is in it)
	seen   []uint64        // per id: number of the last document that had it << 32 | its entry in that row
	docMap map[int32]int32 // instead of seen when hashing into many columns: id -> entry
	doc    uint32          // number of the current document, from 1
	out    *batchRows
	emit   func([]byte)
}

// termStats are a term's document frequency and total count in a shard, and
// its seen word (as shard.seen), side by side so that counting a term touches
// one place besides the term table.
type termStats struct {
	seen   uint64
	df, tf int64
}

func newShard(an *analyzer, fixed *Vocabulary, hashN int, alt bool) *shard {
	s := &shard{an: an, learn: fixed == nil && hashN == 0, hashN: hashN, alt: alt}
	switch {
	case s.learn:
		s.table = newTermTable()
	case hashN > 0:
		if hashN <= maxDenseHashColumns {
			s.seen = make([]uint64, hashN)
		} else {
			s.docMap = make(map[int32]int32)
		}
	default:
		s.fixed = fixed.index
		s.seen = make([]uint64, fixed.Len())
	}
	s.emit = s.add
	return s
}

// add counts one term of the current document.
func (s *shard) add(t []byte) {
	var id int32
	v := int32(1) // +1 per occurrence, -1 for hashed terms with a negative hash
	if s.hashN > 0 {
		var negative bool
		id, negative = hashColumn(t, s.hashN)
		if negative && s.alt {
			v = -1
		}
	} else if s.learn {
		id, added := s.table.lookup(t)
		if added {
			s.stats = append(s.stats, termStats{})
		}
		st := &s.stats[id]
		st.tf++
		out := s.out
		if uint32(st.seen>>32) == s.doc {
			out.counts[uint32(st.seen)]++
			return
		}
		st.seen = uint64(s.doc)<<32 | uint64(len(out.ids))
		st.df++
		out.ids = append(out.ids, id)
		out.counts = append(out.counts, 1)
		return
	} else {
		c, ok := s.fixed[string(t)]
		if !ok {
			return // out of vocabulary: ignored, as scikit-learn does
		}
		id = int32(c)
	}
	out := s.out
	if s.docMap != nil {
		if e, ok := s.docMap[id]; ok {
			out.counts[e] += v
		} else {
			s.docMap[id] = int32(len(out.ids))
			out.ids = append(out.ids, id)
			out.counts = append(out.counts, v)
		}
		return
	}
	if seen := s.seen[id]; uint32(seen>>32) == s.doc {
		out.counts[uint32(seen)] += v
		return
	}
	s.seen[id] = uint64(s.doc)<<32 | uint64(len(out.ids))
	out.ids = append(out.ids, id)
	out.counts = append(out.counts, v)
}

// process turns a batch into rows; it returns the index of a failing document.
func (s *shard) process(b batch, out *batchRows) (int, error) {
	s.out = out
	out.ptr = append(out.ptr[:0], 0)
	out.ids, out.counts = out.ids[:0], out.counts[:0]
	for k, doc := range b.docs {
		if s.doc == math.MaxUint32 { // document numbers wrap: forget the old ones
			clear(s.seen)
			for i := range s.stats {
				s.stats[i].seen = 0
			}
			s.doc = 0
		}
		s.doc++
		if s.docMap != nil {
			clear(s.docMap)
		}
		if err := s.an.analyze(doc, s.emit); err != nil {
			return b.first + k, err
		}
		out.ptr = append(out.ptr, int32(len(out.ids)))
	}
	return 0, nil
}

// countJob runs the engine over a corpus.
type countJob struct {
	an        *analyzer
	fixed     *Vocabulary // nil: learn a vocabulary (unless hashing)
	hashN     int         // > 0: hash terms into hashN columns
	alternate bool        // hashing: alternate signs
	keepRows  bool        // keep the rows (FitTransform, Transform), not just the counts (Fit)
	binary    bool        // the rows' counts are not needed (a binary matrix)
	workers   int
	progress  func(docs int)
}

type countResult struct {
	docs   int
	shards []*shard
	rows   []*batchRows // in document order
}

// docError is a failure tied to a document; the engine reports the one with
// the smallest index, so the error does not depend on scheduling.
type docError struct {
	doc int
	err error
}

func (j *countJob) run(ctx context.Context, corpus Corpus) (*countResult, error) {
	next := corpus.Next
	workers := j.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := &countResult{shards: make([]*shard, workers)}
	for w := range res.shards {
		an := j.an
		if w > 0 {
			an = j.an.clone()
		}
		res.shards[w] = newShard(an, j.fixed, j.hashN, j.alternate)
	}
	var (
		mu       sync.Mutex
		firstErr *docError
		failed   atomic.Bool
		done     atomic.Int64
	)
	fail := func(doc int, err error) {
		mu.Lock()
		if firstErr == nil || doc < firstErr.doc {
			firstErr = &docError{doc, err}
		}
		mu.Unlock()
		failed.Store(true)
	}
	batches := make(chan batch, workers)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { // producer
		defer close(batches)
		seq, n := 0, 0
		for !failed.Load() {
			b := batch{seq: seq, first: n}
			size := 0
			for len(b.docs) < batchDocs && size < batchBytes {
				doc, err := next()
				if err == io.EOF {
					break
				}
				if err != nil {
					fail(n, err)
					break
				}
				b.docs = append(b.docs, doc)
				size += len(doc)
				n++
			}
			if len(b.docs) == 0 {
				break
			}
			select {
			case batches <- b:
			case <-gctx.Done():
				return gctx.Err()
			}
			seq++
			if len(b.docs) < batchDocs && size < batchBytes {
				break // the corpus ended (or failed) inside this batch
			}
		}
		mu.Lock()
		res.docs = n
		mu.Unlock()
		return nil
	})
	for w := 0; w < workers; w++ {
		s := res.shards[w]
		g.Go(func() error {
			out := &batchRows{}
			var kept rowArena
			for b := range batches {
				if failed.Load() {
					continue // drain
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				out.seq, out.first, out.shard = b.seq, b.first, w
				if doc, err := s.process(b, out); err != nil {
					fail(doc, err)
					continue
				}
				if j.keepRows { // keep an exact-size copy; out is scratch space
					rows := &batchRows{seq: out.seq, first: out.first, shard: w,
						ptr: kept.copy(out.ptr), ids: kept.copy(out.ids)}
					if !j.binary {
						rows.counts = kept.copy(out.counts)
					}
					mu.Lock()
					res.rows = append(res.rows, rows)
					mu.Unlock()
				}
				if j.progress != nil {
					n := done.Add(int64(len(b.docs)))
					mu.Lock()
					j.progress(int(n))
					mu.Unlock()
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if firstErr != nil {
		var ue *InvalidUTF8Error
		if errors.As(firstErr.err, &ue) {
			if l, ok := corpus.(locator); ok {
				return nil, fmt.Errorf("text: %s: document %d: %w", l.locate(firstErr.doc), firstErr.doc, firstErr.err)
			}
			return nil, fmt.Errorf("text: document %d: %w", firstErr.doc, firstErr.err)
		}
		return nil, firstErr.err
	}
	slices.SortFunc(res.rows, func(a, b *batchRows) int { return a.seq - b.seq })
	return res, nil
}

// rowArena holds the rows a worker keeps, in blocks that double from 256 KiB
// to 16 MiB: a large corpus's rows lie in large blocks that bigmem advises for
// huge pages (in a fresh process, first touching them is most of their cost),
// a small corpus's take little memory.
type rowArena struct {
	block []int32
}

const (
	rowArenaFirst = 64 << 10 // entries of the first block
	rowArenaMax   = 4 << 20  // entries of the largest blocks
)

// copy returns a copy of s in the arena.
func (a *rowArena) copy(s []int32) []int32 {
	if cap(a.block)-len(a.block) < len(s) {
		size := rowArenaFirst
		if a.block != nil {
			size = min(2*cap(a.block), rowArenaMax)
		}
		a.block = bigmem.MakeCap[int32](0, max(size, len(s)))
	}
	l := len(a.block)
	a.block = append(a.block, s...)
	return a.block[l:len(a.block):len(a.block)]
}

// buildCSR assembles the document-term matrix from the rows, mapping each
// shard's ids through colOf (nil: the ids are already columns) and dropping
// entries whose column is -1. Columns are sorted within each row.
func buildCSR(res *countResult, colOf [][]int32, ncols int, binary bool, workers int) *sparse.CSR {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	indptr := make([]int, res.docs+1)
	forEachBatch(res.rows, workers, func(_ int, b *batchRows) {
		m := colMap(colOf, b.shard)
		for r := 0; r+1 < len(b.ptr); r++ {
			n := 0
			for _, id := range b.ids[b.ptr[r]:b.ptr[r+1]] {
				if m == nil || m[id] >= 0 {
					n++
				}
			}
			indptr[b.first+r+1] = n
		}
	})
	for r := 1; r <= res.docs; r++ {
		indptr[r] += indptr[r-1]
	}
	nnz := indptr[res.docs]
	indices := bigmem.Make[int](nnz) // advised for huge pages: see bigmem
	data := bigmem.Make[float64](nnz)
	value := func(count int32) float64 {
		if binary {
			return 1
		}
		return float64(count) // signed when hashing
	}
	scratch := make([]csrScratch, workers)
	forEachBatch(res.rows, workers, func(w int, b *batchRows) {
		m := colMap(colOf, b.shard)
		sc := &scratch[w]
		if ncols <= 8*len(b.ids) { // few columns for the entries: a counting sort by column
			sc.byColumn(b, m, ncols, indptr, indices, data, value)
			return
		}
		for r := 0; r+1 < len(b.ptr); r++ { // many columns (n-grams, hashing): sort each row
			keys := sc.keys[:0] // column << 32 | count
			for e := b.ptr[r]; e < b.ptr[r+1]; e++ {
				c := b.ids[e]
				if m != nil {
					if c = m[c]; c < 0 {
						continue
					}
				}
				keys = append(keys, uint64(c)<<32|uint64(uint32(b.count(e))))
			}
			slices.Sort(keys)
			at := indptr[b.first+r]
			for k, key := range keys {
				indices[at+k] = int(key >> 32)
				data[at+k] = value(int32(uint32(key)))
			}
			sc.keys = keys
		}
	})
	return sparse.NewCSR(res.docs, ncols, indptr, indices, data)
}

func colMap(colOf [][]int32, shard int) []int32 {
	if colOf == nil {
		return nil
	}
	return colOf[shard]
}

// forEachBatch calls fn on every batch, on up to workers goroutines; fn
// learns which worker (0 to workers-1) runs it.
func forEachBatch(rows []*batchRows, workers int, fn func(worker int, b *batchRows)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(rows) {
					return
				}
				fn(w, rows[i])
			}
		}()
	}
	wg.Wait()
}

// csrScratch is one worker's scratch space for writing rows.
type csrScratch struct {
	keys         []uint64
	start        []int32 // by column: count, then first position in the column-major order
	row, col, at []int32 // the batch's kept entries, column-major
	count        []int32
}

// byColumn writes the rows of batch b with their columns in order without
// sorting each row: a counting sort of the batch's entries by column (stable,
// so rows stay in order within a column), then one pass that appends each
// entry to its row. It costs O(entries + ncols).
func (sc *csrScratch) byColumn(b *batchRows, m []int32, ncols int, indptr, indices []int, data []float64, value func(int32) float64) {
	if len(sc.start) < ncols+1 {
		sc.start = make([]int32, ncols+1)
	}
	start := sc.start[:ncols+1]
	clear(start)
	kept := 0
	for _, c := range b.ids {
		if m != nil {
			c = m[c]
		}
		if c >= 0 {
			start[c+1]++
			kept++
		}
	}
	for c := 1; c <= ncols; c++ {
		start[c] += start[c-1]
	}
	sc.row = slices.Grow(sc.row[:0], kept)[:kept]
	sc.col = slices.Grow(sc.col[:0], kept)[:kept]
	sc.count = slices.Grow(sc.count[:0], kept)[:kept]
	for r := 0; r+1 < len(b.ptr); r++ {
		for e := b.ptr[r]; e < b.ptr[r+1]; e++ {
			c := b.ids[e]
			if m != nil {
				if c = m[c]; c < 0 {
					continue
				}
			}
			p := start[c]
			start[c]++
			sc.row[p], sc.col[p], sc.count[p] = int32(r), c, b.count(e)
		}
	}
	sc.at = slices.Grow(sc.at[:0], len(b.ptr))[:len(b.ptr)-1]
	for r := range sc.at {
		sc.at[r] = int32(indptr[b.first+r])
	}
	for p := 0; p < kept; p++ {
		r := sc.row[p]
		k := sc.at[r]
		sc.at[r]++
		indices[k] = int(sc.col[p])
		data[k] = value(sc.count[p])
	}
}
