package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memoryBound is the documented bound on the heap of a server (and, here,
// of the test's own clients) while it is sent the bad requests below: the
// 8 MiB body limit, the 64 MiB budget of request bytes held at once, and the
// models.
const memoryBound = 256 << 20

// repeatReader yields head, then body repeated, then tail, n bytes in all,
// without holding them in memory.
type repeatReader struct {
	head, body, tail []byte
	n, off           int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	written := 0
	for written < len(p) && r.off < r.n {
		var b byte
		switch {
		case r.off < int64(len(r.head)):
			b = r.head[r.off]
		case r.off >= r.n-int64(len(r.tail)):
			b = r.tail[r.off-(r.n-int64(len(r.tail)))]
		default:
			b = r.body[(r.off-int64(len(r.head)))%int64(len(r.body))]
		}
		p[written] = b
		written++
		r.off++
	}
	return written, nil
}

func TestBadRequests(t *testing.T) {
	_, _, houses := trained(t)
	s, ts := newTestServer(t, newRegistry(t), Options{})
	_, small := newTestServer(t, newRegistry(t), Options{MaxRows: 10})
	good := housingRows(houses, 0)[0]
	row := func(edit func(map[string]any)) []byte {
		r := map[string]any{}
		for k, v := range good {
			r[k] = v
		}
		edit(r)
		return mustJSON(t, map[string]any{"rows": []any{r}})
	}
	raw := func(field, value string) []byte {
		b := row(func(r map[string]any) { r[field] = "@@" })
		return bytes.Replace(b, []byte(`"@@"`), []byte(value), 1)
	}
	oip := func(inputs string) []byte { return []byte(`{"inputs":[` + inputs + `]}`) }
	irisTensor := func(datatype, shape, data string) []byte {
		return oip(`{"name":"x","datatype":"` + datatype + `","shape":` + shape + `,"data":` + data + `}`)
	}
	emptyRows := append([]byte(`{"rows":[`), bytes.Repeat([]byte(`{},`), 8_000_000/3)...)
	emptyRows = append(emptyRows[:len(emptyRows)-1], "]}"...)

	rows, infer, invocations := "/models/housing/predict", "/v2/models/iris/infer", "/invocations"
	cases := []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		message                         string
		server                          string // "" is the default server
	}{
		{"malformed JSON", "POST", rows, "", []byte(`{"rows": [`), 400, "malformed JSON at byte 10: the body ends", ""},
		{"not JSON", "POST", rows, "", []byte(`hello`), 400, "malformed JSON at byte 0", ""},
		{"empty body", "POST", rows, "", nil, 400, "the body ends", ""},
		{"trailing garbage", "POST", rows, "", append(row(func(map[string]any) {}), " xyz"...), 400, "unexpected data after the JSON document", ""},
		{"two documents", "POST", rows, "", append(row(func(map[string]any) {}), row(func(map[string]any) {})...), 400, "unexpected data after the JSON document", ""},
		{"string for a number", "POST", rows, "", row(func(r map[string]any) { r["total_rooms"] = "880" }), 400, `row 0, column "total_rooms": expected a number, got a string`, ""},
		{"boolean for a number", "POST", rows, "", row(func(r map[string]any) { r["latitude"] = true }), 400, `row 0, column "latitude": expected a number, got a boolean`, ""},
		{"number for a category", "POST", rows, "", row(func(r map[string]any) { r["ocean_proximity"] = 3 }), 400, `row 0, column "ocean_proximity": expected a string, got a number`, ""},
		{"object for a number", "POST", rows, "", row(func(r map[string]any) { r["population"] = map[string]any{} }), 400, `column "population": expected a number, got an object`, ""},
		{"missing column", "POST", rows, "", row(func(r map[string]any) { delete(r, "median_income") }), 400, `row 0: missing column "median_income"`, ""},
		{"extra column", "POST", rows, "", row(func(r map[string]any) { r["color"] = "red" }), 400, `row 0: unknown column "color" (the model reads longitude, latitude`, ""},
		{"duplicate column", "POST", rows, "", bytes.Replace(row(func(map[string]any) {}), []byte(`{"households"`), []byte(`{"households":1,"households"`), 1), 400, `column "households" appears twice`, ""},
		{"NaN", "POST", rows, "", raw("total_rooms", "NaN"), 400, "NaN and Infinity are not JSON numbers", ""},
		{"Infinity", "POST", rows, "", raw("total_rooms", "Infinity"), 400, "NaN and Infinity are not JSON numbers", ""},
		{"-Infinity", "POST", rows, "", raw("total_rooms", "-Infinity"), 400, "NaN and Infinity are not JSON numbers", ""},
		{"1e309", "POST", rows, "", raw("total_rooms", "1e309"), 400, `column "total_rooms": 1e309 is outside the range of a 64-bit float`, ""},
		{"1e308", "POST", rows, "", raw("total_rooms", "1e308"), 422, "row 0: the prediction is -Inf, not a finite number", ""},
		{"bad number", "POST", rows, "", raw("total_rooms", "01"), 400, "malformed JSON", ""},
		{"no rows", "POST", rows, "", []byte(`{"rows":[]}`), 400, "no rows to score", ""},
		{"rows not a list", "POST", rows, "", []byte(`{"rows":{}}`), 400, "expected an array of rows, got an object", ""},
		{"row not an object", "POST", rows, "", []byte(`{"rows":[[1,2]]}`), 400, "row 0: expected an object of column values, got an array", ""},
		{"unknown field", "POST", rows, "", []byte(`{"row":[]}`), 400, `unknown field "row"`, ""},
		{"invalid UTF-8", "POST", rows, "", raw("ocean_proximity", "\"NEAR \xff BAY\""), 400, "not valid UTF-8", ""},
		{"lone surrogate", "POST", rows, "", raw("ocean_proximity", `"\ud800"`), 400, "lone UTF-16 surrogate", ""},
		{"control character", "POST", rows, "", raw("ocean_proximity", "\"a\tb\""), 400, "control character", ""},
		{"deep nesting", "POST", "/models/housing/invocations", "", append(append([]byte(`{"x":`), bytes.Repeat([]byte("["), 100_000)...), bytes.Repeat([]byte("]"), 100_000)...), 400, "nested deeper than 64 levels", ""},
		{"8 MB of empty rows", "POST", rows, "", emptyRows, 400, `row 0: missing column "longitude"`, ""},
		{"too many rows", "POST", rows, "", mustJSON(t, map[string]any{"rows": housingRows(houses, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)}), 413, "more than 10 rows in one request", "small"},
		{"wrong method", "GET", rows, "", nil, 405, "GET /models/housing/predict: use POST", ""},
		{"wrong method on infer", "PUT", infer, "", nil, 405, "use POST", ""},
		{"wrong path", "POST", "/v3/models/housing/infer", "", nil, 404, "no route POST /v3/models/housing/infer", ""},
		{"unknown model", "POST", "/models/prices/predict", "", row(func(map[string]any) {}), 404, `no model "prices" (the server has housing, iris)`, ""},
		{"unknown version", "POST", "/models/housing/versions/9/predict", "", row(func(map[string]any) {}), 404, `model "housing" has no version or alias "9"`, ""},
		{"no default model", "POST", "/predict", "", row(func(map[string]any) {}), 404, "several models (housing, iris) and no default", ""},
		{"OIP shape and data disagree", "POST", infer, "", irisTensor("FP64", "[2,4]", "[1,2,3,4,5,6,7]"), 400, `input "x": shape [2 4] holds 8 values, but data has 7`, ""},
		{"OIP datatype of another type", "POST", infer, "", irisTensor("BYTES", "[1,4]", `["a","b","c","d"]`), 400, `datatype BYTES does not fit the model's float64 column "Sepal.Length"`, ""},
		{"OIP value outside its datatype", "POST", infer, "", irisTensor("UINT8", "[1,4]", "[1,2,300,4]"), 400, "300 is outside the range of UINT8", ""},
		{"OIP unknown datatype", "POST", infer, "", irisTensor("FLOAT", "[1,4]", "[1,2,3,4]"), 400, `unknown datatype "FLOAT"`, ""},
		{"OIP negative dimension", "POST", infer, "", irisTensor("FP64", "[-1,4]", "[1,2,3,4]"), 400, "dimension -1 is not an unsigned 64-bit integer", ""},
		{"OIP unknown input", "POST", infer, "", oip(`{"name":"petal","datatype":"FP64","shape":[1],"data":[1]},{"name":"Sepal.Width","datatype":"FP64","shape":[1],"data":[1]}`), 400, `input "petal" is not an input of the model`, ""},
		{"OIP missing column", "POST", infer, "", oip(`{"name":"Sepal.Width","datatype":"FP64","shape":[1],"data":[1]}`), 400, `no input tensor for the model's column "Sepal.Length"`, ""},
		{"OIP no inputs", "POST", infer, "", []byte(`{"id":"1"}`), 400, `no "inputs"`, ""},
		{"OIP input without data", "POST", infer, "", oip(`{"name":"x","datatype":"FP64","shape":[1,4]}`), 400, `input "x": no "data"`, ""},
		{"OIP unknown output", "POST", infer, "", []byte(`{"inputs":[{"name":"x","datatype":"FP64","shape":[1,4],"data":[1,2,3,4]}],"outputs":[{"name":"scores"}]}`), 400, `no output "scores"`, ""},
		{"OIP shape too large", "POST", infer, "", irisTensor("FP64", "[18446744073709551615,4]", "[1,2,3,4]"), 413, "more than 100000 rows", ""},
		{"MLflow no format", "POST", invocations, "application/json", []byte(`{"data":[[1]]}`), 404, "several models", ""},
		{"MLflow no format", "POST", "/models/housing/invocations", "application/json", []byte(`{"data":[[1]]}`), 400, `exactly one of the fields "dataframe_split", "dataframe_records", "instances", "inputs"; got fields [data]`, ""},
		{"MLflow two formats", "POST", "/models/housing/invocations", "application/json", []byte(`{"instances":[],"inputs":[]}`), 400, `both "instances" and "inputs"`, ""},
		{"MLflow a list", "POST", "/models/housing/invocations", "application/json", []byte(`[]`), 400, "got a list", ""},
		{"MLflow content type", "POST", "/models/housing/invocations", "text/plain", []byte(`{}`), 415, "reads application/json or text/csv", ""},
		{"MLflow charset", "POST", "/models/housing/invocations", "application/json; charset=latin-1", []byte(`{}`), 415, "only reads UTF-8", ""},
		{"MLflow split row too long", "POST", "/models/housing/invocations", "application/json", []byte(`{"dataframe_split":{"data":[[1,2,3,4,5,6,7,8,"a",9]]}}`), 400, "row 0: more values than the 9 columns", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := ts.URL
			if c.server == "small" {
				base = small.URL
			}
			status, h, out := do(t, c.method, base+c.path, c.contentType, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, out)
			}
			msg, _ := decodeJSON(t, out)["error"].(string)
			if !strings.Contains(msg, c.message) {
				t.Fatalf("message %q does not say %q", msg, c.message)
			}
			if h.Get("X-Request-Id") == "" {
				t.Fatal("no request id")
			}
		})
	}
	if len(cases) < 25 {
		t.Fatalf("%d cases", len(cases))
	}
	_ = s
}

