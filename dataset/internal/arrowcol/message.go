package arrowcol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/ipc"
	"github.com/apache/arrow/go/v14/arrow/memory"
)

// CheckedMessageReader reads Arrow IPC messages like ipc.NewMessageReader,
// but checks each message before the Arrow library sees it.
//
// Why: arrow v14 trusts the lengths in a message. A corrupt metadata
// flatbuffer makes it allocate vectors of billions of fields, and a corrupt
// body length makes it allocate the claimed size before reading; the process
// then dies of memory exhaustion, which no recover can turn into an error.
// So this reader (1) reads metadata and bodies in step with the bytes that
// actually arrive, never allocating a claimed size ahead of the data, and (2)
// walks the flatbuffer to check that every vector arrow will allocate from
// fits inside the message, that record batch buffers lie inside the body, and
// that compressed buffers announce a plausible decompressed size.
type CheckedMessageReader struct {
	r        io.Reader
	msg      *ipc.Message
	messages int

	// The nodes and buffers a record batch must list for the schema's fields,
	// set once the schema is known: arrow v14 reads node and buffer i without
	// checking i against the vectors' lengths, so short vectors must be refused.
	batchNodes, batchBuffers int
}

// NewCheckedMessageReader reads messages from r.
func NewCheckedMessageReader(r io.Reader) *CheckedMessageReader {
	return &CheckedMessageReader{r: r}
}

// Expect sets the node and buffer counts batches must have for a schema of
// flat fields (the only kind the IPC readers accept).
func (r *CheckedMessageReader) Expect(schema *arrow.Schema) {
	r.batchNodes, r.batchBuffers = schema.NumFields(), 0
	for _, f := range schema.Fields() {
		switch f.Type.ID() {
		case arrow.STRING, arrow.LARGE_STRING:
			r.batchBuffers += 3 // validity, offsets, text
		default:
			r.batchBuffers += 2 // validity, values (dictionary indices)
		}
	}
}

func (r *CheckedMessageReader) Retain()  {}
func (r *CheckedMessageReader) Release() { r.release() }

func (r *CheckedMessageReader) release() {
	if r.msg != nil {
		r.msg.Release()
		r.msg = nil
	}
}

// Message returns the next message, or io.EOF at the end-of-stream marker or
// at a clean end of input between messages.
func (r *CheckedMessageReader) Message() (*ipc.Message, error) {
	r.release()
	var word [4]byte
	if _, err := io.ReadFull(r.r, word[:]); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("message %d: %w", r.messages, err)
	}
	metaLen := int64(int32(binary.LittleEndian.Uint32(word[:])))
	if binary.LittleEndian.Uint32(word[:]) == 0xFFFFFFFF { // continuation marker, then the length
		if _, err := io.ReadFull(r.r, word[:]); err != nil {
			return nil, fmt.Errorf("message %d: reading its length: %w", r.messages, noEOF(err))
		}
		metaLen = int64(int32(binary.LittleEndian.Uint32(word[:])))
	}
	if metaLen == 0 {
		return nil, io.EOF // end-of-stream marker
	}
	if metaLen < 0 {
		return nil, fmt.Errorf("message %d: negative metadata length %d", r.messages, metaLen)
	}
	meta, err := readAvailable(r.r, metaLen)
	if err != nil {
		return nil, fmt.Errorf("message %d: reading %d bytes of metadata: %w", r.messages, metaLen, err)
	}
	info, err := checkMessageMetadata(meta)
	if err != nil {
		return nil, fmt.Errorf("message %d: corrupt metadata: %w", r.messages, err)
	}
	body, err := readAvailable(r.r, info.bodyLen)
	if err != nil {
		return nil, fmt.Errorf("message %d: reading a %d-byte body: %w", r.messages, info.bodyLen, err)
	}
	if err := info.checkBody(body); err != nil {
		return nil, fmt.Errorf("message %d: %w", r.messages, err)
	}
	if info.kind != headerSchema {
		nodes, buffers := r.batchNodes, r.batchBuffers
		if info.kind == headerDictionaryBatch {
			nodes, buffers = 1, 3 // a dictionary of strings
		}
		if nodes == 0 || info.nodes < nodes || len(info.buffers) < buffers {
			return nil, fmt.Errorf("message %d: a batch with %d field nodes and %d buffers, the schema needs %d and %d", r.messages, info.nodes, len(info.buffers), nodes, buffers)
		}
	}
	r.messages++
	r.msg = ipc.NewMessage(memory.NewBufferBytes(meta), memory.NewBufferBytes(body))
	return r.msg, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readAvailable reads exactly n bytes, growing its buffer as bytes arrive, so
