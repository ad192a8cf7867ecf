package hightouch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// newClient returns a client for the fake with tiny waits, so retry tests
// take milliseconds.
func newClient(t testing.TB, baseURL, key string, mods ...func(*hightouch.Config)) *hightouch.Client {
	t.Helper()
	cfg := hightouch.Config{
		BaseURL: baseURL, APIKey: key, Version: "1.2.3",
		MaxAttempts: 4, Deadline: 5 * time.Second, RequestTimeout: 2 * time.Second,
		BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond,
		RateLimit: 1000, RateBurst: 100,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := hightouch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fakeClient(t testing.TB, opts ...hightouchtest.Option) (*hightouchtest.Server, *hightouch.Client) {
	t.Helper()
	s := hightouchtest.New(opts...)
	t.Cleanup(s.Close)
	return s, newClient(t, s.URL, s.APIKey)
}

// fakeClientInProcess is fakeClient for a testing/synctest bubble: the fake
// answers in the caller's goroutine, so every wait is on the fake clock.
func fakeClientInProcess(t testing.TB, mods ...func(*hightouch.Config)) (*hightouchtest.Server, *hightouch.Client) {
	t.Helper()
	s := hightouchtest.New(hightouchtest.InProcess())
	t.Cleanup(s.Close)
	mods = append([]func(*hightouch.Config){func(c *hightouch.Config) { c.HTTPClient = s.HTTPClient() }}, mods...)
	return s, newClient(t, s.URL, s.APIKey, mods...)
}

// workspace is what seed puts in a fake.
type workspace struct{ source, destination, model, sync hightouch.ID }

func seed(s *hightouchtest.Server) workspace {
	src := s.AddSource(hightouchtest.Source{Slug: "snowflake", Name: "Snowflake", Type: "snowflake"})
	dst := s.AddDestination(hightouchtest.Destination{Slug: "braze", Name: "Braze", Type: "braze"})
	m := s.AddModel(hightouchtest.Model{Slug: "users", Name: "Users", SourceID: src, SQL: "select * from users", PrimaryKey: "id"})
	y := s.AddSync(hightouchtest.Sync{Slug: "users-to-braze", ModelID: m, DestinationID: dst,
		Configuration: map[string]any{"mode": "upsert"},
		Schedule:      map[string]any{"type": "interval", "schedule": map[string]any{"interval": map[string]any{"unit": "day", "quantity": 1}}}})
	return workspace{hightouch.ID(src), hightouch.ID(dst), hightouch.ID(m), hightouch.ID(y)}
}

func TestNewChecksTheConfig(t *testing.T) {
	const key = "ht-test-key-0123456789"
	cases := []struct {
		base, key string
		ok        bool
	}{
		{"", key, true},
		{"https://api.hightouch.io/api/v1/", key, true},
		{"http://127.0.0.1:8080/api/v1", key, true},
		{"http://localhost:8080", key, true},
		{"http://[::1]:8080", key, true},
		{"http://api.hightouch.com/api/v1", "k", false},
		{"http://10.0.0.1/api/v1", "k", false},
		{"ftp://api.hightouch.com", "k", false},
		{"https://user:pw@api.hightouch.com", "k", false},
		{"https://api.hightouch.com?x=1", "k", false},
		{"api.hightouch.com", "k", false},
		{"", "", false},
		{"", "two words", false},
		{"", "a-key-with-a-\x01-control", false},
		{"", "a-key-with-an-é-accent", false},
		{"", "short-key", false},
		{"", "exactly-16-chars", true},
	}
	for _, c := range cases {
		_, err := hightouch.New(hightouch.Config{BaseURL: c.base, APIKey: c.key})
		if (err == nil) != c.ok {
			t.Errorf("New(%q, %q): err = %v, want ok = %v", c.base, c.key, err, c.ok)
		}
	}
}

func TestRequestsCarryTheHeadersAndRealBooleans(t *testing.T) {
	s, c := fakeClient(t)
	w := seed(s)
	ctx := context.Background()
	if _, err := c.TriggerSync(ctx, w.sync, hightouch.TriggerOptions{FullResync: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateSync(ctx, w.sync, hightouch.SyncUpdate{Disabled: new(bool)}); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	trigger, patch := reqs[0], reqs[1]
	if got := trigger.Body; got != `{"fullResync":true,"resetCDC":false}` {
		t.Errorf("trigger body %s", got)
	}
	if got := patch.Body; got != `{"disabled":false}` {
		t.Errorf("patch body %s", got)
	}
	for _, r := range reqs {
		if ua := r.Header.Get("User-Agent"); ua != "htgit/1.2.3" {
			t.Errorf("User-Agent %q", ua)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
	}
	if runs := s.Runs(string(w.sync)); len(runs) != 1 || !runs[0].FullResync || runs[0].ResetCDC {
		t.Errorf("runs %+v", runs)
	}
}

func eq(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestListingIsOneRequestPerPage(t *testing.T) {
	s, c := fakeClient(t)
	w := seed(s)
	for i := range 250 {
		s.AddSync(hightouchtest.Sync{Slug: fmt.Sprintf("sync-%03d", i), ModelID: string(w.model), DestinationID: string(w.destination)})
	}
	got, err := c.Syncs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 251 || got[250].Slug != "sync-249" {
		t.Errorf("listed %d syncs, want 251", len(got))
	}
	if n := s.Count(hightouchtest.RouteListSyncs); n != 3 {
		t.Errorf("%d list requests for 251 syncs, want 3 (pages of 100)", n)
	}
	for i, r := range s.Requests() {
		if l, o := r.Query.Get("limit"), r.Query.Get("offset"); l != "100" || o != fmt.Sprint(i*100) {
			t.Errorf("request %d: limit=%s offset=%s", i, l, o)
		}
	}
}

// Only syncs and runs declare hasMore: a page without it is the last.
func TestMissingHasMoreEndsTheListing(t *testing.T) {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		fmt.Fprint(w, `{"data":[{"id":1,"slug":"a"},{"id":"2","slug":"b"}]}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, "test-key-1234567")
	got, err := c.Models(context.Background())
	if err != nil || len(got) != 2 || n != 1 || got[1].ID != "2" {
		t.Errorf("got %v, %v after %d requests", got, err, n)
	}
}

func TestErrorShapes(t *testing.T) {
	s := hightouchtest.New()
	defer s.Close()
	w := seed(s)
	ctx := context.Background()
	c := newClient(t, s.URL, s.APIKey)
	cases := []struct {
		name    string
		client  *hightouch.Client
		fault   string
		call    func(c *hightouch.Client) error
		status  int
		message string
		details string
		hint    string
		method  string
		path    string
		// unavailable: errors.Is(err, ErrUnavailable), exit 4
		unavailable bool
	}{
		{name: "401 wrong key", client: newClient(t, s.URL, "wrong-key-0123456789"),
			call:   func(c *hightouch.Client) error { _, err := c.Syncs(ctx); return err },
			status: 401, message: "Authentication error", details: "Invalid API key", hint: "API key was refused",
			method: "GET", path: "/syncs?limit=100&offset=0"},
		{name: "404 unknown id",
			call: func(c *hightouch.Client) error {
				_, err := c.UpdateModel(ctx, "999", hightouch.ModelUpdate{Name: "x"})
				return err
			},
			status: 404, message: "Not found", hint: "no such id", method: "PATCH", path: "/models/999"},
		{name: "422 names the fields",
			call: func(c *hightouch.Client) error {
				_, err := c.CreateSync(ctx, hightouch.SyncCreate{Slug: "x", ModelID: "999", DestinationID: w.destination})
				return err
			},
			status: 422, message: "Validation failed", details: "model 999 not found", hint: "rejected these fields: requestBody.modelId",
			method: "POST", path: "/syncs"},
		{name: "409 slug taken",
			call: func(c *hightouch.Client) error {
				_, err := c.CreateSync(ctx, hightouch.SyncCreate{Slug: "users-to-braze", ModelID: w.model, DestinationID: w.destination})
				return err
			},
			status: 409, message: "Validation failed", hint: "already exists", method: "POST", path: "/syncs"},
		{name: "500 bare string", fault: "GET /destinations",
			call:   func(c *hightouch.Client) error { _, err := c.Destinations(ctx); return err },
			status: 500, message: "Internal Server Error", hint: "server error", method: "GET", unavailable: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != "" {
				s.Fault(tc.fault, hightouchtest.Fault{Status: tc.status, Times: 10})
			}
			err := tc.call(cmpOr(tc.client, c))
			var e *hightouch.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *hightouch.Error", err, err)
			}
			eq(t, e.Status, tc.status)
			eq(t, e.Message, tc.message)
			if !strings.Contains(fmt.Sprint(e.Details), tc.details) {
				t.Errorf("details %v, want %q", e.Details, tc.details)
			}
			if !strings.Contains(e.Hint, tc.hint) {
				t.Errorf("hint %q, want %q", e.Hint, tc.hint)
			}
			eq(t, e.Method, tc.method)
			if tc.path != "" {
				eq(t, e.Path, tc.path)
			}
			if errors.Is(err, hightouch.ErrNotFound) != (tc.status == 404) {
				t.Errorf("errors.Is(ErrNotFound) wrong for %d", tc.status)
			}
			if errors.Is(err, hightouch.ErrUnavailable) != tc.unavailable {
				t.Errorf("errors.Is(ErrUnavailable) = %v, want %v", !tc.unavailable, tc.unavailable)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("Error() = %q lacks the message", err)
			}
		})
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Answers the fake cannot give, from a stub server: what the error says,
// whether it counts as Hightouch unavailable (exit 4) and, for a trigger,
// whether a run may have started.
func TestOddAnswers(t *testing.T) {
	ctx := context.Background()
	trigger := func(c *hightouch.Client) error {
		_, err := c.TriggerSync(ctx, "1", hightouch.TriggerOptions{})
		return err
	}
	patch := func(c *hightouch.Client) error {
		_, err := c.UpdateSync(ctx, "1", hightouch.SyncUpdate{Disabled: new(bool)})
		return err
	}
	list := func(c *hightouch.Client) error { _, err := c.Syncs(ctx); return err }
	cases := []struct {
		name, body  string
		status      int
		call        func(c *hightouch.Client) error
		want        string
		unavailable bool
		uncertain   bool
	}{
		{"trigger 200 without id", `{}`, 200, trigger, "200 answer without an id", true, true},
		{"create answered 200 with a validation error", `{"message":"Validation failed","details":{"slug":"taken"}}`, 200,
			func(c *hightouch.Client) error {
				_, err := c.CreateModel(ctx, hightouch.ModelCreate{Slug: "x"})
				return err
			}, `200 Validation failed: {"slug":"taken"}`, true, false},
		{"502 from a proxy", `<html>Bad Gateway</html>`, 502, patch, "502 <html>Bad Gateway</html>", true, false},
		{"trigger 502", `<html>Bad Gateway</html>`, 502, trigger, "may have started a run", true, true},
		{"HTML instead of JSON", `<html>hello</html>`, 200, list, "malformed answer", true, false},
		{"HTML 404 from another host", `<html>Not Found</html>`, 404, list, "404 <html>Not Found</html> (the answer is not Hightouch's JSON", true, false},
		{"error as details string", `{"message":"Authentication error","details":"Invalid API key"}`, 401, patch,
			"401 Authentication error: Invalid API key", false, false},
		{"error key", `{"error":"bad request"}`, 400, patch, "400 bad request", false, false},
		{"empty body", ``, 403, patch, "403 Forbidden", false, false},
		{"not JSON on success", `{"id":1,`, 200, patch, "malformed answer", true, false},
		{"a redirect is not followed", ``, 302, list, "302 Found", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 302 {
					w.Header().Set("Location", "https://example.com/")
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			err := tc.call(newClient(t, srv.URL, "test-key-1234567", func(c *hightouch.Config) { c.MaxAttempts = 1 }))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			if errors.Is(err, hightouch.ErrUnavailable) != tc.unavailable {
				t.Errorf("errors.Is(err, ErrUnavailable) = %v, want %v: %v", !tc.unavailable, tc.unavailable, err)
			}
			if errors.Is(err, hightouch.ErrTriggerUncertain) != tc.uncertain {
				t.Errorf("errors.Is(err, ErrTriggerUncertain) = %v, want %v: %v", !tc.uncertain, tc.uncertain, err)
			}
		})
	}
}

// A redirect is never followed: the key goes to no other host, and the
// error names where Hightouch pointed.
func TestRedirectsAreNotFollowedWithTheKey(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{"data":[]}`)
	}))
	defer other.Close()
	for _, code := range []int{301, 302, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, code)
		}))
		_, err := newClient(t, srv.URL, "test-key-1234567").Syncs(context.Background())
		srv.Close()
		if !errors.Is(err, hightouch.ErrUnavailable) || !strings.Contains(err.Error(), "redirected to "+other.URL) {
			t.Errorf("%d: err = %v", code, err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

// A listing whose pages never end stops: on an empty page (the end), on a
// page that repeats the previous one, and at the bound of what a workspace
// holds, each with a clear error.
func TestEndlessPagesStop(t *testing.T) {
	defer hightouch.SetMaxListed(250)()
	cases := []struct {
		name  string
		page  func(offset int) string
		want  string // "" for success
		pages int
	}{
		{"empty page with hasMore", func(o int) string {
			if o > 0 {
				return `{"data":[],"hasMore":true}`
			}
			return `{"data":[{"id":1,"slug":"a"}],"hasMore":true}`
		}, "", 2},
		{"the same page again", func(int) string { return `{"data":[{"id":1,"slug":"a"}],"hasMore":true}` },
			"the page repeats the previous one", 2},
		{"new pages forever", func(o int) string { return fmt.Sprintf(`{"data":[{"id":%d,"slug":"s%d"}],"hasMore":true}`, o+1, o) },
			"more than 250 syncs listed and Hightouch still says hasMore", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n++
				o, _ := strconv.Atoi(r.URL.Query().Get("offset"))
				fmt.Fprint(w, tc.page(o))
			}))
			defer srv.Close()
			_, err := newClient(t, srv.URL, "test-key-1234567").Syncs(context.Background())
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, hightouch.ErrUnavailable)):
				t.Errorf("err = %v, want %q and ErrUnavailable", err, tc.want)
			}
			if n != tc.pages {
				t.Errorf("%d pages requested, want %d", n, tc.pages)
			}
		})
	}
}

