//go:build race

package text

// raceEnabled trims the tests over the whole IMDB corpus under the race
// detector, which slows them about tenfold.
const raceEnabled = true
