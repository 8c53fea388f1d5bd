package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/kiln-ml/kiln/persist"
	"github.com/kiln-ml/kiln/serve"
)

func init() {
	register(command{"serve", "serve a registry or a bundle over HTTP (OIP v2, rows, MLflow); SIGHUP reloads, SIGTERM drains", serveCmd})
}

func serveCmd(args []string, _ io.Reader, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiln serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	alias := fs.String("alias", "", `reference served without a version in the URL: an alias, "latest" or a number ("" = latest)`)
	def := fs.String("default", "", "model scored by /predict and /invocations (default: the only one)")
	poll := fs.Duration("poll", 2*time.Second, "how often to check the registry for moved aliases and new models (0: never; SIGHUP still reloads)")
	maxBody := fs.Int64("max-body", 8<<20, "largest request body in bytes")
	maxRows := fs.Int("max-rows", 100_000, "most rows in one request")
	maxInFlight := fs.Int("max-in-flight", 256, "most requests handled at once (then 503)")
	drain := fs.Duration("drain", 30*time.Second, "on SIGTERM or SIGINT, how long to wait for requests in flight")
	accessLog := fs.Bool("access-log", false, "log every request (log/slog, to stderr)")
	jsonLog := fs.Bool("json-log", false, "log as JSON")
	pprof := fs.Bool("pprof", false, "serve /debug/pprof/")
	rejectUnseen := fs.Bool("reject-unseen", false, "answer 400 to categories never seen in training instead of reporting them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kiln serve [flags] REGISTRY_DIR | BUNDLE.kiln\n\nRoutes are listed in the documentation of package serve (go doc github.com/kiln-ml/kiln/serve).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	logOut := stderr
	var logBuf *logBuffer
	if *accessLog {
		logBuf = newLogBuffer(stderr, 100*time.Millisecond)
		defer logBuf.Close()
		logOut = logBuf
	}
	var handler slog.Handler = slog.NewTextHandler(logOut, nil)
	if *jsonLog {
		handler = slog.NewJSONHandler(logOut, nil)
	}
	log := slog.New(handler)
	opts := serve.Options{Alias: *alias, Default: *def, PollInterval: *poll, MaxBodyBytes: *maxBody, MaxRows: *maxRows,
		MaxInFlight: *maxInFlight, Logger: log, AccessLog: *accessLog, Pprof: *pprof, RejectUnseen: *rejectUnseen}
	if *poll == 0 {
		opts.PollInterval = -1
	}
	target := fs.Arg(0)
	st, err := os.Stat(target)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	var s *serve.Server
	if st.IsDir() {
		s, err = serve.NewRegistry(&persist.Registry{Root: target}, opts)
	} else {
		s, err = serve.NewFile(target, opts)
	}
	if err != nil {
		return fail(stderr, "serve", err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			if err := s.Reload(ctx); err != nil {
				log.Error("reload", "error", err)
			}
		}
	}()
	log.Info("serving", "source", target, "addr", ln.Addr().String())
	if logBuf != nil {
		logBuf.flush() // scripts wait for this line
	}
	if err := serve.Run(ctx, serve.HTTPServer(*addr, s), ln, *drain); err != nil {
		return fail(stderr, "serve", err)
	}
	log.Info("stopped")
	return exitOK
}

// logBuffer batches log lines on their way to stderr: with -access-log
// every request writes a line, and a system call per line would cost more
// than scoring the request. Lines are written out when the buffer fills,
// every interval, and on Close.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newLogBuffer(w io.Writer, interval time.Duration) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.stop:
				b.flush()
				return
			}
		}
	}()
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *logBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.w.Flush()
}

// Close writes out what is buffered and stops the flushing.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	return nil
}
