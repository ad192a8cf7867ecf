package hightouch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
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
	cases := []struct {
		base, key string
		ok        bool
	}{
		{"", "k", true},
		{"https://api.hightouch.io/api/v1/", "k", true},
		{"http://127.0.0.1:8080/api/v1", "k", true},
		{"http://localhost:8080", "k", true},
		{"http://[::1]:8080", "k", true},
		{"http://api.hightouch.com/api/v1", "k", false},
		{"http://10.0.0.1/api/v1", "k", false},
		{"ftp://api.hightouch.com", "k", false},
		{"https://user:pw@api.hightouch.com", "k", false},
		{"https://api.hightouch.com?x=1", "k", false},
		{"api.hightouch.com", "k", false},
		{"", "", false},
		{"", "two words", false},
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

// Every call against the fake, with numeric ids and with string ids.
func TestCalls(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []hightouchtest.Option
	}{{"numeric ids", nil}, {"string ids", []hightouchtest.Option{hightouchtest.WithStringIDs()}}} {
		t.Run(mode.name, func(t *testing.T) {
			s, c := fakeClient(t, mode.opts...)
			w := seed(s)
			ctx := context.Background()
			var newSource, newDest, newModel, newSync hightouch.ID
			cases := []struct {
				name  string
				call  func() (any, error)
				check func(t *testing.T, v any)
			}{
				{"ListSources", func() (any, error) { return c.ListSources(ctx, hightouch.ListOptions{}) },
					func(t *testing.T, v any) { eq(t, v.([]hightouch.Source)[0].Slug, "snowflake") }},
				{"GetSource", func() (any, error) { return c.GetSource(ctx, w.source) },
					func(t *testing.T, v any) { eq(t, v.(*hightouch.Source).ID, w.source) }},
				{"FindSource", func() (any, error) { return c.FindSource(ctx, "snowflake") },
					func(t *testing.T, v any) { eq(t, v.(*hightouch.Source).Type, "snowflake") }},
				{"SourcesBySlug", func() (any, error) { return c.SourcesBySlug(ctx) },
					func(t *testing.T, v any) { eq(t, v.(map[string]hightouch.Source)["snowflake"].ID, w.source) }},
				{"CreateSource", func() (any, error) {
					return c.CreateSource(ctx, hightouch.SourceCreate{Name: "PG", Slug: "pg", Type: "postgres"})
				}, func(t *testing.T, v any) {
					newSource = v.(*hightouch.Source).ID
					eq(t, v.(*hightouch.Source).Slug, "pg")
				}},
				{"UpdateSource", func() (any, error) {
					return c.UpdateSource(ctx, newSource, hightouch.SourceUpdate{Name: "Postgres"})
				}, func(t *testing.T, v any) { eq(t, v.(*hightouch.Source).Name, "Postgres") }},
				{"ListDestinations", func() (any, error) { return c.ListDestinations(ctx, hightouch.ListOptions{}) },
					func(t *testing.T, v any) { eq(t, v.([]hightouch.Destination)[0].Syncs, []hightouch.ID{w.sync}) }},
				{"GetDestination", func() (any, error) { return c.GetDestination(ctx, w.destination) },
					func(t *testing.T, v any) { eq(t, v.(*hightouch.Destination).Slug, "braze") }},
				{"FindDestination", func() (any, error) { return c.FindDestination(ctx, "braze") },
					func(t *testing.T, v any) { eq(t, v.(*hightouch.Destination).ID, w.destination) }},
				{"DestinationsBySlug", func() (any, error) { return c.DestinationsBySlug(ctx) },
					func(t *testing.T, v any) { eq(t, len(v.(map[string]hightouch.Destination)), 1) }},
				{"CreateDestination", func() (any, error) {
					return c.CreateDestination(ctx, hightouch.DestinationCreate{Name: "SF", Slug: "sf", Type: "salesforce", Configuration: map[string]any{}})
				}, func(t *testing.T, v any) { newDest = v.(*hightouch.Destination).ID }},
				{"UpdateDestination", func() (any, error) {
					return c.UpdateDestination(ctx, newDest, hightouch.DestinationUpdate{Configuration: map[string]any{"sandbox": true}})
				}, func(t *testing.T, v any) { eq(t, v.(*hightouch.Destination).Configuration["sandbox"], true) }},
				{"ListModels", func() (any, error) { return c.ListModels(ctx, hightouch.ListOptions{Slug: "users"}) },
					func(t *testing.T, v any) {
						eq(t, v.([]hightouch.Model)[0].Raw, &hightouch.RawQuery{SQL: "select * from users"})
					}},
				{"GetModel", func() (any, error) { return c.GetModel(ctx, w.model) },
					func(t *testing.T, v any) { eq(t, v.(*hightouch.Model).SourceID, w.source) }},
				{"FindModel", func() (any, error) { return c.FindModel(ctx, "users") },
					func(t *testing.T, v any) { eq(t, v.(*hightouch.Model).Syncs, []hightouch.ID{w.sync}) }},
				{"ModelsBySlug", func() (any, error) { return c.ModelsBySlug(ctx) },
					func(t *testing.T, v any) { eq(t, v.(map[string]hightouch.Model)["users"].PrimaryKey, "id") }},
				{"CreateModel", func() (any, error) {
					return c.CreateModel(ctx, hightouch.ModelCreate{Name: "Orders", Slug: "orders", QueryType: "table",
						SourceID: w.source, PrimaryKey: "id", Table: &hightouch.TableQuery{Name: "orders"}})
				}, func(t *testing.T, v any) {
					newModel = v.(*hightouch.Model).ID
					eq(t, v.(*hightouch.Model).Table, &hightouch.TableQuery{Name: "orders"})
				}},
				{"UpdateModel", func() (any, error) {
					return c.UpdateModel(ctx, newModel, hightouch.ModelUpdate{PrimaryKey: "order_id"})
				}, func(t *testing.T, v any) { eq(t, v.(*hightouch.Model).PrimaryKey, "order_id") }},
				{"ListSyncs", func() (any, error) { return c.ListSyncs(ctx, hightouch.ListOptions{ModelID: w.model}) },
					func(t *testing.T, v any) { eq(t, len(v.([]hightouch.Sync)), 1) }},
				{"GetSync", func() (any, error) { return c.GetSync(ctx, w.sync) },
					func(t *testing.T, v any) {
						y := v.(*hightouch.Sync)
						eq(t, y.Schedule.Type, "interval")
						eq(t, y.ModelID, w.model)
						eq(t, y.Configuration["mode"], "upsert")
					}},
				{"FindSync", func() (any, error) { return c.FindSync(ctx, "users-to-braze") },
					func(t *testing.T, v any) { eq(t, v.(*hightouch.Sync).DestinationID, w.destination) }},
				{"SyncsBySlug", func() (any, error) { return c.SyncsBySlug(ctx) },
					func(t *testing.T, v any) { eq(t, v.(map[string]hightouch.Sync)["users-to-braze"].ID, w.sync) }},
				{"CreateSync", func() (any, error) {
					return c.CreateSync(ctx, hightouch.SyncCreate{Slug: "orders-to-sf", ModelID: newModel, DestinationID: newDest})
				}, func(t *testing.T, v any) {
					newSync = v.(*hightouch.Sync).ID
					eq(t, v.(*hightouch.Sync).Schedule, (*hightouch.Schedule)(nil))
				}},
				{"UpdateSync", func() (any, error) {
					return c.UpdateSync(ctx, w.sync, hightouch.SyncUpdate{ManualSchedule: true, Configuration: map[string]any{"mode": "mirror"}})
				}, func(t *testing.T, v any) {
					eq(t, v.(*hightouch.Sync).Schedule, (*hightouch.Schedule)(nil))
					eq(t, v.(*hightouch.Sync).Configuration["mode"], "mirror")
				}},
				{"TriggerSync", func() (any, error) { return c.TriggerSync(ctx, newSync, hightouch.TriggerOptions{ResetCDC: true}) },
					func(t *testing.T, v any) { eq(t, v.(hightouch.ID) != "", true) }},
				{"ListRuns", func() (any, error) { return c.ListRuns(ctx, newSync, hightouch.RunListOptions{Limit: 5}) },
					func(t *testing.T, v any) { eq(t, v.([]hightouch.SyncRun)[0].Status, "queued") }},
				{"ResolveSyncs", func() (any, error) { return c.ResolveSyncs(ctx, []string{"orders-to-sf", "users-to-braze"}) },
					func(t *testing.T, v any) { eq(t, len(v.(map[string]hightouch.Sync)), 2) }},
			}
			for _, tc := range cases {
				v, err := tc.call()
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				t.Run(tc.name, func(t *testing.T) { tc.check(t, v) })
			}
		})
	}
}

