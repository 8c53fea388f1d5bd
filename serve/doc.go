// Package serve is an http.Handler that scores requests with kiln models:
// every model, version and alias of a persist.Registry (NewRegistry), or a
// single bundle file (NewFile).
//
//	reg := &persist.Registry{Root: "models"}
//	s, err := serve.NewRegistry(reg, serve.Options{Alias: "production"})
//	...
//	defer s.Close()
//	srv := serve.HTTPServer("127.0.0.1:8080", s)
//	ln, _ := net.Listen("tcp", srv.Addr)
//	serve.Run(ctx, srv, ln, 30*time.Second) // until ctx is done, then drains
//
// # Routes
//
// The Open Inference Protocol v2 (KServe V2, also spoken by Triton and
// Seldon) over REST:
//
//	GET  /v2                                      server metadata
//	GET  /v2/health/live, /v2/health/ready        liveness, readiness (503 until every model is loaded)
//	GET  /v2/models/NAME[/versions/V]             model metadata: inputs and outputs with datatypes and shapes
//	GET  /v2/models/NAME[/versions/V]/ready       model readiness
//	POST /v2/models/NAME[/versions/V]/infer       inference
//
// An inference request holds one tensor per input column, named as the
// column, of shape [N] or [N, 1] (BYTES for strings and RFC 3339
// timestamps, BOOL, any integer or float datatype for numbers), or a single
// tensor of shape [N, K] holding the K inputs in the model's order. The
// answer holds the predictions as the output named by the model (FP64
// values, class labels typed like the training target, INT64 cluster ids)
// and, for a classifier, NAME_probabilities of shape [N, classes]. The
// request's "id" is echoed; "parameters" are accepted and unused, except
// "binary_data": true, which is refused.
//
// Rows, for people and scripts: POST /models/NAME[/versions/V]/predict, or
// /predict for the default model, with {"rows": [{"column": value, ...},
// ...]} or a bare array of such objects, answered with
// {"model", "version", "request_id", "predictions"} (and "classes" and
// "probabilities" for a classifier).
//
// MLflow's scoring server: POST /invocations (the default model) or
// /models/NAME[/versions/V]/invocations, with "dataframe_split",
// "dataframe_records", "instances" or "inputs" as MLflow 2 accepts them, or
// CSV with a header row (Content-Type: text/csv); answered with
// {"predictions": [...]} and the model and version beside. GET /ping and
// /health answer as MLflow's do.
//
// GET /metrics serves Prometheus metrics; with Options.Pprof,
// /debug/pprof/; with Options.ReloadRoute, POST /admin/reload.
//
// V in a path is a version number, an alias or "latest"; without it the
// server uses Options.Alias. Every answer carries the headers Kiln-Model and
// Kiln-Model-Version (and names both in its body when a model was found)
// and X-Request-Id: the client's, if it sent a printable one of at most 128
// characters, or a new one.
//
// # Validation
//
// A request is decoded straight into typed columns, checked against the
// model's input schema: numbers are any finite JSON number (NaN, Infinity
// and values beyond the float64 range are refused), an integer column takes
// exact integers only, strings are strings, booleans are true or false,
// null is a missing value (which the model may impute or refuse). Missing
// and unknown columns, wrong types and malformed JSON are answered 400 with
// a message naming the row (counted from 0, in the order the client sent
// the rows) and the column. A prediction that is not finite (an input of
// 1e308 can make one) is answered 422, never as a number. A category never
// seen in training (known from the bundle's input profile) is scored as the
// model's encoder handles unknown levels, listed in the answer ("unseen")
// and counted in kiln_unseen_categories_total; Options.RejectUnseen refuses
// such requests instead.
//
// # Limits
//
// A body larger than Options.MaxBodyBytes (8 MiB) or holding more than
// MaxRows (100,000) rows is answered 413; beyond MaxInFlight (256) requests
// at once, or when the bodies being read hold more than BodyBudget (64 MiB)
// together, the server answers 503 with Retry-After: 1; a body that does
// not arrive within BodyReadTimeout (10 s) is answered 408. Bytes are
// counted against the budget as they arrive, so slow clients hold only what
// they sent. The heap a request needs is bounded by a small multiple of its
// body (at most 24 bytes of columns per byte of JSON, before the model's own
// matrices), so a server's request memory stays under about 25 x BodyBudget
// plus the models. HTTPServer sets the connection timeouts and Run shuts
// down gracefully, draining the requests in flight.
//
// A scoring request borrows its model's buffers (the decoded columns, the
// Frame over them, the answer) from a pool and returns them when answered,
// so that a one-row request costs the handler a few allocations besides
// net/http's and the model's own (BenchmarkRowsOneRow, BenchmarkInferOneRow);
// requests of more than 1,024 rows leave their buffers to the collector.
//
// # Hot reload
//
// Every PollInterval (2 s) and on Reload, the server lists the registry's
// models and resolves again every alias it follows; when one has moved, the
// new version is loaded and swapped in atomically. Requests in flight
// finish on the version they started with; reloads are serialised, so a
// later reload never installs an older resolution than an earlier one
// (moving an alias back, a rollback, is followed like any other move). A
// version that fails to load leaves the previous one serving. A bundle file
// is reloaded when its size or modification time changes; its version is
// its digest.
//
// # Metrics
//
// kiln_requests_total, kiln_request_errors_total (by reason) and
// kiln_request_duration_seconds by model, version and endpoint;
// kiln_rows_scored_total; kiln_prediction_value (a histogram of regression
// predictions) and kiln_predictions_total (by class label or cluster id);
// kiln_unseen_categories_total by input; kiln_model_loads_total;
// kiln_requests_in_flight; kiln_write_errors_total; and input drift:
// kiln_input_psi, the population stability index of each profiled input
// over the last DriftWindow (10,000) rows against the training distribution
// the bundle records, with kiln_drift_window_rows. Series of a version no
// longer served are dropped.
package serve
