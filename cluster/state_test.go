package cluster

import (
	"context"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestKMeansStateRoundTrip(t *testing.T) {
	X := irisX(t)
	km := &KMeans{K: 3, NInit: 4, Seed: 9, Algorithm: Elkan}
	if err := km.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	s, err := km.State()
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewKMeansFromState(s)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(back.Centroids(), km.Centroids()) || back.Inertia() != km.Inertia() ||
		back.Iterations() != km.Iterations() || !slices.Equal(back.Labels(), km.Labels()) ||
		back.Algorithm != Elkan || back.NInit != 4 || back.Seed != 9 {
		t.Errorf("round trip changed the model: %+v", back)
	}
	pred, err := back.Predict(toCSR(X))
	if err != nil || !slices.Equal(clusterIDs(t, pred), km.Labels()) {
		t.Errorf("restored Predict differs: %v", err)
	}
	s.Centroids[1] = s.Centroids[1][:2]
	if _, err := NewKMeansFromState(s); err == nil || !strings.Contains(err.Error(), "centroid 1 has 2 values") {
		t.Errorf("bad state: %v", err)
	}
	if _, err := (&KMeans{K: 2}).State(); err == nil {
		t.Error("State before Fit: no error")
	}
}

func TestMiniBatchKMeansStateRoundTrip(t *testing.T) {
	X := irisX(t)
	mb := &MiniBatchKMeans{K: 3, Seed: 2, BatchSize: 50}
	if err := mb.Fit(context.Background(), X); err != nil {
		t.Fatal(err)
	}
	s, err := mb.State()
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewMiniBatchKMeansFromState(s)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(back.Centroids(), mb.Centroids()) || !slices.Equal(back.Counts(), mb.Counts()) || back.Steps() != mb.Steps() {
		t.Fatal("round trip changed the model")
	}
	before := slices.Clone(back.Counts())
	if err := back.PartialFit(rowsOf(X, 0, 1, 2, 50, 51, 100), nil); err != nil {
		t.Fatal(err)
	}
	var added float64
	for c := range before {
		added += back.Counts()[c] - before[c]
	}
	if added != 6 || back.Steps() != mb.Steps()+1 {
		t.Errorf("PartialFit after reload: counts grew by %v, steps %d", added, back.Steps())
	}
}
