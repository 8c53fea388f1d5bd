// Package progress draws kiln.Progress reports for a person watching a long
// run: a bar redrawn in place when the output is a terminal, and a plain line
// every few seconds when it is not (a log file, CI), so that neither a screen
// nor a log fills with noise.
//
//	bar := progress.New(os.Stderr, "vectorizing")
//	words := &text.CountVectorizer{Progress: bar.Func()}
//	x, err := words.FitTransform(ctx, docs)
//	bar.Done()
//
// A nil *Bar (New with a nil writer) draws nothing and its Func is nil, so a
// program passes progress on or off through one writer.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kiln-ml/kiln"
)

// Defaults of New.
const (
	// LineEvery is how often a Bar writes a line when its writer is not a
	// terminal.
	LineEvery = 5 * time.Second
	// RedrawEvery is how often at most a Bar redraws itself on a terminal.
	RedrawEvery = 100 * time.Millisecond
	// BarWidth is the width of the drawn bar in characters.
	BarWidth = 24
)

// Bar renders the progress of one task. Its methods may be called from
// several goroutines.
type Bar struct {
	w     io.Writer
	label string
	tty   bool
	every time.Duration // between lines, or between redraws on a terminal
	now   func() time.Time

	mu       sync.Mutex
	start    time.Time
	last     time.Time // when something was last written
	p        kiln.Progress
	reported bool
	width    int // length of the line last drawn on a terminal, to blank its tail
	done     bool
}

// New returns a Bar that writes to w, naming its task label. It draws a bar
// in place when w is a terminal (an *os.File on a character device, with TERM
// not "dumb") and a line every LineEvery otherwise. It returns nil when w is
// nil.
func New(w io.Writer, label string) *Bar {
	if w == nil {
		return nil
	}
	tty := IsTerminal(w)
	every := LineEvery
	if tty {
		every = RedrawEvery
	}
	return newBar(w, label, tty, every, time.Now)
}

func newBar(w io.Writer, label string, tty bool, every time.Duration, now func() time.Time) *Bar {
	t := now()
	return &Bar{w: w, label: label, tty: tty, every: every, now: now, start: t, last: t}
}

// IsTerminal reports whether w is a terminal that a bar can be redrawn on.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Func returns the Bar's Report as a kiln.ProgressFunc, or nil for a nil Bar,
// so that a learner with no Bar makes no calls at all.
func (b *Bar) Func() kiln.ProgressFunc {
	if b == nil {
		return nil
	}
	return b.Report
}

// Report records p and draws it if enough time has passed since the last
// drawing (on a terminal, also when p is the last unit of its stage).
func (b *Bar) Report(p kiln.Progress) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.p, b.reported = p, true
	t := b.now()
	finished := p.Total > 0 && p.Done >= p.Total
	if t.Sub(b.last) < b.every && !(b.tty && finished) {
		return
	}
	b.last = t
	b.draw(t, false)
}

// Done draws the final state and ends the Bar's line: on a terminal the bar
// is left on screen, otherwise a last line says how long the task took.
// Reports after Done are ignored.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	b.draw(b.now(), true)
}

// draw writes the current state; b.mu is held.
func (b *Bar) draw(t time.Time, final bool) {
	elapsed := t.Sub(b.start)
	var s strings.Builder
	s.WriteString(b.label)
	p := b.p
	if b.reported {
		s.WriteString(": ")
		s.WriteString(p.Stage)
		if b.tty && p.Total > 0 {
			s.WriteString(" ")
			s.WriteString(drawBar(p.Done, p.Total, BarWidth))
		}
		fmt.Fprintf(&s, " %s", amount(p))
		if p.Total > 0 {
			fmt.Fprintf(&s, " (%d%%)", percent(p.Done, p.Total))
		}
		if p.Value != 0 {
			fmt.Fprintf(&s, ", value %.6g", p.Value)
		}
		s.WriteString(",")
	} else {
		s.WriteString(":")
	}
	switch {
	case final:
		fmt.Fprintf(&s, " done in %s", duration(elapsed))
	case p.Total > 0 && p.Done > 0 && p.Done < p.Total:
		left := time.Duration(float64(elapsed) * float64(p.Total-p.Done) / float64(p.Done))
		fmt.Fprintf(&s, " %s elapsed, about %s left", duration(elapsed), duration(left))
	default:
		fmt.Fprintf(&s, " %s elapsed", duration(elapsed))
	}
	line := s.String()
	if !b.tty {
		fmt.Fprintln(b.w, line)
		return
	}
	pad := ""
	if n := len(line); n < b.width {
		pad = strings.Repeat(" ", b.width-n)
	}
	b.width = len(line)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(b.w, "\r%s%s%s", line, pad, end)
}

// drawBar returns a bar of width characters filled in proportion to done.
func drawBar(done, total int64, width int) string {
	fill := int(float64(width) * float64(min(max(done, 0), total)) / float64(total))
	return "[" + strings.Repeat("#", fill) + strings.Repeat(".", width-fill) + "]"
}

func percent(done, total int64) int64 {
	return 100 * min(max(done, 0), total) / total
}

// amount formats the units done (and in all): bytes for Stage "read",
// counts otherwise.
func amount(p kiln.Progress) string {
	if p.Stage == StageRead {
		if p.Total > 0 {
			return fmt.Sprintf("%.1f/%.1f MB", float64(p.Done)/1e6, float64(p.Total)/1e6)
		}
		return fmt.Sprintf("%.1f MB", float64(p.Done)/1e6)
	}
	if p.Total > 0 {
		return fmt.Sprintf("%d/%d", p.Done, p.Total)
	}
	return fmt.Sprintf("%d", p.Done)
}

// duration rounds d for people: tenths of a second below a minute, whole
// seconds above.
func duration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
