package serve

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/kiln-ml/kiln/persist"
	"gonum.org/v1/gonum/mat"
)

const (
	endpointInfer  = "infer"
	endpointRows   = "rows"
	endpointMLflow = "invocations"
)

// maxReported bounds the unseen categories listed in one answer; all of
// them are counted.
const maxReported = 100

// unseenValue is a category the model never saw in training.
type unseenValue struct {
	row    int
	column string
	value  string
}

// score returns the handler of a scoring endpoint.
func (s *Server) score(endpoint string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := newCall(s, r, endpoint)
		defer c.release()
		if s.inFlight.Add(1) > s.opts.maxInFlight() {
			s.inFlight.Add(-1)
			c.reason = "overloaded"
			s.fail(w, r, c, &requestError{http.StatusServiceUnavailable, "too many requests in flight; retry shortly"})
			return
		}
		defer s.inFlight.Add(-1)
		if err := s.scoreRequest(w, r, c); err != nil {
			s.fail(w, r, c, err)
		}
	}
}

func (s *Server) scoreRequest(w http.ResponseWriter, r *http.Request, c *call) error {
	name, ref := r.PathValue("name"), r.PathValue("version")
	if name == "" {
		var err error
		if name, err = s.defaultModel(); err != nil {
			return err
		}
	}
	m, err := s.lookup(name, ref)
	if err != nil {
		return err
	}
	c.model = m
	csv := false
	if c.endpoint == endpointMLflow {
		if csv, err = mlflowContentType(r.Header.Get("Content-Type")); err != nil {
			return err
		}
	}
	rb, err := s.readBody(w, r)
	defer rb.release()
	if err != nil {
		c.reason = "body"
		return err
	}
	body := rb.buf
	lim := decodeLimits{maxRows: s.opts.maxRows()}
	var frame *dataset.Frame
	var req *oipRequest
	cols := m.columns()
	defer m.release(cols) // after the answer is written: the frame and the answer are in cols
	if csv {
		frame, err = decodeCSV(body, m.inputs, lim)
	} else {
		switch c.endpoint {
		case endpointInfer:
			req, err = decodeOIP(body, cols, lim)
		case endpointRows:
			err = decodeRows(body, cols, lim)
		case endpointMLflow:
			err = decodeMLflow(body, cols, lim)
		}
		if err == nil {
			frame, err = cols.frame()
		}
	}
	if err != nil {
		c.reason = "decode"
		return err
	}
	c.rows = frame.NumRows()
	if err := s.checkUnseen(c, m, frame); err != nil {
		return err
	}
	wantProba := m.classes != nil && c.endpoint != endpointMLflow
	if req != nil && req.outputs != nil {
		wantProba = false
		for _, o := range req.outputs {
			switch o {
			case m.out.Name:
			case m.out.Name + probabilitiesSuffix:
				if m.classes == nil {
					return badRequest("model %s has no output %q (it has %q)", m.name, o, m.out.Name)
				}
				wantProba = true
			default:
				return badRequest("model %s has no output %q (it has %s)", m.name, o, outputNames(m))
			}
		}
	}
	pred, err := m.m.Predict(frame)
	if err != nil {
		c.reason = "predict"
		return &requestError{http.StatusUnprocessableEntity, "the model cannot score these rows: " + err.Error()}
	}
	var proba *mat.Dense
	if wantProba {
		if proba, err = m.m.PredictProba(frame); err != nil {
			c.reason = "predict"
			return &requestError{http.StatusUnprocessableEntity, "the model cannot score these rows: " + err.Error()}
		}
	}
	if row, v := nonFinite(pred, proba); row >= 0 {
		c.reason = "non_finite"
		return &requestError{http.StatusUnprocessableEntity,
			fmt.Sprintf("row %d: the prediction is %v, not a finite number; an input is probably extreme (such as 1e308)", row, v)}
	}
	if m.drift != nil {
		cols.bins = m.drift.observe(frame, cols.bins)
	}
	m.obs.predictions(pred)
	switch c.endpoint {
	case endpointInfer:
		cols.out = encodeOIP(cols.out, c, req, pred, proba)
	case endpointRows:
		cols.out = encodeRows(cols.out, c, pred, proba)
	case endpointMLflow:
		cols.out = encodeMLflow(cols.out, c, pred)
	}
	s.write(w, r, c, http.StatusOK, cols.out) // the ResponseWriter copies it
	return nil
}

const probabilitiesSuffix = "_probabilities"

func outputNames(m *loaded) string {
	if m.classes != nil {
		return fmt.Sprintf("%q and %q", m.out.Name, m.out.Name+probabilitiesSuffix)
	}
	return fmt.Sprintf("%q", m.out.Name)
}

