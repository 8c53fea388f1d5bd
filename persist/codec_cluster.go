package persist

import (
	"encoding/json"

	"github.com/kiln-ml/kiln/cluster"
)

// Tensors of cluster.KMeans and cluster.MiniBatchKMeans:
//
//	NAME.centroids  F64 [K, features]
//	NAME.labels     I64 [rows]  training labels (may be empty)
//	NAME.counts     F64 [K]     MiniBatchKMeans only: weight absorbed by each centre
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
	return kmeansParams{st.K, st.Inertia, st.Iterations, st.Init, st.NInit, st.MaxIter, st.Tol, st.Algorithm, st.Seed}, nil
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
	return miniBatchParams{st.K, st.Inertia, st.Steps, st.Iterations, st.BatchSize, st.MaxIter, st.Tol,
		st.MaxNoImprovement, st.ReassignmentRatio, st.Seed}, nil
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
	mb, err := cluster.NewMiniBatchKMeansFromState(cluster.MiniBatchKMeansState{K: p.K, Features: features,
		Centroids: c, Counts: counts, Inertia: p.Inertia, Steps: p.Steps, Iterations: p.Iterations,
		Labels: labels, BatchSize: p.BatchSize, MaxIter: p.MaxIter, Tol: p.Tol,
		MaxNoImprovement: p.MaxNoImprovement, ReassignmentRatio: p.ReassignmentRatio, Seed: p.Seed})
	return mb, asCorrupt(err)
}
