package serve

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
)

// MLflow's scoring protocol (mlflow.pyfunc.scoring_server, MLflow 2): a JSON
// object with exactly one of these keys, and optionally "params".
//
//	{"dataframe_split": {"columns": [...], "data": [[...], ...], "index": [...]}}
//	{"dataframe_records": [{"column": value, ...}, ...]}
//	{"instances": [{"column": value, ...}, ...]}    or rows as arrays, in input order
//	{"inputs": {"column": [values...], ...}}        or as "instances"
//
// or CSV text with a header row (Content-Type: text/csv).
var mlflowFormats = []string{"dataframe_split", "dataframe_records", "instances", "inputs"}

func decodeMLflow(body []byte, c *columns, lim decodeLimits) error {
	s := &scanner{buf: body}
	if s.peek() == '[' {
		return errors.New(`the body must be a JSON object with exactly one of the fields "dataframe_split", "dataframe_records", "instances", "inputs"; got a list`)
	}
	spans := map[string][]byte{}
	var keys []string
	err := s.object(func(key []byte) error {
		k := string(key)
		keys = append(keys, k)
		if _, dup := spans[k]; dup {
			return fmt.Errorf("field %q appears twice", k)
		}
		v, err := s.span()
		spans[k] = v
		return err
	})
	if err == nil {
		err = s.end()
	}
	if err != nil {
		return err
	}
	var format string
	for _, f := range mlflowFormats {
		if _, ok := spans[f]; ok {
			if format != "" {
				return fmt.Errorf("the body has both %q and %q: send exactly one", format, f)
			}
			format = f
		}
	}
	if format == "" {
		sort.Strings(keys)
		return fmt.Errorf(`the body must be a JSON object with exactly one of the fields "dataframe_split", "dataframe_records", "instances", "inputs"; got fields [%s]`,
			strings.Join(keys, ", "))
	}
	if p, ok := spans["params"]; ok && (len(p) == 0 || p[0] != '{') {
		return errors.New(`"params" must be an object`)
	}
	span := spans[format]
	sub := &scanner{buf: span}
	r := newRowReader(c, lim)
	c.reserve(rowsAtMost(span, bytes.Count(span, []byte{'{'})+bytes.Count(span, []byte{'['}), len(c.fields), lim))
	switch format {
	case "dataframe_split":
		err = dataframeSplit(sub, r)
	case "dataframe_records":
		err = r.objects(sub)
	case "instances":
		err = instances(sub, r)
	case "inputs":
		if sub.peek() == '{' {
			err = columnar(sub, r)
		} else {
			err = instances(sub, r)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", format, err)
	}
	if c.rows() == 0 {
		return fmt.Errorf("%s: no rows to score", format)
	}
	return nil
}

// dataframeSplit reads pandas' split orientation. Without "columns" the
// values are in the model's input order.
func dataframeSplit(s *scanner, r *rowReader) error {
	var cols, data []byte
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "columns":
			cols, err = s.span()
		case "data":
			data, err = s.span()
		case "index":
			err = s.skip()
		default:
			err = fmt.Errorf(`unknown field %q (the split orientation has "columns", "data" and "index")`, key)
		}
		return err
	})
	if err != nil {
		return err
	}
	if data == nil {
		return errors.New(`no "data"`)
	}
	c := r.c
	order := make([]int, len(c.fields)) // position in a data row -> input
	for i := range order {
		order[i] = i
	}
	if cols != nil {
		order = order[:0]
		seen := make([]bool, len(c.fields))
		cs := &scanner{buf: cols}
		err := cs.array(func(j int) error {
			name, err := readString(cs, "")
			if err != nil {
				return fmt.Errorf("columns[%d]: %w", j, err)
			}
			i, ok := c.index[string(name)]
			if !ok {
				return fmt.Errorf("unknown column %q (the model reads %s)", name, r.listInputs())
			}
			if seen[i] {
				return fmt.Errorf("column %q appears twice", name)
			}
			seen[i] = true
			order = append(order, i)
			return nil
		})
		if err != nil {
			return err
		}
		for i, ok := range seen {
			if !ok {
				return fmt.Errorf("missing column %q", c.fields[i].Name)
			}
		}
	}
	ds := &scanner{buf: data}
	return ds.array(func(row int) error {
		if row >= r.lim.maxRows {
			return r.lim.tooMany(row)
		}
		if ds.peek() != '[' {
			return fmt.Errorf("data[%d]: %w", row, typeError("an array of values", ds))
		}
		n := 0
		err := ds.array(func(j int) error {
			if j >= len(order) {
				return fmt.Errorf("row %d: more values than the %d columns", row, len(order))
			}
			n++
			i := order[j]
			if err := c.value(ds, i, ""); err != nil {
				return fmt.Errorf("row %d, column %q: %w", row, c.fields[i].Name, err)
			}
			return nil
		})
		if err == nil && n != len(order) {
			err = fmt.Errorf("row %d: %d values for %d columns", row, n, len(order))
		}
		return err
	})
}

