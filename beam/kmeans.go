package beam

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/cluster"
	"gonum.org/v1/gonum/mat"
)

// KMeans clusters rows with Lloyd's algorithm on a Beam runner, following
// cluster.KMeans (scikit-learn 1.2.1's KMeans) where it can: from the same
// starting centres it takes the same steps and reaches the same inertia.
//
// The rows arrive as RowBlocks. Each iteration is one pass over them: the
// current centroids are a side input, every row is assigned to its nearest
// centre (the first one on ties), and each block emits, per cluster, the sum
// and weight of its rows; the partial sums are combined per cluster, in the
// order of the blocks' first rows, into the new centroids. The order is fixed
// by the data, not by the runner's bundles, so the result is the same on any
// runner and any number of workers. A cluster left empty takes the row
// farthest from its own centre, as cluster.KMeans does.
//
// Beam pipelines are graphs without loops, so the iterations are unrolled:
// Apply adds MaxIter passes (plus one for a final assignment) and the passes
// after convergence only forward the result, reading no rows. Iteration stops
// when an iteration leaves the centroids unchanged (the labels stopped
// changing), when the total squared shift falls to Tol × the mean feature
// variance (then one more pass assigns the rows to the final centres, as
// scikit-learn does), or after MaxIter iterations.
//
// Seeding: InitialCentroids when given; otherwise cluster.KMeans (k-means++,
// Seed) fitted on a sample of SampleSize rows chosen by a seeded hash of
// their row index, the same sample for any bundling.
//
// Memory per worker: the centroids (K × features floats, twice for sparse
// rows), one block, and for the combining worker of a cluster one partial
// sum per block (sparse: only the features its rows use).
type KMeans struct {
	K int
	// MaxIter bounds the iterations (0: 300, as cluster.KMeans); each is a
	// stage of the pipeline.
	MaxIter int
	// Tol is cluster.KMeans's Tol: 0 means 1e-4, a negative value 0.
	Tol float64
	// Seed drives the seeding: the sample and k-means++ on it.
	Seed uint64
	// SampleSize is the number of rows k-means++ seeds on (0: 10,000, at
	// least K).
	SampleSize int
	// InitialCentroids, K rows of the data's width, replace the seeding.
	InitialCentroids [][]float64
}

// RowBlock is a block of consecutive rows of a matrix: rows Start ...
// Start+Rows-1 of Features columns, dense (Values holds Rows × Features
// values, row-major, and Indptr is nil) or sparse (CSR: row i's columns are
// Columns[Indptr[i]:Indptr[i+1]], increasing). Start fixes the summation order
// of KMeans, so each row must have one index across all blocks.
type RowBlock struct {
	Start    int64
	Rows     int
	Features int
	Indptr   []int64
	Columns  []int32
	Values   []float64
}

// BlocksOf cuts an in-memory matrix (*sparse.CSR rows stay sparse; any other
// mat.Matrix is read densely) into blocks of up to size rows, for beam.CreateList.
func BlocksOf(x mat.Matrix, size int) []RowBlock {
	if size <= 0 {
		size = 2048
	}
	n, d := x.Dims()
	var out []RowBlock
	csr, isSparse := x.(*sparse.CSR)
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		b := RowBlock{Start: int64(lo), Rows: hi - lo, Features: d}
		if isSparse {
			raw := csr.RawMatrix()
			b.Indptr = make([]int64, 0, hi-lo+1)
			for i := lo; i <= hi; i++ {
				b.Indptr = append(b.Indptr, int64(raw.Indptr[i]-raw.Indptr[lo]))
			}
			for k := raw.Indptr[lo]; k < raw.Indptr[hi]; k++ {
				b.Columns = append(b.Columns, int32(raw.Ind[k]))
				b.Values = append(b.Values, raw.Data[k])
			}
		} else {
			b.Values = make([]float64, 0, (hi-lo)*d)
			for i := lo; i < hi; i++ {
				for j := range d {
					b.Values = append(b.Values, x.At(i, j))
				}
			}
		}
		out = append(out, b)
	}
	return out
}

