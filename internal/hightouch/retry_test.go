package hightouch_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

func TestGETRetries(t *testing.T) {
	cases := []struct {
		name     string
		faults   []hightouchtest.Fault
		ok       bool
		status   int // of the error when !ok
		requests int // exact count; 0 means at least 2
	}{
		{"429 without Retry-After", []hightouchtest.Fault{{Status: 429, Times: 2}}, true, 0, 3},
		{"429 with Retry-After 0", []hightouchtest.Fault{{Status: 429, RetryAfter: "0", Times: 2}}, true, 0, 3},
		{"500", []hightouchtest.Fault{{Status: 500}}, true, 0, 2},
		{"502 then 503", []hightouchtest.Fault{{Status: 502}, {Status: 503}}, true, 0, 3},
		{"504", []hightouchtest.Fault{{Status: 504}}, true, 0, 2},
		{"dropped before the body", []hightouchtest.Fault{{Drop: hightouchtest.DropBeforeBody}}, true, 0, 0},
		{"dropped after the body", []hightouchtest.Fault{{Drop: hightouchtest.DropAfterBody}}, true, 0, 0},
		{"attempt timeout", []hightouchtest.Fault{{Latency: 5 * time.Second}}, true, 0, 2},
		{"attempts run out", []hightouchtest.Fault{{Status: 503, Times: 10}}, false, 503, 4},
		{"404 is final", []hightouchtest.Fault{{Status: 404}}, false, 404, 1},
		{"truncated JSON is final", []hightouchtest.Fault{{Truncate: true}}, false, 200, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := hightouchtest.New()
			defer s.Close()
			w := seed(s)
			c := newClient(t, s.URL, s.APIKey, func(c *hightouch.Config) { c.RequestTimeout = 300 * time.Millisecond })
			s.Fault(hightouchtest.RouteListSyncs, tc.faults...)
			got, err := c.Syncs(context.Background())
			if tc.ok {
				if err != nil || len(got) != 1 || got[0].ID != w.sync {
					t.Fatalf("got %v, %v", got, err)
				}
			} else {
				var e *hightouch.Error
				if !errors.As(err, &e) || e.Status != tc.status {
					t.Fatalf("err = %v, want status %d", err, tc.status)
				}
			}
			n := s.Count(hightouchtest.RouteListSyncs)
			if (tc.requests == 0 && n < 2) || (tc.requests > 0 && n != tc.requests) {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestPATCHRetriesAndCreateDoesNot(t *testing.T) {
	s, c := fakeClient(t)
	w := seed(s)
	ctx := context.Background()
	s.Fault("PATCH /syncs/{syncId}", hightouchtest.Fault{Status: 502})
	if _, err := c.UpdateSync(ctx, w.sync, hightouch.SyncUpdate{Disabled: new(bool)}); err != nil {
		t.Errorf("PATCH after a 502: %v", err)
	}
	s.Fault("POST /syncs", hightouchtest.Fault{Status: 502})
	_, err := c.CreateSync(ctx, hightouch.SyncCreate{Slug: "new", ModelID: w.model, DestinationID: w.destination})
	if err == nil || s.Count("POST /syncs") != 1 {
		t.Errorf("create after a 502: err = %v, %d requests", err, s.Count("POST /syncs"))
	}
	s.Fault("POST /syncs", hightouchtest.Fault{Status: 429})
	if _, err := c.CreateSync(ctx, hightouch.SyncCreate{Slug: "new", ModelID: w.model, DestinationID: w.destination}); err != nil {
		t.Errorf("create after a 429: %v", err)
	}
}

// A trigger is retried only when Hightouch cannot have started a run.
func TestTriggerRetriesOnlyWhenNoRunCanHaveStarted(t *testing.T) {
	for _, status := range []int{429, 503} {
		s, c := fakeClient(t)
		w := seed(s)
		s.Fault(hightouchtest.RouteTrigger, hightouchtest.Fault{Status: status, Times: 2})
		run, err := c.TriggerSync(context.Background(), w.sync, hightouch.TriggerOptions{})
		if err != nil || run == "" {
			t.Fatalf("after %d: %q, %v", status, run, err)
		}
		if n, runs := s.Count(hightouchtest.RouteTrigger), len(s.Runs(string(w.sync))); n != 3 || runs != 1 {
			t.Errorf("after %d: %d triggers sent, %d runs; want 3 and 1", status, n, runs)
		}
	}
}

// The request that never found a server is retried: nothing can have started.
func TestTriggerRetriesWhenTheConnectionWasNeverMade(t *testing.T) {
	s := hightouchtest.New()
	defer s.Close()
	w := seed(s)
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= 2 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c := newClient(t, s.URL, s.APIKey, func(c *hightouch.Config) { c.HTTPClient = &http.Client{Transport: tr} })
	if _, err := c.TriggerSync(context.Background(), w.sync, hightouch.TriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := s.Count(hightouchtest.RouteTrigger); n != 1 || dials.Load() != 3 {
		t.Errorf("%d triggers, %d dials; want 1 and 3", n, dials.Load())
	}

	// With no server at all, every attempt is made and the error is certain.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c = newClient(t, "http://"+addr, "test-key-1234567")
	_, err = c.TriggerSync(context.Background(), "1", hightouch.TriggerOptions{})
	if err == nil || errors.Is(err, hightouch.ErrTriggerUncertain) {
		t.Errorf("err = %v, want a refused connection that is not uncertain", err)
	}
}

// After an ambiguous failure a trigger is never sent again: the error says
// a run may have started.
func TestTriggerIsNeverSentTwiceAfterAnAmbiguousFailure(t *testing.T) {
	cases := []struct {
		name  string
		fault hightouchtest.Fault
		runs  int // runs Hightouch started; -1: not checked (the fake is still busy)
	}{
		{"500", hightouchtest.Fault{Status: 500}, 0},
		{"502", hightouchtest.Fault{Status: 502}, 0},
		{"504", hightouchtest.Fault{Status: 504}, 0},
		{"dropped before the body", hightouchtest.Fault{Drop: hightouchtest.DropBeforeBody}, 0},
		{"dropped after the body", hightouchtest.Fault{Drop: hightouchtest.DropAfterBody}, 1},
		{"truncated answer", hightouchtest.Fault{Truncate: true}, 1},
		{"timeout", hightouchtest.Fault{Latency: 5 * time.Second}, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := hightouchtest.New()
			defer s.Close()
			w := seed(s)
			c := newClient(t, s.URL, s.APIKey, func(c *hightouch.Config) { c.RequestTimeout = 300 * time.Millisecond })
			tc.fault.Times = 5 // a retry would meet the fault again, and be counted
			s.Fault(hightouchtest.RouteTrigger, tc.fault)
			_, err := c.TriggerSync(context.Background(), w.sync, hightouch.TriggerOptions{})
			if !errors.Is(err, hightouch.ErrTriggerUncertain) {
				t.Fatalf("err = %v, want ErrTriggerUncertain", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "may have started a run; check the sync's runs") || strings.Contains(msg, "try again") {
				t.Errorf("the message does not say what to do: %v", err)
			}
			if n := s.Count(hightouchtest.RouteTrigger); n != 1 {
				t.Errorf("the trigger reached Hightouch %d times, want 1", n)
			}
			if runs := len(s.Runs(string(w.sync))); tc.runs >= 0 && runs != tc.runs {
				t.Errorf("%d runs, want %d", runs, tc.runs)
			}
		})
	}
}

// A refused trigger (4xx) is certain: no run started.
func TestRejectedTriggerIsCertain(t *testing.T) {
	s, c := fakeClient(t)
	_, err := c.TriggerSync(context.Background(), "999", hightouch.TriggerOptions{})
	if !errors.Is(err, hightouch.ErrNotFound) || errors.Is(err, hightouch.ErrTriggerUncertain) {
		t.Errorf("err = %v", err)
	}
	if n := s.Count(hightouchtest.RouteTrigger); n != 1 {
		t.Errorf("%d triggers", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	// On synctest's clock the wait is exact: 1 s, or until the date (which
	// has a resolution of a second).
	for name, retryAfter := range map[string]func() string{
		"seconds": func() string { return "1" },
		"date":    func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s, c := fakeClientInProcess(t)
				seed(s)
				ra := retryAfter()
				s.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Status: 429, RetryAfter: ra})
				if _, err := c.Syncs(context.Background()); err != nil {
					t.Fatal(err)
				}
				reqs := s.Requests()
				if gap := reqs[1].Time.Sub(reqs[0].Time); gap < time.Second || gap > 2*time.Second {
					t.Errorf("retried after %v, want %s", gap, ra)
				}
			})
		})
	}
}

// A wait that would outlive the deadline is not started: the 429 is
// reported at once, with what Hightouch asked for in htgit's words (an
// absurd Retry-After too, and an unreadable one is not printed).
func TestDeadlineBoundsTheRetries(t *testing.T) {
	for ra, want := range map[string]string{
		"120":                           "asked to wait 2m0s",
		"99999999999999999999999":       "asked to wait 24h0m0s",
		"Fri, 31 Dec 2100 23:59:59 GMT": "asked to wait 24h0m0s",
		"soon " + secretKey:             "Retry-After could not be read",
	} {
		synctest.Test(t, func(t *testing.T) {
			s, c := fakeClientInProcess(t, func(c *hightouch.Config) { c.Deadline = 3 * time.Second })
			seed(s)
			s.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Status: 429, RetryAfter: ra, Times: 10})
			start := time.Now()
			_, err := c.Syncs(context.Background())
			var e *hightouch.Error
			if !errors.As(err, &e) || e.Status != 429 || !strings.Contains(e.Hint, want) || !errors.Is(err, hightouch.ErrUnavailable) {
				t.Errorf("Retry-After %q: err = %v, want %q", ra, err, want)
			}
			// At most the backoff between newClient's 4 attempts (5ms each).
			if d := time.Since(start); d > 15*time.Millisecond {
				t.Errorf("Retry-After %q: took %v, want no wait but the backoff", ra, d)
			}
			if strings.Contains(fmt.Sprint(err), secretKey) {
				t.Errorf("the Retry-After text is printed: %v", err)
			}
		})
	}

	// Slow failing attempts stop at the deadline.
	synctest.Test(t, func(t *testing.T) {
		s, c := fakeClientInProcess(t, func(c *hightouch.Config) { c.Deadline = 500 * time.Millisecond; c.MaxAttempts = 100 })
		s.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Status: 503, Latency: 100 * time.Millisecond, Times: 100})
		start := time.Now()
		if _, err := c.Syncs(context.Background()); !errors.Is(err, hightouch.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("took %v, deadline 500ms", d)
		}
	})
}

