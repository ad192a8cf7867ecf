package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"time"

	"golang.org/x/time/rate"

	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// TestMain isolates every git run from the machine's config and from any
// repository the tests happen to run inside.
func TestMain(m *testing.M) {
	gittest.Isolate()
	os.Exit(m.Run())
}

const sub = "hightouch" // the Git Sync folder in every test repository

const (
	accountsModel = `name: Accounts
source: pg
type: table
rawSql: null
tableName: public.accounts
dbtModel: null
isSchema: false
primaryKey: account_id
`
	usersModel = `name: Users
source: snow
type: raw_sql
rawSql: select * from users
tableName: null
dbtModel: null
isSchema: false
primaryKey: user_id
`
	accountsSync = `model: accounts
destination: sf
config:
  mode: upsert
  object: Account
  mappings:
    - from: name
      to: Name
      type: standard
schedule:
  type: cron
  schedule:
    expression: "0 6 * * *"
schedulePaused: false
`
	usersSync = `model: users
destination: braze
config:
  mode: upsert
  object: users
  mappings:
    - from: email
      to: email
      type: standard
schedule:
  type: interval
  schedule:
    interval:
      unit: hour
      quantity: 1
schedulePaused: false
`
	pausedSync = `model: users
destination: braze
config:
  mode: update
  object: users
schedule:
  type: manual
schedulePaused: true
`
	manifest = `sources:
  pg: {name: PG, type: postgres}
  snow: {name: Snowflake, type: snowflake}
destinations:
  sf: {name: Salesforce, type: salesforce}
  braze: {name: Braze, type: braze}
`
)

func baseFiles() map[string]string {
	return map[string]string{
		"manifest.yaml":             manifest,
		"models/accounts.yaml":      accountsModel,
		"models/users.yaml":         usersModel,
		"syncs/accounts-to-sf.yaml": accountsSync,
		"syncs/users-to-braze.yaml": usersSync,
		"syncs/users-paused.yaml":   pausedSync,
	}
}

// env is a repository, a fake Hightouch and a client for it.
type env struct {
	t      *testing.T
	dir    string
	fake   *hightouchtest.Server
	client *hightouch.Client
	first  string
}