// check validates a block's shape and values.
func (b RowBlock) check() error {
	where := fmt.Sprintf("kiln/beam: KMeans: block at row %d", b.Start)
	switch {
	case b.Rows < 0 || b.Features <= 0:
		return fmt.Errorf("%s: %d rows of %d features", where, b.Rows, b.Features)
	case b.Indptr == nil && len(b.Values) != b.Rows*b.Features:
		return fmt.Errorf("%s: %d values for %d dense rows of %d features", where, len(b.Values), b.Rows, b.Features)
	case b.Indptr != nil && (len(b.Indptr) != b.Rows+1 || b.Indptr[0] != 0 || b.Indptr[b.Rows] != int64(len(b.Columns)) || len(b.Columns) != len(b.Values)):
		return fmt.Errorf("%s: malformed sparse rows", where)
	}
	for i := range b.Rows {
		if b.Indptr != nil {
			lo, hi := b.Indptr[i], b.Indptr[i+1]
			if lo < 0 || lo > hi || hi > int64(len(b.Columns)) {
				return fmt.Errorf("%s: malformed sparse rows", where)
			}
			for k := lo; k < hi; k++ {
				if c := b.Columns[k]; c < 0 || int(c) >= b.Features || k > lo && c <= b.Columns[k-1] {
					return fmt.Errorf("%s: row %d: column %d out of order or range", where, b.Start+int64(i), c)
				}
			}
		}
	}
	for k, v := range b.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: non-finite value %v (value %d)", where, v, k)
		}
	}
	return nil
}

// row returns row i: its columns and values when sparse, its values (and nil
// columns) when dense.
func (b *RowBlock) row(i int) (cols []int32, vals []float64) {
	if b.Indptr == nil {
		return nil, b.Values[i*b.Features : (i+1)*b.Features]
	}
	return b.Columns[b.Indptr[i]:b.Indptr[i+1]], b.Values[b.Indptr[i]:b.Indptr[i+1]]
}

// KMeansResult is the outcome of KMeans: the centroids (K rows), the inertia
// (sum of squared distances of the rows to their centres), the iterations
// run, and whether the centroids converged before MaxIter.
type KMeansResult struct {
	Centroids  [][]float64
	Inertia    float64
	Iterations int
	Converged  bool
}

// kmeansState is what one iteration hands the next, as a side input.
type kmeansState struct {
	K, D       int
	Centers    []float64 // K × D
	Iteration  int
	Tol        float64 // absolute: Tol × the mean feature variance
	NeedsFinal bool    // the next pass only assigns, for the inertia
	Done       bool
	Converged  bool
	Inertia    float64
	// Err is a failure found while seeding (bad settings or rows). It
	// travels in the state to the last stage, which alone fails: a runner
	// that runs stages concurrently then reports this message, not a
	// downstream stage's missing side input.
	Err string
}

func init() {
	register.DoFn3x1[RowBlock, kmeansState, func(int, clusterPartial), error](&assignFn{})
	register.Combiner3[partialList, clusterPartial, clusterTotal](&orderedSumFn{})
	register.DoFn4x1[[]byte, kmeansState, func(*clusterTotal) bool, func(kmeansState), error](&updateFn{})
	register.DoFn2x0[RowBlock, func(featureMoments)](&momentsFn{})
	register.Combiner3[momentsList, featureMoments, featureMoments](&orderedMomentsFn{})
	register.DoFn4x0[[]byte, featureMoments, func(*RowBlock) bool, func(kmeansState)](&seedFn{})
	register.DoFn2x0[RowBlock, func(RowBlock)](&sampleFn{})
	register.Function1x2(kmeansResult)
	register.Function2x1(keyedTotal)
	register.Emitter2[int, clusterPartial]()
	register.Emitter1[kmeansState]()
	register.Emitter1[featureMoments]()
	register.Emitter1[RowBlock]()
	register.Iter1[clusterTotal]()
	register.Iter1[RowBlock]()
}

