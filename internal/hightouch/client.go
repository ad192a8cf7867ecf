// Package hightouch is htgit's client for Hightouch's REST API: typed calls
// for sources, destinations, models, syncs and runs, with retries that can
// never start a sync twice, a shared client-side rate limit, and errors that
// say what went wrong without ever showing the API key.
package hightouch

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// DefaultBaseURL is Hightouch's API v1.
const DefaultBaseURL = "https://api.hightouch.com/api/v1"

// Defaults for the zero fields of Config.
const (
	DefaultMaxAttempts    = 5
	DefaultDeadline       = 2 * time.Minute
	DefaultRequestTimeout = 30 * time.Second
	DefaultBackoffMin     = 500 * time.Millisecond
	DefaultBackoffMax     = 30 * time.Second
	// DefaultRateLimit and DefaultRateBurst keep any 10-second window at or
	// below Hightouch's reported 200 requests (50 + 15×10), so the client
	// slows itself down before Hightouch has to answer 429.
	DefaultRateLimit = rate.Limit(15)
	DefaultRateBurst = 50
)

// maxBody bounds what is read from one answer.
const maxBody = 32 << 20

// Config configures a Client. Only APIKey is required.
type Config struct {
	BaseURL string // default DefaultBaseURL; plain http only for a loopback host
	APIKey  string `json:"-"` // the workspace API key, sent as a Bearer token
	Version string // htgit's version, for the User-Agent; default "dev"

	// HTTPClient is the client to send with; default a pooled client. It is
	// copied, not modified; redirects are never followed (the key must not
	// travel elsewhere).
	HTTPClient *http.Client `json:"-"`

	MaxAttempts    int           // attempts per call, the first included; default 5
	Deadline       time.Duration // per call, all attempts and waits included; default 2m
	RequestTimeout time.Duration // per attempt, after the rate-limit wait; default 30s
	BackoffMin     time.Duration // first retry wait (before jitter); default 500ms
	BackoffMax     time.Duration // longest retry wait without Retry-After; default 30s

	// RateLimit and RateBurst shape a token bucket that every request of this
	// client, from any goroutine, retries included, waits on.
	RateLimit rate.Limit
	RateBurst int

	// Logger receives one Debug record per HTTP request (method, path,
	// status, duration); nil logs nothing. It never sees the key or headers.
	Logger *slog.Logger `json:"-"`
}

// String keeps the key out of %v and %+v.
func (c Config) String() string {
	c.APIKey = redacted(c.APIKey)
	type plain Config
	return fmt.Sprintf("%+v", plain(c))
}

// GoString keeps the key out of %#v.
func (c Config) GoString() string { return "hightouch." + c.String() }

// LogValue keeps the key out of slog records.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("baseURL", c.BaseURL),
		slog.String("apiKey", redacted(c.APIKey)),
		slog.String("version", c.Version),
	)
}

func redacted(key string) string {
	if key == "" {
		return ""
	}
	return "[redacted]"
}

// Client calls Hightouch. It is safe for concurrent use; all goroutines share
// its rate limit.
type Client struct {
	base        string // without trailing slash
	basePath    string // the base URL's path, cut from logged paths
	key         string
	userAgent   string
	http        *http.Client
	maxAttempts int
	deadline    time.Duration
	backoffMin  time.Duration
	backoffMax  time.Duration
	log         *slog.Logger
}

// String keeps the key out of formatted output.
func (c *Client) String() string { return "hightouch.Client{" + c.base + "}" }

// GoString keeps the key out of %#v.
func (c *Client) GoString() string { return c.String() }

// New checks cfg, fills in defaults and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("hightouch: no API key")
	}
	if strings.ContainsAny(cfg.APIKey, " \t\r\n") {
		return nil, errors.New("hightouch: the API key contains white space")
	}
	base, err := checkBaseURL(cmpOr(cfg.BaseURL, DefaultBaseURL))
	if err != nil {
		return nil, err
	}
	hc := *cmpOr(cfg.HTTPClient, cleanhttp.DefaultPooledClient())
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	limit := cmpOr(cfg.RateLimit, DefaultRateLimit)
	burst := cmpOr(cfg.RateBurst, DefaultRateBurst)
	hc.Transport = &transport{
		next:     cmpOr(hc.Transport, http.DefaultTransport),
		limiter:  rate.NewLimiter(limit, burst),
		timeout:  cmpOr(cfg.RequestTimeout, DefaultRequestTimeout),
		log:      cfg.Logger,
		basePath: base.Path,
	}
	return &Client{
		base:        base.String(),
		basePath:    base.Path,
		key:         cfg.APIKey,
		userAgent:   "htgit/" + cmpOr(cfg.Version, "dev"),
		http:        &hc,
		maxAttempts: max(1, cmpOr(cfg.MaxAttempts, DefaultMaxAttempts)),
		deadline:    cmpOr(cfg.Deadline, DefaultDeadline),
		backoffMin:  cmpOr(cfg.BackoffMin, DefaultBackoffMin),
		backoffMax:  cmpOr(cfg.BackoffMax, DefaultBackoffMax),
		log:         cfg.Logger,
	}, nil
}

// cmpOr is cmp.Or for types that are comparable but not ordered.
func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// checkBaseURL refuses what would send the key in clear text or to a
// surprising place: plain http to a non-loopback host, credentials, a query.
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, fmt.Errorf("hightouch: base URL: %w", err)
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("hightouch: base URL %q has no host", raw)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("hightouch: the base URL must not carry credentials, a query or a fragment")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		return nil, fmt.Errorf("hightouch: refusing plain http to %s: the API key would travel unencrypted (use https)", u.Host)
	default:
		return nil, fmt.Errorf("hightouch: base URL scheme %q is not https", u.Scheme)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

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

