package hightouch

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// transport waits on the shared rate limit before every attempt, bounds each
// attempt by its own timeout (started after that wait, so queueing behind the
// limit does not eat into it) and logs each request for --debug.
type transport struct {
	next     http.RoundTripper
	limiter  *rate.Limiter
	timeout  time.Duration
	log      *slog.Logger
	basePath string
}

// limitError is a rate-limit wait that cannot finish before the deadline.
type limitError struct{ err error }

func (e *limitError) Error() string { return "client-side rate limit: " + e.err.Error() }
func (e *limitError) Unwrap() error { return e.err }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(req.Context()); err != nil {
		return nil, &limitError{err}
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	start := time.Now()
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if t.log != nil {
		t.logRequest(req, resp, err, time.Since(start))
	}
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{resp.Body, cancel}
	return resp, nil
}

// logRequest writes the method, the path and the outcome: never a header.
func (t *transport) logRequest(req *http.Request, resp *http.Response, err error, d time.Duration) {
	path := strings.TrimPrefix(req.URL.Path, t.basePath)
	if req.URL.RawQuery != "" {
		path += "?" + req.URL.RawQuery
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", path),
		slog.Duration("duration", d.Round(time.Microsecond)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	t.log.LogAttrs(req.Context(), slog.LevelDebug, "hightouch request", attrs...)
}

// cancelOnClose ends the attempt's timeout once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