// Decoding is lenient where Hightouch's answers vary.
func TestDecodingIsLenient(t *testing.T) {
	var runs []hightouch.SyncRun
	err := json.Unmarshal([]byte(`[
		{"id":1,"status":"success","error":null,"querySize":773.0,"plannedRows":{"addedCount":773.0,"changedCount":0,"removedCount":1},"finishedAt":"2022-02-08T16:11:11.698Z"},
		{"id":"2","status":"failed","error":"boom"},
		{"id":3.0,"status":"failed","error":{"message":"query failed","code":7}},
		{"id":4,"status":"failed","error":{"code":7}},
		{"id":5,"status":"queued","finishedAt":null,"startedAt":null}]`), &runs)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, runs[0].ID, hightouch.ID("1"))
	eq(t, runs[0].QuerySize, int64(773))
	eq(t, runs[0].PlannedRows, hightouch.RowCounts{Added: 773, Removed: 1})
	eq(t, runs[0].PlannedRows.Total(), int64(774))
	eq(t, runs[0].Error, "")
	eq(t, runs[1].Error, "boom")
	eq(t, runs[2].ID, hightouch.ID("3"))
	eq(t, runs[2].Error, "query failed")
	eq(t, runs[3].Error, `{"code":7}`)
	eq(t, runs[4].FinishedAt, (*time.Time)(nil))
	if runs[0].FinishedAt == nil || runs[0].FinishedAt.Year() != 2022 {
		t.Errorf("finishedAt %v", runs[0].FinishedAt)
	}
}

