package serve

import (
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kiln-ml/kiln/dataset"
	"gonum.org/v1/gonum/mat"
)

// Answers are written by hand into one buffer: a one-row answer is a few
// hundred bytes, and reflection-based encoding would cost more than the
// prediction.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// (invalid UTF-8 becomes U+FFFD).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func quote(s string) []byte { return appendString(nil, s) }

// appendFloat formats a finite float as encoding/json does.
func appendFloat(b []byte, v float64) []byte {
	abs := math.Abs(v)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendCell appends row i of a column as a JSON value.
func appendCell(b []byte, col *dataset.Column, i int) []byte {
	if col.IsNull(i) {
		return append(b, "null"...)
	}
	switch col.Type() {
	case dataset.Float64:
		return appendFloat(b, col.Float64s()[i])
	case dataset.Int64:
		return strconv.AppendInt(b, col.Int64s()[i], 10)
	case dataset.Bool:
		return strconv.AppendBool(b, col.Bools()[i])
	case dataset.Timestamp:
		return appendString(b, time.Unix(0, col.Int64s()[i]).UTC().Format(time.RFC3339Nano))
	}
	return appendString(b, col.Format(i))
}

func appendColumn(b []byte, col *dataset.Column) []byte {
	b = append(b, '[')
	for i := 0; i < col.Len(); i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCell(b, col, i)
	}
	return append(b, ']')
}

// appendMatrix appends a matrix flat (row-major) or as nested rows.
func appendMatrix(b []byte, m *mat.Dense, nested bool) []byte {
	r, c := m.Dims()
	raw := m.RawMatrix()
	b = append(b, '[')
	for i := 0; i < r; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		if nested {
			b = append(b, '[')
		}
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, v)
		}
		if nested {
			b = append(b, ']')
		}
	}
	return append(b, ']')
}

func appendUnseen(b []byte, c *call) []byte {
	if c.unseenN == 0 {
		return b
	}
	b = append(b, `,"unseen_count":`...)
	b = strconv.AppendInt(b, int64(c.unseenN), 10)
	b = append(b, `,"unseen":`...)
	return appendUnseenList(b, c)
}