// newEnv commits files (nil: baseFiles) under hightouch/ and starts a fake
// with the manifest's sources and destinations; with ingested, Hightouch
// already has every model and sync of that first commit.
func newEnv(t *testing.T, files map[string]string, ingested bool, opts ...hightouchtest.Option) *env {
	t.Helper()
	if files == nil {
		files = baseFiles()
	}
	e := &env{t: t, fake: hightouchtest.New(opts...)}
	t.Cleanup(e.fake.Close)
	e.dir, e.first = gittest.Seed(t, underSub(files))
	for _, s := range []string{"pg", "snow"} {
		e.fake.AddSource(hightouchtest.Source{Slug: s, Name: s, Type: "postgres"})
	}
	for _, d := range []string{"sf", "braze"} {
		e.fake.AddDestination(hightouchtest.Destination{Slug: d, Name: d, Type: "salesforce"})
	}
	if ingested {
		e.ingest()
	}
	var err error
	// No rate limit: the fake has none unless asked (TestRateLimit), and
	// Hightouch's pace would make a test wait in real time.
	e.client, err = hightouch.New(hightouch.Config{BaseURL: e.fake.URL, APIKey: e.fake.APIKey, HTTPClient: e.fake.HTTPClient(),
		RateLimit: rate.Inf, BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxAttempts: 3, Deadline: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// commit writes files under hightouch/ ("" deletes), commits and returns
// the commit id.
func (e *env) commit(files map[string]string) string {
	e.t.Helper()
	return gittest.Commit(e.t, e.dir, "change", underSub(files))
}

// underSub moves files (by path relative to the Git Sync folder) under sub.
func underSub(files map[string]string) map[string]string {
	under := make(map[string]string, len(files))
	for rel, content := range files {
		under[sub+"/"+rel] = content
	}
	return under
}

// ingest does what Git Sync does: every model and sync file of the working
// tree is upserted into the fake, by slug.
func (e *env) ingest() {
	e.t.Helper()
	f, err := hightouchtest.ReadFolder(filepath.Join(e.dir, sub))
	if err == nil {
		err = e.fake.Ingest(f)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) plan(from, to string, opts plan.Options) *plan.Plan {
	e.t.Helper()
	ws, _, err := workspace.Discover(workspace.Options{Root: e.dir, Path: sub})
	if err != nil {
		e.t.Fatal(err)
	}
	opts.RepoDir, opts.From, opts.To = e.dir, from, to
	p, err := plan.Build(e.t.Context(), ws, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// run deploys p with tiny poll intervals, bounded by 8s; log collects the
// progress lines.
func (e *env) run(p *plan.Plan, set func(*Options)) (*Outcome, string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 8*time.Second)
	defer cancel()
	return e.runCtx(ctx, p, set)
}

func (e *env) runCtx(ctx context.Context, p *plan.Plan, set func(*Options)) (*Outcome, string) {
	e.t.Helper()
	var log bytes.Buffer
	opts := Options{RepoDir: e.dir, Plan: p, Client: e.client, Ingest: IngestNone, IngestTimeout: 5 * time.Second,
		Trigger: true, Wait: true, Log: &log, PollMin: time.Millisecond, PollMax: 3 * time.Millisecond}
	if set != nil {
		set(&opts)
	}
	out, err := Run(ctx, opts)
	if err != nil {
		e.t.Fatalf("Run: %v\nlog:\n%s", err, log.String())
	}
	return out, log.String()
}

func (e *env) syncID(slug string) string {
	e.t.Helper()
	s, ok := e.fake.Sync(slug)
	if !ok {
		e.t.Fatalf("the fake has no sync %s", slug)
	}
	return s.ID
}

// triggerBodies maps each triggered sync's slug to its trigger body.
func (e *env) triggerBodies() map[string]map[string]any {
	e.t.Helper()
	out := map[string]map[string]any{}
	for _, r := range e.fake.Requests() {
		if r.Route != hightouchtest.RouteTrigger {
			continue
		}
		id := strings.TrimSuffix(strings.TrimPrefix(r.Path, "/syncs/"), "/trigger")
		for _, slug := range []string{"accounts-to-sf", "users-to-braze", "users-paused", "users-to-intercom"} {
			if s, ok := e.fake.Sync(slug); ok && s.ID == id {
				var body map[string]any
				if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
					e.t.Fatalf("trigger body %q: %v", r.Body, err)
				}
				out[slug] = body
			}
		}
	}
	return out
}

// writes counts the requests that create or update models and syncs.
func (e *env) writes() int {
	n := 0
	for _, route := range []string{"POST /models", "POST /syncs", "PATCH /models/{modelId}", "PATCH /syncs/{syncId}"} {
		n += e.fake.Count(route)
	}
	return n
}

func runSummary(o *Outcome) []string {
	out := []string{}
	for _, r := range o.Runs {
		s := fmt.Sprintf("%s %s full=%v", r.Sync, r.State(), r.FullResync)
		if r.Failed {
			s += " FAILED"
		}
		out = append(out, s)
	}
	return out
}

func resourceSummary(o []ResourceResult) []string {
	out := []string{}
	for _, r := range o {
		out = append(out, fmt.Sprintf("%s %s %s", r.Resource.Kind, r.Resource.Slug, r.Result))
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

const intercomSync = `model: users
destination: braze
config:
  mode: upsert
  object: people
schedule:
  type: manual
schedulePaused: false
`

// TestWaitForIngestion: Git Sync ingests the merge a little after the
// deploy starts; the deploy polls until it sees every change, then
// triggers the affected syncs once each.
func TestWaitForIngestion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{
		"models/accounts.yaml":         strings.Replace(accountsModel, "account_id", "id", 1),
		"models/users.yaml":            strings.Replace(usersModel, "select *", "select id, email", 1),
		"syncs/users-to-intercom.yaml": intercomSync,
	})
	p := e.plan(e.first, to, plan.Options{})
	// Git Sync ingests the merge once the deploy has looked three times
	// (and at least 30ms after it started).
	ingested := make(chan struct{})
	time.AfterFunc(30*time.Millisecond, func() {
		defer close(ingested)
		for e.fake.Count("GET /models") < 3 {
			time.Sleep(time.Millisecond)
		}
		e.ingest()
	})
	defer func() { <-ingested }()
	out, log := e.run(p, func(o *Options) {
		o.Ingest = IngestWait
		o.PollMin = 5 * time.Millisecond
		o.PollMax = 10 * time.Millisecond
	})
	if !out.OK() {
		t.Fatalf("deploy failed:\n%s", log)
	}
	equal(t, "resources", resourceSummary(out.Resources), []string{"model accounts arrived", "model users arrived", "sync users-to-intercom arrived"})
	equal(t, "runs", runSummary(out), []string{"accounts-to-sf success full=true", "users-to-braze success full=false", "users-to-intercom success full=true"})
	if n := e.fake.Count("GET /models"); n < 4 {
		t.Errorf("%d model listings: the deploy did not poll before the change arrived", n)
	}
	if n := e.fake.Count(hightouchtest.RouteTrigger); n != 3 {
		t.Errorf("%d triggers, want 3 (each affected sync once, the paused one not)", n)
	}
	bodies := e.triggerBodies()
	for slug, want := range map[string]bool{"accounts-to-sf": true, "users-to-braze": false, "users-to-intercom": true} {
		if got := bodies[slug]["fullResync"]; got != want {
			t.Errorf("%s: trigger body fullResync = %v, want %v", slug, got, want)
		}
	}
	if _, ok := bodies["users-paused"]; ok {
		t.Error("the paused sync was triggered")
	}
	for _, line := range []string{"waiting up to 5s for Hightouch Git Sync to ingest 3 changed resource(s)", "Hightouch has every change",
		"users-paused: not triggered: paused", "done: 3 run(s), 0 failed"} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}
	if e.writes() != 0 {
		t.Errorf("--ingest wait wrote %d times", e.writes())
	}
}

// TestWaitForIngestionTimeout: the change never arrives; the deploy says
// what is missing and what differs, and triggers nothing.
func TestWaitForIngestionTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{
		"models/users.yaml":            strings.Replace(usersModel, "select *", "select id", 1),
		"syncs/users-to-braze.yaml":    strings.Replace(usersSync, "quantity: 1", "quantity: 2", 1),
		"syncs/users-to-intercom.yaml": intercomSync,
	})
	p := e.plan(e.first, to, plan.Options{})
	start := time.Now()
	out, log := e.run(p, func(o *Options) {
		o.Ingest, o.IngestTimeout = IngestWait, 80*time.Millisecond
		o.PollMin, o.PollMax = 10*time.Millisecond, 20*time.Millisecond
	})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s for an 80ms ingest timeout", took)
	}
	if out.OK() || !out.IngestFailed || len(out.Runs) != 0 || e.fake.Count(hightouchtest.RouteTrigger) != 0 {
		t.Fatalf("outcome %+v, %d triggers; want an ingestion failure and no trigger", out, e.fake.Count(hightouchtest.RouteTrigger))
	}
	equal(t, "resources", resourceSummary(out.Resources), []string{"model users differs", "sync users-to-braze differs", "sync users-to-intercom not in Hightouch yet"})
	for _, want := range []string{
		`model users: differs (rawSql: "select * from users" → "select id from users")`,
		`sync users-to-braze: differs (schedule.schedule.interval.quantity: 1 → 2)`,
		"sync users-to-intercom: not in Hightouch yet",
		"gave up waiting for ingestion after",
		"3 resource(s) not in Hightouch as merged",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	md := out.Markdown()
	if !strings.Contains(md, "**Ingestion did not finish**") || !strings.Contains(md, "| sync | `users-to-intercom` | added | not in Hightouch yet |") {
		t.Errorf("markdown:\n%s", md)
	}
}

// TestApply: the first deploy creates everything, the next updates only
// what changed, and running the same deploy again writes nothing.
func TestApply(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{"manifest.yaml": manifest}, false)
	files := baseFiles()
	delete(files, "manifest.yaml")
	second := e.commit(files)
	p := e.plan(e.first, second, plan.Options{})
	out, log := e.run(p, func(o *Options) { o.Ingest = IngestApply })
	if !out.OK() {
		t.Fatalf("first apply failed:\n%s", log)
	}
	equal(t, "created", resourceSummary(out.Resources), []string{
		"model accounts created", "model users created",
		"sync accounts-to-sf created", "sync users-paused created", "sync users-to-braze created",
	})
	equal(t, "first runs", runSummary(out), []string{"accounts-to-sf success full=true", "users-to-braze success full=true"})
	if n := e.fake.Count("POST /models") + e.fake.Count("POST /syncs"); n != 5 {
		t.Errorf("%d creates, want 5", n)
	}
	// What Hightouch has is what the files say.
	m, _ := e.fake.Model("users")
	src, _ := e.fake.Source("snow")
	if m.QueryType != "raw_sql" || m.SQL != "select * from users" || m.PrimaryKey != "user_id" || m.SourceID != src.ID || m.Name != "Users" {
		t.Errorf("model users: %+v", m)
	}
	a, _ := e.fake.Model("accounts")
	if a.QueryType != "table" || a.Table != "public.accounts" {
		t.Errorf("model accounts: %+v", a)
	}
	s, _ := e.fake.Sync("accounts-to-sf")
	if s.ModelID != a.ID || s.Schedule["type"] != "cron" || s.Configuration["object"] != "Account" || s.Disabled {
		t.Errorf("sync accounts-to-sf: %+v", s)
	}
	if ps, _ := e.fake.Sync("users-paused"); !ps.Disabled || ps.Schedule != nil {
		t.Errorf("sync users-paused: %+v (want disabled, manual)", ps)
	}

	third := e.commit(map[string]string{
		"models/users.yaml":         strings.Replace(usersModel, "select *", "select id", 1),
		"syncs/accounts-to-sf.yaml": strings.Replace(accountsSync, `"0 6 * * *"`, `"0 7 * * *"`, 1),
	})
	before := e.writes()
	p = e.plan(second, third, plan.Options{})
	out, log = e.run(p, func(o *Options) { o.Ingest = IngestApply })
	if !out.OK() {
		t.Fatalf("second apply failed:\n%s", log)
	}
	equal(t, "updated", resourceSummary(out.Resources), []string{"model users updated", "sync accounts-to-sf updated"})
	if n := e.writes() - before; n != 2 || e.fake.Count("PATCH /models/{modelId}") != 1 || e.fake.Count("PATCH /syncs/{syncId}") != 1 {
		t.Errorf("%d writes for two changes", n)
	}
	if !strings.Contains(log, `sync accounts-to-sf: updated (schedule.schedule.expression: "0 6 * * *" → "0 7 * * *")`) {
		t.Errorf("log does not say what differed:\n%s", log)
	}
	equal(t, "second runs", runSummary(out), []string{"accounts-to-sf success full=false", "users-to-braze success full=false"})
	if m, _ := e.fake.Model("users"); m.SQL != "select id from users" {
		t.Errorf("model users not updated: %+v", m)
	}

	// The same deploy again: everything is already there.
	before = e.writes()
	out, log = e.run(e.plan(second, third, plan.Options{}), func(o *Options) { o.Ingest = IngestApply })
	if !out.OK() {
		t.Fatalf("third apply failed:\n%s", log)
	}
	if n := e.writes() - before; n != 0 {
		t.Errorf("a repeated deploy made %d writes", n)
	}
	equal(t, "repeated", resourceSummary(out.Resources), []string{"model users unchanged", "sync accounts-to-sf unchanged"})

	// A new display name alone is written too: apply makes Hightouch say
	// what the file says.
	fourth := e.commit(map[string]string{"models/users.yaml": strings.Replace(usersModel, "name: Users", "name: All users", 1)})
	before = e.writes()
	out, log = e.run(e.plan(third, fourth, plan.Options{}), func(o *Options) { o.Ingest = IngestApply })
	if !out.OK() {
		t.Fatalf("rename apply failed:\n%s", log)
	}
	if m, _ := e.fake.Model("users"); m.Name != "All users" || e.writes()-before != 1 {
		t.Errorf("model users after a new name: %+v, %d writes", m, e.writes()-before)
	}
}

