package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kiln-ml/kiln"
	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/features/dfs"
)

// Lead is how long before its scheduled departure a flight is scored: the
// moment of every prediction, and the cutoff time of its history features.
// No flight in the data left more than 43 minutes early, so a flight's own
// departure is never part of its features.
const Lead = time.Hour

// The feature synthesis, in two entity sets.
//
// The flight's own row: DFS with flights as the target, over their parents
// planes (by tail number), airports (by destination), airlines and weather
// (by origin and the hour of the scheduled departure). Every feature is known
// before the flight leaves: the schedule, the aircraft, the destination, and
// the weather of the departure hour (the observation stands for the forecast
// a production system would read an hour ahead).
var rowSynthesis = dfs.DFS{
	Target:       "flights",
	MaxDepth:     1,
	Transforms:   []string{"hour", "weekday"},
	Aggregations: []string{},
	IgnoreColumns: map[string][]string{
		"flights":  {"id", "month", "departed", "dep_delay", "late", "tailnum", "weather_key"},
		"planes":   {"type", "manufacturer", "model", "engine", "speed"},
		"airports": {"name", "dst", "tzone"},
		"airlines": {"name"},
	},
}

// history describes features of a flight's recent past: DFS with a parent of
// the flights as the target (the plane, the origin airport, the airline),
// computed as of the flight's prediction moment over the departures of the
// last Window. Only departures are used: a departure delay is known when
// the plane leaves, an arrival delay only when it lands.
type history struct {
	Target string        // the parent entity: "planes", "airports", "airlines"
	Key    string        // the flights column that points at it
	Window time.Duration // how far back departures count
	DFS    dfs.DFS
}

var histories = []history{
	// The aircraft's legs out of New York in the last day: a late plane
	// stays late (its last departure delay, how long ago it left).
	{Target: "planes", Key: "tailnum", Window: 24 * time.Hour, DFS: dfs.DFS{
		Target: "planes", MaxDepth: 1, Transforms: []string{},
		Aggregations:  []string{"count", "mean", "max", "last", "time_since_last"},
		IgnoreColumns: map[string][]string{"departures": {"origin", "carrier"}},
	}},
	// Congestion at the origin airport in the last two hours.
	{Target: "airports", Key: "origin", Window: 2 * time.Hour, DFS: dfs.DFS{
		Target: "airports", MaxDepth: 1, Transforms: []string{},
		Aggregations:  []string{"count", "mean", "max"},
		IgnoreColumns: map[string][]string{"airports": {"faa", "name", "lat", "lon", "alt", "tz", "dst", "tzone"}},
	}},
	// The airline's New York operation in the last two hours.
	{Target: "airlines", Key: "carrier", Window: 2 * time.Hour, DFS: dfs.DFS{
		Target: "airlines", MaxDepth: 1, Transforms: []string{},
		Aggregations:  []string{"count", "mean"},
		IgnoreColumns: map[string][]string{"airlines": {"carrier", "name"}},
	}},
}

