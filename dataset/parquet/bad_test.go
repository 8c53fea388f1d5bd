package parquet_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/array"
	"github.com/apache/arrow/go/v14/arrow/decimal128"
	"github.com/apache/arrow/go/v14/arrow/memory"
	pq "github.com/apache/arrow/go/v14/parquet"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
	"github.com/kiln-ml/kiln/dataset/internal/frametest"
	"github.com/kiln-ml/kiln/dataset/parquet"
)

// foreignParquet writes one column of an Arrow type a frame cannot hold, the
// way another tool would, straight through pqarrow.
func foreignParquet(t *testing.T, name string, arr arrow.Array) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: name, Type: arr.DataType(), Nullable: true}}, nil)
	rec := array.NewRecord(schema, []arrow.Array{arr}, int64(arr.Len()))
	defer rec.Release()
	return pqarrowBytes(t, rec, pq.NewWriterProperties(), pqarrow.DefaultWriterProps())
}

// pqarrowBytes writes a record as a Parquet file through pqarrow's writer.
func pqarrowBytes(t *testing.T, rec arrow.Record, props *pq.WriterProperties, awp pqarrow.ArrowWriterProperties) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(rec.Schema(), &buf, props, awp)
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadBadInput feeds malformed and unsupported files to
// ReadFile: each must give an error naming the file and, where there
// is one, the column; none may panic.
func TestReadBadInput(t *testing.T) {
	good := parquetBytes(t, frametest.EveryType(t), parquet.WriteOptions{})
	mem := memory.NewGoAllocator()
	decimals := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 9, Scale: 2})
	decimals.Append(decimal128.FromI64(12345))
	lists := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	lists.Append(true)
	lists.ValueBuilder().(*array.Int64Builder).Append(7)
	big := array.NewUint64Builder(mem)
	big.AppendValues([]uint64{1, 1 << 63}, nil)

	footerLen := int(binary.LittleEndian.Uint32(good[len(good)-8:]))
	corruptFooter := bytes.Clone(good)
	for i := len(good) - 8 - footerLen; i < len(good)-8; i += 3 {
		corruptFooter[i] ^= 0x5a
	}
	hugeFooter := bytes.Clone(good)
	binary.LittleEndian.PutUint32(hugeFooter[len(good)-8:], 1<<30)
	// Garbage in the middle of the column chunks (Snappy-compressed pages).
	corruptPages := bytes.Clone(good)
	for i := 4; i < len(good)-8-footerLen; i += 7 {
		corruptPages[i] ^= 0xff
	}

	cases := []struct {
		name string
		data []byte
		opts parquet.Options
		want string
	}{
		{"empty", nil, parquet.Options{}, "empty file"},
		{"short", []byte("PAR1\x00"), parquet.Options{}, "too short for a Parquet file"},
		{"wrong magic", []byte("year,delay\n2013,5\n2014,7\n"), parquet.Options{}, `not a Parquet file: starts with "year"`},
		{"truncated", good[:len(good)/2], parquet.Options{}, "truncated or corrupt Parquet file"},
		{"truncated by one byte", good[:len(good)-1], parquet.Options{}, "truncated or corrupt Parquet file"},
		{"corrupt footer", corruptFooter, parquet.Options{}, "Parquet footer"},
		{"footer length past the start", hugeFooter, parquet.Options{}, "Parquet footer"},
		{"corrupt pages", corruptPages, parquet.Options{}, "column"},
		{"missing projected column", good, parquet.Options{Columns: []string{"dep_delay", "arr_time"}}, `column "arr_time" is not in the file (it has dep_delay, air_time`},
		{"decimal column", foreignParquet(t, "fare", decimals.NewArray()), parquet.Options{}, `column "fare": unsupported Arrow type decimal(9, 2)`},
		{"list column", foreignParquet(t, "legs", lists.NewArray()), parquet.Options{}, `column "legs": unsupported Arrow type list`},
		{"uint64 beyond int64", foreignParquet(t, "bytes", big.NewArray()), parquet.Options{}, `column "bytes" row 1: uint64 value 9223372036854775808 exceeds the int64 range`},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".parquet")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := parquet.ReadFile(path, c.opts)
			if err == nil {
				t.Fatalf("read %d rows, want an error containing %q", f.NumRows(), c.want)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to name %s and contain %q", err, path, c.want)
			}
		})
	}
	if _, err := parquet.ReadFile(filepath.Join(dir, "absent.parquet"), parquet.Options{}); err == nil || !strings.Contains(err.Error(), "absent.parquet") {
		t.Errorf("absent file: got %v", err)
	}
}