// TestApplyRefusals: what the API cannot do is a failed resource, and no
// sync is triggered.
func TestApplyRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{
		"models/users.yaml":         strings.Replace(usersModel, "source: snow", "source: pg", 1),
		"syncs/users-to-braze.yaml": strings.Replace(usersSync, "destination: braze", "destination: nowhere", 1),
	})
	before := e.writes()
	out, log := e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.Ingest = IngestApply })
	if out.OK() || !out.IngestFailed || len(out.Runs) != 0 {
		t.Fatalf("outcome %+v\n%s", out, log)
	}
	if e.writes() != before {
		t.Errorf("refused changes were written")
	}
	got := strings.Join(resourceSummary(out.Resources), "\n")
	for _, want := range []string{"the API cannot move a model to another source", "the API cannot point a sync at another model or destination"} {
		if !strings.Contains(got, want) {
			t.Errorf("results lack %q:\n%s", want, got)
		}
	}
}

// TestFullResyncAuto: a full resync for a sync new to Hightouch or whose
// model's primary key changed; otherwise incremental.
func TestFullResyncAuto(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]string
		mode   string
		prep   func(e *env) // after ingestion, before the deploy
		want   []string
	}{
		{
			name:   "new sync Git Sync already ingested but never ran",
			change: map[string]string{"syncs/users-to-intercom.yaml": intercomSync},
			want:   []string{"users-to-intercom success full=true"},
		},
		{
			name:   "new file of a sync Hightouch has run (made in the UI)",
			change: map[string]string{"syncs/users-to-intercom.yaml": intercomSync},
			prep: func(e *env) {
				if _, err := e.client.TriggerSync(e.t.Context(), hightouch.ID(e.syncID("users-to-intercom")), hightouch.TriggerOptions{}); err != nil {
					e.t.Fatal(err)
				}
			},
			want: []string{"users-to-intercom success full=false"},
		},
		{
			name:   "primary key changed",
			change: map[string]string{"models/users.yaml": strings.Replace(usersModel, "user_id", "id", 1)},
			want:   []string{"users-to-braze success full=true"},
		},
		{
			name:   "query changed",
			change: map[string]string{"models/users.yaml": strings.Replace(usersModel, "select *", "select id", 1)},
			want:   []string{"users-to-braze success full=false"},
		},
		{
			name:   "never",
			mode:   plan.ResyncNever,
			change: map[string]string{"syncs/users-to-intercom.yaml": intercomSync, "models/users.yaml": strings.Replace(usersModel, "user_id", "id", 1)},
			want:   []string{"users-to-braze success full=false", "users-to-intercom success full=false"},
		},
		{
			name:   "always",
			mode:   plan.ResyncAlways,
			change: map[string]string{"models/accounts.yaml": strings.Replace(accountsModel, "public.", "crm.", 1)},
			want:   []string{"accounts-to-sf success full=true"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, true)
			to := e.commit(tt.change)
			e.ingest()
			if tt.prep != nil {
				tt.prep(e)
			}
			out, log := e.run(e.plan(e.first, to, plan.Options{FullResync: tt.mode}), nil)
			equal(t, "runs", runSummary(out), tt.want)
			if strings.HasPrefix(tt.name, "new file of a sync Hightouch has run") &&
				!strings.Contains(log, "users-to-intercom: Hightouch already has this sync and has run it: no full resync") {
				t.Errorf("the log does not say why there is no full resync:\n%s", log)
			}
			for _, r := range out.Runs {
				runs := e.fake.Runs(string(r.SyncID))
				if last := runs[len(runs)-1]; last.FullResync != r.FullResync || last.ID != string(r.RunID) {
					t.Errorf("%s: the fake has %+v, the outcome %+v", r.Sync, last, r)
				}
			}
			if t.Failed() {
				t.Log(log)
			}
		})
	}
}

