package arrowipc_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/arrowipc"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/internal/realdata"
)

func streamBytes(t testing.TB, f *dataset.Frame) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := arrowipc.WriteStream(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestStreamRoundTrip(t *testing.T) {
	want := frametest.EveryType(t)
	got, err := arrowipc.ReadStream(bytes.NewReader(streamBytes(t, want)))
	if err != nil {
		t.Fatal(err)
	}
	frametest.Equal(t, "Arrow IPC stream", want, got)
}

func TestFileRoundTrip(t *testing.T) {
	want := frametest.EveryType(t)
	path := filepath.Join(t.TempDir(), "every.arrow")
	if err := arrowipc.WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := arrowipc.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	frametest.Equal(t, "Arrow IPC file", want, got)
}

// TestReadFlights200K reads vega-datasets 3.2.1 data/flights-200k.arrow:
// one record batch of 200,000 rows, delay and distance int16, time float32.
// The golden values were printed by arrow go v14.0.2's own ipc.FileReader
// (the raw int16 / float32 arrays, before any conversion; pyarrow is not
// installed here): rows 0, 1, 2 and 199,999, and the column sums taken in row
// order in int64 / float64.
func TestReadFlights200K(t *testing.T) {
	path := realdata.Require(t, realdata.Flights200K)
	f, err := arrowipc.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Schema().String(), "delay:int64, distance:int64, time:float64"; got != want {
		t.Fatalf("schema %s, want %s (int16 -> int64, float32 -> float64)", got, want)
	}
	if f.NumRows() != 200_000 {
		t.Fatalf("%d rows, want 200,000", f.NumRows())
	}
	delay, dist, tm := f.Col(0).Int64s(), f.Col(1).Int64s(), f.Col(2).Float64s()
	rows := []struct {
		i           int
		delay, dist int64
		time        float64
	}{
		{0, 0, 1452, 0},
		{1, 171, 2227, 0},
		{2, 177, 491, 0},
		{199_999, 0, 1452, 23.983333587646484}, // float32 23.983334 widened exactly
	}
	for _, r := range rows {
		if delay[r.i] != r.delay || dist[r.i] != r.dist || tm[r.i] != r.time {
			t.Errorf("row %d: %d %d %v, want %d %d %v", r.i, delay[r.i], dist[r.i], tm[r.i], r.delay, r.dist, r.time)
		}
	}
	var sd, sdist int64
	var st float64
	for i := range delay {
		sd += delay[i]
		sdist += dist[i]
		st += tm[i]
	}
	if sd != 1_500_159 || sdist != 145_847_125 || st != 2.7551701662385147e+06 {
		t.Errorf("sums %d %d %v, want 1500159 145847125 2.7551701662385147e+06", sd, sdist, st)
	}
	for k := 0; k < 3; k++ {
		if f.Col(k).NullCount() != 0 {
			t.Errorf("column %q: %d nulls, want 0", f.Col(k).Name(), f.Col(k).NullCount())
		}
	}
}

// TestStreamRoundTripBuiltins sends every builtin set through an Arrow IPC
// stream: types, nulls, dictionary encoding and values must survive unchanged.
func TestStreamRoundTripBuiltins(t *testing.T) {
	for _, set := range frametest.Builtins {
		want, err := set.Load()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := arrowipc.WriteStream(&buf, want); err != nil {
			t.Fatalf("%s: %v", set.Name, err)
		}
		got, err := arrowipc.ReadStream(&buf)
		if err != nil {
			t.Fatalf("%s: %v", set.Name, err)
		}
		frametest.Equal(t, set.Name+" via Arrow IPC", want, got)
	}
}
