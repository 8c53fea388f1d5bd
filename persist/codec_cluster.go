package persist

import (
	"encoding/json"

	"github.com/kiln-ml/kiln/cluster"
	"gonum.org/v1/gonum/mat"
)

// Tensors of cluster.KMeans and cluster.MiniBatchKMeans:
//
//	NAME.centroids  F64 [K, features]
//	NAME.labels     I64 [rows]  training labels (may be empty)
//	NAME.counts     F64 [K]     MiniBatchKMeans only: weight absorbed by each centre
//
// Params hold effective values from format 1.1, where a zero means zero: a
// tol of 0 stops only when the labels settle, a max_no_improvement or
// reassignment_ratio of 0 turns those off. In 1.0 a zero stood for the
// default (tol 1e-4, n_init and max_iter the learner's, max_no_improvement
// 10, reassignment_ratio 0.01).
type kmeansParams struct {
	K          int     `json:"k"`
	Inertia    float64 `json:"inertia"`
	Iterations int     `json:"iterations"`
	Init       string  `json:"init"`
	NInit      int     `json:"n_init"`
	MaxIter    int     `json:"max_iter"`
	Tol        float64 `json:"tol"`
	Algorithm  string  `json:"algorithm"`
	Seed       uint64  `json:"seed"`
}

type miniBatchParams struct {
	K                 int     `json:"k"`
	Init              string  `json:"init,omitempty"` // from 1.1
	NInit             int     `json:"n_init,omitempty"`
	InitSize          int     `json:"init_size,omitempty"`
	Inertia           float64 `json:"inertia"`
	Steps             int     `json:"steps"`
	Iterations        int     `json:"iterations"`
	BatchSize         int     `json:"batch_size"`
	MaxIter           int     `json:"max_iter"`
	Tol               float64 `json:"tol"`
	MaxNoImprovement  int     `json:"max_no_improvement"`
	ReassignmentRatio float64 `json:"reassignment_ratio"`
	Seed              uint64  `json:"seed"`
}

func init() {
	mustRegister(Codec{Kind: "cluster.KMeans", Step: (*cluster.KMeans)(nil), Encode: encodeKMeans, Decode: decodeKMeans})
	mustRegister(Codec{Kind: "cluster.MiniBatchKMeans", Step: (*cluster.MiniBatchKMeans)(nil), Encode: encodeMiniBatch, Decode: decodeMiniBatch})
}

func putCentroids(b *Bundle, name string, c [][]float64, features int) {
	flat := make([]float64, 0, len(c)*features)
	for _, r := range c {
		flat = append(flat, r...)
	}
	b.PutFloat64s(name+".centroids", flat, len(c), features)
}

// getCentroids reads the [k, features] centroids. k comes from the params;
// it is checked against the tensor, whose bytes must hold k*features values
// with at least one feature, before anything of size k is allocated.
func getCentroids(b *Bundle, name string, k int) ([][]float64, int, error) {
	if k < 1 {
		return nil, 0, corrupt("k is %d; want at least 1", k)
	}
	t, err := b.tensor(name+".centroids", F64, []int{k, -1})
	if err != nil {
		return nil, 0, err
	}
	features := t.Shape[1]
	if features < 1 {
		return nil, 0, corrupt("tensor %q has shape %v: centroids need at least one feature", name+".centroids", t.Shape)
	}
	flat, err := b.float64s(name+".centroids", k, features)
	if err != nil {
		return nil, 0, err
	}
	if err := finite(name+".centroids", flat); err != nil {
		return nil, 0, err
	}
	out := make([][]float64, k)
	for i := range out {
		out[i] = flat[i*features : (i+1)*features]
	}
	return out, features, nil
}

func putLabels(b *Bundle, name string, labels []int) {
	v := make([]int64, len(labels))
	for i, l := range labels {
		v[i] = int64(l)
	}
	b.PutInt64s(name+".labels", v)
}

func getCentroidsAndLabels(b *Bundle, name string, k int) ([][]float64, int, []int, error) {
	c, features, err := getCentroids(b, name, k)
	if err != nil {
		return nil, 0, nil, err
	}
	labels, err := getLabels(b, name, k)
	return c, features, labels, err
}

func getLabels(b *Bundle, name string, k int) ([]int, error) {
	v, err := b.int64s(name+".labels", -1)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(v))
	for i, l := range v {
		if l < 0 || l >= int64(k) {
			return nil, corrupt("tensor %q entry %d: label %d outside [0, %d)", name+".labels", i, l, k)
		}
		out[i] = int(l)
	}
	return out, nil
}

func encodeKMeans(step any, b *Bundle, name string) (any, error) {
	st, err := step.(*cluster.KMeans).State()
	if err != nil {
		return nil, err
	}
	putCentroids(b, name, st.Centroids, st.Features)
	putLabels(b, name, st.Labels)
	p := kmeansParams{st.K, st.Inertia, st.Iterations, st.Init, st.NInit, st.MaxIter, st.Tol, st.Algorithm, st.Seed}
	// cluster.KMeans's defaults, spelled out.
	switch {
	case p.Init == "given":
		p.NInit = 1
	case p.NInit <= 0:
		p.NInit = 10
	}
	if p.MaxIter <= 0 {
		p.MaxIter = 300
	}
	switch {
	case p.Tol == 0:
		p.Tol = 1e-4
	case p.Tol < 0:
		p.Tol = 0
	}
	return p, nil
}

