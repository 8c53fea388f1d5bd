package main

import (
	"fmt"
	"time"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/dfs"
)

// Online computes the model inputs of one flight at a time, as the feature
// stage in front of a real-time or streaming scorer does: the saved
// definitions compiled once against the data known so far, then each
// flight's features from its own plane's, airport's and airline's recent
// departures only (dfs.Instance.ScoreRowWindow, no allocation once warm).
// An Online is not safe for concurrent use.
type Online struct {
	inputs  []*dfs.Feature
	lead    time.Duration
	row     *dfs.Scorer
	rowIn   *dfs.Instance
	hist    []onlineHistory
	ids     *dataset.Column
	sched   *dataset.Column
	scratch []dfs.Value
}

type onlineHistory struct {
	scorer *dfs.Scorer
	in     *dfs.Instance
	key    *dataset.Column
	window time.Duration
	n      int
}

// Compile readies the spec for online scoring against the tables.
func (s *Spec) Compile(t *tables) (*Online, error) {
	rowES, err := rowEntities(t, t.flights)
	if err != nil {
		return nil, err
	}
	o := &Online{inputs: s.Inputs(), lead: mustDuration(s.Lead)}
	if o.row, err = s.Row.Compile(rowES); err != nil {
		return nil, fmt.Errorf("row features: %w", err)
	}
	o.rowIn = o.row.NewInstance()
	o.ids, _ = t.flights.Column("id")
	o.sched, _ = t.flights.Column("scheduled")
	histES, err := historyEntities(t, t.flights)
	if err != nil {
		return nil, err
	}
	for _, h := range s.History {
		sc, err := h.Definitions.Compile(histES)
		if err != nil {
			return nil, fmt.Errorf("%s history: %w", h.Target, err)
		}
		key, err := t.flights.Column(h.Key)
		if err != nil {
			return nil, err
		}
		o.hist = append(o.hist, onlineHistory{scorer: sc, in: sc.NewInstance(), key: key,
			window: mustDuration(h.Window), n: len(h.Definitions.Features)})
	}
	return o, nil
}

// Inputs returns the computed features in the order Flight fills them.
func (o *Online) Inputs() []*dfs.Feature { return o.inputs }

// Flight computes the inputs of flight row r of the tables' flights, as of
// its prediction moment (scheduled departure less the lead), into dst.
func (o *Online) Flight(r int, dst []dfs.Value) ([]dfs.Value, error) {
	dst = dst[:0]
	id := o.ids.Int64s()[r]
	row, ok := o.row.Row(id)
	if !ok {
		return dst, fmt.Errorf("flight %d is not in the feature data", id)
	}
	at := time.Unix(0, o.sched.Int64s()[r]-int64(o.lead)).UTC()
	var err error
	if o.scratch, err = o.rowIn.ScoreRow(row, at, o.scratch); err != nil {
		return dst, err
	}
	dst = append(dst, o.scratch...)
	for _, h := range o.hist {
		p, ok := -1, false
		if !h.key.IsNull(r) {
			p, ok = h.scorer.Row(h.key.StringAt(r))
		}
		if !ok {
			for k := 0; k < h.n; k++ {
				dst = append(dst, dfs.Value{Null: true})
			}
			continue
		}
		if o.scratch, err = h.in.ScoreRowWindow(p, at, h.window, o.scratch); err != nil {
			return dst, err
		}
		dst = append(dst, o.scratch...)
	}
	return dst, nil
}

// valuesFrame turns rows of computed inputs into a Frame typed as the batch
// path types them (Compute's feature matrix): integers as Int64, booleans as
// Bool, categories as String, the rest as Float64.
func valuesFrame(inputs []*dfs.Feature, rows [][]dfs.Value) (*dataset.Frame, error) {
	n := len(rows)
	cols := make([]*dataset.Column, len(inputs))
	for j, f := range inputs {
		valid := make([]bool, n)
		for i := range rows {
			valid[i] = !rows[i][j].Null
		}
		switch f.Type {
		case dfs.Integer:
			v := make([]int64, n)
			for i := range rows {
				v[i] = int64(rows[i][j].Float)
			}
			cols[j] = dataset.NewInt64(f.Name, v, valid)
		case dfs.Boolean:
			v := make([]bool, n)
			for i := range rows {
				v[i] = rows[i][j].Float == 1
			}
			cols[j] = dataset.NewBool(f.Name, v, valid)
		case dfs.Categorical:
			v := make([]string, n)
			for i := range rows {
				v[i] = rows[i][j].Str
			}
			cols[j] = dataset.NewString(f.Name, v, valid)
		case dfs.Float:
			v := make([]float64, n)
			for i := range rows {
				v[i] = rows[i][j].Float
			}
			cols[j] = dataset.NewFloat64(f.Name, v, valid)
		default:
			return nil, fmt.Errorf("feature %s: type %s is not a model input", f.Name, f.Type)
		}
	}
	return dataset.New(cols...)
}

// withValid returns c with the validity mask valid (the values of rows that
// become null are dropped).
func withValid(c *dataset.Column, valid []bool) *dataset.Column {
	switch c.Type() {
	case dataset.Int64:
		return dataset.NewInt64(c.Name(), c.Int64s(), valid)
	case dataset.Float64:
		return dataset.NewFloat64(c.Name(), c.Float64s(), valid)
	case dataset.Bool:
		return dataset.NewBool(c.Name(), c.Bools(), valid)
	case dataset.Timestamp:
		return dataset.NewTimestamp(c.Name(), c.Int64s(), valid)
	}
	v := make([]string, c.Len())
	for i := range v {
		if valid[i] {
			v[i] = c.StringAt(i)
		}
	}
	return dataset.NewString(c.Name(), v, valid)
}
