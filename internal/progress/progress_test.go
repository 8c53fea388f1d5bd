package progress

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-ml/kiln"
)

// clock is a fake time source that the tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2013, 1, 1, 5, 0, 0, 0, time.UTC)} }

// A log (not a terminal) gets one line per LineEvery and a last line from
// Done, however often the work reports.
func TestLinesWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	b := newBar(&out, "vectorizing", false, LineEvery, c.now)
	for done := int64(1); done <= 120; done++ {
		c.add(100 * time.Millisecond) // 12 s in all, 120 reports
		b.Report(kiln.Progress{Stage: "count", Done: done, Total: 120})
	}
	b.Done()
	b.Report(kiln.Progress{Stage: "count", Done: 121, Total: 120}) // after Done: ignored
	want := "vectorizing: count 50/120 (41%), 5s elapsed, about 7s left\n" +
		"vectorizing: count 100/120 (83%), 10s elapsed, about 2s left\n" +
		"vectorizing: count 120/120 (100%), done in 12s\n"
	if got := out.String(); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}

// A terminal gets a bar redrawn in place (carriage return, padded over a
// longer previous line), at most every RedrawEvery, and a newline at Done.
func TestBarOnATerminal(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	b := newBar(&out, "k-means", true, RedrawEvery, c.now)
	c.add(40 * time.Millisecond)
	b.Report(kiln.Progress{Stage: "iteration", Done: 1, Total: 4, Value: 123456.5}) // too soon: not drawn
	c.add(80 * time.Millisecond)
	b.Report(kiln.Progress{Stage: "iteration", Done: 2, Total: 4, Value: 1000})
	c.add(10 * time.Millisecond)
	b.Report(kiln.Progress{Stage: "iteration", Done: 4, Total: 4, Value: 999}) // last unit: drawn at once
	b.Done()
	frames := strings.Split(out.String(), "\r")
	want := []string{
		"",
		"k-means: iteration [############............] 2/4 (50%), value 1000, 100ms elapsed, about 100ms left",
		"k-means: iteration [########################] 4/4 (100%), value 999, 100ms elapsed" + strings.Repeat(" ", 18),
		"k-means: iteration [########################] 4/4 (100%), value 999, done in 100ms" + "\n",
	}
	if len(frames) != len(want) {
		t.Fatalf("%d frames %q, want %d", len(frames), frames, len(want))
	}
	for i := range want {
		if frames[i] != want[i] {
			t.Errorf("frame %d:\n%q\nwant\n%q", i, frames[i], want[i])
		}
	}
}

// Without a total there is no bar and no percentage; a task that reported
// nothing still says how long it took.
func TestUnknownTotalAndNoReports(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	b := newBar(&out, "loading", false, LineEvery, c.now)
	c.add(6 * time.Second)
	b.Report(kiln.Progress{Stage: StageRead, Done: 2_500_000})
	c.add(1500 * time.Millisecond)
	b.Done()
	quiet := newBar(&out, "fitting", false, LineEvery, c.now)
	c.add(3 * time.Second)
	quiet.Done()
	want := "loading: read 2.5 MB, 6s elapsed\n" +
		"loading: read 2.5 MB, done in 7.5s\n" +
		"fitting: done in 3s\n"
	if got := out.String(); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}

func TestNilBarDrawsNothing(t *testing.T) {
	b := New(nil, "nothing")
	if b != nil || b.Func() != nil {
		t.Fatal("New(nil) should give a nil Bar with a nil Func")
	}
	b.Report(kiln.Progress{Stage: "count", Done: 1})
	b.Done()
}

func TestBufferIsNotATerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a bytes.Buffer is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
	if New(f, "x").tty {
		t.Error("New drew a bar on a regular file")
	}
}

func TestReaderReportsBytes(t *testing.T) {
	data := strings.Repeat("flights,", 1000)
	var last kiln.Progress
	calls := 0
	r := NewReader(strings.NewReader(data), int64(len(data)), func(p kiln.Progress) { last = p; calls++ })
	got, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil || string(got) != data {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if calls == 0 || last != (kiln.Progress{Stage: StageRead, Done: int64(len(data)), Total: int64(len(data))}) {
		t.Errorf("%d reports, last %+v", calls, last)
	}

	path := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	last = kiln.Progress{}
	whole, err := ReadFile(path, func(p kiln.Progress) { last = p })
	if err != nil || string(whole) != data || last.Done != int64(len(data)) || last.Total != int64(len(data)) {
		t.Errorf("ReadFile: %d bytes, %v, last report %+v", len(whole), err, last)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "absent"), nil); !os.IsNotExist(err) {
		t.Errorf("absent file: %v", err)
	}
}
