//go:build race

package models

// raceEnabled skips the test over the 50,000 IMDB reviews under the race
// detector, which slows vectorizing them about tenfold; the benchmark and the
// non-race run cover it.
const raceEnabled = true