// TestPaused: a paused sync is not triggered unless asked.
func TestPaused(t *testing.T) {
	t.Parallel()
	for _, include := range []bool{false, true} {
		t.Run(fmt.Sprint("include-paused=", include), func(t *testing.T) {
			e := newEnv(t, nil, true)
			to := e.commit(map[string]string{"syncs/users-paused.yaml": strings.Replace(pausedSync, "object: users", "object: people", 1)})
			e.ingest()
			out, log := e.run(e.plan(e.first, to, plan.Options{IncludePaused: include}), nil)
			if include {
				equal(t, "runs", runSummary(out), []string{"users-paused success full=false"})
				return
			}
			equal(t, "runs", runSummary(out), []string{})
			if e.fake.Count(hightouchtest.RouteTrigger) != 0 || !strings.Contains(log, "users-paused: not triggered: paused (schedulePaused: true; pass --include-paused to run it)") {
				t.Errorf("%d triggers; log:\n%s", e.fake.Count(hightouchtest.RouteTrigger), log)
			}
			var table strings.Builder
			out.WriteTable(&table)
			md := out.Markdown()
			if !strings.Contains(table.String(), "Not triggered: users-paused (paused (schedulePaused: true; pass --include-paused to run it))") ||
				!strings.Contains(md, "Not triggered: `users-paused` (paused (schedulePaused: true; pass --include-paused to run it)).") {
				t.Errorf("the paused sync is not reported:\n%s\n%s", table.String(), md)
			}
		})
	}
}

