package progress

import (
	"bytes"
	"io"
	"os"

	"github.com/kiln-ml/kiln"
)

// StageRead is the stage of a Reader's reports: Done and Total count bytes.
const StageRead = "read"

// Reader passes reads through to its source and reports the bytes read so
// far, with Stage StageRead, to a kiln.ProgressFunc: progress for loaders
// that take an io.Reader and report nothing themselves.
type Reader struct {
	r     io.Reader
	fn    kiln.ProgressFunc
	done  int64
	total int64
}

// NewReader returns a Reader over r, whose size is total bytes (0 when
// unknown). With a nil fn it reports nothing.
func NewReader(r io.Reader, total int64, fn kiln.ProgressFunc) *Reader {
	return &Reader{r: r, fn: fn, total: total}
}

// Read reads from the source and reports the bytes read so far.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 && r.fn != nil {
		r.done += int64(n)
		r.fn(kiln.Progress{Stage: StageRead, Done: r.done, Total: r.total})
	}
	return n, err
}

// ReadFile reads the named file whole, like os.ReadFile, reporting the bytes
// read to fn.
func ReadFile(path string, fn kiln.ProgressFunc) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, st.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(NewReader(f, st.Size(), fn))
	return buf.Bytes(), err
}
