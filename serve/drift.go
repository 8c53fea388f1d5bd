package serve

import (
	"math"
	"sort"
	"sync"

	"github.com/kiln-ml/kiln/dataset"
)

// drift keeps the distribution of each profiled input over a sliding
// window of recent rows, to compare with the training distribution by the
// population stability index,
//
//	PSI = sum over bins of (a - e) * ln(a / e)
//
// where a is a bin's fraction of the window and e its fraction in training
// (both floored at psiFloor, so that an empty bin counts without dividing
// by zero). By a common rule of thumb a PSI under 0.1 is stable, 0.1 to
// 0.25 a moderate shift, above 0.25 a large one.
//
// The window is a ring of driftChunks chunks: rows are counted into the
// newest chunk, and when it is full the oldest is cleared and reused, so
// the window holds the last DriftWindow rows give or take one chunk.
type drift struct {
	mu        sync.Mutex
	inputs    []driftInput
	bins      int       // bins of all inputs together
	chunks    [][]int64 // driftChunks rings of counts, bins entries each
	chunkRows []int
	cur       int
	perChunk  int
}

const (
	driftChunks = 10
	psiFloor    = 1e-4
)

// driftInput is one profiled input. Its bins are the profile's bins, then
// one for null; offset is where they start in a chunk.
type driftInput struct {
	name     string
	col      int // position among the model's inputs
	edges    []float64
	cats     map[string]int
	expected []float64
	offset   int
}

func newDrift(inputs []field, profile []inputProfile, window int) *drift {
	if window <= 0 {
		window = 10_000
	}
	d := &drift{perChunk: max(1, window/driftChunks)}
	for _, p := range profile {
		col := -1
		for i, f := range inputs {
			if f.Name == p.Name {
				col = i
			}
		}
		bins := len(p.Edges) + 1
		if len(p.Categories) > 0 {
			bins = len(p.Categories) + 1
		}
		if col < 0 || len(p.Fractions) != bins || len(p.Edges) == 0 && len(p.Categories) == 0 {
			continue // not a profile the server can compare with
		}
		in := driftInput{name: p.Name, col: col, edges: p.Edges, offset: d.bins}
		if len(p.Categories) > 0 {
			in.cats = make(map[string]int, len(p.Categories))
			for i, c := range p.Categories {
				in.cats[c] = i
			}
		}
		in.expected = append(append([]float64{}, p.Fractions...), p.Null)
		d.bins += len(in.expected)
		d.inputs = append(d.inputs, in)
	}
	if len(d.inputs) == 0 {
		return nil
	}
	d.chunks = make([][]int64, driftChunks)
	for i := range d.chunks {
		d.chunks[i] = make([]int64, d.bins)
	}
	d.chunkRows = make([]int, driftChunks)
	return d
}

// bin returns the bin of row i of col, relative to the input's offset.
func (in *driftInput) bin(col *dataset.Column, i int) int {
	null := len(in.expected) - 1
	if col.IsNull(i) {
		return null
	}
	if in.cats != nil {
		if k, ok := in.cats[col.Format(i)]; ok {
			return k
		}
		return null - 1 // a category outside the profile
	}
	x, ok := col.FloatAt(i)
	if !ok || math.IsNaN(x) {
		return null
	}
	return sort.SearchFloat64s(in.edges, x)
}

// driftBlock is the number of rows binned before the counts are added
// under the lock, in one go.
const driftBlock = 1024

// observe counts the rows of a request. The rows are binned outside the
// lock, into scratch (returned for reuse), so that the lock is held only
// to add the counts: requests scored at once do not wait for each
// other's binning.
func (d *drift) observe(f *dataset.Frame, scratch []int32) []int32 {
	n := f.NumRows()
	for lo := 0; lo < n; lo += driftBlock {
		hi := min(n, lo+driftBlock)
		bins := scratch[:0]
		for k := range d.inputs {
			in := &d.inputs[k]
			col := f.Col(in.col)
			for i := lo; i < hi; i++ {
				bins = append(bins, int32(in.offset+in.bin(col, i)))
			}
		}
		scratch = bins
		d.add(bins, hi-lo)
	}
	return scratch
}

// add counts the bins of rows rows into the newest chunk.
func (d *drift) add(bins []int32, rows int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.chunkRows[d.cur] >= d.perChunk {
		d.cur = (d.cur + 1) % driftChunks
		clear(d.chunks[d.cur])
		d.chunkRows[d.cur] = 0
	}
	counts := d.chunks[d.cur]
	for _, b := range bins {
		counts[b]++
	}
	d.chunkRows[d.cur] += rows
}

// psi returns the rows in the window and each input's index.
func (d *drift) psi() (int, []float64) {
	d.mu.Lock()
	total := make([]int64, d.bins)
	rows := 0
	for c, chunk := range d.chunks {
		for j, v := range chunk {
			total[j] += v
		}
		rows += d.chunkRows[c]
	}
	d.mu.Unlock()
	out := make([]float64, len(d.inputs))
	if rows == 0 {
		return 0, out
	}
	for k, in := range d.inputs {
		out[k] = psi(total[in.offset:in.offset+len(in.expected)], in.expected, rows)
	}
	return rows, out
}

func psi(counts []int64, expected []float64, rows int) float64 {
	var sum float64
	for j, e := range expected {
		a := max(float64(counts[j])/float64(rows), psiFloor)
		e = max(e, psiFloor)
		sum += (a - e) * math.Log(a/e)
	}
	return sum
}
