package hightouch

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// maxBody bounds what is read from one answer.
const maxBody = 32 << 20

// maxRetryAfter bounds the Retry-After htgit reads, so that an absurd one
// cannot overflow a Duration; any wait past the call's deadline is refused.
const maxRetryAfter = 24 * time.Hour

// policy says when a request may be sent again.
type policy int

const (
	// idempotent requests (GET, PATCH) retry on network errors, 429 and 5xx.
	idempotent policy = iota
	// unsent requests (POST) retry only when Hightouch cannot have acted on
	// them: no connection was made, or the answer was 429 or 503.
	unsent
)

// request is one API call.
type request struct {
	method    string
	path      string // relative to the base URL
	query     url.Values
	body      any
	policy    policy
	requireID bool // a 2xx answer without "id" is an error
	trigger   bool // an ambiguous failure is ErrTriggerUncertain
}

func (r request) target() string {
	if len(r.query) == 0 {
		return r.path
	}
	return r.path + "?" + r.query.Encode()
}

// answer is the outcome of one attempt: an HTTP answer (status set), a
// failure (err set), or both when the body could not be read.
type answer struct {
	status    int
	header    http.Header
	body      []byte // the key already redacted
	err       error
	connected bool // the attempt got a connection, so the server may have read it
}

// send runs one call: attempts under the retry policy, each waiting on the
// shared rate limit, until an answer is final, the attempts run out, or a
// wait would outlive the call's deadline. A 2xx answer is decoded into out.
func (c *Client) send(ctx context.Context, r request, out any) error {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return c.fail(r, &Error{Err: err})
		}
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.deadline)
	defer cancel()
	a := c.attempt(ctx, r, body)
	for n := 1; n < c.maxAttempts && retryable(r.policy, a) && c.pause(ctx, r, n, a); n++ {
		a = c.attempt(ctx, r, body)
	}
	return c.result(parent, r, a, out)
}

// pause waits before attempt n+1 (counting from 1); false when it must not:
// the call's context ended, or the wait would outlive its deadline (the
// last answer is then reported, rather than one cut short).
func (c *Client) pause(ctx context.Context, r request, n int, a answer) bool {
	wait := c.backoff(n-1, a.header)
	if dl, ok := ctx.Deadline(); ctx.Err() != nil || ok && time.Now().Add(wait).After(dl) {
		return false
	}
	if c.log != nil {
		c.log.Debug("hightouch retry", "request", r.method+" "+r.path, "attempt", n+1, "wait", wait)
	}
	if c.notify != nil {
		what := fmt.Sprintf("Hightouch answered %d", a.status)
		if a.err != nil {
			what = "no answer from Hightouch (" + message(c.secret.redactString(a.err.Error())) + ")"
		}
		c.notify(fmt.Sprintf("%s to %s %s; retrying in %s (attempt %d of %d)",
			what, r.method, r.path, wait.Round(100*time.Millisecond), n+1, c.maxAttempts))
	}
	select { // (since Go 1.23 an unfired time.After needs no Stop)
	case <-time.After(wait):
		return true
	case <-ctx.Done():
		return false
	}
}

// attempt sends the request once and reads the whole answer.
func (c *Client) attempt(ctx context.Context, r request, body []byte) answer {
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.target(), rd)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the method and the path are said already
		}
		return answer{err: err, connected: connected.Load()}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	// A body that echoes the key must not carry it any further.
	return answer{status: resp.StatusCode, header: resp.Header, body: c.secret.redact(data), err: err, connected: true}
}

// retryable applies the retry rules to one attempt's answer.
func retryable(p policy, a answer) bool {
	if a.err != nil {
		// (A wait on the rate limit that the deadline ends stops the loop
		// through ctx.Err.)
		var certErr *tls.CertificateVerificationError
		switch {
		case errors.As(a.err, &certErr):
			return false // trying again cannot help
		case p == unsent:
			// Once connected, the request may have been read and acted on,
			// whatever went wrong afterwards (timeout, reset, cut body).
			return !a.connected
		}
		return true
	}
	switch code := a.status; {
	case code == http.StatusTooManyRequests, code == http.StatusServiceUnavailable:
		return true
	case code >= 500 && code != http.StatusNotImplemented:
		return p == idempotent
	}
	return false
}

// ambiguous reports whether Hightouch may have acted on the request without
// the client learning the result.
func ambiguous(a answer) bool {
	if a.err != nil {
		return a.connected
	}
	return a.status >= 500 && a.status != http.StatusServiceUnavailable && a.status != http.StatusNotImplemented
}