func eq(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestSlugsResolveThroughOneListingPerPage(t *testing.T) {
	s, c := fakeClient(t)
	w := seed(s)
	var slugs []string
	for i := range 250 {
		slug := fmt.Sprintf("sync-%03d", i)
		s.AddSync(hightouchtest.Sync{Slug: slug, ModelID: string(w.model), DestinationID: string(w.destination)})
		slugs = append(slugs, slug)
	}
	got, err := c.ResolveSyncs(context.Background(), append(slugs, "nope", "gone"))
	if !errors.Is(err, hightouch.ErrNotFound) || !strings.Contains(err.Error(), "gone, nope") {
		t.Errorf("err = %v, want the missing slugs named", err)
	}
	if len(got) != 250 {
		t.Errorf("resolved %d syncs, want 250", len(got))
	}
	if n := s.Count(hightouchtest.RouteListSyncs); n != 3 {
		t.Errorf("%d list requests for 251 syncs, want 3 (pages of 100)", n)
	}
	for i, r := range s.Requests() {
		if l, o := r.Query.Get("limit"), r.Query.Get("offset"); l != "100" || o != fmt.Sprint(i*100) {
			t.Errorf("request %d: limit=%s offset=%s", i, l, o)
		}
	}
	if _, err := c.FindSync(context.Background(), "nope"); !errors.Is(err, hightouch.ErrNotFound) {
		t.Errorf("FindSync of an unknown slug: %v", err)
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
	c := newClient(t, srv.URL, "test-key-123456")
	got, err := c.ListModels(context.Background(), hightouch.ListOptions{PageSize: 2})
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
	}{
		{name: "401 wrong key", client: newClient(t, s.URL, "wrong"),
			call:   func(c *hightouch.Client) error { _, err := c.GetSync(ctx, w.sync); return err },
			status: 401, message: "Authentication error", details: "Invalid API key", hint: "API key was refused",
			method: "GET", path: "/syncs/" + string(w.sync)},
		{name: "404 unknown id",
			call:   func(c *hightouch.Client) error { _, err := c.GetModel(ctx, "999"); return err },
			status: 404, message: "Not found", hint: "no such id", method: "GET", path: "/models/999"},
		{name: "422 names the fields",
			call: func(c *hightouch.Client) error {
				_, err := c.CreateSync(ctx, hightouch.SyncCreate{Slug: "x", ModelID: "999", DestinationID: w.destination})
				return err
			},
			status: 422, message: "Validation failed", details: "model 999 not found", hint: "rejected these fields: requestBody.modelId",
			method: "POST", path: "/syncs"},
		{name: "409 slug taken",
			call: func(c *hightouch.Client) error {
				_, err := c.CreateSource(ctx, hightouch.SourceCreate{Name: "x", Slug: "snowflake", Type: "x", Configuration: map[string]any{}})
				return err
			},
			status: 409, message: "Validation failed", hint: "already exists", method: "POST", path: "/sources"},
		{name: "500 bare string", fault: "GET /destinations/{destinationId}",
			call:   func(c *hightouch.Client) error { _, err := c.GetDestination(ctx, w.destination); return err },
			status: 500, message: "Internal Server Error", hint: "server error", method: "GET"},
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

// Answers the fake cannot give, from a stub server.
func TestOddAnswers(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		call       func(c *hightouch.Client) error
		want       string
	}{
		{"trigger 200 without id", `{}`, 200,
			func(c *hightouch.Client) error {
				_, err := c.TriggerSync(context.Background(), "1", hightouch.TriggerOptions{})
				return err
			},
			"200 answer without an id"},
		{"create answered 200 with a validation error", `{"message":"Validation failed","details":{"slug":"taken"}}`, 200,
			func(c *hightouch.Client) error {
				_, err := c.CreateModel(context.Background(), hightouch.ModelCreate{Slug: "x"})
				return err
			}, `200 Validation failed: {"slug":"taken"}`},
		{"502 from a proxy", `<html>Bad Gateway</html>`, 502,
			func(c *hightouch.Client) error { _, err := c.GetSync(context.Background(), "1"); return err },
			"502 <html>Bad Gateway</html>"},
		{"error as details string", `{"message":"Authentication error","details":"Invalid API key"}`, 401,
			func(c *hightouch.Client) error { _, err := c.GetSync(context.Background(), "1"); return err },
			"401 Authentication error: Invalid API key"},
		{"error key", `{"error":"bad request"}`, 400,
			func(c *hightouch.Client) error { _, err := c.GetSync(context.Background(), "1"); return err },
			"400 bad request"},
		{"empty body", ``, 403,
			func(c *hightouch.Client) error { _, err := c.GetSync(context.Background(), "1"); return err },
			"403 Forbidden"},
		{"not JSON on success", `{"id":1,`, 200,
			func(c *hightouch.Client) error { _, err := c.GetSync(context.Background(), "1"); return err },
			"malformed answer"},
		{"a redirect is not followed", ``, 302,
			func(c *hightouch.Client) error { _, err := c.GetSync(context.Background(), "1"); return err },
			"302 Found"},
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
			err := tc.call(newClient(t, srv.URL, "test-key-123456", func(c *hightouch.Config) { c.MaxAttempts = 1 }))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
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
	for status, want := range map[string]bool{
		"success": true, "warning": true, "failed": true, "cancelled": true, "interrupted": true,
		"completed": true, "completed_with_errors": true,
		"queued": false, "querying": false, "processing": false, "reporting": false, "pending": false,
		"": false, "something_new": false,
	} {
		if hightouch.IsTerminal(status) != want {
			t.Errorf("IsTerminal(%q) != %v", status, want)
		}
	}
}