// Apply adds the k-means passes over blocks (a PCollection of RowBlock) and
// returns a PCollection holding one KMeansResult. Invalid settings, blocks of
// different widths, non-finite values and fewer rows than K fail the
// pipeline with an error that says so.
func (km KMeans) Apply(s beam.Scope, blocks beam.PCollection) beam.PCollection {
	s = s.Scope("kiln.KMeans")
	maxIter := km.MaxIter
	if maxIter <= 0 {
		maxIter = 300
	}
	sampleSize := km.SampleSize
	if sampleSize <= 0 {
		sampleSize = 10000
	}
	sampleSize = max(sampleSize, km.K)
	moments := beam.Combine(s, &orderedMomentsFn{}, beam.ParDo(s, &momentsFn{}, blocks))
	sample := beam.ParDo(s, &sampleFn{Seed: km.Seed, Size: sampleSize}, blocks)
	state := beam.ParDo(s, &seedFn{K: km.K, Seed: km.Seed, Tol: km.Tol, Size: sampleSize, Initial: km.InitialCentroids},
		beam.Impulse(s), beam.SideInput{Input: moments}, beam.SideInput{Input: sample})
	for it := 0; it <= maxIter; it++ {
		is := s.Scope(fmt.Sprintf("iteration %d", it+1))
		partial := beam.ParDo(is, &assignFn{}, blocks, beam.SideInput{Input: state})
		totals := beam.ParDo(is, keyedTotal, beam.CombinePerKey(is, &orderedSumFn{}, partial))
		state = beam.ParDo(is, &updateFn{MaxIter: maxIter}, beam.Impulse(is),
			beam.SideInput{Input: state}, beam.SideInput{Input: totals})
	}
	return beam.ParDo(s, kmeansResult, state)
}

func kmeansResult(st kmeansState) (KMeansResult, error) {
	if st.Err != "" {
		return KMeansResult{}, errors.New(st.Err)
	}
	r := KMeansResult{Inertia: st.Inertia, Iterations: st.Iteration, Converged: st.Converged}
	for c := range st.K {
		r.Centroids = append(r.Centroids, slices.Clone(st.Centers[c*st.D:(c+1)*st.D]))
	}
	return r, nil
}

// featureMoments are per-feature sums over rows, for the tolerance:
// Sum and SumSq of each feature, over Rows rows; Start orders partials.
type featureMoments struct {
	Start int64
	Rows  int64
	Sum   []float64
	SumSq []float64
	Err   string // a block's fault, reported by seedFn
}

type momentsFn struct{}

func (momentsFn) ProcessElement(b RowBlock, emit func(featureMoments)) {
	if err := b.check(); err != nil {
		emit(featureMoments{Start: b.Start, Err: err.Error()})
		return
	}
	m := featureMoments{Start: b.Start, Rows: int64(b.Rows), Sum: make([]float64, b.Features), SumSq: make([]float64, b.Features)}
	for i := range b.Rows {
		cols, vals := b.row(i)
		for k, v := range vals {
			j := k
			if cols != nil {
				j = int(cols[k])
			}
			m.Sum[j] += v
			m.SumSq[j] += v * v
		}
	}
	emit(m)
}

// orderedMomentsFn adds the blocks' moments in the order of their first rows.
type orderedMomentsFn struct{}

// momentsList is orderedMomentsFn's accumulator.
type momentsList struct{ Parts []featureMoments }

func (orderedMomentsFn) AddInput(acc momentsList, m featureMoments) momentsList {
	acc.Parts = append(acc.Parts, m)
	return acc
}

func (orderedMomentsFn) MergeAccumulators(a, b momentsList) momentsList {
	a.Parts = append(a.Parts, b.Parts...)
	return a
}