func TestIDs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want hightouch.ID
		bad  bool
	}{
		{`12`, "12", false}, {`"12"`, "12", false}, {`12.0`, "12", false}, {`1.2e1`, "12", false},
		{`null`, "", false}, {`"abc"`, "abc", false}, {`1.5`, "", true}, {`true`, "", true},
	} {
		var id hightouch.ID
		err := json.Unmarshal([]byte(c.in), &id)
		if (err != nil) != c.bad || id != c.want {
			t.Errorf("%s: got %q, %v", c.in, id, err)
		}
	}
	for id, want := range map[hightouch.ID]string{"12": `12`, "0": `0`, "007": `"007"`, "abc": `"abc"`, "": `null`,
		"12345678901234567890": `"12345678901234567890"`} {
		if b, _ := json.Marshal(id); string(b) != want {
			t.Errorf("Marshal(%q) = %s, want %s", id, b, want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	for status, want := range map[hightouch.RunStatus]bool{
		"success": true, "warning": true, "failed": true, "cancelled": true, "interrupted": true,
		"completed": true, "completed_with_errors": true,
		"queued": false, "querying": false, "processing": false, "reporting": false, "pending": false,
		"": false, "something_new": false,
	} {
		if status.IsTerminal() != want || status.IsKnown() != (status != "" && status != "something_new") {
			t.Errorf("%q: IsTerminal %v, IsKnown %v; want IsTerminal %v", status, status.IsTerminal(), status.IsKnown(), want)
		}
	}
}
