// Package arrowcol converts between kiln frames and Arrow arrays for the
// packages that read and write Arrow-based formats (dataset/arrowconv,
// dataset/arrowipc, dataset/parquet). It checks every buffer that comes from
// a file against the bytes actually present before using it, and holds the
// Arrow IPC message reader that refuses corrupt lengths before the Arrow
// library allocates them.
//
// Errors carry no package prefix: each public package adds its own.
package arrowcol

import "fmt"

// RecoverAsError turns a panic inside the Arrow library into an error. It is
// the last resort: the readers validate what they can first, but the library
// panics on some malformed buffers (a corrupt page, a bad flatbuffer).
func RecoverAsError(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: malformed input: %v", what, r)
	}
}
