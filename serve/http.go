package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// HTTPServer returns an http.Server for h with timeouts that keep slow or
// idle clients from holding connections: 5 s to send the headers, 30 s for
// the whole request, 30 s to take the answer, 2 minutes idle between
// requests on a kept-alive connection, and headers of at most 64 KiB.
func HTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Run serves srv on ln until ctx is done, then shuts it down gracefully:
// it stops accepting connections, closes idle ones, and waits up to drain
// for the requests in flight to be answered before closing the rest. It
// returns nil after a graceful shutdown.
func Run(ctx context.Context, srv *http.Server, ln net.Listener, drain time.Duration) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