// A caller's deadline that ends while a request waits on the client's own
// rate limit ends the call with the caller's deadline, not a refusal of
// the limiter (the deploy then says it did not finish within --timeout,
// exit 1) and not ErrUnavailable (exit 4).
func TestDeadlineWhileWaitingOnTheRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, c := fakeClientInProcess(t, func(c *hightouch.Config) { c.RateLimit, c.RateBurst = 0.01, 1 })
		if _, err := c.Syncs(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Syncs(ctx)
		if d := time.Since(start); d > 300*time.Millisecond {
			t.Errorf("returned after %v, want at the caller's deadline (300ms) or before", d)
		}
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, hightouch.ErrUnavailable) {
			t.Errorf("err = %v, want the caller's deadline and not ErrUnavailable", err)
		}
		if n := s.Count(hightouchtest.AnyRoute); n != 1 {
			t.Errorf("%d requests reached Hightouch, want 1", n)
		}
	})
}

// stampTransport notes when each request leaves the client.
type stampTransport struct {
	mu   sync.Mutex
	sent []time.Time
	next http.RoundTripper
}

func (s *stampTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.sent = append(s.sent, time.Now())
	s.mu.Unlock()
	return s.next.RoundTrip(r)
}

func (s *stampTransport) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// requestTimes are the arrival times of the fake's requests.
func requestTimes(s *hightouchtest.Server) []time.Time {
	var ts []time.Time
	for _, r := range s.Requests() {
		ts = append(ts, r.Time)
	}
	return ts
}

