//go:build race

package cluster

// raceEnabled skips the test over the whole IMDB corpus under the race
// detector, which slows it about tenfold (it runs in plain go test).
const raceEnabled = true