// TestRunOutcomes: how each final status counts.
func TestRunOutcomes(t *testing.T) {
	tests := []struct {
		script        hightouchtest.RunScript
		failOnWarning bool
		status        hightouch.RunStatus
		failed        bool
		errText       string
		rows          hightouch.RowCounts
		failedRows    int64
	}{
		{script: hightouchtest.RunScript{}, status: "success", rows: hightouch.RowCounts{Added: 10}},
		{script: hightouchtest.RunScript{Final: "warning", Planned: &hightouchtest.Rows{Added: 5, Changed: 3, Removed: 1}, Failed: &hightouchtest.Rows{Changed: 2}},
			status: "warning", rows: hightouch.RowCounts{Added: 5, Changed: 3, Removed: 1}, failedRows: 2},
		{script: hightouchtest.RunScript{Final: "warning"}, failOnWarning: true, status: "warning", failed: true, rows: hightouch.RowCounts{Added: 10}},
		{script: hightouchtest.RunScript{Final: "failed", Error: "destination rejected the batch", Failed: &hightouchtest.Rows{Added: 10}},
			status: "failed", failed: true, errText: "destination rejected the batch", failedRows: 10},
		{script: hightouchtest.RunScript{Final: "cancelled"}, status: "cancelled", failed: true},
		{script: hightouchtest.RunScript{Final: "completed_with_errors", Error: "3 rows rejected"}, status: "completed_with_errors", failed: true, errText: "3 rows rejected"},
		{script: hightouchtest.RunScript{Final: "completed"}, status: "completed"},
	}
	for _, tt := range tests {
		name := string(tt.status)
		if tt.failOnWarning {
			name += " fail-on-warning"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, true)
			to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
			e.ingest()
			e.fake.ScriptRuns(e.syncID("users-to-braze"), tt.script)
			out, log := e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.FailOnWarning = tt.failOnWarning })
			if len(out.Runs) != 1 {
				t.Fatalf("runs %+v\n%s", out.Runs, log)
			}
			r := out.Runs[0]
			if r.Status != tt.status || r.Failed != tt.failed || r.Error != tt.errText || r.Rows != tt.rows || r.FailedRows != tt.failedRows {
				t.Errorf("run %+v\nwant status %s failed %v error %q rows %+v failed rows %d", r, tt.status, tt.failed, tt.errText, tt.rows, tt.failedRows)
			}
			var table strings.Builder
			out.WriteTable(&table)
			want := string(tt.status)
			if tt.failed && tt.status != "failed" && tt.status != "cancelled" {
				want += " (failed)"
			}
			if !regexp.MustCompile(`(?m)^users-to-braze +` + regexp.QuoteMeta(r.RunID.String()) + ` +` + regexp.QuoteMeta(want) + ` `).MatchString(table.String()) {
				t.Errorf("table row does not say %q:\n%s", want, table.String())
			}
			if out.OK() == tt.failed || (out.Failed() == 1) != tt.failed {
				t.Errorf("OK() = %v, Failed() = %d", out.OK(), out.Failed())
			}
			if r.Duration <= 0 && tt.status == "success" {
				t.Errorf("no duration: %+v", r)
			}
		})
	}
}

// TestPollingFaults: 429 and 5xx answers while following a run are
// retried, by the client and then by the deploy, without a second trigger.
func TestPollingFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
	e.ingest()
	// The client makes 3 attempts per call: the first two polls are each
	// answered with faults only, so the deploy itself must try again.
	e.fake.Fault(hightouchtest.RouteRuns,
		hightouchtest.Fault{Status: 429}, hightouchtest.Fault{Status: 500}, hightouchtest.Fault{Status: 502},
		hightouchtest.Fault{Status: 503, Times: 3},
		hightouchtest.Fault{Status: 429, RetryAfter: "0"})
	out, log := e.run(e.plan(e.first, to, plan.Options{}), nil)
	equal(t, "runs", runSummary(out), []string{"users-to-braze success full=false"})
	if n := e.fake.Count(hightouchtest.RouteTrigger); n != 1 {
		t.Errorf("%d triggers", n)
	}
	if !strings.Contains(log, "(will retry)") {
		t.Errorf("log does not say a poll failed and will be retried:\n%s", log)
	}
	if n := strings.Count(log, "(will retry)"); n > 2 {
		t.Errorf("%d retry lines; one per distinct error is enough:\n%s", n, log)
	}
}

// TestTriggerAnswerLost: the trigger reaches Hightouch and starts a run but
// its answer is lost. It must not be sent again, and the result says to
// check the runs.
func TestTriggerAnswerLost(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
	e.ingest()
	e.fake.Fault(hightouchtest.RouteTrigger, hightouchtest.Fault{Drop: hightouchtest.DropAfterBody})
	out, log := e.run(e.plan(e.first, to, plan.Options{}), nil)
	if n := e.fake.Count(hightouchtest.RouteTrigger); n != 1 {
		t.Errorf("%d triggers reached Hightouch, want exactly 1", n)
	}
	if runs := e.fake.Runs(e.syncID("users-to-braze")); len(runs) != 1 {
		t.Errorf("runs in Hightouch: %+v", runs)
	}
	if len(out.Runs) != 1 || !out.Runs[0].Failed || out.Failed() != 1 || out.OK() {
		t.Fatalf("outcome %+v", out.Runs)
	}
	r := out.Runs[0]
	if !strings.Contains(r.Error, "check the sync's runs in Hightouch before triggering again") || r.RunID != "" || r.Phase != TriggerFailed {
		t.Errorf("run %+v", r)
	}
	if n := strings.Count(r.Error, "check the sync's runs"); n != 1 {
		t.Errorf("the advice is given %d times: %s", n, r.Error)
	}
	if !regexp.MustCompile(`users-to-braze: trigger failed: .*the trigger may have started a run`).MatchString(log) {
		t.Errorf("log:\n%s", log)
	}
	var table strings.Builder
	out.WriteTable(&table)
	if !regexp.MustCompile(`(?m)^users-to-braze +trigger failed `).MatchString(table.String()) || !strings.Contains(table.String(), "check the sync's runs") {
		t.Errorf("table:\n%s", table.String())
	}
}