// rowEntities builds the entity set of the flights' own rows.
func rowEntities(t *tables, flights *dataset.Frame) (*dfs.EntitySet, error) {
	es := dfs.NewEntitySet()
	steps := []func() error{
		func() error { return es.AddEntity("flights", flights, "id", "scheduled") },
		func() error { return es.AddEntity("planes", t.planes, "tailnum", "") },
		func() error { return es.AddEntity("airports", t.airports, "faa", "") },
		func() error { return es.AddEntity("airlines", t.airlines, "carrier", "") },
		func() error { return es.AddEntity("weather", t.weather, "key", "") },
		func() error { return es.AddRelationship("planes", "flights", "tailnum") },
		func() error { return es.AddRelationship("airports", "flights", "dest") },
		func() error { return es.AddRelationship("airlines", "flights", "carrier") },
		func() error { return es.AddRelationship("weather", "flights", "weather_key") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return es, nil
}

// historyEntities builds the entity set of past departures: each departed
// flight is a row of "departures", timed by its actual departure, under the
// planes that flew (made from its tail numbers), the airports and the airlines.
func historyEntities(t *tables, flights *dataset.Frame) (*dfs.EntitySet, error) {
	deps, err := flights.Select("departed", "tailnum", "origin", "carrier", "dep_delay")
	if err != nil {
		return nil, err
	}
	es := dfs.NewEntitySet()
	steps := []func() error{
		func() error { return es.AddEntity("departures", deps, "", "departed") },
		func() error { return es.NormalizeEntity("departures", "planes", "tailnum") },
		func() error { return es.AddEntity("airports", t.airports, "faa", "") },
		func() error { return es.AddEntity("airlines", t.airlines, "carrier", "") },
		func() error { return es.AddRelationship("airports", "departures", "origin") },
		func() error { return es.AddRelationship("airlines", "departures", "carrier") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return es, nil
}

// Spec is what the feature stage of every production path needs to compute
// a flight's model inputs: the definitions DFS chose, the history windows and
// the prediction lead. It is saved as JSON beside the model in the registry
// (VERSION/features.json).
type Spec struct {
	Lead    string           `json:"lead"` // time.Duration text, e.g. "1h0m0s"
	Row     *dfs.Definitions `json:"row"`
	History []SpecHistory    `json:"history"`
}

// SpecHistory is one history group of a Spec.
type SpecHistory struct {
	Target      string           `json:"target"`
	Key         string           `json:"key"`
	Window      string           `json:"window"`
	Definitions *dfs.Definitions `json:"definitions"`
}

// synthesize runs DFS on the two entity sets and returns the spec.
func synthesize(t *tables) (*Spec, error) {
	rowES, err := rowEntities(t, t.flights)
	if err != nil {
		return nil, err
	}
	spec := &Spec{Lead: Lead.String()}
	if spec.Row, err = rowSynthesis.Definitions(rowES); err != nil {
		return nil, err
	}
	histES, err := historyEntities(t, t.flights)
	if err != nil {
		return nil, err
	}
	for _, h := range histories {
		defs, err := h.DFS.Definitions(histES)
		if err != nil {
			return nil, fmt.Errorf("%s history: %w", h.Target, err)
		}
		spec.History = append(spec.History, SpecHistory{Target: h.Target, Key: h.Key, Window: h.Window.String(), Definitions: defs})
	}
	return spec, nil
}

// ParseSpec reads a spec saved as JSON and checks its durations.
func ParseSpec(data []byte) (*Spec, error) {
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("feature spec: %w", err)
	}
	if _, err := time.ParseDuration(s.Lead); err != nil {
		return nil, fmt.Errorf("feature spec: lead: %w", err)
	}
	if s.Row == nil {
		return nil, fmt.Errorf("feature spec: no row definitions")
	}
	for _, h := range s.History {
		if _, err := time.ParseDuration(h.Window); err != nil {
			return nil, fmt.Errorf("feature spec: %s window: %w", h.Target, err)
		}
		if h.Definitions == nil {
			return nil, fmt.Errorf("feature spec: %s: no definitions", h.Target)
		}
	}
	return &s, nil
}

// Inputs returns the model's input columns in order: the row features, then
// each history group's, named TARGET.FEATURE ("planes.LAST(departures.dep_delay)").
func (s *Spec) Inputs() []*dfs.Feature {
	out := append([]*dfs.Feature(nil), s.Row.Features...)
	for _, h := range s.History {
		for _, f := range h.Definitions.Features {
			g := *f
			g.Name = h.Target + "." + f.Name
			out = append(out, &g)
		}
	}
	return out
}

func mustDuration(s string) time.Duration {
	d, _ := time.ParseDuration(s) // checked by ParseSpec or made by synthesize
	return d
}

// Batch computes the model inputs of the given flights in bulk: DFS's
// Compute with one cutoff per flight (its scheduled departure less the lead),
// in parallel. flights must hold every flight whose departures the history
// may need (all of them, in this example) and rows selects the flights to
// compute. The result has one row per selected flight, in order: its id,
// then the inputs.
func (s *Spec) Batch(ctx context.Context, t *tables, rows []int, progress kiln.ProgressFunc) (*dataset.Frame, error) {
	rowES, err := rowEntities(t, t.flights)
	if err != nil {
		return nil, err
	}
	ids, _ := t.flights.Column("id")
	sched, _ := t.flights.Column("scheduled")
	lead := mustDuration(s.Lead)
	cut := make([]int64, len(rows))
	for i, r := range rows {
		cut[i] = sched.Int64s()[r] - int64(lead)
	}
	rowCut := dataset.MustNew(ids.Take(rows), dataset.NewTimestamp("cutoff", cut, nil))
	fm, err := s.Row.Compute(ctx, rowES, dfs.Options{Cutoffs: rowCut, Progress: progress})
	if err != nil {
		return nil, fmt.Errorf("row features: %w", err)
	}
	cols := fm.Columns()

	histES, err := historyEntities(t, t.flights)
	if err != nil {
		return nil, err
	}
	for _, h := range s.History {
		key, err := t.flights.Column(h.Key)
		if err != nil {
			return nil, err
		}
		// Flights without a key (no tail number) get null history features.
		var have []int
		var haveCut []int64
		for i, r := range rows {
			if !key.IsNull(r) {
				have = append(have, r)
				haveCut = append(haveCut, cut[i])
			}
		}
		cutoffs := dataset.MustNew(key.Take(have), dataset.NewTimestamp("cutoff", haveCut, nil))
		hm, err := h.Definitions.Compute(ctx, histES, dfs.Options{Cutoffs: cutoffs, TrainingWindow: mustDuration(h.Window)})
		if err != nil {
			return nil, fmt.Errorf("%s history: %w", h.Target, err)
		}
		at := make([]int, len(rows)) // row of hm for each selected flight, -1 for none
		for i, j := 0, 0; i < len(rows); i++ {
			at[i] = -1
			if j < len(have) && have[j] == rows[i] {
				at[i] = j
				j++
			}
		}
		for _, c := range hm.Columns()[1:] {
			cols = append(cols, takeOrNull(c, at).Rename(h.Target+"."+c.Name()))
		}
	}
	return dataset.New(cols...)
}

// takeOrNull is Column.Take where index -1 gives a null row.
func takeOrNull(c *dataset.Column, at []int) *dataset.Column {
	idx := make([]int, len(at))
	valid := make([]bool, len(at))
	nulls := false
	for i, a := range at {
		if a < 0 {
			nulls = true
			continue
		}
		idx[i], valid[i] = a, !c.IsNull(a)
	}
	out := c.Take(idx)
	if !nulls {
		return out
	}
	return withValid(out, valid)
}