// a length that lies about a short input fails without a huge allocation.
func readAvailable(r io.Reader, n int64) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("negative length %d", n)
	}
	if n <= 1<<20 {
		buf := make([]byte, n)
		_, err := io.ReadFull(r, buf)
		return buf, noEOF(err)
	}
	if lr, ok := r.(interface{ Len() int }); ok && n <= int64(lr.Len()) {
		buf := make([]byte, n)
		_, err := io.ReadFull(r, buf)
		return buf, noEOF(err)
	}
	var b bytes.Buffer
	b.Grow(1 << 20)
	m, err := io.CopyN(&b, r, n)
	if m < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b.Bytes(), nil
}

// Message header types and Arrow type ids used by the checks (Message.fbs,
// Schema.fbs).
const (
	headerSchema          = 1
	headerDictionaryBatch = 2
	headerRecordBatch     = 3
	typeUnion             = 14
)

// messageInfo is what checkMessageMetadata learned about a message.
type messageInfo struct {
	kind       byte
	nodes      int
	bodyLen    int64
	buffers    [][2]int64 // (offset, length) of each body buffer of a batch
	compressed bool
}

// checkBody checks the batch buffers against the body actually read.
func (m *messageInfo) checkBody(body []byte) error {
	for i, b := range m.buffers {
		off, n := b[0], b[1]
		if off < 0 || n < 0 || off > int64(len(body)) || n > int64(len(body))-off {
			return fmt.Errorf("buffer %d [%d,+%d) lies outside the %d-byte body", i, off, n, len(body))
		}
		if m.compressed && n >= 8 {
			// A compressed buffer starts with its decompressed length (-1: stored
			// uncompressed). Bound it so a corrupt prefix cannot demand terabytes;
			// 1024x is beyond what LZ4 or Zstandard reach on Arrow buffers.
			raw := int64(binary.LittleEndian.Uint64(body[off:]))
			if raw < -1 || raw > 1<<20+1024*n {
				return fmt.Errorf("buffer %d: implausible decompressed length %d for %d compressed bytes", i, raw, n)
			}
		}
	}
	return nil
}

// flat reads a flatbuffer with bounds checks on every access.
type flat struct{ b []byte }

type fbTable struct{ pos, vtab, vsize int }

var errFlatBounds = errors.New("offset outside the flatbuffer")

func (f flat) u32(pos int) (uint32, error) {
	if pos < 0 || pos > len(f.b)-4 {
		return 0, errFlatBounds
	}
	return binary.LittleEndian.Uint32(f.b[pos:]), nil
}

func (f flat) table(pos int) (fbTable, error) {
	soff, err := f.u32(pos)
	if err != nil {
		return fbTable{}, err
	}
	vt := pos - int(int32(soff))
	if vt < 0 || vt > len(f.b)-4 {
		return fbTable{}, errFlatBounds
	}
	vsize := int(binary.LittleEndian.Uint16(f.b[vt:]))
	if vsize < 4 || vsize%2 != 0 || vt+vsize > len(f.b) {
		return fbTable{}, errors.New("malformed vtable")
	}
	return fbTable{pos: pos, vtab: vt, vsize: vsize}, nil
}

// field returns the position of a table field (slot 4, 6, 8, ...), or -1
// when the field is absent.
func (f flat) field(t fbTable, slot int) int {
	if slot >= t.vsize {
		return -1
	}
	off := int(binary.LittleEndian.Uint16(f.b[t.vtab+slot:]))
	if off == 0 {
		return -1
	}
	return t.pos + off
}

func (f flat) indirect(pos int) (int, error) {
	off, err := f.u32(pos)
	if err != nil {
		return 0, err
	}
	target := int64(pos) + int64(off)
	if target > int64(len(f.b)) {
		return 0, errFlatBounds
	}
	return int(target), nil
}

// vector returns the start and length of a vector field whose elements are
// elem bytes wide, checking that it fits in the buffer; n is 0 when absent.
func (f flat) vector(t fbTable, slot, elem int) (start, n int, err error) {
	p := f.field(t, slot)
	if p < 0 {
		return 0, 0, nil
	}
	v, err := f.indirect(p)
	if err != nil {
		return 0, 0, err
	}
	ln, err := f.u32(v)
	if err != nil {
		return 0, 0, err
	}
	if int64(v)+4+int64(ln)*int64(elem) > int64(len(f.b)) {
		return 0, 0, fmt.Errorf("vector of %d elements overruns the %d-byte flatbuffer", ln, len(f.b))
	}
	return v + 4, int(ln), nil
}

// tables checks a vector of tables, calling each on every element.
func (f flat) tables(t fbTable, slot int, each func(fbTable) error) error {
	start, n, err := f.vector(t, slot, 4)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		p, err := f.indirect(start + 4*i)
		if err != nil {
			return err
		}
		sub, err := f.table(p)
		if err != nil {
			return err
		}
		if err := each(sub); err != nil {
			return err
		}
	}
	return nil
}