// TestHugeAndSlowBodies sends a 100 MB body (declared and chunked) and 200
// connections that send their body slowly, while ordinary requests go on:
// each bad one is answered with its status and message, the ordinary ones
// succeed, and the heap stays under memoryBound.
func TestHugeAndSlowBodies(t *testing.T) {
	_, _, houses := trained(t)
	_, ts := newTestServer(t, newRegistry(t), Options{BodyReadTimeout: time.Second})
	url := ts.URL + "/models/housing/predict"
	_, patient := newTestServer(t, newRegistry(t), Options{}) // the default 10 s to send a body
	good := mustJSON(t, map[string]any{"rows": housingRows(houses, 0)})

	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	huge := func(chunked bool) (int, string) {
		body := &repeatReader{head: []byte(`{"rows":[`), body: good[len(`{"rows":[`) : len(good)-2], tail: []byte("]}"), n: 100 << 20}
		req, _ := http.NewRequest("POST", patient.URL+"/models/housing/predict", body)
		if !chunked {
			req.ContentLength = body.n
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error() // the server may close before the client has sent everything
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, chunked := range []bool{false, true} {
		status, msg := huge(chunked)
		if status != 0 && (status != 413 || !strings.Contains(msg, "larger than 8388608 bytes")) {
			t.Fatalf("100 MB body (chunked %v): %d %s", chunked, status, msg)
		}
	}

	// 200 connections that send headers and a little of their body, then stall.
	host := strings.TrimPrefix(ts.URL, "http://")
	var wg sync.WaitGroup
	answers := make(chan string, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", host)
			if err != nil {
				answers <- "dial: " + err.Error()
				return
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST /models/housing/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(good), good[:10])
			conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				answers <- "read: " + err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			answers <- fmt.Sprintf("%d %s", resp.StatusCode, b)
		}()
	}
	// Meanwhile ordinary requests are served.
	for i := 0; i < 20; i++ {
		status, _, out := do(t, "POST", url, "application/json", good)
		if status != 200 {
			t.Fatalf("an ordinary request during the slow ones: %d %s", status, out)
		}
	}
	wg.Wait()
	close(answers)
	for a := range answers {
		if !strings.HasPrefix(a, "408 ") || !strings.Contains(a, "did not arrive in time") {
			t.Fatalf("a slow body got %q", a)
		}
	}
	close(stop)
	sampler.Wait()
	if status, _, _ := do(t, "GET", ts.URL+"/v2/health/live", "", nil); status != 200 {
		t.Fatal("the server is not live")
	}
	t.Logf("peak heap in use: %.1f MiB (bound %d MiB)", float64(peak.Load())/(1<<20), memoryBound>>20)
	if peak.Load() > memoryBound {
		t.Fatalf("peak heap %d bytes, over the bound %d", peak.Load(), memoryBound)
	}
}