// result turns the last answer into the call's outcome.
func (c *Client) result(parent context.Context, r request, a answer, out any) error {
	if a.err != nil {
		e := &Error{Status: a.status, Err: a.err, Hint: "no usable answer from Hightouch", ambiguous: ambiguous(a)}
		if parent.Err() != nil {
			// The caller's timeout or cancel, not Hightouch: errors.Is finds
			// context.DeadlineExceeded or context.Canceled.
			e.Hint = "stopped: " + context.Cause(parent).Error()
			e.Err = fmt.Errorf("%w (%w)", a.err, context.Cause(parent))
		} else {
			e.unavailable = true
		}
		return c.fail(r, e)
	}
	if a.status < 200 || a.status > 299 {
		msg, details := decodeErrorBody(a.body)
		e := &Error{Status: a.status, Message: cmpOr(msg, http.StatusText(a.status)), Details: details,
			Hint: hint(a.status, details), ambiguous: ambiguous(a)}
		switch {
		case a.status >= 300 && a.status < 400:
			// Following it would send the key wherever the answer points.
			e.Hint = "Hightouch's API does not redirect; htgit does not follow redirects, so that the key goes nowhere else: check --api-url"
			if loc := a.header.Get("Location"); loc != "" {
				e.Hint = "redirected to " + message(c.secret.redactString(loc)) + "; " + e.Hint
			}
			e.unavailable = true
		case a.status == http.StatusTooManyRequests || a.status >= 500:
			e.unavailable = true
		case !json.Valid(bytes.TrimSpace(a.body)) && len(bytes.TrimSpace(a.body)) > 0:
			// An HTML page from a proxy or another host: not Hightouch's API.
			e.Hint = "the answer is not Hightouch's JSON but a page from something else: check --api-url, or try later"
			e.unavailable = true
		}
		if ra := a.header.Get("Retry-After"); ra != "" && a.status == http.StatusTooManyRequests {
			if d, ok := parseRetryAfter(ra, time.Now()); ok {
				e.Hint += "; Hightouch asked to wait " + d.Round(time.Second).String()
			} else {
				e.Hint += "; Hightouch's Retry-After could not be read"
			}
		}
		return c.fail(r, e)
	}
	if r.requireID {
		var probe struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(a.body, &probe) == nil {
			if id := string(probe.ID); id == "" || id == "null" || id == `""` {
				msg, details := decodeErrorBody(a.body)
				// For a trigger, Hightouch accepted it: a run may have started.
				return c.fail(r, &Error{Status: a.status, Message: cmpOr(msg, "answer without an id"), Details: details,
					Hint: "Hightouch answered success but sent no id", ambiguous: r.trigger, unavailable: true})
			}
		}
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			return c.fail(r, &Error{Status: a.status, Message: "malformed answer", Err: err,
				Hint: "Hightouch's answer is not the JSON its API documents", ambiguous: true, unavailable: true})
		}
		scrub(out)
	}
	return nil
}

// fail completes an error with the request and what it means for a trigger.
func (c *Client) fail(r request, e *Error) error {
	e.Method, e.Path, e.secret = r.method, r.target(), c.secret
	if r.trigger && e.ambiguous {
		// The sentinel says what to do; a hint such as "try again later"
		// would contradict it.
		e.Hint = ""
		if e.Err == nil {
			e.Err = ErrTriggerUncertain
		} else {
			e.Err = fmt.Errorf("%w; %w", e.Err, ErrTriggerUncertain)
		}
	}
	return e
}

// backoff is the wait before retry number attempt+1: Retry-After when the
// answer has one, else exponential from BackoffMin to BackoffMax with jitter
// (uniform over the upper half) so that goroutines hit by the same 429 do not
// come back together.
func (c *Client) backoff(attempt int, header http.Header) time.Duration {
	if d, ok := parseRetryAfter(header.Get("Retry-After"), time.Now()); ok {
		return d
	}
	d := c.backoffMax
	if attempt < 30 && c.backoffMin<<attempt < d {
		d = c.backoffMin << attempt
	}
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date, capped
// at maxRetryAfter.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseUint(v, 10, 64); err == nil {
		return min(time.Duration(min(s, uint64(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter), true
	} else if errors.Is(err, strconv.ErrRange) {
		return maxRetryAfter, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}
