package dataset

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
	"github.com/apache/arrow/go/v14/parquet"
	"github.com/apache/arrow/go/v14/parquet/pqarrow"
)

// foreignParquet writes one column of an Arrow type a frame cannot hold, the
// way another tool would, straight through pqarrow.
func foreignParquet(t *testing.T, name string, arr arrow.Array) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: name, Type: arr.DataType(), Nullable: true}}, nil)
	rec := array.NewRecord(schema, []arrow.Array{arr}, int64(arr.Len()))
	defer rec.Release()
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(schema, &buf, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
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

// TestReadParquetBadInput feeds malformed and unsupported files to
// ReadParquetFile: each must give an error naming the file and, where there
// is one, the column; none may panic.
func TestReadParquetBadInput(t *testing.T) {
	good := parquetBytes(t, everyTypeFrame(t), ParquetWriteOptions{})
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
		opts ParquetOptions
		want string
	}{
		{"empty", nil, ParquetOptions{}, "empty file"},
		{"short", []byte("PAR1\x00"), ParquetOptions{}, "too short for a Parquet file"},
		{"wrong magic", []byte("year,delay\n2013,5\n2014,7\n"), ParquetOptions{}, `not a Parquet file: starts with "year"`},
		{"truncated", good[:len(good)/2], ParquetOptions{}, "truncated or corrupt Parquet file"},
		{"truncated by one byte", good[:len(good)-1], ParquetOptions{}, "truncated or corrupt Parquet file"},
		{"corrupt footer", corruptFooter, ParquetOptions{}, "Parquet footer"},
		{"footer length past the start", hugeFooter, ParquetOptions{}, "Parquet footer"},
		{"corrupt pages", corruptPages, ParquetOptions{}, "column"},
		{"missing projected column", good, ParquetOptions{Columns: []string{"dep_delay", "arr_time"}}, `column "arr_time" is not in the file (it has dep_delay, air_time`},
		{"decimal column", foreignParquet(t, "fare", decimals.NewArray()), ParquetOptions{}, `column "fare": unsupported Arrow type decimal(9, 2)`},
		{"list column", foreignParquet(t, "legs", lists.NewArray()), ParquetOptions{}, `column "legs": unsupported Arrow type list`},
		{"uint64 beyond int64", foreignParquet(t, "bytes", big.NewArray()), ParquetOptions{}, `column "bytes" row 1: uint64 value 9223372036854775808 exceeds the int64 range`},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".parquet")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := ReadParquetFile(path, c.opts)
			if err == nil {
				t.Fatalf("read %d rows, want an error containing %q", f.NumRows(), c.want)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to name %s and contain %q", err, path, c.want)
			}
		})
	}
	if _, err := ReadParquetFile(filepath.Join(dir, "absent.parquet"), ParquetOptions{}); err == nil || !strings.Contains(err.Error(), "absent.parquet") {
		t.Errorf("absent file: got %v", err)
	}
}
