package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/pipeline"
)

// maxBody bounds a request body: 8 MiB of JSON is tens of thousands of rows.
const maxBody = 8 << 20

var errNoModel = errors.New("no such model in the registry")

// server scores rows with the pipeline an alias of the registry points at.
// Requests read the current pipeline through an atomic pointer, so /reload
// swaps models while requests are in flight.
type server struct {
	reg         *persist.Registry
	name, alias string
	current     atomic.Pointer[pipeline.Pipeline]
}

func newServer(reg *persist.Registry, name, alias string) (*server, error) {
	s := &server{reg: reg, name: name, alias: alias}
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *server) reload() error {
	p, err := s.reg.LoadPipeline(s.name, s.alias)
	if err != nil {
		if names, lerr := s.reg.Names(); lerr == nil && !contains(names, s.name) {
			return fmt.Errorf("%w: %q (it holds %v)", errNoModel, s.name, names)
		}
		return err
	}
	if len(p.Inputs()) == 0 {
		return fmt.Errorf("%s: the bundle records no input schema, so JSON rows cannot be typed", p.Ref())
	}
	s.current.Store(p)
	return nil
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /predict", s.predict)
	mux.HandleFunc("GET /model", s.describe)
	mux.HandleFunc("POST /reload", func(w http.ResponseWriter, r *http.Request) {
		if err := s.reload(); err != nil {
			writeJSON(w, http.StatusInternalServerError, errorReply{err.Error()})
			return
		}
		s.describe(w, r)
	})
	return mux
}

type predictRequest struct {
	Rows []json.RawMessage `json:"rows"` // one JSON object per row, keyed by column name
}

type predictReply struct {
	Model       string    `json:"model"`
	Version     int       `json:"version"`
	Predictions []float64 `json:"predictions"`
}

type modelReply struct {
	Model   string             `json:"model"`
	Version int                `json:"version"`
	Inputs  []persist.Field    `json:"inputs"`
	Output  string             `json:"output"`
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

type errorReply struct {
	Error string `json:"error"`
}

func (s *server) predict(w http.ResponseWriter, r *http.Request) {
	p := s.current.Load() // one model for the whole request, even if /reload runs meanwhile
	var req predictRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorReply{"request body: " + err.Error()})
		return
	}
	if len(req.Rows) == 0 {
		writeJSON(w, http.StatusBadRequest, errorReply{`request body: no "rows"`})
		return
	}
	rows, err := frameOf(req.Rows, p.Inputs())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorReply{err.Error()})
		return
	}
	pred, err := p.Predict(rows)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorReply{err.Error()})
		return
	}
	ref := p.Ref()
	writeJSON(w, http.StatusOK, predictReply{Model: ref.Name, Version: ref.Version, Predictions: pred.Float64s()})
}

func (s *server) describe(w http.ResponseWriter, _ *http.Request) {
	p := s.current.Load()
	ref := p.Ref()
	writeJSON(w, http.StatusOK, modelReply{Model: ref.Name, Version: ref.Version, Inputs: p.Inputs(),
		Output: p.Outputs().Name, Metrics: p.Metrics})
}

// frameOf reads the rows as JSON Lines, each input column typed as the
// bundle's schema says (so 41 is a float where the model was trained on
// floats), and checks that every input column is there.
func frameOf(rows []json.RawMessage, inputs []persist.Field) (*dataset.Frame, error) {
	var buf bytes.Buffer
	for i, row := range rows {
		if len(bytes.TrimSpace(row)) == 0 || bytes.TrimSpace(row)[0] != '{' {
			return nil, fmt.Errorf("row %d: not a JSON object", i)
		}
		if err := json.Compact(&buf, row); err != nil { // one row per line
			return nil, fmt.Errorf("row %d: %v", i, err)
		}
		buf.WriteByte('\n')
	}
	types := make(map[string]dataset.Type, len(inputs))
	for _, f := range inputs {
		t, err := dataset.ParseType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("bundle input %s: %v", f.Name, err)
		}
		types[f.Name] = t
	}
	frame, err := dataset.ReadJSONL(&buf, dataset.JSONLOptions{Types: types})
	if err != nil {
		return nil, fmt.Errorf("rows: %v", err)
	}
	for _, f := range inputs {
		if !frame.Has(f.Name) {
			return nil, fmt.Errorf("rows: no row has input column %q", f.Name)
		}
	}
	return frame, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