// effectiveParams reports whether the bundle's params hold effective values
// (format 1.1 on), where a zero means zero rather than the default.
func (b *Bundle) effectiveParams() bool {
	v := b.Manifest.Version
	return v.Major > 1 || v.Minor >= 1
}

func decodeKMeans(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p kmeansParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	c, features, labels, err := getCentroidsAndLabels(b, name, p.K)
	if err != nil {
		return nil, err
	}
	if b.effectiveParams() && p.Tol == 0 {
		p.Tol = -1 // cluster.KMeans spells a zero tolerance so
	}
	km, err := cluster.NewKMeansFromState(cluster.KMeansState{K: p.K, Features: features, Centroids: c,
		Inertia: p.Inertia, Iterations: p.Iterations, Labels: labels, Init: p.Init, NInit: p.NInit,
		MaxIter: p.MaxIter, Tol: p.Tol, Algorithm: p.Algorithm, Seed: p.Seed})
	return km, asCorrupt(err)
}

func encodeMiniBatch(step any, b *Bundle, name string) (any, error) {
	st, err := step.(*cluster.MiniBatchKMeans).State()
	if err != nil {
		return nil, err
	}
	putCentroids(b, name, st.Centroids, st.Features)
	putLabels(b, name, st.Labels)
	b.PutFloat64s(name+".counts", st.Counts)
	mb := step.(*cluster.MiniBatchKMeans)
	p := miniBatchParams{K: st.K, Inertia: st.Inertia, Steps: st.Steps, Iterations: st.Iterations,
		BatchSize: st.BatchSize, MaxIter: st.MaxIter, Tol: max(st.Tol, 0), MaxNoImprovement: st.MaxNoImprovement,
		ReassignmentRatio: st.ReassignmentRatio, Seed: st.Seed, Init: "k-means++", NInit: mb.NInit, InitSize: mb.InitSize}
	// cluster.MiniBatchKMeans's defaults, spelled out.
	switch {
	case mb.InitialCentroids != nil:
		p.Init, p.NInit = "given", 1
	case mb.Init == cluster.RandomRows:
		p.Init = "random"
	}
	if p.NInit <= 0 {
		p.NInit = 3
	}
	if p.BatchSize <= 0 {
		p.BatchSize = 1024
	}
	if p.InitSize <= 0 {
		p.InitSize = 3 * p.BatchSize
	}
	if p.InitSize < p.K {
		p.InitSize = 3 * p.K
	}
	if p.MaxIter <= 0 {
		p.MaxIter = 100
	}
	switch {
	case p.MaxNoImprovement == 0:
		p.MaxNoImprovement = 10
	case p.MaxNoImprovement < 0:
		p.MaxNoImprovement = 0
	}
	switch {
	case p.ReassignmentRatio == 0:
		p.ReassignmentRatio = 0.01
	case p.ReassignmentRatio < 0:
		p.ReassignmentRatio = 0
	}
	return p, nil
}

func decodeMiniBatch(b *Bundle, name string, raw json.RawMessage) (any, error) {
	var p miniBatchParams
	if err := strictJSON(raw, &p); err != nil {
		return nil, err
	}
	c, features, labels, err := getCentroidsAndLabels(b, name, p.K)
	if err != nil {
		return nil, err
	}
	counts, err := b.float64s(name+".counts", p.K)
	if err != nil {
		return nil, err
	}
	if b.effectiveParams() {
		// cluster.MiniBatchKMeans spells "off" as a negative value, zero being its default.
		if p.MaxNoImprovement == 0 {
			p.MaxNoImprovement = -1
		}
		if p.ReassignmentRatio == 0 {
			p.ReassignmentRatio = -1
		}
	}
	mb, err := cluster.NewMiniBatchKMeansFromState(cluster.MiniBatchKMeansState{K: p.K, Features: features,
		Centroids: c, Counts: counts, Inertia: p.Inertia, Steps: p.Steps, Iterations: p.Iterations,
		Labels: labels, BatchSize: p.BatchSize, MaxIter: p.MaxIter, Tol: p.Tol,
		MaxNoImprovement: p.MaxNoImprovement, ReassignmentRatio: p.ReassignmentRatio, Seed: p.Seed})
	if err != nil {
		return nil, asCorrupt(err)
	}
	mb.NInit, mb.InitSize = p.NInit, p.InitSize
	switch p.Init {
	case "", "k-means++":
	case "random":
		mb.Init = cluster.RandomRows
	case "given":
		mb.InitialCentroids = mat.DenseCopyOf(mb.Centroids())
	default:
		return nil, corrupt("unknown init %q", p.Init)
	}
	return mb, nil
}