// mlflowContentType follows MLflow's scoring server: JSON or CSV, UTF-8,
// no other parameters. A request without a type is read as JSON.
func mlflowContentType(ct string) (csv bool, err error) {
	if ct == "" {
		return false, nil
	}
	mt, params, perr := mime.ParseMediaType(ct)
	if perr != nil {
		return false, &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: %v", ct, perr)}
	}
	for k, v := range params {
		if k != "charset" {
			return false, &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type parameter %q is not supported", k)}
		}
		if !strings.EqualFold(v, "utf-8") {
			return false, &requestError{http.StatusUnsupportedMediaType, "the scoring server only reads UTF-8"}
		}
	}
	switch mt {
	case "application/json":
		return false, nil
	case "text/csv":
		return true, nil
	}
	return false, &requestError{http.StatusUnsupportedMediaType,
		fmt.Sprintf("Content-Type %q: /invocations reads application/json or text/csv", mt)}
}

func (s *Server) defaultModel() (string, error) {
	if s.opts.Default != "" {
		return s.opts.Default, nil
	}
	slots := *s.slots.Load()
	if len(slots) == 1 {
		for name := range slots {
			return name, nil
		}
	}
	return "", &errNoModel{fmt.Sprintf("the server has several models (%s) and no default: use /models/NAME/... or /v2/models/NAME/infer", s.modelList())}
}

// checkUnseen finds categories never seen in training, counts them and
// keeps the first ones for the answer.
func (s *Server) checkUnseen(c *call, m *loaded, f *dataset.Frame) error {
	for i, known := range m.known {
		if known == nil {
			continue
		}
		col, err := f.Column(m.inputs[i].Name)
		if err != nil || col.Type() != dataset.String {
			continue
		}
		n := 0
		vals := col.Strings()
		for row, v := range vals {
			if col.IsNull(row) {
				continue
			}
			if _, ok := slices.BinarySearch(known, v); !ok {
				n++
				if len(c.unseen) < maxReported {
					c.unseen = append(c.unseen, unseenValue{row, m.inputs[i].Name, v})
				}
			}
		}
		if n > 0 {
			c.unseenN += n
			m.obs.unseen(m.inputs[i].Name, n)
		}
	}
	if s.opts.RejectUnseen && c.unseenN > 0 {
		u := c.unseen[0]
		c.reason = "unseen"
		return badRequest("row %d, column %q: category %q was never seen in training (%d such values in the request)",
			u.row, u.column, u.value, c.unseenN)
	}
	return nil
}

func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	s.write(w, r, newCall(s, r, ""), 200, []byte(`{"live":true}`+"\n"))
}

func (s *Server) ping(w http.ResponseWriter, r *http.Request) {
	if !s.allReady() {
		s.write(w, r, newCall(s, r, ""), 503, []byte(`{"ready":false}`+"\n"))
		return
	}
	s.write(w, r, newCall(s, r, ""), 200, []byte("\n"))
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	status, body := 200, `{"ready":true}`
	if !s.allReady() {
		status, body = 503, `{"ready":false}`
	}
	s.write(w, r, newCall(s, r, ""), status, []byte(body+"\n"))
}

// allReady reports whether every model's default reference is loaded.
func (s *Server) allReady() bool {
	slots := *s.slots.Load()
	if len(slots) == 0 {
		return false
	}
	for _, sl := range slots {
		if v := sl.get(""); v == nil || v.cur.Load() == nil {
			return false
		}
	}
	return true
}

func (s *Server) serverMetadata(w http.ResponseWriter, r *http.Request) {
	b := append([]byte(`{"name":"kiln","version":`), quote(persist.LibraryVersion)...)
	b = append(b, `,"extensions":[]}`+"\n"...)
	s.write(w, r, newCall(s, r, ""), 200, b)
}

func (s *Server) modelReady(w http.ResponseWriter, r *http.Request) {
	c := newCall(s, r, "")
	m, err := s.lookup(r.PathValue("name"), r.PathValue("version"))
	if err != nil {
		if statusOf(err) == http.StatusServiceUnavailable {
			b := append([]byte(`{"name":`), quote(r.PathValue("name"))...)
			s.write(w, r, c, 503, append(b, `,"ready":false}`+"\n"...))
			return
		}
		s.fail(w, r, c, err)
		return
	}
	c.model = m
	b := append([]byte(`{"name":`), quote(m.name)...)
	s.write(w, r, c, 200, append(b, `,"ready":true}`+"\n"...))
}

func (s *Server) modelMetadata(w http.ResponseWriter, r *http.Request) {
	c := newCall(s, r, "")
	m, err := s.lookup(r.PathValue("name"), r.PathValue("version"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	c.model = m
	versions, _ := s.src.versions(m.name)
	s.write(w, r, c, 200, encodeMetadata(m, versions))
}

// modelsJSON lists every model with the versions its views serve.
func (s *Server) modelsJSON() []byte {
	slots := *s.slots.Load()
	names := make([]string, 0, len(slots))
	for n := range slots {
		names = append(names, n)
	}
	sort.Strings(names)
	b := []byte(`{"models":[`)
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendString(b, n)
		b = append(b, `,"serving":{`...)
		views := slots[n].list()
		sort.Slice(views, func(a, b int) bool { return views[a].ref < views[b].ref })
		first := true
		for _, v := range views {
			l := v.cur.Load()
			if l == nil {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, refName(v.ref, s.alias()))
			b = append(b, ':')
			b = appendString(b, l.version)
		}
		b = append(b, "}}"...)
	}
	return append(b, "]}\n"...)
}
