package linalg

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kiln-ml/kiln"
	"golang.org/x/sync/errgroup"
)

// rowRange is a half-open range [lo, hi) of output rows: the unit of work a
// worker takes. Each output row is written by exactly one worker, so workers
// share no output cells and need neither locks nor private copies.
type rowRange struct{ lo, hi int }

// chunksPerWorker sets how finely the rows are cut: enough pieces that a
// worker finishing early takes another one (dynamic load balance), few
// enough that taking one costs nothing.
const chunksPerWorker = 32

// rowChunks cuts the rows 0..m-1 into ranges of about equal work, where
// work[x] is the cost of row x (the total length of the documents
// containing term x). Term frequencies follow Zipf's law, so equal numbers
// of rows would give very unequal work.
func rowChunks(work []int64, pieces int) []rowRange {
	m := len(work)
	var total int64
	for _, w := range work {
		total += w + 1 // +1: an empty row still costs a visit
	}
	if pieces > m {
		pieces = m
	}
	if pieces < 1 {
		pieces = 1
	}
	target := total / int64(pieces)
	if target < 1 {
		target = 1
	}
	var out []rowRange
	lo := 0
	var acc int64
	for x := 0; x < m; x++ {
		acc += work[x] + 1
		if acc >= target {
			out = append(out, rowRange{lo, x + 1})
			lo, acc = x+1, 0
		}
	}
	if lo < m {
		out = append(out, rowRange{lo, m})
	}
	return out
}

// workerCount resolves the Workers field: 0 means GOMAXPROCS.
func workerCount(workers int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return workers
}

// progress serializes calls of a caller's progress callback: it may be
// called from any worker, but never concurrently, and done only grows.
type progress struct {
	mu    sync.Mutex
	fn    kiln.ProgressFunc
	done  int
	total int
}

func newProgress(fn kiln.ProgressFunc, total int) *progress {
	return &progress{fn: fn, total: total}
}

func (p *progress) add(n int) {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	p.done += n
	p.fn(kiln.Progress{Stage: "cooccurrence", Done: int64(p.done), Total: int64(p.total)})
	p.mu.Unlock()
}

// forChunks runs fn over every chunk with the given number of workers, each
// taking the next chunk as it becomes free. It stops early, returning the
// context's error, when ctx is cancelled; progress counts finished rows.
func forChunks(ctx context.Context, workers int, chunks []rowRange, prog *progress,
	fn func(worker int, r rowRange)) error {
	if workers > len(chunks) {
		workers = len(chunks)
	}
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			for {
				if err := gctx.Err(); err != nil {
					return err
				}
				i := int(next.Add(1)) - 1
				if i >= len(chunks) {
					return nil
				}
				fn(w, chunks[i])
				prog.add(chunks[i].hi - chunks[i].lo)
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
