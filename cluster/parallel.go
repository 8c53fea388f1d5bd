package cluster

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// effectiveWorkers maps the Workers field to a goroutine count (0 = GOMAXPROCS).
func effectiveWorkers(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// forBlocks calls fn(block, lo, hi) for the blocks [lo, hi) of blockSize rows
// that cover [0, n), on up to workers goroutines that take blocks in turn.
// Block boundaries depend only on n and blockSize, never on workers, so any
// per-block partial result reduced in block order is the same whatever the
// number of workers.
func forBlocks(n, blockSize, workers int, fn func(block, lo, hi int)) {
	blocks := numBlocks(n, blockSize)
	if workers > blocks {
		workers = blocks
	}
	if workers <= 1 {
		for b := 0; b < blocks; b++ {
			lo, hi := blockRange(b, n, blockSize)
			fn(b, lo, hi)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				lo, hi := blockRange(b, n, blockSize)
				fn(b, lo, hi)
			}
		}()
	}
	wg.Wait()
}

func numBlocks(n, blockSize int) int { return (n + blockSize - 1) / blockSize }

func blockRange(b, n, blockSize int) (int, int) {
	lo := b * blockSize
	return lo, min(lo+blockSize, n)
}

// forTasks calls fn(t) for t in [0, n) on up to workers goroutines.
func forTasks(n, workers int, fn func(t int)) {
	forBlocks(n, 1, workers, func(b, _, _ int) { fn(b) })
}