var logLine = regexp.MustCompile(`^\[ *[0-9.]+[mµn]?s\] `)

// TestRunProgress: one line per state change per sync with the elapsed
// time, unknown statuses polled on, a run missing from the list at first
// reported as not visible yet.
func TestRunProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{
		"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1),
		"syncs/accounts-to-sf.yaml": strings.Replace(accountsSync, "Account", "Company", 1),
	})
	e.ingest()
	e.fake.ScriptRuns(e.syncID("users-to-braze"), hightouchtest.RunScript{HiddenPolls: 3})
	e.fake.ScriptRuns(e.syncID("accounts-to-sf"), hightouchtest.RunScript{Steps: []string{"queued", "warming_up", "warming_up", "processing"}})
	out, log := e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.WorkspaceSlug = "acme" })
	equal(t, "runs", runSummary(out), []string{"accounts-to-sf success full=false", "users-to-braze success full=false"})
	var braze, accounts []string
	for line := range strings.Lines(log) {
		line = strings.TrimSuffix(line, "\n")
		if !logLine.MatchString(line) {
			t.Errorf("line without elapsed time: %q", line)
		}
		rest := logLine.ReplaceAllString(line, "")
		after := regexp.MustCompile(` after [0-9.]+[mµn]?s$`)
		if s, ok := strings.CutPrefix(rest, "users-to-braze: "); ok {
			braze = append(braze, after.ReplaceAllString(s, " after T"))
		}
		if s, ok := strings.CutPrefix(rest, "accounts-to-sf: "); ok {
			accounts = append(accounts, after.ReplaceAllString(s, " after T"))
		}
	}
	bID, aID := out.Runs[1].RunID, out.Runs[0].RunID
	equal(t, "users-to-braze lines", braze, []string{
		"triggered run " + string(bID) + " (incremental)",
		"run " + string(bID) + " not visible yet",
		"queued after T", "querying after T", "processing after T", "reporting after T", "success after T",
	})
	equal(t, "accounts-to-sf lines", accounts, []string{
		"triggered run " + string(aID) + " (incremental)",
		"queued after T", "warming_up (unknown status; still polling) after T", "processing after T", "success after T",
	})
	if n := e.fake.Count(hightouchtest.RouteTrigger); n != 2 {
		t.Errorf("%d triggers", n)
	}

	var table strings.Builder
	out.WriteTable(&table)
	for _, want := range []string{"SYNC", "DURATION", "users-to-braze", "success"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	md := out.Markdown()
	link := fmt.Sprintf("[%s](https://app.hightouch.com/acme/syncs/%s/runs/%s)", bID, e.syncID("users-to-braze"), bID)
	if !strings.Contains(md, "| `users-to-braze` | "+link+" | success | 10 | 0 | 0 | 0 |") {
		t.Errorf("markdown lacks the run row with %s:\n%s", link, md)
	}
}

// TestDeployTimeout: --timeout ends the wait for a run that does not end.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil, true, hightouchtest.InProcess())
		to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
		e.ingest()
		steps := slices.Repeat([]string{"processing"}, 100000)
		e.fake.ScriptRuns(e.syncID("users-to-braze"), hightouchtest.RunScript{Steps: steps})
		p := e.plan(e.first, to, plan.Options{})
		// The default polling (2s, up to 15s) on synctest's clock.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
		defer cancel()
		start := time.Now()
		out, log := e.runCtx(ctx, p, func(o *Options) { o.PollMin, o.PollMax = 0, 0 })
		if took := time.Since(start); took > 10*time.Minute {
			t.Errorf("took %s", took)
		}
		if len(out.Runs) != 1 || !out.Runs[0].Failed || !strings.Contains(out.Runs[0].Error, "gave up waiting (timeout) while the run was processing") {
			t.Errorf("runs %+v\n%s", out.Runs, log)
		}
	})
}

// TestTriggerNone and no --wait: triggers without following, or nothing.
func TestTriggerWithoutWait(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
	e.ingest()
	p := e.plan(e.first, to, plan.Options{})
	out, _ := e.run(p, func(o *Options) { o.Trigger = false })
	if len(out.Runs) != 0 || e.fake.Count(hightouchtest.RouteTrigger) != 0 {
		t.Errorf("--trigger none triggered: %+v", out.Runs)
	}
	out, _ = e.run(p, func(o *Options) { o.Wait = false })
	equal(t, "runs", runSummary(out), []string{"users-to-braze triggered full=false"})
	if e.fake.Count(hightouchtest.RouteRuns) != 0 {
		t.Errorf("polled runs without --wait")
	}
}

// TestPreview: what plan says with a key, without writing.
func TestPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{
		"models/users.yaml":            strings.Replace(usersModel, "user_id", "id", 1),
		"syncs/users-to-intercom.yaml": intercomSync,
		"syncs/accounts-to-sf.yaml":    "",
	})
	p := e.plan(e.first, to, plan.Options{})
	res, _, err := Preview(t.Context(), Options{RepoDir: e.dir, Plan: p, Client: e.client})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "preview", resourceSummary(res), []string{"model users update", "sync users-to-intercom create"})
	if res[0].Diff[0] != `primaryKey: "user_id" → "id"` {
		t.Errorf("diff %q", res[0].Diff)
	}
	if e.writes() != 0 || e.fake.Count(hightouchtest.RouteTrigger) != 0 {
		t.Error("preview wrote to Hightouch")
	}
	var b strings.Builder
	WriteResourcesMarkdown(&b, res)
	if !strings.Contains(b.String(), "| model | `users` | modified | update (primaryKey: \"user_id\" → \"id\") |") {
		t.Errorf("markdown:\n%s", b.String())
	}
}

