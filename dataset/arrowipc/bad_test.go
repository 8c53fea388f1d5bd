package arrowipc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/decimal128"
	"github.com/apache/arrow/go/v14/arrow/ipc"
	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/kiln-ml/kiln/dataset/arrowipc"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// TestReadBadInput feeds malformed and unsupported streams and files to
// the IPC readers: each must give an error (naming the file, and the column
// where there is one); none may panic.
func TestReadBadInput(t *testing.T) {
	stream := streamBytes(t, frametest.EveryType(t))
	dir := t.TempDir()
	goodFile := filepath.Join(dir, "good.arrow")
	if err := arrowipc.WriteFile(goodFile, frametest.EveryType(t)); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(goodFile)
	if err != nil {
		t.Fatal(err)
	}

	mem := memory.NewGoAllocator()
	dec := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 9, Scale: 2})
	dec.Append(decimal128.FromI64(12345))
	decArr := dec.NewArray()
	schema := arrow.NewSchema([]arrow.Field{{Name: "fare", Type: decArr.DataType(), Nullable: true}}, nil)
	var decStream bytes.Buffer
	w := ipc.NewWriter(&decStream, ipc.WithSchema(schema))
	if err := w.Write(array.NewRecord(schema, []arrow.Array{decArr}, 1)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var parquetFile bytes.Buffer
	if err := parquet.Write(&parquetFile, frametest.EveryType(t), parquet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(stream)
	for i := len(flipped) / 3; i < len(flipped); i += 5 {
		flipped[i] ^= 0xa5
	}

	streams := []struct {
		name string
		data []byte
		want string
	}{
		{"empty stream", nil, "not a readable Arrow IPC stream"},
		{"garbage stream", []byte("delay,distance\n1,2\n"), "not a readable Arrow IPC stream"},
		{"stream cut inside the schema", stream[:20], "not a readable Arrow IPC stream"},
		{"stream cut inside a record batch", stream[:len(stream)-100], "Arrow stream after 0 record batches"},
		{"stream with flipped bytes", flipped, "arrowipc: "},
		{"decimal column in a stream", decStream.Bytes(), `column "fare": unsupported Arrow type decimal(9, 2)`},
		{"Arrow file given as a stream", file, "not a readable Arrow IPC stream"},
	}
	for _, c := range streams {
		t.Run(c.name, func(t *testing.T) {
			f, err := arrowipc.ReadStream(bytes.NewReader(c.data))
			if err == nil {
				t.Fatalf("read %d rows, want an error containing %q", f.NumRows(), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}

	files := []struct {
		name string
		data []byte
		want string
	}{
		{"empty file", nil, "not a readable Arrow IPC file"},
		{"stream given as a file", stream, "not a readable Arrow IPC file"},
		{"truncated file", file[:len(file)/2], "not a readable Arrow IPC file"},
		{"parquet given as an Arrow file", parquetFile.Bytes(), "not a readable Arrow IPC file"},
	}
	for _, c := range files {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".arrow")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := arrowipc.ReadFile(path)
			if err == nil {
				t.Fatalf("read %d rows, want an error containing %q", f.NumRows(), c.want)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to name %s and contain %q", err, path, c.want)
			}
		})
	}
}
