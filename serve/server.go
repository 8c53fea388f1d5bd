package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiln-ml/kiln/persist"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configure a Server. The zero value serves every model at its
// latest version, polls for changes every 2 s, and applies the limits below.
type Options struct {
	// Alias is the reference a model's URL without a version serves: an
	// alias such as "production", "latest", or a version number. "" means
	// "latest". Ignored for a bundle file.
	Alias string
	// Default is the model that /predict and /invocations score; "" means the
	// only model there is (with several, those routes answer 404 and say so).
	Default string
	// Name is the model name a bundle file is served under; "" means the
	// file's base name without its extension.
	Name string

	// PollInterval is how often the registry (or the file) is checked for
	// moved aliases, new versions and new models; 0 means 2 s, a negative
	// value turns polling off (call Reload instead).
	PollInterval time.Duration

	// MaxBodyBytes bounds one request body; 0 means 8 MiB. Larger bodies
	// are answered 413.
	MaxBodyBytes int64
	// BodyBudget bounds the request bytes held by all requests at once;
	// 0 means 64 MiB. Bytes are counted as they arrive, so slow clients hold
	// only what they sent; a request that would go past it is answered 503.
	BodyBudget int64
	// MaxRows bounds the rows of one request; 0 means 100,000.
	MaxRows int
	// MaxInFlight bounds the requests being handled at once, from the first
	// byte of the body to the last of the answer; 0 means 256. Beyond it the
	// server answers 503 with Retry-After.
	MaxInFlight int
	// BodyReadTimeout bounds the time a client may take to send its body;
	// 0 means 10 s, negative means none.
	BodyReadTimeout time.Duration
	// MaxVersions bounds the references (pinned versions and aliases other
	// than the default) followed per model; 0 means 8, the least recently
	// used one is dropped beyond it.
	MaxVersions int

	// RejectUnseen answers 400 to a request holding a category never seen
	// in training; by default such rows are scored and the categories are
	// reported in the response and counted in kiln_unseen_categories_total.
	RejectUnseen bool
	// DriftWindow is the number of recent rows the population stability
	// index is computed over; 0 means 10,000.
	DriftWindow int

	// Logger receives load events, failed writes and, with AccessLog, one
	// record per request; nil means slog.Default().
	Logger *slog.Logger
	// AccessLog logs every request at level Info.
	AccessLog bool
	// Pprof serves net/http/pprof under /debug/pprof/.
	Pprof bool
	// ReloadRoute serves POST /admin/reload, which runs Reload.
	ReloadRoute bool
	// Registerer, when set, also registers the server's metrics there (for
	// a program that exports its own); /metrics serves them either way.
	Registerer prometheus.Registerer
}

