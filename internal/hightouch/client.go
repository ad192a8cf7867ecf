// Package hightouch is htgit's client for Hightouch's REST API: typed calls
// for sources, destinations, models, syncs and runs, with retries that can
// never start a sync twice, a shared client-side rate limit, and errors that
// say what went wrong without ever showing the API key.
package hightouch

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

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
	BackoffMin     time.Duration // first retry wait (before jitter); default $HTGIT_BACKOFF, else 500ms
	BackoffMax     time.Duration // longest retry wait without Retry-After; default 30s

	// RateLimit and RateBurst shape a token bucket that every request of this
	// client, from any goroutine, retries included, waits on.
	RateLimit rate.Limit
	RateBurst int

	// Notify, when set, is told of each retry in one line, such as
	// "Hightouch answered 503; retrying in 2s (attempt 2 of 5)", so that a
	// wait is never silent; the line holds no key.
	Notify func(line string) `json:"-"`

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
	notify      func(string)
	secret      *secret // the key in every form a server could echo it
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
	if err := checkKey(cfg.APIKey); err != nil {
		return nil, err
	}
	base, err := checkBaseURL(cmpOr(cfg.BaseURL, DefaultBaseURL))
	if err != nil {
		return nil, err
	}
	hc := *cmpOr(cfg.HTTPClient, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	limit := cmpOr(cfg.RateLimit, DefaultRateLimit)
	burst := cmpOr(cfg.RateBurst, DefaultRateBurst)
	secret := newSecret(cfg.APIKey)
	hc.Transport = &transport{
		next:     cmpOr(hc.Transport, http.DefaultTransport),
		limiter:  rate.NewLimiter(limit, burst),
		timeout:  cmpOr(cfg.RequestTimeout, DefaultRequestTimeout),
		log:      cfg.Logger,
		basePath: base.Path,
		secret:   secret,
	}
	return &Client{
		base:        base.String(),
		basePath:    base.Path,
		key:         cfg.APIKey,
		userAgent:   "htgit/" + cmpOr(cfg.Version, "dev"),
		http:        &hc,
		maxAttempts: max(1, cmpOr(cfg.MaxAttempts, DefaultMaxAttempts)),
		deadline:    cmpOr(cfg.Deadline, DefaultDeadline),
		backoffMin:  cmpOr(cfg.BackoffMin, backoffFromEnv()),
		backoffMax:  cmpOr(cfg.BackoffMax, DefaultBackoffMax),
		log:         cfg.Logger,
		notify:      cfg.Notify,
		secret:      secret,
	}, nil
}

// checkKey refuses a key that cannot be sent as an HTTP header value or
// cannot be a Hightouch key, at once rather than after the retries. The
// message never shows the key.
func checkKey(key string) error {
	for i, r := range key {
		switch {
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			return errors.New("hightouch: the API key contains white space")
		case r < 0x20 || r >= 0x7f:
			return fmt.Errorf("hightouch: the API key holds a character that is not printable ASCII (at byte %d); a Hightouch key is letters, digits and dashes", i+1)
		}
	}
	if len(key) < MinKeyLength {
		return fmt.Errorf("hightouch: the API key is %d characters long; a Hightouch key has at least %d: check that it is the whole key", len(key), MinKeyLength)
	}
	return nil
}

// BackoffEnv names the environment variable that, when Config.BackoffMin
// is not set, sets the first retry wait (a Go duration). It is not a flag:
// it exists so that tests of the built binary need not sleep through real
// retry waits.
const BackoffEnv = "HTGIT_BACKOFF"

func backoffFromEnv() time.Duration {
	if d, err := time.ParseDuration(os.Getenv(BackoffEnv)); err == nil && d > 0 {
		return d
	}
	return DefaultBackoffMin
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