// send runs one call with retries and decodes a 2xx answer into out.
func (c *Client) send(ctx context.Context, r request, out any) error {
	fail := func(e *Error) error {
		e.Method, e.Path = r.method, r.target()
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
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fail(&Error{Err: err})
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.deadline)
	defer cancel()
	x := &exchange{c: c, policy: r.policy, what: r.method + " " + r.path}
	status, header, data, err := x.run(ctx, r.method, c.base+r.target(), body)
	// A body that echoes the key must not carry it into an error.
	data = bytes.ReplaceAll(data, []byte(c.key), []byte("[redacted]"))

	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the method and the path are said already
		}
		e := &Error{Status: status, Err: err, Hint: "no usable answer from Hightouch", ambiguous: x.ambiguous}
		var le *limitError
		if errors.As(err, &le) {
			e.Hint = "the client-side rate limit would outlast the deadline"
		}
		return fail(e)
	}
	if status < 200 || status > 299 {
		msg, details := decodeErrorBody(data)
		e := &Error{Status: status, Message: cmpOr(msg, http.StatusText(status)), Details: details,
			Hint: hint(status, details), ambiguous: x.ambiguous}
		if ra := header.Get("Retry-After"); ra != "" && status == http.StatusTooManyRequests {
			e.Hint += "; Hightouch asked to wait " + ra
		}
		return fail(e)
	}
	if r.requireID {
		var probe struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(data, &probe) == nil {
			if id := string(probe.ID); id == "" || id == "null" || id == `""` {
				msg, details := decodeErrorBody(data)
				return fail(&Error{Status: status, Message: cmpOr(msg, "answer without an id"), Details: details,
					Hint: "Hightouch answered success but sent no id"})
			}
		}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			// For a trigger: Hightouch accepted it, but the run id is lost.
			return fail(&Error{Status: status, Message: "malformed answer", Err: err,
				Hint: "Hightouch's answer is not the JSON its API documents", ambiguous: true})
		}
	}
	return nil
}

// exchange is one call's attempts: it carries what the retry policy needs
// to know about the latest attempt between go-retryablehttp's hooks.
type exchange struct {
	c         *Client
	policy    policy
	what      string      // method and path, for the debug log
	connected atomic.Bool // the latest attempt got a connection
	ambiguous bool        // Hightouch may have acted on an unanswered request
	attempt   int         // 0-based number of the latest attempt
	wait      time.Duration
	data      []byte
	read      bool // data holds the latest attempt's body
}

// run sends the request until an answer is final, and returns the last
// answer's status, header and body, or the error that ended the attempts.
func (x *exchange) run(ctx context.Context, method, url string, body []byte) (int, http.Header, []byte, error) {
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { x.connected.Store(true) },
	})
	var raw any
	if body != nil {
		raw = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, url, raw)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+x.c.key)
	req.Header.Set("User-Agent", x.c.userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Reading the body inside the attempt lets a cut body count as a failed attempt.
	req.SetResponseHandler(func(resp *http.Response) error {
		var err error
		x.data, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
		x.read = true
		return err
	})
	rc := &retryablehttp.Client{
		HTTPClient: x.c.http,
		RetryMax:   x.c.maxAttempts - 1,
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, i int) {
			x.attempt, x.read, x.data = i, false, nil
			x.connected.Store(false)
		},
		CheckRetry:   x.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return x.wait },
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	resp, err := rc.Do(req)
	if resp == nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	if !x.read && err == nil { // the attempts ran out on a retryable status
		x.data, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	}
	return resp.StatusCode, resp.Header, x.data, err
}

// checkRetry is go-retryablehttp's CheckRetry: it decides, and picks the
// wait that Backoff will return.
func (x *exchange) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	var again bool
	again, x.ambiguous = retryable(x.policy, resp, err, x.connected.Load())
	if !again || ctx.Err() != nil || x.attempt+1 >= x.c.maxAttempts {
		return false, nil
	}
	x.wait = x.c.backoff(x.attempt, resp)
	if dl, ok := ctx.Deadline(); ok && time.Now().Add(x.wait).After(dl) {
		return false, nil // waiting would outlive the deadline: report this answer
	}
	if x.c.log != nil {
		x.c.log.Debug("hightouch retry", "request", x.what, "attempt", x.attempt+2, "wait", x.wait)
	}
	return true, nil
}

// retryable applies the retry rules to one attempt's outcome. ambiguous
// reports that Hightouch may have acted on the request without the client
// learning the result.
func retryable(p policy, resp *http.Response, err error, connected bool) (again, ambiguous bool) {
	if err != nil {
		var le *limitError
		var certErr *tls.CertificateVerificationError
		switch {
		case errors.As(err, &le), errors.As(err, &certErr):
			return false, false
		case p == unsent:
			// Once connected, the request may have been read and acted on,
			// whatever went wrong afterwards (timeout, reset, cut body).
			return !connected, connected
		}
		return true, connected
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests, code == http.StatusServiceUnavailable:
		return true, false
	case code >= 500 && code != http.StatusNotImplemented:
		return p == idempotent, true
	}
	return false, false
}

// backoff is the wait before retry number attempt+1: Retry-After when the
// answer has one, else exponential from BackoffMin to BackoffMax with jitter
// (uniform over the upper half) so that goroutines hit by the same 429 do not
// come back together.
func (c *Client) backoff(attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return d
		}
	}
	d := c.backoffMax
	if attempt < 30 && c.backoffMin<<attempt < d {
		d = c.backoffMin << attempt
	}
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
