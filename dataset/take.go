package dataset

import (
	"runtime"
	"sync"
)

// parallelTakeCells is the work (rows x columns) above which takeColumns
// gathers columns on several goroutines; below it the goroutines cost more
// than they save.
const parallelTakeCells = 1 << 17

// takeColumns returns cols[k].Take(idx) for every column, gathering columns
// concurrently (up to GOMAXPROCS at once) when the work is large. Each column
// is gathered by one goroutine, so the result does not depend on the
// scheduling.
func takeColumns(cols []*Column, idx []int) []*Column {
	return eachColumn(cols, len(idx), func(c *Column) *Column { return c.Take(idx) })
}

// eachColumn returns take(c) for every column, concurrently when rows x
// columns is large; see takeColumns.
func eachColumn(cols []*Column, rows int, take func(*Column) *Column) []*Column {
	out := make([]*Column, len(cols))
	workers := min(runtime.GOMAXPROCS(0), len(cols))
	if workers < 2 || rows*len(cols) < parallelTakeCells {
		for k, c := range cols {
			out[k] = take(c)
		}
		return out
	}
	var wg sync.WaitGroup
	next := make(chan int, len(cols))
	for k := range cols {
		next <- k
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for k := range next {
				out[k] = take(cols[k])
			}
		})
	}
	wg.Wait()
	return out
}