// instances reads a list of rows: objects, arrays in input order, or, for a
// model of one input, plain values.
func instances(s *scanner, r *rowReader) error {
	if s.peek() != '[' {
		return typeError("a list of rows", s)
	}
	return s.array(func(row int) error {
		if row >= r.lim.maxRows {
			return r.lim.tooMany(row)
		}
		switch s.peek() {
		case '{':
			return r.object(s, row)
		case '[':
			return r.positional(s, row)
		}
		if len(r.c.fields) != 1 {
			return fmt.Errorf("row %d: %w", row, typeError("an object or an array of column values", s))
		}
		if err := r.c.value(s, 0, ""); err != nil {
			return fmt.Errorf("row %d, column %q: %w", row, r.c.fields[0].Name, err)
		}
		return nil
	})
}

// columnar reads {"column": [values...], ...}.
func columnar(s *scanner, r *rowReader) error {
	c := r.c
	seen := make([]bool, len(c.fields))
	rows := -1
	err := s.object(func(key []byte) error {
		i, ok := c.index[string(key)]
		if !ok {
			return fmt.Errorf("unknown column %q (the model reads %s)", key, r.listInputs())
		}
		if seen[i] {
			return fmt.Errorf("column %q appears twice", key)
		}
		seen[i] = true
		if s.peek() != '[' {
			return fmt.Errorf("column %q: %w", key, typeError("an array of values", s))
		}
		n := 0
		err := s.array(func(row int) error {
			if row >= r.lim.maxRows {
				return r.lim.tooMany(row)
			}
			n++
			if err := c.value(s, i, ""); err != nil {
				return fmt.Errorf("row %d, column %q: %w", row, c.fields[i].Name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if rows >= 0 && n != rows {
			return fmt.Errorf("column %q has %d values, but the columns before it have %d", key, n, rows)
		}
		rows = n
		return nil
	})
	if err != nil {
		return err
	}
	for i, ok := range seen {
		if !ok {
			return fmt.Errorf("missing column %q", c.fields[i].Name)
		}
	}
	return nil
}

// decodeCSV reads CSV text with a header row, typing each column as the
// model's input of that name.
func decodeCSV(body []byte, fields []field, lim decodeLimits) (*dataset.Frame, error) {
	types := make(map[string]dataset.Type, len(fields))
	names := make([]string, len(fields))
	for i, f := range fields {
		types[f.Name] = f.Type
		names[i] = f.Name
	}
	// The header first: missing and extra columns are named before any parsing.
	line, _, _ := bytes.Cut(body, []byte("\n"))
	header, err := dataset.ReadCSV(bytes.NewReader(append(bytes.TrimRight(line, "\r"), '\n')), dataset.CSVOptions{Workers: 1})
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	have := map[string]bool{}
	for _, n := range header.Names() {
		if _, ok := types[n]; !ok {
			return nil, fmt.Errorf("csv: unknown column %q (the model reads %s)", n, strings.Join(names, ", "))
		}
		have[n] = true
	}
	for _, n := range names {
		if !have[n] {
			return nil, fmt.Errorf("csv: missing column %q", n)
		}
	}
	f, err := dataset.ReadCSV(bytes.NewReader(body), dataset.CSVOptions{Types: types, Columns: names, Workers: 1})
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	if f.NumRows() > lim.maxRows {
		return nil, lim.tooMany(f.NumRows())
	}
	if f.NumRows() == 0 {
		return nil, errors.New("csv: no rows to score")
	}
	return f, nil
}
