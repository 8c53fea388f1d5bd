// Package arrowconv converts kiln frames to and from Apache Arrow records
// (github.com/apache/arrow/go/v14), for handing a frame to other Arrow tools
// and taking one back. It lives outside package dataset so that programs that
// only read CSV or score frames link no Arrow code; the Parquet and Arrow IPC
// readers (dataset/parquet, dataset/arrowipc) use the same type mapping.
package arrowconv

import (
	"fmt"

	"github.com/apache/arrow/go/v14/arrow"
	"github.com/apache/arrow/go/v14/arrow/memory"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/dataset/internal/arrowcol"
)

// ToRecord returns the frame as one Arrow record with these types:
//
//	Float64 -> float64         Int64 -> int64         Bool -> bool
//	Timestamp -> timestamp[ns, tz=UTC]
//	String -> string (large_string past 2 GiB of text)
//	dictionary-encoded String -> dictionary<int32, string>
//
// Every field is nullable; null cells are marked in a validity bitmap.
//
// Float64, Int64 and Timestamp values and the codes of dictionary-encoded
// strings are not copied: the record's value buffers view the frame's slices,
// which is safe because frames are immutable. Validity bitmaps, Bool bitmaps
// and string data are built in memory from mem (memory.DefaultAllocator when
// nil). Release the record when done; it never frees the frame's memory.
func ToRecord(f *dataset.Frame, mem memory.Allocator) (arrow.Record, error) {
	rec, err := arrowcol.ToRecord(f, mem)
	if err != nil {
		return nil, fmt.Errorf("arrowconv: %w", err)
	}
	return rec, nil
}

// FromRecord returns a frame holding the columns of an Arrow record. Types
// map as follows (the Parquet and Arrow IPC readers use the same mapping):
//
//	int8, int16, int32, int64, uint8, uint16, uint32 -> Int64 (narrower ones widened)
//	uint64                                   -> Int64; a value above math.MaxInt64 is an error
//	float32 (widened exactly), float64       -> Float64
//	date32, date64, timestamp (s, ms, us, ns) -> Timestamp: nanoseconds since the epoch, UTC
//	string, large_string                     -> String (plain)
//	dictionary<any integer, string or large_string> -> dictionary-encoded String
//	bool                                     -> Bool
//
// An Arrow timestamp with a time zone holds a UTC instant already; one without
// is read as if it were UTC. Dates and timestamps outside the int64
// nanosecond range (years 1677-2262), invalid UTF-8 and dictionary indices out
// of range are errors naming the column and row. Any other Arrow type
// (decimal, binary, time, duration, list, struct, ...) is an error naming the
// column.
//
// Zero copy: float64, int64 and timestamp[ns] columns without nulls, and
// dictionaries with int32 indices and no nulls, are viewed in place (the
// frame's slices alias the record's buffers); every other column is copied,
// because a frame wants zero values under nulls where Arrow leaves them
// undefined, and narrower types must be widened. The frame keeps the
// buffers it views reachable; with Go's allocator (memory.DefaultAllocator)
// releasing the record afterwards is safe. With an allocator that frees
// memory on Release (memory.Mallocator), keep the record alive while the frame
// is in use. Strings are always copied into Go memory.
func FromRecord(rec arrow.Record) (*dataset.Frame, error) {
	cols := make([][]arrow.Array, rec.NumCols())
	for i := range cols {
		cols[i] = []arrow.Array{rec.Column(i)}
	}
	return fromChunks(rec.Schema(), cols, int(rec.NumRows()))
}

// FromTable is FromRecord for a table, whose columns may be split into
// chunks. A column of one chunk is converted as in FromRecord; the chunks of
// a column of several are copied into one contiguous slice, and the chunks'
// dictionaries, if any, are merged into one set of levels (in order of first
// appearance, chunk by chunk).
func FromTable(tbl arrow.Table) (*dataset.Frame, error) {
	cols := make([][]arrow.Array, tbl.NumCols())
	for i := range cols {
		cols[i] = tbl.Column(i).Data().Chunks()
	}
	return fromChunks(tbl.Schema(), cols, int(tbl.NumRows()))
}

func fromChunks(schema *arrow.Schema, cols [][]arrow.Array, n int) (*dataset.Frame, error) {
	f, err := arrowcol.FromChunks(schema, cols, n)
	if err != nil {
		return nil, fmt.Errorf("arrowconv: %w", err)
	}
	return f, nil
}
