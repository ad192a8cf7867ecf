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
	secret   *secret
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.wait(req.Context()); err != nil {
		return nil, err
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

// wait takes a token of the shared rate limit. Unlike rate.Limiter.Wait,
// it does not refuse at once a wait that would outlast the deadline: it
// waits until the deadline, so that the caller sees its own timeout (the
// deploy's --timeout, exit 1) and not a client-side refusal.
func (t *transport) wait(ctx context.Context) error {
	r := t.limiter.Reserve()
	d := r.Delay()
	if d == 0 {
		return nil
	}
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	}
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
		// Transport errors can quote what the server sent.
		attrs = append(attrs, slog.String("error", message(t.secret.redactString(err.Error()))))
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