// TestTriggerFaults: a trigger is retried only when Hightouch cannot have
// acted on it; otherwise the result says to check the runs.
func TestTriggerFaults(t *testing.T) {
	tests := []struct {
		name     string
		faults   []hightouchtest.Fault
		requests int // trigger requests that reached Hightouch
		runs     int // runs Hightouch started
		failed   bool
		err      string
	}{
		{name: "429 then success", faults: []hightouchtest.Fault{{Status: 429}}, requests: 2, runs: 1},
		{name: "503 then success", faults: []hightouchtest.Fault{{Status: 503}}, requests: 2, runs: 1},
		// Once connected the client cannot know: no second trigger.
		{name: "dropped before the body", faults: []hightouchtest.Fault{{Drop: hightouchtest.DropBeforeBody}}, requests: 1, runs: 0, failed: true, err: "check the sync's runs in Hightouch before triggering again"},
		{name: "500: not retried", faults: []hightouchtest.Fault{{Status: 500}}, requests: 1, runs: 0, failed: true, err: "check the sync's runs in Hightouch before triggering again"},
		{name: "answer truncated", faults: []hightouchtest.Fault{{Truncate: true}}, requests: 1, runs: 1, failed: true, err: "check the sync's runs in Hightouch before triggering again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, true)
			to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
			e.ingest()
			e.fake.Fault(hightouchtest.RouteTrigger, tt.faults...)
			out, log := e.run(e.plan(e.first, to, plan.Options{}), nil)
			if n := e.fake.Count(hightouchtest.RouteTrigger); n != tt.requests {
				t.Errorf("%d trigger requests, want %d", n, tt.requests)
			}
			if n := len(e.fake.Runs(e.syncID("users-to-braze"))); n != tt.runs {
				t.Errorf("%d runs started, want %d", n, tt.runs)
			}
			if len(out.Runs) != 1 || out.Runs[0].Failed != tt.failed || !strings.Contains(out.Runs[0].Error, tt.err) {
				t.Errorf("runs %+v\n%s", out.Runs, log)
			}
			if !tt.failed && out.Runs[0].Status != "success" {
				t.Errorf("status %q", out.Runs[0].Status)
			}
		})
	}
}

// TestStringIDs: older answers carry ids as strings; the deploy works the same.
func TestStringIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, map[string]string{"manifest.yaml": manifest}, false, hightouchtest.WithStringIDs())
	files := baseFiles()
	delete(files, "manifest.yaml")
	to := e.commit(files)
	out, log := e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.Ingest = IngestApply })
	if !out.OK() {
		t.Fatalf("deploy failed:\n%s", log)
	}
	equal(t, "runs", runSummary(out), []string{"accounts-to-sf success full=true", "users-to-braze success full=true"})
	out, log = e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.Ingest = IngestWait })
	if !out.OK() || len(out.Resources) != 5 {
		t.Fatalf("wait after apply: %+v\n%s", out.Resources, log)
	}
}

// TestConcurrentTriggers: the affected syncs are triggered side by side,
// not one after the other.
func TestConcurrentTriggers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{
		"syncs/users-to-braze.yaml":    strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1),
		"syncs/accounts-to-sf.yaml":    strings.Replace(accountsSync, "Account", "Company", 1),
		"syncs/users-to-intercom.yaml": intercomSync,
	})
	e.ingest()
	slow := hightouchtest.Fault{Latency: 300 * time.Millisecond}
	e.fake.Fault(hightouchtest.RouteTrigger, slow, slow, slow)
	out, log := e.run(e.plan(e.first, to, plan.Options{}), nil)
	if !out.OK() || len(out.Runs) != 3 {
		t.Fatalf("runs %+v\n%s", out.Runs, log)
	}
	var arrivals []time.Time
	for _, r := range e.fake.Requests() {
		if r.Route == hightouchtest.RouteTrigger {
			arrivals = append(arrivals, r.Time)
		}
	}
	if len(arrivals) != 3 {
		t.Fatalf("%d triggers", len(arrivals))
	}
	if spread := arrivals[2].Sub(arrivals[0]); spread > 200*time.Millisecond {
		t.Errorf("the triggers arrived %s apart: one after the other", spread)
	}
}

// TestScheduleStartDate: a startDate in the file (beside the type or in the
// body, null or not) has no place in the API's schedule: it is neither sent
// nor compared.
func TestScheduleStartDate(t *testing.T) {
	t.Parallel()
	withStart := strings.Replace(usersSync, `schedule:
  type: interval
  schedule:
    interval:`, `schedule:
  type: interval
  startDate: null
  schedule:
    startDate: "2026-01-01T00:00:00Z"
    interval:`, 1)
	if withStart == usersSync {
		t.Fatal("no replacement")
	}
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(withStart, "quantity: 1", "quantity: 2", 1)})
	before := e.writes()
	out, log := e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.Ingest = IngestApply })
	if !out.OK() || e.writes()-before != 1 {
		t.Fatalf("apply: %d writes, %+v\n%s", e.writes()-before, out.Resources, log)
	}
	if s, _ := e.fake.Sync("users-to-braze"); fmt.Sprint(s.Schedule) != "map[schedule:map[interval:map[quantity:2 unit:hour]] type:interval]" {
		t.Errorf("schedule in Hightouch: %v", s.Schedule)
	}
	out, log = e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.Ingest = IngestWait })
	if !out.OK() || e.writes()-before != 1 {
		t.Fatalf("wait after apply: %d writes, %+v\n%s", e.writes()-before, out.Resources, log)
	}
}

