package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// chunkSize is the amount of text read per chunk. Chunks always end on a
// record boundary, so a chunk is larger when a record straddles the end.
// One MiB keeps the working set of every worker in cache while leaving
// hundreds of chunks to share among cores; it does not depend on Workers, so
// results are the same whatever the worker count.
const chunkSize = 1 << 20

// chunk is a run of whole records.
type chunk struct {
	index int
	data  []byte
	line  int // line number of data[0], 1-based
	buf   []byte
}

// source gives the raw bytes of a CSV or JSON Lines input, possibly more than
// once: the CSV reader re-reads its input when a late value contradicts the
// type it inferred from the earlier chunks.
type source interface {
	open() (r io.Reader, size int64, close func(), err error)
}

type fileSource string

func (p fileSource) open() (io.Reader, int64, func(), error) {
	f, err := os.Open(string(p))
	if err != nil {
		return nil, 0, nil, err
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, func() { f.Close() }, nil
}

// seekSource re-reads an io.ReadSeeker from the offset where it started.
type seekSource struct {
	r     io.ReadSeeker
	start int64
	size  int64
}

func (s *seekSource) open() (io.Reader, int64, func(), error) {
	if _, err := s.r.Seek(s.start, io.SeekStart); err != nil {
		return nil, 0, nil, err
	}
	return s.r, s.size, func() {}, nil
}

// newReaderSource makes a re-readable source of r: an io.ReadSeeker is seeked
// back; any other reader is read into memory first (still compressed if it
// is gzip), which is the price of reading a stream twice when types conflict.
func newReaderSource(r io.Reader) (source, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err == nil {
			size := int64(-1)
			if end, err := rs.Seek(0, io.SeekEnd); err == nil {
				size = end - start
			}
			if _, err := rs.Seek(start, io.SeekStart); err == nil {
				return &seekSource{rs, start, size}, nil
			}
		}
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	br := bytes.NewReader(raw)
	return &seekSource{br, 0, int64(len(raw))}, nil
}

var gzipMagic = []byte{0x1f, 0x8b}

// decompress detects gzip by its magic bytes, whatever the file name. size is
// reported as unknown (-1) for compressed input.
func decompress(r io.Reader, size int64) (io.Reader, int64, error) {
	br := bufio.NewReaderSize(r, bufferFor(r, 64<<10))
	magic, _ := br.Peek(2)
	if bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, fmt.Errorf("gzip header: %w", err)
		}
		return zr, -1, nil
	}
	return br, size, nil
}

// bufferFor returns the size of a read buffer for r: at most max, and no
// more than r holds when r tells its length (a bytes.Reader, strings.Reader
// or bytes.Buffer), so that reading one short record, as a service scoring
// one request does, does not allocate buffers for megabytes.
func bufferFor(r io.Reader, max int) int {
	if l, ok := r.(interface{ Len() int }); ok && l.Len() < max {
		return l.Len() + 16 // bufio's minimum, and room to see the end
	}
	return max
}

// gzipError phrases the errors a truncated or damaged gzip stream gives.
func gzipError(err error) string {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "gzip stream ends early (truncated file?)"
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return "corrupt gzip stream: " + err.Error()
	}
	return "read error: " + err.Error()
}