func (orderedMomentsFn) ExtractOutput(list momentsList) featureMoments {
	acc := list.Parts
	slices.SortFunc(acc, func(a, b featureMoments) int { return int(min(max(a.Start-b.Start, -1), 1)) })
	var out featureMoments
	for _, m := range acc {
		if m.Err != "" {
			return featureMoments{Err: m.Err} // the first faulty block's
		}
	}
	for _, m := range acc {
		if out.Sum == nil {
			out.Sum, out.SumSq = make([]float64, len(m.Sum)), make([]float64, len(m.Sum))
		}
		if len(m.Sum) != len(out.Sum) {
			return featureMoments{Err: fmt.Sprintf("kiln/beam: KMeans: blocks of different widths: %v", errConfig)}
		}
		out.Rows += m.Rows
		for j := range m.Sum {
			out.Sum[j] += m.Sum[j]
			out.SumSq[j] += m.SumSq[j]
		}
	}
	return out
}

// sampleFn keeps, from each block, the rows whose seeded hash is among the
// Size smallest of the block (the global sample is among them).
type sampleFn struct {
	Seed uint64
	Size int
}

// rowHash is a seeded hash of a row index (splitmix64 twice), the same in
// every process.
func rowHash(seed uint64, row int64) uint64 {
	return splitmix64(seed ^ splitmix64(uint64(row)))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (f *sampleFn) ProcessElement(b RowBlock, emit func(RowBlock)) {
	if b.check() != nil {
		return // momentsFn reports it
	}
	idx := make([]int, b.Rows)
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > f.Size {
		slices.SortFunc(idx, func(x, y int) int {
			hx, hy := rowHash(f.Seed, b.Start+int64(x)), rowHash(f.Seed, b.Start+int64(y))
			return cmpUint(hx, hy)
		})
		idx = idx[:f.Size]
		slices.Sort(idx)
	}
	for _, i := range idx {
		emit(b.oneRow(i))
	}
}

// oneRow returns row i as a block of its own.
func (b *RowBlock) oneRow(i int) RowBlock {
	cols, vals := b.row(i)
	r := RowBlock{Start: b.Start + int64(i), Rows: 1, Features: b.Features, Values: slices.Clone(vals)}
	if cols != nil {
		r.Indptr = []int64{0, int64(len(cols))}
		r.Columns = slices.Clone(cols)
	}
	return r
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// seedFn makes the first state: the starting centres and the tolerance.
type seedFn struct {
	K       int
	Seed    uint64
	Tol     float64
	Size    int
	Initial [][]float64
}

func (f *seedFn) ProcessElement(_ []byte, m featureMoments, sample func(*RowBlock) bool, emit func(kmeansState)) {
	st, err := f.seed(m, sample)
	if err != nil {
		st = kmeansState{Done: true, Err: err.Error()}
	}
	emit(st)
}

func (f *seedFn) seed(m featureMoments, sample func(*RowBlock) bool) (kmeansState, error) {
	switch {
	case m.Err != "":
		return kmeansState{}, errors.New(m.Err)
	case f.K <= 0:
		return kmeansState{}, fmt.Errorf("kiln/beam: KMeans: K = %d; it must be at least 1: %w", f.K, errConfig)
	case m.Rows < int64(f.K):
		return kmeansState{}, fmt.Errorf("kiln/beam: KMeans: K = %d is more than the %d rows: %w", f.K, m.Rows, errConfig)
	}
	d := len(m.Sum)
	st := kmeansState{K: f.K, D: d, Centers: make([]float64, 0, f.K*d)}
	// The tolerance, as cluster.KMeans: Tol × the mean per-feature variance.
	tol := f.Tol
	switch {
	case tol == 0:
		tol = 1e-4
	case tol < 0:
		tol = 0
	}
	if tol > 0 {
		n := float64(m.Rows)
		var total float64
		for j := range d {
			mean := m.Sum[j] / n
			total += max(m.SumSq[j]/n-mean*mean, 0)
		}
		st.Tol = tol * total / float64(d)
	}
	if f.Initial != nil {
		if len(f.Initial) != f.K {
			return kmeansState{}, fmt.Errorf("kiln/beam: KMeans: %d initial centroids for K = %d: %w", len(f.Initial), f.K, errConfig)
		}
		for c, row := range f.Initial {
			if len(row) != d {
				return kmeansState{}, fmt.Errorf("kiln/beam: KMeans: initial centroid %d has %d values, the rows %d: %w", c, len(row), d, errConfig)
			}
			st.Centers = append(st.Centers, row...)
		}
		return st, nil
	}
	// The sample: the Size rows of smallest hash, in row order.
	var rows []RowBlock
	for r := (RowBlock{}); sample(&r); r = (RowBlock{}) {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b RowBlock) int {
		return cmpUint(rowHash(f.Seed, a.Start), rowHash(f.Seed, b.Start))
	})
	rows = rows[:min(len(rows), f.Size)]
	slices.SortFunc(rows, func(a, b RowBlock) int { return int(min(max(a.Start-b.Start, -1), 1)) })
	var x mat.Matrix
	if rows[0].Indptr != nil {
		indptr, ind, vals := []int{0}, []int{}, []float64{}
		for _, r := range rows {
			for k, c := range r.Columns {
				ind, vals = append(ind, int(c)), append(vals, r.Values[k])
			}
			indptr = append(indptr, len(ind))
		}
		x = sparse.NewCSR(len(rows), d, indptr, ind, vals)
	} else {
		dense := mat.NewDense(len(rows), d, nil)
		for i, r := range rows {
			dense.SetRow(i, r.Values)
		}
		x = dense
	}
	km := &cluster.KMeans{K: f.K, Seed: f.Seed, Workers: 1}
	if err := km.Fit(context.Background(), x); err != nil {
		return kmeansState{}, fmt.Errorf("kiln/beam: KMeans: seeding on %d sampled rows: %w", len(rows), err)
	}
	st.Centers = append(st.Centers, km.Centroids().RawMatrix().Data...)
	return st, nil
}

// clusterPartial is one block's contribution to one cluster: the sum and
// weight of its rows in that cluster (sparse: the features they use), and,
// for the key K, the block's inertia and its farthest rows.
type clusterPartial struct {
	Block    int64
	Weight   float64
	Features []int32 // nil: Sum is dense
	Sum      []float64
	Inertia  float64
	Far      []farRow
}

// farRow is a row far from its centre: a candidate for an empty cluster.
type farRow struct {
	Row     int64
	Dist    float64
	Label   int
	Columns []int32 // nil: dense
	Values  []float64
}

// assignFn assigns each row of a block to its nearest centre and emits the
// block's partial sums per cluster.
type assignFn struct {
	centers  []float64 // the state these tables were built for
	sqNorms  []float64
	byColumn []float64 // D × K: the centres feature-major, for sparse rows
}

func (f *assignFn) prepare(st kmeansState) {
	if len(f.centers) > 0 && len(st.Centers) > 0 && &f.centers[0] == &st.Centers[0] {
		return
	}
	k, d := st.K, st.D
	f.centers = st.Centers
	f.sqNorms = make([]float64, k)
	f.byColumn = make([]float64, d*k)
	for c := range k {
		var s float64
		for j, v := range st.Centers[c*d : (c+1)*d] {
			s += v * v
			f.byColumn[j*k+c] = v
		}
		f.sqNorms[c] = s
	}
}

func (f *assignFn) ProcessElement(b RowBlock, st kmeansState, emit func(int, clusterPartial)) error {
	if st.Done {
		return nil
	}
	if err := b.check(); err != nil {
		return err
	}
	if b.Features != st.D {
		return fmt.Errorf("kiln/beam: KMeans: block at row %d has %d features, the centroids %d", b.Start, b.Features, st.D)
	}
	f.prepare(st)
	k, d := st.K, st.D
	sums := make([][]float64, k) // dense per cluster, allocated on first use
	used := make([][]int32, k)   // sparse: the features touched, per cluster
	weight := make([]float64, k)
	dots := make([]float64, k)
	var inertia float64
	far := make([]farRow, 0, k+1)
	for i := range b.Rows {
		cols, vals := b.row(i)
		best, bestD := 0, math.Inf(1)
		if cols == nil {
			for c := range k {
				if dist := sqDiff(vals, st.Centers[c*d:(c+1)*d]); dist < bestD {
					best, bestD = c, dist
				}
			}
		} else {
			clear(dots)
			var sq float64
			for n, j := range cols {
				v := vals[n]
				sq += v * v
				for c, cv := range f.byColumn[int(j)*k : int(j)*k+k] {
					dots[c] += v * cv
				}
			}
			for c, dot := range dots {
				if dist := f.sqNorms[c] - 2*dot; dist < bestD {
					best, bestD = c, dist
				}
			}
			bestD = max(sq+bestD, 0)
		}
		inertia += bestD
		weight[best]++
		if sums[best] == nil {
			sums[best] = make([]float64, d)
		}
		dst := sums[best]
		if cols == nil {
			for j, v := range vals {
				dst[j] += v
			}
		} else {
			for n, j := range cols {
				if dst[j] == 0 {
					used[best] = append(used[best], j)
				}
				dst[j] += vals[n]
			}
		}
		far = keepFarthest(far, farRow{Row: b.Start + int64(i), Dist: bestD, Label: best}, k)
	}
	for n := range far {
		i := int(far[n].Row - b.Start)
		cols, vals := b.row(i)
		far[n].Columns, far[n].Values = slices.Clone(cols), slices.Clone(vals)
	}
	for c := range k {
		if weight[c] == 0 {
			continue
		}
		p := clusterPartial{Block: b.Start, Weight: weight[c]}
		if b.Indptr == nil {
			p.Sum = sums[c]
		} else {
			// A feature whose sum came back to zero is still exact as zero.
			slices.Sort(used[c])
			p.Features = used[c]
			p.Sum = make([]float64, len(used[c]))
			for n, j := range used[c] {
				p.Sum[n] = sums[c][j]
			}
		}
		emit(c, p)
	}
	emit(k, clusterPartial{Block: b.Start, Inertia: inertia, Far: far})
	return nil
}

func sqDiff(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for j, v := range a {
		dv := v - b[j]
		s += dv * dv
	}
	return s
}

// keepFarthest keeps the m farthest rows, largest distance first, ties to
// the smaller row index (cluster.KMeans's order for empty clusters).
func keepFarthest(far []farRow, r farRow, m int) []farRow {
	if len(far) == m && farther(r, far[m-1]) > 0 {
		return far
	}
	far = append(far, r)
	slices.SortStableFunc(far, farther)
	if len(far) > m {
		far = far[:m]
	}
	return far
}

func farther(a, b farRow) int {
	switch {
	case a.Dist > b.Dist:
		return -1
	case a.Dist < b.Dist:
		return 1
	}
	return int(min(max(a.Row-b.Row, -1), 1))
}

// partialList is the accumulator of one cluster: its blocks' partials.
type partialList struct{ Parts []clusterPartial }

// clusterTotal is a cluster's sum over all rows (dense), or for Cluster = K
// the total inertia and the farthest rows.
type clusterTotal struct {
	Cluster int
	Weight  float64
	Sum     []float64
	Inertia float64
	Far     []farRow
}

// orderedSumFn adds a cluster's partial sums in the order of their blocks,
// whatever order the runner delivers them in.
type orderedSumFn struct{}

func (orderedSumFn) AddInput(acc partialList, p clusterPartial) partialList {
	acc.Parts = append(acc.Parts, p)
	return acc
}

func (orderedSumFn) MergeAccumulators(a, b partialList) partialList {
	a.Parts = append(a.Parts, b.Parts...)
	return a
}

func (orderedSumFn) ExtractOutput(acc partialList) clusterTotal {
	parts := acc.Parts
	slices.SortFunc(parts, func(a, b clusterPartial) int { return int(min(max(a.Block-b.Block, -1), 1)) })
	var t clusterTotal
	for _, p := range parts {
		t.Weight += p.Weight
		t.Inertia += p.Inertia
		for _, r := range p.Far {
			t.Far = append(t.Far, r)
		}
		if p.Sum == nil {
			continue
		}
		if p.Features == nil {
			if t.Sum == nil {
				t.Sum = make([]float64, len(p.Sum))
			}
			for j, v := range p.Sum {
				t.Sum[j] += v
			}
			continue
		}
		if n := int(p.Features[len(p.Features)-1]) + 1; len(t.Sum) < n {
			t.Sum = append(t.Sum, make([]float64, n-len(t.Sum))...)
		}
		for n, j := range p.Features {
			t.Sum[j] += p.Sum[n]
		}
	}
	slices.SortStableFunc(t.Far, farther)
	return t
}

func keyedTotal(cluster int, t clusterTotal) clusterTotal {
	t.Cluster = cluster
	return t
}

// updateFn makes the next state from the previous one and the totals.
type updateFn struct{ MaxIter int }

func (f *updateFn) ProcessElement(_ []byte, prev kmeansState, totals func(*clusterTotal) bool, emit func(kmeansState)) error {
	if prev.Done {
		emit(prev)
		return nil
	}
	k, d := prev.K, prev.D
	sums := make([][]float64, k)
	weight := make([]float64, k)
	var inertia float64
	var far []farRow
	for t := (clusterTotal{}); totals(&t); t = (clusterTotal{}) {
		if t.Cluster == k {
			inertia, far = t.Inertia, t.Far
			continue
		}
		sum := make([]float64, d)
		copy(sum, t.Sum)
		sums[t.Cluster], weight[t.Cluster] = sum, t.Weight
	}
	next := prev
	if prev.NeedsFinal {
		next.NeedsFinal, next.Done, next.Inertia = false, true, inertia
		emit(next)
		return nil
	}
	// Empty clusters take the farthest rows, the i-th empty the i-th farthest.
	n := 0
	for c := range k {
		if weight[c] > 0 {
			continue
		}
		if sums[c] == nil {
			sums[c] = make([]float64, d)
		}
		if n >= len(far) {
			continue
		}
		r := far[n]
		n++
		from := r.Label
		for idx, v := range r.Values {
			j := idx
			if r.Columns != nil {
				j = int(r.Columns[idx])
			}
			sums[from][j] -= v
			sums[c][j] = v
		}
		weight[c], weight[from] = 1, weight[from]-1
	}
	next.Centers = make([]float64, k*d)
	var shift float64
	for c := range k {
		dst, old := next.Centers[c*d:(c+1)*d], prev.Centers[c*d:(c+1)*d]
		if w := weight[c]; w > 0 {
			inv := 1 / w
			for j, v := range sums[c] {
				dst[j] = v * inv
			}
		} else {
			copy(dst, old)
		}
		shift += sqDiff(dst, old)
	}
	next.Iteration = prev.Iteration + 1
	switch {
	case slices.Equal(next.Centers, prev.Centers):
		// Same centres: the labels did not change (strict convergence); the
		// inertia of this pass is the final one.
		next.Done, next.Converged, next.Inertia = true, true, inertia
	case shift <= prev.Tol:
		next.NeedsFinal, next.Converged = true, true
	case next.Iteration >= f.MaxIter:
		next.NeedsFinal = true
	}
	emit(next)
	return nil
}
