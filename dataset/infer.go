package dataset

import (
	"math"
	"strconv"
	"time"
	"unsafe"
)

// Type inference shared by the CSV and JSON Lines readers.
//
// A text value is classified as the first of int64, float64, bool, timestamp
// that parses it, else string. A column's type is the join of its values'
// types: int64 and float64 join to float64, equal types join to themselves,
// and anything else joins to string. Nulls join with anything.

// bytesString views b as a string without copying; the string must not
// outlive a later modification of b.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// parseInt parses an optionally signed decimal integer. It rejects anything
// else (spaces, underscores, "0x", a decimal point) and values that overflow
// int64, which the caller then tries as float64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := false
	i := 0
	switch b[0] {
	case '-':
		neg = true
		i = 1
	case '+':
		i = 1
	}
	if i == len(b) {
		return 0, false
	}
	var u uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(d)
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// floatStart marks the bytes a float64 literal can begin with, so that text
// is rejected before calling strconv.
var floatStart = func() (t [256]bool) {
	for _, c := range "0123456789+-.iInN" {
		t[c] = true
	}
	return t
}()

// parseFloat parses a float64 as strconv.ParseFloat does (decimal and
// exponent forms, "Inf", "NaN"), without allocating.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || !floatStart[b[0]] {
		return 0, false
	}
	for _, c := range b {
		if c == '_' || c == 'x' || c == 'X' { // strconv accepts "0x1p3" and "1_000" forms we do not want
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(bytesString(b), 64)
	if err != nil {
		// Out-of-range literals (1e999) are still numbers: ParseFloat returns
		// ±Inf with ErrRange, which we keep.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}

// parseBool accepts true/false in lower, title and upper case.
func parseBool(b []byte) (bool, bool) {
	switch string(b) {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// Timestamp layouts accepted by the readers: ISO 8601 / RFC 3339 dates and
// date-times, with 'T' or a space, optional fractional seconds, and an
// optional zone (UTC when absent).
const (
	layoutDate       = "2006-01-02"
	layoutDateTimeTZ = "2006-01-02T15:04:05Z07:00"
	layoutDateTime   = "2006-01-02T15:04:05"
	layoutSpaceTZ    = "2006-01-02 15:04:05Z07:00"
	layoutSpace      = "2006-01-02 15:04:05"
)

// Nanoseconds since the epoch fit int64 only between these years.
const minTimestampYear, maxTimestampYear = 1678, 2261

// parseTimestamp parses an ISO 8601 date or date-time into nanoseconds since
// the Unix epoch, UTC.
func parseTimestamp(b []byte) (int64, bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' || b[0] < '0' || b[0] > '9' {
		return 0, false
	}
	s := bytesString(b)
	var t time.Time
	var err error
	switch {
	case len(b) == 10:
		t, err = time.Parse(layoutDate, s)
	case len(b) >= 19 && (b[10] == 'T' || b[10] == 't'):
		if hasZone(b) {
			t, err = time.Parse(layoutDateTimeTZ, s)
		} else {
			t, err = time.Parse(layoutDateTime, s)
		}
	case len(b) >= 19 && b[10] == ' ':
		if hasZone(b) {
			t, err = time.Parse(layoutSpaceTZ, s)
		} else {
			t, err = time.Parse(layoutSpace, s)
		}
	default:
		return 0, false
	}
	if err != nil || t.Year() < minTimestampYear || t.Year() > maxTimestampYear {
		return 0, false
	}
	return t.UnixNano(), true
}

// hasZone reports whether a date-time ends in "Z" or a "±hh:mm" offset.
func hasZone(b []byte) bool {
	last := b[len(b)-1]
	if last == 'Z' || last == 'z' {
		return true
	}
	return len(b) >= 25 && (b[len(b)-6] == '+' || b[len(b)-6] == '-') && b[len(b)-3] == ':'
}

// classify returns the narrowest type that parses b.
func classify(b []byte) Type {
	if _, ok := parseInt(b); ok {
		return Int64
	}
	if _, ok := parseFloat(b); ok {
		return Float64
	}
	if _, ok := parseBool(b); ok {
		return Bool
	}
	if _, ok := parseTimestamp(b); ok {
		return Timestamp
	}
	return String
}

// joinTypes is the least type holding values of both; 0 stands for "only
// nulls so far".
func joinTypes(a, b Type) Type {
	switch {
	case a == 0:
		return b
	case b == 0 || a == b:
		return a
	case (a == Int64 && b == Float64) || (a == Float64 && b == Int64):
		return Float64
	}
	return String
}