// chunkReader cuts the decompressed text into chunks of whole records.
type chunkReader struct {
	r         io.Reader
	file      string
	cur       []byte // text read but not yet handed out; starts at a record boundary
	eof       bool
	line      int // line number of cur[0]
	maxRecord int
	free      chan []byte // buffers returned by the workers
	size      int64       // bytes of text still to come when known (uncompressed input), else -1

	// chunkBytes is the text per chunk; 0 means chunkSize. (Tests make it
	// small to cut short inputs into many chunks.)
	chunkBytes int
	// lastEnd returns the offset just past the last whole record of a
	// buffer, or -1; nil means CSV records (lastRecordEnd).
	lastEnd func([]byte) int
	// tooLong is the error for a record longer than maxRecord starting on
	// line; nil means the CSV reader's.
	tooLong func(line int) error
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// fill reads until cur holds at least want bytes or the input ends.
func (cr *chunkReader) fill(want int) error {
	if cr.size >= 0 && int64(want) > int64(len(cr.cur))+cr.size+1 {
		want = len(cr.cur) + int(cr.size) + 1 // a small input needs no big buffer; +1 sees the end
	}
	if cap(cr.cur) < want {
		nb := make([]byte, len(cr.cur), want)
		copy(nb, cr.cur)
		cr.cur = nb
	}
	for len(cr.cur) < want && !cr.eof {
		n, err := cr.r.Read(cr.cur[len(cr.cur):cap(cr.cur)])
		cr.cur = cr.cur[:len(cr.cur)+n]
		if cr.size >= 0 {
			cr.size = max(cr.size-int64(n), 0)
		}
		if err == io.EOF {
			cr.eof = true
		} else if err != nil {
			return &ParseError{File: cr.file, Line: cr.line + bytes.Count(cr.cur, []byte{'\n'}), Msg: gzipError(err)}
		}
	}
	return nil
}

// header returns the bytes of the first record (BOM removed) and consumes it
// when consume is set. ok is false for an input without any text.
func (cr *chunkReader) header(consume bool) (rec []byte, ok bool, err error) {
	if err := cr.fill(64 << 10); err != nil {
		return nil, false, err
	}
	if bytes.HasPrefix(cr.cur, utf8BOM) {
		cr.cur = cr.cur[len(utf8BOM):]
	}
	for {
		end := firstRecordEnd(cr.cur)
		if end < 0 && cr.eof {
			end = len(cr.cur)
		}
		if end >= 0 {
			rec = cr.cur[:end]
			if consume {
				cr.line += bytes.Count(rec, []byte{'\n'})
				cr.cur = cr.cur[end:]
			}
			return rec, len(rec) > 0, nil
		}
		if len(cr.cur) > cr.maxRecord {
			return nil, false, &ParseError{File: cr.file, Line: 1, Msg: fmt.Sprintf("first record is longer than %d bytes (unterminated quote?)", cr.maxRecord)}
		}
		if err := cr.fill(2 * cap(cr.cur)); err != nil {
			return nil, false, err
		}
	}
}

func (cr *chunkReader) newBuffer(n int) []byte {
	select {
	case b := <-cr.free:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

// run sends the chunks in order, taking one token of inflight per chunk so
// that only a bounded amount of text is in memory at once. It returns the
// number of chunks sent.
func (cr *chunkReader) run(ctx context.Context, out chan<- *chunk, inflight chan struct{}) (int, error) {
	index := 0
	size := cr.chunkBytes
	if size <= 0 {
		size = chunkSize
	}
	for {
		if err := cr.fill(size); err != nil {
			return index, err
		}
		if len(cr.cur) == 0 && cr.eof {
			return index, nil
		}
		end := len(cr.cur)
		if !cr.eof {
			if cr.lastEnd != nil {
				end = cr.lastEnd(cr.cur)
			} else {
				end = lastRecordEnd(cr.cur)
			}
			if end < 0 {
				if len(cr.cur) > cr.maxRecord {
					if cr.tooLong != nil {
						return index, cr.tooLong(cr.line)
					}
					return index, &ParseError{File: cr.file, Line: cr.line, Column: 1,
						Msg: fmt.Sprintf("record is longer than %d bytes (unterminated quote?)", cr.maxRecord)}
				}
				if err := cr.fill(2 * cap(cr.cur)); err != nil {
					return index, err
				}
				continue
			}
		}
		select {
		case inflight <- struct{}{}:
		case <-ctx.Done():
			return index, nil
		}
		rest := cr.cur[end:]
		want := size
		if cr.size >= 0 {
			want = int(min(int64(size), int64(len(rest))+cr.size+1))
		}
		next := cr.newBuffer(max(want, len(rest)))
		next = append(next, rest...)
		c := &chunk{index: index, data: cr.cur[:end], line: cr.line, buf: cr.cur}
		cr.line += bytes.Count(c.data, []byte{'\n'})
		cr.cur = next
		select {
		case out <- c:
		case <-ctx.Done():
			return index, nil
		}
		index++
		if cr.eof && len(cr.cur) == 0 {
			return index, nil
		}
	}
}

// readChunks runs the readers' pipeline: cr cuts the text into chunks on one
// goroutine, workers goroutines parse them (each with the parse function that
// newParser gives it, so that its scratch space is its own), and join takes
// the results in chunk order on the calling goroutine, so that the outcome
// does not depend on the number of workers. Results are recycled (newResult
// makes one when none is free; index tells a result's chunk). The first error
// of join stops the reading and is returned; else the producer's, else ctx's.
func readChunks[R any](ctx context.Context, cr *chunkReader, workers int, newParser func() func(*chunk, *R),
	newResult func() *R, index func(*R) int, join func(*R) error) error {
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	inflight := make(chan struct{}, 2*workers+2)
	chunks := make(chan *chunk, workers)
	results := make(chan *R, 2*workers+2)
	spare := make(chan *R, 2*workers+2) // results that join is done with

	var producerErr error
	var producerWG sync.WaitGroup
	producerWG.Add(1)
	go func() {
		defer producerWG.Done()
		defer close(chunks)
		_, producerErr = cr.run(run, chunks, inflight)
	}()
	var workerWG sync.WaitGroup
	for range workers {
		workerWG.Add(1)
		go func() {
			defer workerWG.Done()
			parse := newParser()
			for c := range chunks {
				var res *R
				select {
				case res = <-spare:
				default:
					res = newResult()
				}
				parse(c, res)
				select {
				case cr.free <- c.buf[:0]:
				default:
				}
				select {
				case results <- res:
				case <-run.Done():
					return
				}
			}
		}()
	}
	go func() {
		workerWG.Wait()
		close(results)
	}()

	pending := make(map[int]*R)
	next := 0
	var firstErr error
	for res := range results {
		pending[index(res)] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if firstErr == nil {
				if firstErr = join(r); firstErr != nil {
					cancel()
				}
			}
			select {
			case spare <- r:
			default:
			}
			<-inflight
		}
	}
	producerWG.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if firstErr == nil {
		firstErr = producerErr
	}
	return firstErr
}
