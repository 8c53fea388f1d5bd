package kiln

// Progress reports how far a long call has come: vectorizing, fitting,
// k-means, sweeps, cross-validation, co-occurrence counting.
type Progress struct {
	Stage string  // what runs: "count", "fit", "iteration", "fold", "cooccurrence", ...
	Done  int64   // units finished
	Total int64   // units in all; 0 when unknown
	Value float64 // the current objective, inertia or score where the call has one, else 0
}

// ProgressFunc receives Progress reports. A call never runs it from two
// goroutines at once, so it needs no locking of its own.
type ProgressFunc func(Progress)