// TestRateLimit: many syncs triggered and followed at once stay within the
// client's rate limit, so Hightouch never has to refuse one (a refused
// trigger would show as a second trigger request).
func TestRateLimit(t *testing.T) {
	t.Parallel()
	files := baseFiles()
	for i := range 10 {
		files[fmt.Sprintf("syncs/users-%02d.yaml", i)] = strings.Replace(usersSync, "object: users", fmt.Sprintf("object: users%d", i), 1)
	}
	// On synctest's clock: the limits are real ones, the waits not.
	synctest.Test(t, func(t *testing.T) {
		// At most 20 requests in any 250ms; the client sends at most 4 + 40/s × 0.25s = 14.
		e := newEnv(t, files, true, hightouchtest.WithRateLimit(20, 250*time.Millisecond), hightouchtest.InProcess())
		var err error
		e.client, err = hightouch.New(hightouch.Config{BaseURL: e.fake.URL, APIKey: e.fake.APIKey, HTTPClient: e.fake.HTTPClient(),
			RateLimit: 40, RateBurst: 4, BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		to := e.commit(map[string]string{"models/users.yaml": strings.Replace(usersModel, "select *", "select id", 1)})
		e.ingest()
		start := time.Now()
		out, log := e.run(e.plan(e.first, to, plan.Options{}), nil)
		if !out.OK() || len(out.Runs) != 11 {
			t.Fatalf("%d runs, %d failed\n%s", len(out.Runs), out.Failed(), log)
		}
		if n := e.fake.Count(hightouchtest.RouteTrigger); n != 11 {
			t.Errorf("%d trigger requests for 11 syncs", n)
		}
		if strings.Contains(log, "429") {
			t.Errorf("Hightouch refused requests:\n%s", log)
		}
		// 11 triggers and at least 11 polls past the burst of 4, at 40 a second.
		if took := time.Since(start); took < 18*time.Second/40 {
			t.Errorf("the deploy took %s: the client's limit was not applied", took)
		}
	})
}

// TestApplyDBTModel: a dbt model's primary key can be applied; its dbt
// model cannot (the file lacks Hightouch's dbt model id), nor can a new one.
func TestApplyDBTModel(t *testing.T) {
	t.Parallel()
	// The fake shows a dbt model's unique id as model.project.<slug>.
	dbt := "name: C\nsource: snow\ntype: dbt_model\nrawSql: null\ntableName: null\ndbtModel: model.project.customers\nisSchema: false\nprimaryKey: customer_id\n"
	files := baseFiles()
	files["models/customers.yaml"] = dbt
	e := newEnv(t, files, false)
	e.ingest()
	if m, _ := e.fake.Model("customers"); m.QueryType != "dbt" {
		t.Fatalf("fake model %+v", m)
	}
	to := e.commit(map[string]string{
		"models/customers.yaml":  strings.Replace(dbt, "customer_id", "id", 1),
		"models/customers2.yaml": strings.Replace(dbt, "customers", "customers2", 1),
	})
	out, log := e.run(e.plan(e.first, to, plan.Options{}), func(o *Options) { o.Ingest = IngestApply })
	equal(t, "resources", resourceSummary(out.Resources), []string{
		"model customers updated",
		"model customers2 failed: --ingest apply cannot write dbt_model models: the API needs Hightouch's internal dbt model id; let Git Sync ingest them (--ingest wait)",
	})
	// The deploy's last line says why, not "0 of 0 run(s) failed".
	if want := "model customers2 is not in Hightouch as merged (failed: --ingest apply cannot write dbt_model models: the API needs Hightouch's internal dbt model id; let Git Sync ingest them (--ingest wait)), so nothing was triggered"; out.Why() != want {
		t.Errorf("Why() = %q\nwant %q", out.Why(), want)
	}
	if m, _ := e.fake.Model("customers"); m.PrimaryKey != "id" {
		t.Errorf("primary key not applied: %+v\n%s", m, log)
	}
	for _, r := range e.fake.Requests() {
		if r.Route == "PATCH /models/{modelId}" && strings.Contains(r.Body, "dbt") {
			t.Errorf("PATCH sent a dbt query: %s", r.Body)
		}
	}
}

// TestOutcomeWhy: a failed deploy's one line names what failed.
func TestOutcomeWhy(t *testing.T) {
	t.Parallel()
	users := plan.Resource{Kind: workspace.Model, Slug: "users"}
	sync := plan.Resource{Kind: workspace.Sync, Slug: "users-to-braze"}
	tests := []struct {
		name string
		o    Outcome
		want string
	}{
		{"ingestion timed out", Outcome{IngestFailed: true, Resources: []ResourceResult{
			{Resource: users, Result: "arrived", OK: true}, {Resource: sync, Result: "differs"}}},
			"sync users-to-braze is not in Hightouch as merged (differs), so nothing was triggered"},
		{"several not ingested", Outcome{IngestFailed: true, Resources: []ResourceResult{
			{Resource: users, Result: "not in Hightouch yet"}, {Resource: sync, Result: "differs"}}},
			"model users is not in Hightouch as merged (not in Hightouch yet), nor 1 more resource(s), so nothing was triggered"},
		{"no resource to name", Outcome{IngestFailed: true}, "ingestion did not finish, so nothing was triggered"},
		{"runs and retirements", Outcome{Runs: []RunResult{{Failed: true}, {}}, Retired: []Retirement{{Failed: true}, {}}},
			"1 of 2 run(s) failed; 1 deleted resource(s) could not be retired"},
	}
	for _, tt := range tests {
		if got := tt.o.Why(); got != tt.want {
			t.Errorf("%s: Why() = %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
