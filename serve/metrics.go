package serve

import (
	"strconv"

	"github.com/kiln-ml/kiln/dataset"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics. It is itself a Collector,
// so that a program can register all of them in its own registry at once.
type metrics struct {
	s           *Server
	requests    *prometheus.CounterVec   // model, version, endpoint, code
	errors      *prometheus.CounterVec   // model, version, endpoint, reason
	latency     *prometheus.HistogramVec // model, version, endpoint
	rows        *prometheus.CounterVec   // model, version
	values      *prometheus.HistogramVec // model, version
	labels      *prometheus.CounterVec   // model, version, label
	unseenCats  *prometheus.CounterVec   // model, version, input
	loads       *prometheus.CounterVec   // model, result
	writeErrors prometheus.Counter
	inFlight    prometheus.GaugeFunc
	psiDesc     *prometheus.Desc
	windowDesc  *prometheus.Desc
}

var endpoints = []string{endpointInfer, endpointRows, endpointMLflow}

func endpointIndex(e string) int {
	for i, x := range endpoints {
		if x == e {
			return i
		}
	}
	return -1
}

// predictionBuckets cover values of either sign from 1e-3 to 1e9 in powers
// of ten: the server cannot know a regression's scale in advance.
func predictionBuckets() []float64 {
	var b []float64
	for e := 9; e >= -3; e-- {
		b = append(b, -pow10(e))
	}
	b = append(b, 0)
	for e := -3; e <= 9; e++ {
		b = append(b, pow10(e))
	}
	return b
}

func pow10(e int) float64 {
	v, _ := strconv.ParseFloat("1e"+strconv.Itoa(e), 64)
	return v
}

func newMetrics(reg *prometheus.Registry, s *Server) *metrics {
	mv := []string{"model", "version"}
	m := &metrics{
		s: s,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_requests_total", Help: "Scoring requests answered, by model, version, endpoint and HTTP status.",
		}, append(mv, "endpoint", "code")),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_request_errors_total", Help: "Requests answered with an error, by model, version, endpoint and reason.",
		}, append(mv, "endpoint", "reason")),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kiln_request_duration_seconds", Help: "Time from the request's arrival to its answer, by model, version and endpoint.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, append(mv, "endpoint")),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_rows_scored_total", Help: "Rows scored, by model and version.",
		}, mv),
		values: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kiln_prediction_value", Help: "Distribution of the predicted values of regression models.",
			Buckets: predictionBuckets(),
		}, mv),
		labels: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_predictions_total", Help: "Predicted class labels and cluster ids, by model, version and label.",
		}, append(mv, "label")),
		unseenCats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_unseen_categories_total", Help: "Input values of a categorical input never seen in training, by model, version and input.",
		}, append(mv, "input")),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kiln_model_loads_total", Help: "Model loads, by model and result (ok or error).",
		}, []string{"model", "result"}),
		writeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiln_write_errors_total", Help: "Answers that could not be written to the client in full.",
		}),
		psiDesc: prometheus.NewDesc("kiln_input_psi",
			"Population stability index of each input over the recent rows (see kiln_drift_window_rows) against its training distribution.",
			append(mv, "input"), nil),
		windowDesc: prometheus.NewDesc("kiln_drift_window_rows", "Rows in the window kiln_input_psi is computed over.", mv, nil),
	}
	m.inFlight = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kiln_requests_in_flight", Help: "Scoring requests being handled.",
	}, func() float64 { return float64(s.inFlight.Load()) })
	reg.MustRegister(m, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) vecs() []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.errors, m.latency, m.rows, m.values, m.labels, m.unseenCats, m.loads, m.writeErrors, m.inFlight}
}

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.vecs() {
		c.Describe(ch)
	}
	ch <- m.psiDesc
	ch <- m.windowDesc
}

// Collect implements prometheus.Collector. The drift figures are computed
// here, at scrape time, not on every request.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.vecs() {
		c.Collect(ch)
	}
	seen := map[*loaded]bool{}
	for _, sl := range *m.s.slots.Load() {
		for _, v := range sl.list() {
			l := v.cur.Load()
			if l == nil || l.drift == nil || seen[l] {
				continue
			}
			seen[l] = true
			rows, psi := l.drift.psi()
			ch <- prometheus.MustNewConstMetric(m.windowDesc, prometheus.GaugeValue, float64(rows), l.name, l.version)
			if rows == 0 {
				continue
			}
			for i, in := range l.drift.inputs {
				ch <- prometheus.MustNewConstMetric(m.psiDesc, prometheus.GaugeValue, psi[i], l.name, l.version, in.name)
			}
		}
	}
}

// observe counts an answered request.
func (m *metrics) observe(c *call) {
	ei := endpointIndex(c.endpoint)
	if ei < 0 {
		return // health, metadata and the like are not counted
	}
	name, version := "", ""
	if c.model != nil {
		name, version = c.model.name, c.model.version
	}
	seconds := m.s.now().Sub(c.start).Seconds()
	if c.status == 200 && c.model != nil && c.model.obs != nil {
		o := c.model.obs
		o.ok[ei].Inc()
		o.latency[ei].Observe(seconds)
		o.rows.Add(float64(c.rows))
		return
	}
	m.requests.WithLabelValues(name, version, c.endpoint, strconv.Itoa(c.status)).Inc()
	m.latency.WithLabelValues(name, version, c.endpoint).Observe(seconds)
	if c.status >= 400 {
		m.errors.WithLabelValues(name, version, c.endpoint, c.reason).Inc()
	}
}

// forget drops the series of a version no longer served.
func (m *metrics) forget(name, version string) {
	labels := prometheus.Labels{"model": name, "version": version}
	for _, v := range []interface {
		DeletePartialMatch(prometheus.Labels) int
	}{m.requests.MetricVec, m.errors.MetricVec, m.latency.MetricVec, m.rows.MetricVec, m.values.MetricVec, m.labels.MetricVec, m.unseenCats.MetricVec} {
		v.DeletePartialMatch(labels)
	}
}

// modelObservers are one version's series, looked up once at load so that
// a request does not hash label values.
type modelObservers struct {
	m       *metrics
	l       *loaded
	ok      []prometheus.Counter
	latency []prometheus.Observer
	rows    prometheus.Counter
	values  prometheus.Observer
}

func (m *metrics) observers(l *loaded) *modelObservers {
	o := &modelObservers{m: m, l: l}
	for _, e := range endpoints {
		o.ok = append(o.ok, m.requests.WithLabelValues(l.name, l.version, e, "200"))
		o.latency = append(o.latency, m.latency.WithLabelValues(l.name, l.version, e))
	}
	o.rows = m.rows.WithLabelValues(l.name, l.version)
	if l.out.Kind == "value" {
		o.values = m.values.WithLabelValues(l.name, l.version)
	}
	return o
}

func (o *modelObservers) unseen(input string, n int) {
	o.m.unseenCats.WithLabelValues(o.l.name, o.l.version, input).Add(float64(n))
}

// predictions records the distribution of a request's predictions.
func (o *modelObservers) predictions(pred *dataset.Column) {
	if o.values != nil && pred.Type() == dataset.Float64 {
		for _, v := range pred.Float64s() {
			o.values.Observe(v)
		}
		return
	}
	counts := map[string]int{}
	for i := 0; i < pred.Len(); i++ {
		counts[pred.Format(i)]++
	}
	for label, n := range counts {
		o.m.labels.WithLabelValues(o.l.name, o.l.version, label).Add(float64(n))
	}
}
