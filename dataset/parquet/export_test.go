package parquet

import (
	"io"

	"github.com/kiln-ml/kiln/dataset"
)

// ReadThroughArrow is Read with every column read by pqarrow, bypassing the
// page decoder: the reference the page decoder's tests compare with.
func ReadThroughArrow(r io.ReaderAt, size int64, opts Options) (*dataset.Frame, error) {
	opts.arrowOnly = true
	return Read(r, size, opts)
}
