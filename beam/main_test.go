package beam

import (
	"encoding/json"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
)

// TestMain runs the tests' pipelines on prism, in this process.
// KILN_BEAM_DEBUG=1 shows prism's debug log (bundles, stages).
func TestMain(m *testing.M) {
	if os.Getenv("KILN_BEAM_DEBUG") != "" {
		slog.SetLogLoggerLevel(slog.LevelDebug)
	}
	ptest.Main(m)
}

// sinks hold what collect gathers. The pipelines of the tests run in this
// process (prism's loopback workers), so a sink is a plain guarded slice.
var sinks sync.Map // name -> *sink

type sink struct {
	mu    sync.Mutex
	items [][]byte
}

func init() {
	register.DoFn1x0[[]byte](&sinkFn{})
	register.Function1x2(toJSON)
}

type sinkFn struct{ Name string }

func (f *sinkFn) ProcessElement(b []byte) {
	v, _ := sinks.Load(f.Name)
	s := v.(*sink)
	s.mu.Lock()
	s.items = append(s.items, b)
	s.mu.Unlock()
}

func toJSON(v beam.T) ([]byte, error) { return json.Marshal(v) }

// collect adds a step that gathers col's elements, JSON-encoded, for
// gathered to read after the pipeline ran.
func collect(s beam.Scope, name string, col beam.PCollection) {
	sinks.Store(name, &sink{})
	beam.ParDo0(s, &sinkFn{Name: name}, beam.ParDo(s, toJSON, col))
}

// gathered decodes the elements collect gathered under name into a []T.
func gathered[T any](t *testing.T, name string) []T {
	t.Helper()
	v, ok := sinks.Load(name)
	if !ok {
		t.Fatalf("no sink %q", name)
	}
	s := v.(*sink)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]T, len(s.items))
	for i, b := range s.items {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatalf("sink %q item %d (%s): %v", name, i, reflect.TypeFor[T](), err)
		}
	}
	return out
}