// peak is the most requests in any window of length w.
func peak(ts []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// A storm of 429s from every route: concurrent callers all finish within
// the deadline, and the requests never exceed the client's rate limit.
func TestA429StormFinishesWithinTheDeadlineUnderTheRateLimit(t *testing.T) {
	synctest.Test(t, a429Storm)
}

func a429Storm(t *testing.T) {
	const limit, burst, deadline = 50, 5, 10 * time.Second
	s := hightouchtest.New(hightouchtest.InProcess())
	defer s.Close()
	seed(s)
	sent := &stampTransport{next: s.HTTPClient().Transport}
	c := newClient(t, s.URL, s.APIKey, func(c *hightouch.Config) {
		c.HTTPClient = &http.Client{Transport: sent}
		c.RateLimit, c.RateBurst = limit, burst
		c.MaxAttempts, c.Deadline = 30, deadline
		c.BackoffMin, c.BackoffMax = 5*time.Millisecond, 50*time.Millisecond
	})
	s.Fault(hightouchtest.AnyRoute, hightouchtest.Fault{Status: 429, Times: 60})
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := c.Syncs(context.Background()); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if d := time.Since(start); d > deadline {
		t.Errorf("took %v, deadline %v", d, deadline)
	}
	if n := s.Count(hightouchtest.AnyRoute); n != 80 {
		t.Errorf("%d requests, want 80", n)
	}
	// A token bucket lets at most burst + limit×d requests go in a span d,
	// measured as the limiter lets requests go, over the whole storm and in
	// 1 s windows (exact on synctest's clock).
	ts := sent.times()
	if span := ts[len(ts)-1].Sub(ts[0]); len(ts) > burst+int(limit*span.Seconds())+1 {
		t.Errorf("%d requests in %v, limit allows %d", len(ts), span, burst+int(limit*span.Seconds())+1)
	}
	if got, max := peak(ts, time.Second), burst+limit; got > max {
		t.Errorf("%d requests within 1 s, limit allows %d", got, max)
	}
}

// The client's limit keeps it under Hightouch's, so Hightouch never says 429.
func TestRateLimitIsHonouredBeforeHightouchSays429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := hightouchtest.New(hightouchtest.InProcess(), hightouchtest.WithRateLimit(20, 500*time.Millisecond))
		defer s.Close()
		seed(s)
		// Any 500 ms carry at most 3 + 10 = 13 requests.
		c := newClient(t, s.URL, s.APIKey, func(c *hightouch.Config) {
			c.HTTPClient = s.HTTPClient()
			c.RateLimit, c.RateBurst = 20, 3
			c.MaxAttempts = 1
		})
		var wg sync.WaitGroup
		var failed atomic.Int32
		for range 30 {
			wg.Go(func() {
				if _, err := c.Syncs(context.Background()); err != nil {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		if failed.Load() != 0 {
			t.Errorf("%d requests failed: Hightouch had to say 429", failed.Load())
		}
	})
}

// HTGIT_BACKOFF sets the first retry wait when the config does not, so
// that tests of the built binary need not sleep through 500ms, 1s, 2s...
func TestBackoffFromTheEnvironment(t *testing.T) {
	t.Setenv(hightouch.BackoffEnv, "1ms")
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
	}}
	c, err := hightouch.New(hightouch.Config{BaseURL: "http://127.0.0.1:9/api/v1", APIKey: "ht-test-key-0123456789", HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Syncs(context.Background())
	if d := time.Since(start); d > time.Second || dials.Load() != hightouch.DefaultMaxAttempts || !errors.Is(err, hightouch.ErrUnavailable) {
		t.Errorf("%d attempts in %v (err %v), want %d within 1s (the default waits add up to 4-7s)", dials.Load(), d, err, hightouch.DefaultMaxAttempts)
	}
}

// TestRetriesAreAnnounced: each retry is one line to Notify, without
// --debug: what Hightouch answered, the wait, the attempt (issue 18).
func TestRetriesAreAnnounced(t *testing.T) {
	s := hightouchtest.New()
	defer s.Close()
	seed(s)
	var lines []string
	c := newClient(t, s.URL, s.APIKey, func(c *hightouch.Config) { c.Notify = func(l string) { lines = append(lines, l) } })
	s.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Status: 503, RetryAfter: "0"}, hightouchtest.Fault{Status: 502, RetryAfter: "0"})
	if _, err := c.Syncs(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Hightouch answered 503 to GET /syncs; retrying in 0s (attempt 2 of 4)",
		"Hightouch answered 502 to GET /syncs; retrying in 0s (attempt 3 of 4)",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("lines %q\nwant %q", lines, want)
	}
}