func (o *Options) maxBody() int64     { return orDefault(o.MaxBodyBytes, 8<<20) }
func (o *Options) bodyBudget() int64  { return orDefault(o.BodyBudget, 64<<20) }
func (o *Options) maxRows() int       { return orDefault(o.MaxRows, 100_000) }
func (o *Options) maxInFlight() int64 { return int64(orDefault(o.MaxInFlight, 256)) }
func (o *Options) maxViews() int      { return orDefault(o.MaxVersions, 8) + 1 }
func (o *Options) bodyTimeout() time.Duration {
	return orDefault(o.BodyReadTimeout, 10*time.Second)
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Server is an http.Handler that scores requests with the models of a
// registry or a bundle file. See the package documentation for its routes.
type Server struct {
	opts    Options
	src     source
	log     *slog.Logger
	metrics *metrics
	mux     *http.ServeMux
	now     func() time.Time

	reloadMu sync.Mutex // serialises loads
	slots    atomic.Pointer[map[string]*slot]
	served   map[string]bool // model versions held by a view after the last reload (under reloadMu)
	retiring map[string]bool // versions dropped by the last reload, forgotten by the next

	inFlight  atomic.Int64
	bodyBytes atomic.Int64
	idPrefix  string
	idCounter atomic.Uint64

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// NewRegistry returns a server over every model of a registry. It loads
// each model's default reference (Options.Alias) before returning, and
// fails only if no model loads: a model that fails (say, one without the
// alias) is logged and answers 503 until a reload succeeds, while the
// others serve. Close stops its polling.
func NewRegistry(reg *persist.Registry, opts Options) (*Server, error) {
	alias := opts.Alias
	if alias == "" {
		alias = "latest"
	}
	return newServer(&registrySource{reg: reg, alias: alias}, opts)
}

// NewFile returns a server over one bundle file, named Options.Name or
// after the file. Its version is the first 12 hex digits of the file's
// SHA-256, and polling reloads the file when it is replaced.
func NewFile(path string, opts Options) (*Server, error) {
	name := opts.Name
	if name == "" {
		name = fileModelName(path)
	}
	if opts.Default == "" {
		opts.Default = name
	}
	return newServer(&fileSource{path: path, name: name}, opts)
}

func newServer(src source, opts Options) (*Server, error) {
	s := &Server{opts: opts, src: src, log: opts.Logger, now: time.Now, stop: make(chan struct{})}
	if s.log == nil {
		s.log = slog.Default()
	}
	var b [4]byte
	rand.Read(b[:])
	s.idPrefix = hex.EncodeToString(b[:]) + "-"
	s.slots.Store(&map[string]*slot{})
	reg := prometheus.NewRegistry()
	s.metrics = newMetrics(reg, s)
	if opts.Registerer != nil {
		if err := opts.Registerer.Register(s.metrics); err != nil {
			return nil, fmt.Errorf("serve: registering metrics: %w", err)
		}
	}
	s.routes(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	err := s.Reload(context.Background())
	if !s.anyReady() {
		if err == nil {
			err = errors.New("no models to serve")
		}
		return nil, fmt.Errorf("serve: %w", err)
	}
	if interval := orDefault(opts.PollInterval, 2*time.Second); interval > 0 {
		s.wg.Add(1)
		go s.poll(interval)
	}
	return s, nil
}

func (s *Server) anyReady() bool {
	for _, sl := range *s.slots.Load() {
		if v := sl.get(""); v != nil && v.cur.Load() != nil {
			return true
		}
	}
	return false
}

// Close stops polling. It does not wait for requests: shut the http.Server
// down first (see Run).
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
	return nil
}

func (s *Server) alias() string {
	if rs, ok := s.src.(*registrySource); ok {
		return rs.alias
	}
	return "latest"
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes(metricsHandler http.Handler) {
	m := http.NewServeMux()
	s.mux = m
	handle := func(method, path string, h http.HandlerFunc) {
		m.HandleFunc(method+" "+path, h)
		m.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { // any other method
			w.Header().Set("Allow", method)
			s.fail(w, r, newCall(s, r, ""), &requestError{http.StatusMethodNotAllowed,
				fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, method)})
		})
	}
	// Open Inference Protocol v2.
	handle("GET", "/v2", s.serverMetadata)
	handle("GET", "/v2/health/live", s.live)
	handle("GET", "/v2/health/ready", s.ready)
	handle("GET", "/v2/models/{name}", s.modelMetadata)
	handle("GET", "/v2/models/{name}/versions/{version}", s.modelMetadata)
	handle("GET", "/v2/models/{name}/ready", s.modelReady)
	handle("GET", "/v2/models/{name}/versions/{version}/ready", s.modelReady)
	handle("POST", "/v2/models/{name}/infer", s.score(endpointInfer))
	handle("POST", "/v2/models/{name}/versions/{version}/infer", s.score(endpointInfer))
	// Rows, for people and scripts.
	handle("POST", "/predict", s.score(endpointRows))
	handle("POST", "/models/{name}/predict", s.score(endpointRows))
	handle("POST", "/models/{name}/versions/{version}/predict", s.score(endpointRows))
	// MLflow's scoring server.
	handle("POST", "/invocations", s.score(endpointMLflow))
	handle("POST", "/models/{name}/invocations", s.score(endpointMLflow))
	handle("POST", "/models/{name}/versions/{version}/invocations", s.score(endpointMLflow))
	handle("GET", "/ping", s.ping)
	handle("GET", "/health", s.ping)
	handle("GET", "/metrics", metricsHandler.ServeHTTP)
	if s.opts.ReloadRoute {
		handle("POST", "/admin/reload", s.reloadRoute)
	}
	if s.opts.Pprof {
		m.HandleFunc("/debug/pprof/", pprof.Index)
		m.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		m.HandleFunc("/debug/pprof/profile", pprof.Profile)
		m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, newCall(s, r, ""), &errNoModel{fmt.Sprintf("no route %s %s (see the serve package documentation: /v2/models/NAME/infer, /predict, /invocations, ...)",
			r.Method, r.URL.Path)})
	})
}