// subtable returns a table-valued field; ok is false when it is absent.
func (f flat) subtable(t fbTable, slot int) (sub fbTable, ok bool, err error) {
	p := f.field(t, slot)
	if p < 0 {
		return fbTable{}, false, nil
	}
	q, err := f.indirect(p)
	if err != nil {
		return fbTable{}, false, err
	}
	sub, err = f.table(q)
	return sub, err == nil, err
}

func (f flat) scalar(t fbTable, slot, width int) ([]byte, error) {
	p := f.field(t, slot)
	if p < 0 {
		return nil, nil
	}
	if p > len(f.b)-width {
		return nil, errFlatBounds
	}
	return f.b[p : p+width], nil
}

func (f flat) keyValues(t fbTable, slot int) error {
	return f.tables(t, slot, func(kv fbTable) error {
		if _, _, err := f.vector(kv, 4, 1); err != nil {
			return err
		}
		_, _, err := f.vector(kv, 6, 1)
		return err
	})
}

// checkField checks a Field table (Schema.fbs) and its children.
func (f flat) checkField(t fbTable, depth int) error {
	if depth > 64 {
		return errors.New("fields nested more than 64 deep")
	}
	if _, _, err := f.vector(t, 4, 1); err != nil { // name
		return err
	}
	typeType, err := f.scalar(t, 8, 1)
	if err != nil {
		return err
	}
	if typ, ok, err := f.subtable(t, 10); err != nil {
		return err
	} else if ok && typeType != nil && typeType[0] == typeUnion {
		if _, _, err := f.vector(typ, 6, 4); err != nil { // Union.typeIds
			return err
		}
	}
	if dict, ok, err := f.subtable(t, 12); err != nil {
		return err
	} else if ok {
		if _, _, err := f.subtable(dict, 6); err != nil { // indexType
			return err
		}
	}
	if err := f.tables(t, 14, func(child fbTable) error { return f.checkField(child, depth+1) }); err != nil {
		return err
	}
	return f.keyValues(t, 16)
}

// checkRecordBatch checks a RecordBatch table and records its buffers.
func (f flat) checkRecordBatch(t fbTable, info *messageInfo) error {
	if b, err := f.scalar(t, 4, 8); err != nil {
		return err
	} else if b != nil && int64(binary.LittleEndian.Uint64(b)) < 0 {
		return errors.New("negative record batch length")
	}
	start, n, err := f.vector(t, 6, 16) // FieldNode {length, null_count}
	if err != nil {
		return err
	}
	info.nodes = n
	for i := 0; i < n; i++ {
		length := int64(binary.LittleEndian.Uint64(f.b[start+16*i:]))
		nulls := int64(binary.LittleEndian.Uint64(f.b[start+16*i+8:]))
		if length < 0 || nulls < 0 || nulls > length {
			return fmt.Errorf("field node %d: length %d with %d nulls", i, length, nulls)
		}
	}
	start, n, err = f.vector(t, 8, 16) // Buffer {offset, length}
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		info.buffers = append(info.buffers, [2]int64{
			int64(binary.LittleEndian.Uint64(f.b[start+16*i:])),
			int64(binary.LittleEndian.Uint64(f.b[start+16*i+8:])),
		})
	}
	_, info.compressed, err = f.subtable(t, 10)
	return err
}

// checkMessageMetadata checks a Message flatbuffer (Message.fbs).
func checkMessageMetadata(meta []byte) (*messageInfo, error) {
	f := flat{meta}
	root, err := f.indirect(0)
	if err != nil {
		return nil, err
	}
	msg, err := f.table(root)
	if err != nil {
		return nil, err
	}
	info := &messageInfo{}
	if b, err := f.scalar(msg, 10, 8); err != nil {
		return nil, err
	} else if b != nil {
		info.bodyLen = int64(binary.LittleEndian.Uint64(b))
	}
	if info.bodyLen < 0 {
		return nil, fmt.Errorf("negative body length %d", info.bodyLen)
	}
	if err := f.keyValues(msg, 12); err != nil {
		return nil, err
	}
	kind, err := f.scalar(msg, 6, 1)
	if err != nil || kind == nil {
		return nil, errors.New("no message header type")
	}
	header, ok, err := f.subtable(msg, 8)
	if err != nil || !ok {
		return nil, errors.New("no message header")
	}
	info.kind = kind[0]
	switch kind[0] {
	case headerSchema:
		if err := f.tables(header, 6, func(t fbTable) error { return f.checkField(t, 0) }); err != nil {
			return nil, err
		}
		if err := f.keyValues(header, 8); err != nil {
			return nil, err
		}
		_, _, err = f.vector(header, 10, 8) // features
		return info, err
	case headerRecordBatch:
		return info, f.checkRecordBatch(header, info)
	case headerDictionaryBatch:
		data, ok, err := f.subtable(header, 6)
		if err != nil || !ok {
			return nil, errors.New("dictionary batch without data")
		}
		return info, f.checkRecordBatch(data, info)
	}
	return nil, fmt.Errorf("unsupported message type %d (tensors are not tables)", kind[0])
}