// appendUnseenList appends the first unseen categories of a request as
// [{"row": 0, "column": "...", "value": "..."}, ...].
func appendUnseenList(b []byte, c *call) []byte {
	b = append(b, '[')
	for i, u := range c.unseen {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"row":`...)
		b = strconv.AppendInt(b, int64(u.row), 10)
		b = append(b, `,"column":`...)
		b = appendString(b, u.column)
		b = append(b, `,"value":`...)
		b = appendString(b, u.value)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendIdentity(b []byte, c *call) []byte {
	b = append(b, `"model":`...)
	b = appendString(b, c.model.name)
	b = append(b, `,"version":`...)
	b = appendString(b, c.model.version)
	b = append(b, `,"request_id":`...)
	return appendString(b, c.id)
}

// The encoders append the answer to b[:0] (a buffer kept for reuse).

// encodeRows answers the row endpoint:
//
//	{"model": "housing", "version": "3", "request_id": "...",
//	 "predictions": [...], "classes": [...], "probabilities": [[...], ...],
//	 "unseen_count": 1, "unseen": [{"row": 0, "column": "...", "value": "..."}]}
func encodeRows(b []byte, c *call, pred *dataset.Column, proba *mat.Dense) []byte {
	b = slices.Grow(b[:0], 160+24*pred.Len())
	b = append(b, '{')
	b = appendIdentity(b, c)
	b = append(b, `,"predictions":`...)
	b = appendColumn(b, pred)
	if proba != nil {
		b = append(b, `,"classes":`...)
		b = appendColumn(b, c.model.classes)
		b = append(b, `,"probabilities":`...)
		b = appendMatrix(b, proba, true)
	}
	b = appendUnseen(b, c)
	return append(b, "}\n"...)
}

// encodeMLflow answers /invocations as MLflow's scoring server does
// ({"predictions": [...]}), with the model's name and version beside.
func encodeMLflow(b []byte, c *call, pred *dataset.Column) []byte {
	b = slices.Grow(b[:0], 160+24*pred.Len())
	b = append(b, `{"predictions":`...)
	b = appendColumn(b, pred)
	b = append(b, ',')
	b = appendIdentity(b, c)
	b = appendUnseen(b, c)
	return append(b, "}\n"...)
}

// encodeOIP answers an inference request.
func encodeOIP(b []byte, c *call, req *oipRequest, pred *dataset.Column, proba *mat.Dense) []byte {
	m := c.model
	b = slices.Grow(b[:0], 256+24*pred.Len())
	b = append(b, `{"model_name":`...)
	b = appendString(b, m.name)
	b = append(b, `,"model_version":`...)
	b = appendString(b, m.version)
	b = append(b, `,"id":`...)
	if req.hasID {
		b = appendString(b, req.id)
	} else {
		b = appendString(b, c.id)
	}
	b = append(b, `,"parameters":{"request_id":`...)
	b = appendString(b, c.id)
	if c.unseenN > 0 {
		b = append(b, `,"unseen_count":`...)
		b = strconv.AppendInt(b, int64(c.unseenN), 10)
		b = append(b, `,"unseen":`...)
		b = appendString(b, string(appendUnseenList(nil, c))) // parameters hold strings, numbers and booleans only
	}
	b = append(b, `},"outputs":[`...)
	n := pred.Len()
	wantPred := req.outputs == nil
	for _, o := range req.outputs {
		wantPred = wantPred || o == m.out.Name
	}
	if wantPred {
		b = append(b, `{"name":`...)
		b = appendString(b, m.out.Name)
		b = append(b, `,"datatype":"`...)
		b = append(b, datatypeOf(pred.Type())...)
		b = append(b, `","shape":[`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `],"data":`...)
		b = appendColumn(b, pred)
		b = append(b, '}')
	}
	if proba != nil {
		if wantPred {
			b = append(b, ',')
		}
		_, k := proba.Dims()
		b = append(b, `{"name":`...)
		b = appendString(b, m.out.Name+probabilitiesSuffix)
		b = append(b, `,"datatype":"FP64","shape":[`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(k), 10)
		b = append(b, `],"data":`...)
		b = appendMatrix(b, proba, false)
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

// encodeMetadata answers a model metadata request.
func encodeMetadata(m *loaded, versions []string) []byte {
	b := append([]byte(`{"name":`), quote(m.name)...)
	b = append(b, `,"versions":[`...)
	for i, v := range versions {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	b = append(b, `],"platform":"kiln","inputs":[`...)
	for i, f := range m.inputs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTensorMeta(b, f.Name, datatypeOf(f.Type), -1, 0)
	}
	b = append(b, `],"outputs":[`...)
	b = appendTensorMeta(b, m.out.Name, datatypeOf(m.out.Type), -1, 0)
	if m.classes != nil {
		b = append(b, ',')
		b = appendTensorMeta(b, m.out.Name+probabilitiesSuffix, "FP64", -1, m.classes.Len())
	}
	b = append(b, `],"properties":{"version":`...)
	b = appendString(b, m.version)
	b = append(b, `,"kind":`...)
	b = appendString(b, m.out.Kind)
	if m.classes != nil {
		b = append(b, `,"classes":`...)
		b = appendString(b, string(appendColumn(nil, m.classes)))
	}
	return append(b, "}}\n"...)
}

func appendTensorMeta(b []byte, name string, dt tensorType, rows, cols int) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, name)
	b = append(b, `,"datatype":"`...)
	b = append(b, dt...)
	b = append(b, `","shape":[`...)
	b = strconv.AppendInt(b, int64(rows), 10)
	if cols > 0 {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(cols), 10)
	}
	return append(b, "]}"...)
}