// call is the state of one request, for its answer, metrics and log.
type call struct {
	s        *Server
	id       string
	idHeader []string // the client's X-Request-Id header, when c.id is it
	endpoint string
	model    *loaded
	rows     int
	start    time.Time
	status   int
	written  int
	reason   string // why it failed, a metric label
	unseen   []unseenValue
	unseenN  int
}

var callPool = sync.Pool{New: func() any { return new(call) }}

func newCall(s *Server, r *http.Request, endpoint string) *call {
	c := callPool.Get().(*call)
	*c = call{s: s, endpoint: endpoint, start: s.now(), unseen: c.unseen[:0]}
	if ids := r.Header["X-Request-Id"]; len(ids) == 1 && validRequestID(ids[0]) {
		c.id, c.idHeader = ids[0], ids // answered as it came, without a copy
	} else {
		var buf [64]byte
		c.id = string(strconv.AppendUint(append(buf[:0], s.idPrefix...), s.idCounter.Add(1), 36))
	}
	return c
}

// release returns a call to the pool once its answer is written and
// logged.
func (c *call) release() {
	clear(c.unseen)
	*c = call{unseen: c.unseen[:0]}
	callPool.Put(c)
}

// validRequestID accepts 1 to 128 visible ASCII characters, so an echoed
// id cannot break a header or a log line.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// Header values shared by every answer. net/http writes header values
// out and never changes them, so one slice can serve every request.
var jsonContentType = []string{"application/json"}

// smallAnswer is the size up to which net/http buffers a handler's answer
// until the handler returns, and then sets its Content-Length itself
// (without allocating); a larger answer gets it from write, not chunked.
const smallAnswer = 2048