// TestListingAnswers4xxIsUnavailable: a listing has nothing the user could
// fix, so a 400 or 404 to it is Hightouch answering wrongly (exit 4); a
// refused key stays the user's (exit 2).
func TestListingAnswers4xxIsUnavailable(t *testing.T) {
	for _, status := range []int{400, 404, 422} {
		s := hightouchtest.New()
		s.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Status: status})
		c := newClient(t, s.URL, s.APIKey)
		_, err := c.Syncs(context.Background())
		s.Close()
		if !errors.Is(err, hightouch.ErrUnavailable) {
			t.Errorf("%d: %v is not ErrUnavailable", status, err)
		}
	}
	s, _ := fakeClient(t)
	_, err := newClient(t, s.URL, "not-the-key-0123456789").Syncs(context.Background())
	var e *hightouch.Error
	if !errors.As(err, &e) || e.Status != 401 || errors.Is(err, hightouch.ErrUnavailable) {
		t.Errorf("a wrong key: %v, want a 401 that is not ErrUnavailable", err)
	}
}

// TestTheCallersDeadlineIsKept: a call stopped by the caller's deadline
// says so through errors.Is, so a command can exit 1 as for a deploy's
// --timeout, and not 3.
func TestTheCallersDeadlineIsKept(t *testing.T) {
	s := hightouchtest.New()
	defer s.Close()
	s.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Latency: time.Second})
	c := newClient(t, s.URL, s.APIKey)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Syncs(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, hightouch.ErrUnavailable) {
		t.Errorf("err = %v, want context.DeadlineExceeded and not ErrUnavailable", err)
	}
}
