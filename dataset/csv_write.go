package dataset

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// WriteCSV writes f as CSV with a header row (none with opts.NoHeader),
// separated by opts.Delimiter, records ended by "\n".
//
// It writes what ReadCSV reads back unchanged: a null as an empty unquoted
// field; a string quoted when it is empty, equals a null token (opts.NullTokens,
// default DefaultNullTokens), or holds the delimiter, a quote, "\r" or "\n";
// floats in the shortest form that parses back to the same float64, with ".0"
// added to whole numbers so that a float64 column stays float64; timestamps in
// RFC 3339 with nanoseconds when needed, UTC. Two exceptions remain: a float
// NaN is written "NaN", which reads back as null under the default null tokens,
// and a String column whose values all look like numbers, booleans or times
// reads back as that type unless ReadCSV is given its type in Types.
func WriteCSV(w io.Writer, f *Frame, opts CSVOptions) error {
	if err := opts.validate(); err != nil {
		return err
	}
	delim := opts.delimiter()
	nulls := newNullSet(opts.NullTokens)
	bw := bufio.NewWriterSize(w, 256<<10)
	var buf []byte
	if !opts.NoHeader {
		for k, c := range f.cols {
			if k > 0 {
				buf = append(buf, delim)
			}
			buf = appendCSVString(buf, c.name, delim, nulls)
		}
		buf = append(buf, '\n')
	}
	for i := range f.rows {
		for k, c := range f.cols {
			if k > 0 {
				buf = append(buf, delim)
			}
			if c.IsNull(i) {
				continue
			}
			switch c.typ {
			case Float64:
				buf = appendCSVFloat(buf, c.floats[i])
			case Int64:
				buf = strconv.AppendInt(buf, c.ints[i], 10)
			case Bool:
				buf = strconv.AppendBool(buf, c.bools[i])
			case Timestamp:
				buf = time.Unix(0, c.ints[i]).UTC().AppendFormat(buf, time.RFC3339Nano)
			case String:
				buf = appendCSVString(buf, c.StringAt(i), delim, nulls)
			}
		}
		buf = append(buf, '\n')
		if len(buf) >= 64<<10 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteCSVFile writes f to path with WriteCSV, gzip-compressed when the path
// ends in ".gz".
func WriteCSVFile(path string, f *Frame, opts CSVOptions) (err error) {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}()
	if !strings.HasSuffix(path, ".gz") {
		return WriteCSV(file, f, opts)
	}
	zw := gzip.NewWriter(file)
	if err := WriteCSV(zw, f, opts); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// appendCSVFloat writes the shortest round-trip form, plus ".0" for whole
// numbers so that the reader infers float64 again.
func appendCSVFloat(buf []byte, v float64) []byte {
	start := len(buf)
	buf = append(buf, formatFloat(v)...)
	for _, c := range buf[start:] {
		if c == '.' || c == 'e' || c == 'E' || c == 'N' || c == 'I' {
			return buf
		}
	}
	return append(buf, '.', '0')
}

func appendCSVString(buf []byte, s string, delim byte, nulls *nullSet) []byte {
	quote := s == "" || nulls.isNullString(s)
	if !quote {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == delim || c == '"' || c == '\n' || c == '\r' {
				quote = true
				break
			}
		}
	}
	if !quote {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		buf = append(buf, s[:i+1]...)
		buf = append(buf, '"')
		s = s[i+1:]
	}
	buf = append(buf, s...)
	return append(buf, '"')
}