// write sends a JSON answer with the headers every answer carries. The
// header map is filled directly, with canonical keys, so that the values
// shared by every answer of a model cost nothing per request.
func (s *Server) write(w http.ResponseWriter, r *http.Request, c *call, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	if len(body) > smallAnswer {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	if c.idHeader != nil {
		h["X-Request-Id"] = c.idHeader
	} else {
		h["X-Request-Id"] = []string{c.id}
	}
	if c.model != nil {
		h["Kiln-Model"] = c.model.nameHeader
		h["Kiln-Model-Version"] = c.model.versionHeader
	}
	w.WriteHeader(status)
	n, err := w.Write(body)
	c.status, c.written = status, n
	if err != nil {
		s.metrics.writeErrors.Inc()
		s.log.Warn("writing the answer failed", "request_id", c.id, "path", r.URL.Path, "status", status,
			"written", n, "of", len(body), "error", err)
	}
	s.finish(r, c)
}

func (s *Server) finish(r *http.Request, c *call) {
	s.metrics.observe(c)
	if s.opts.AccessLog && s.log.Enabled(r.Context(), slog.LevelInfo) {
		p := attrPool.Get().(*[]slog.Attr)
		attrs := append((*p)[:0],
			slog.String("request_id", c.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", c.status), slog.Int("bytes", c.written), slog.Duration("duration", s.now().Sub(c.start)),
			slog.String("remote", r.RemoteAddr))
		if c.model != nil {
			attrs = append(attrs, slog.String("model", c.model.name), slog.String("version", c.model.version), slog.Int("rows", c.rows))
		}
		if c.reason != "" {
			attrs = append(attrs, slog.String("reason", c.reason))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...) // copies the attributes
		clear(attrs)
		*p = attrs[:0]
		attrPool.Put(p)
	}
}

// attrPool holds the attribute lists of access log records: slog copies
// them into its Record, so one list serves request after request.
var attrPool = sync.Pool{New: func() any { a := make([]slog.Attr, 0, 11); return &a }}

// fail answers an error as {"error": "..."}, naming the model when known.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	status := statusOf(err)
	var nm *errNoModel
	if errors.As(err, &nm) {
		status = http.StatusNotFound
	}
	if c.reason == "" {
		c.reason = reasonOf(status)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	b := append(make([]byte, 0, 64+len(err.Error())), `{"error":`...)
	b = appendString(b, err.Error())
	if c.model != nil {
		b = append(b, `,"model":`...)
		b = appendString(b, c.model.name)
		b = append(b, `,"version":`...)
		b = appendString(b, c.model.version)
	}
	b = append(b, `,"request_id":`...)
	b = appendString(b, c.id)
	b = append(b, "}\n"...)
	s.write(w, r, c, status, b)
}

func reasonOf(status int) string {
	switch status {
	case 400:
		return "invalid"
	case 404:
		return "not_found"
	case 405:
		return "method"
	case 413:
		return "too_large"
	case 415:
		return "media_type"
	case 422:
		return "unscorable"
	case 503:
		return "unavailable"
	case 408:
		return "timeout"
	}
	return "error"
}

// errBudget is returned by readBody when the server holds too many bytes.
var errBudget = &requestError{http.StatusServiceUnavailable, "the server is holding too many request bodies; retry shortly"}

// requestBody is a request's body and the bytes of the budget it holds.
// Bodies are pooled: a request's values are copied out of its body (or
// are the model's own category strings) before the body is released.
type requestBody struct {
	s    *Server
	buf  []byte
	held int64
}

var bodyPool = sync.Pool{New: func() any { return new(requestBody) }}

// pooledBodyBytes bounds the buffers kept for reuse; larger ones go back
// to the garbage collector.
const pooledBodyBytes = 64 << 10

// take counts n more bytes against the server's budget, or fails.
func (b *requestBody) take(n int64) bool {
	if b.s.bodyBytes.Add(n) > b.s.opts.bodyBudget() {
		b.s.bodyBytes.Add(-n)
		return false
	}
	b.held += n
	return true
}

// release returns the body's bytes to the budget and its buffer to the pool.
func (b *requestBody) release() {
	b.s.bodyBytes.Add(-b.held)
	b.held, b.s = 0, nil
	if cap(b.buf) <= pooledBodyBytes {
		b.buf = b.buf[:0]
		bodyPool.Put(b)
	}
}

// readBody reads the whole body within the size limit, counting its bytes
// against the shared budget as they arrive. The caller releases the body,
// whatever the error.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*requestBody, error) {
	b := bodyPool.Get().(*requestBody)
	b.s = s
	limit := s.opts.maxBody()
	if r.ContentLength > limit {
		return b, tooLarge(limit)
	}
	if t := s.opts.bodyTimeout(); t > 0 {
		http.NewResponseController(w).SetReadDeadline(s.now().Add(t))
	}
	size := int64(512)
	if r.ContentLength > 0 {
		size = r.ContentLength + 1 // one more byte, to see the end without growing
	}
	if !b.take(size) {
		return b, errBudget
	}
	buf := b.buf[:0]
	if int64(cap(buf)) < size {
		buf = make([]byte, 0, size)
	}
	for {
		if len(buf) == cap(buf) {
			grow := min(int64(cap(buf)), limit+1-int64(cap(buf)))
			if grow <= 0 {
				return b, tooLarge(limit)
			}
			if !b.take(grow) {
				return b, errBudget
			}
			buf = append(buf[:cap(buf)], make([]byte, grow)...)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		b.buf = buf
		if int64(len(buf)) > limit {
			return b, tooLarge(limit)
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
				return b, &requestError{http.StatusRequestTimeout, "the request body did not arrive in time"}
			}
			return b, &requestError{http.StatusBadRequest, "reading the request body: " + err.Error()}
		}
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func tooLarge(limit int64) error {
	return &requestError{http.StatusRequestEntityTooLarge,
		fmt.Sprintf("the request body is larger than %d bytes (the server's limit); send fewer rows per request", limit)}
}

func (s *Server) reloadRoute(w http.ResponseWriter, r *http.Request) {
	c := newCall(s, r, "")
	if err := s.Reload(r.Context()); err != nil {
		s.fail(w, r, c, &requestError{http.StatusInternalServerError, err.Error()})
		return
	}
	s.write(w, r, c, 200, s.modelsJSON())
}
