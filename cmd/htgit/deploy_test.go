package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// The deploy tests run the built binary against a fake Hightouch started
// in the test process. Runs are scripted to end on the second poll, so a
// deploy that waits takes one poll interval (10ms: run sets
// HTGIT_POLL_INTERVAL); tests that do not look at the polling script runs
// without steps, ending on the first poll.

// dpKey is the API key: distinctive, so that it can be searched for in
// everything htgit writes.
const dpKey = "ht-e2e-SECRET-7f3a9c1d5e"

// dpFake starts a fake holding the example workspace's sources and
// destinations; with ingested, also its models and syncs as in dir.
func dpFake(t *testing.T, dir string, ingested bool) *hightouchtest.Server {
	t.Helper()
	fake := exampleFake(t, dpKey, "queued")
	if ingested {
		dpIngest(t, fake, dir)
	}
	return fake
}

// exampleFake starts a fake accepting key and holding the example
// workspace's sources and destinations; its runs go through steps.
func exampleFake(t *testing.T, key string, steps ...string) *hightouchtest.Server {
	t.Helper()
	fake := hightouchtest.New(hightouchtest.WithAPIKey(key))
	t.Cleanup(fake.Close)
	for _, s := range []string{"snowflake-prod", "postgres-app"} {
		fake.AddSource(hightouchtest.Source{Slug: s, Name: s, Type: "snowflake"})
	}
	for _, d := range []string{"salesforce-prod", "braze-prod", "hubspot"} {
		fake.AddDestination(hightouchtest.Destination{Slug: d, Name: d, Type: "salesforce"})
	}
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: steps})
	return fake
}

// dpIngest does what Git Sync does: every model and sync file under
// dir/hightouch is upserted into the fake by slug.
func dpIngest(t *testing.T, fake *hightouchtest.Server, dir string) {
	t.Helper()
	if err := dpIngestion(t, fake, dir)(); err != nil {
		t.Fatal(err)
	}
}

// dpIngestion reads the model and sync files under dir/hightouch now and
// returns the ingestion Git Sync would make of them: each upserted into the
// fake by slug, models first. It needs no *testing.T, so that a timer can
// run it while the binary waits.
func dpIngestion(t *testing.T, fake *hightouchtest.Server, dir string) func() error {
	t.Helper()
	f, err := hightouchtest.ReadFolder(filepath.Join(dir, "hightouch"))
	if err != nil {
		t.Fatal(err)
	}
	return func() error { return fake.Ingest(f) }
}

// dpSyncID is the fake's id of a sync.
func dpSyncID(t *testing.T, fake *hightouchtest.Server, slug string) string {
	t.Helper()
	s, ok := fake.Sync(slug)
	if !ok {
		t.Fatalf("the fake has no sync %s", slug)
	}
	return s.ID
}

// The change most tests deploy: a model's SQL (its sync runs) and a new
// sync (a full resync).
func dpChange(t *testing.T) map[string]string {
	return map[string]string{
		"hightouch/models/active-users.yaml":     example(t, "models/active-users.yaml", "dateadd(day, -30", "dateadd(day, -14"),
		"hightouch/syncs/accounts-to-braze.yaml": example(t, "syncs/active-users-to-braze.yaml", "model: active-users", "model: accounts", "from: user_id", "from: account_id"),
	}
}

// dpChanged is a repository with the example workspace under hightouch/
// and dpChange committed on it (before and after are the two commits), and
// a fake that already has the change, as when Git Sync was quick.
func dpChanged(t *testing.T) (dir, before, after string, fake *hightouchtest.Server) {
	t.Helper()
	dir, before = newRepo(t, "hightouch")
	after = gittest.Commit(t, dir, "change", dpChange(t))
	return dir, before, after, dpFake(t, dir, true)
}

func dpEnv(fake *hightouchtest.Server, extra ...string) map[string]string {
	env := map[string]string{"HIGHTOUCH_API_URL": fake.URL, "HIGHTOUCH_API_KEY": dpKey}
	maps.Copy(env, dpPairs(extra...))
	return env
}

// dpPairs is a map of the keys and values given in turn.
func dpPairs(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// dpNoKey fails if the key shows anywhere but the runner's mask command.
func dpNoKey(t *testing.T, where string, text string) {
	t.Helper()
	text = strings.ReplaceAll(text, "::add-mask::"+dpKey+"\n", "")
	if strings.Contains(text, dpKey) {
		t.Errorf("the API key is printed in %s:\n%s", where, text)
	}
}

// dpContains reports each of wants that text (called what in the
// message) does not contain.
func dpContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}

// dpRow finds the final table's row of a sync: its run id and status.
func dpRow(out, sync string) []string {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sync) + `\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+$`).FindStringSubmatch(out)
	if m == nil {
		return nil
	}
	return m[1:]
}

func TestDeployCLI(t *testing.T) {
	t.Parallel()
	dir, from, to, fake := dpChanged(t)
	r := run(t, dir, dpEnv(fake), "deploy", "--path", "hightouch", "--from", from, "--to", to, "--wait", "--debug")
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "stdout", r.stdout,
		"modified model active-users",
		"added    sync  accounts-to-braze",
		"Syncs to trigger (2):",
		"accounts-to-braze      sync added; full resync (new sync)",
		"active-users-to-braze  model active-users modified; incremental",
		"Hightouch has every change",
		"SYNC", "DURATION",
	)
	for _, sync := range []string{"accounts-to-braze", "active-users-to-braze"} {
		row := dpRow(r.stdout, sync)
		runs := fake.Runs(dpSyncID(t, fake, sync))
		if row == nil || len(runs) != 1 || row[0] != runs[0].ID || row[1] != "success" || row[2] != "10" {
			t.Errorf("%s: row %q, runs in the fake %+v\n%s", sync, row, runs, r.stdout)
		}
		if want := sync == "accounts-to-braze"; runs[0].FullResync != want {
			t.Errorf("%s: fullResync %v, want %v", sync, runs[0].FullResync, want)
		}
	}
	if n := fake.Count(hightouchtest.RouteTrigger); n != 2 {
		t.Errorf("%d triggers, want 2", n)
	}
	// --debug logs each request, never the key.
	if !regexp.MustCompile(`hightouch request.*method=POST path=/syncs/\d+/trigger.*status=200`).MatchString(r.stderr) {
		t.Errorf("--debug did not log the trigger:\n%s", r.stderr)
	}
	dpNoKey(t, "stdout", r.stdout)
	dpNoKey(t, "stderr", r.stderr)
}

// dpPush is a push to main checked out as the runner does.
type dpPush struct {
	dir, before, after, ref string
}

// payload is GitHub's example push webhook with this push's commits and ref.
func (p dpPush) payload(t *testing.T) []byte {
	t.Helper()
	return payload(t, "push_payload.json", func(m map[string]any) {
		m["ref"], m["before"], m["after"] = cmp.Or(p.ref, "refs/heads/main"), p.before, p.after
		m["created"], m["deleted"] = strings.Trim(p.before, "0") == "", false
		m["head_commit"] = map[string]any{"id": p.after, "message": "change"}
		repo := m["repository"].(map[string]any)
		repo["full_name"], repo["name"], repo["default_branch"], repo["master_branch"] = "acme/warehouse", "warehouse", "main", "main"
	})
}

// dpAction is one run of `htgit action` and what it left for the runner.
type dpAction struct {
	runnerRun
}

// runPushAction runs `htgit action` for push p with the given INPUT_*
// (name without prefix -> value) and extra environment.
func runPushAction(t *testing.T, p dpPush, fake *hightouchtest.Server, inputs map[string]string, extra ...string) dpAction {
	t.Helper()
	ev := runnerEvent{name: "push", payload: p.payload(t), workspace: p.dir, ref: cmp.Or(p.ref, "refs/heads/main"), sha: p.after}
	defaults := inputEnv(map[string]string{"path": "hightouch", "api-key": dpKey, "api-url": fake.URL})
	a := dpAction{runAsRunner(t, ev, defaults, inputEnv(inputs), dpPairs(extra...))}
	for where, text := range map[string]string{"stdout": a.stdout, "stderr": a.stderr, "summary": a.summary, "outputs": a.outputsRaw} {
		dpNoKey(t, where, text)
	}
	return a
}

type dpTriggered struct {
	SyncSlug, SyncID, RunID, Status string
}

func (a dpAction) triggered(t *testing.T) []dpTriggered {
	t.Helper()
	var list []dpTriggered
	if err := json.Unmarshal([]byte(a.outputs["triggered"]), &list); err != nil {
		t.Fatalf("output triggered %q: %v", a.outputs["triggered"], err)
	}
	return list
}

func (a dpAction) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s\nsummary:\n%s\noutputs:\n%s", a.code, a.stdout, a.stderr, a.summary, a.outputsRaw)
}

// TestDeployActionPush: the Action on a push to the tracked branch applies
// the change through the API, runs the affected syncs, waits for them
// (on by default) and reports; renames and deletions are reported only.
func TestDeployActionPush(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	fake := dpFake(t, dir, true)
	gittest.Run(t, dir, "mv", "hightouch/syncs/accounts-to-salesforce.yaml", "hightouch/syncs/accounts-to-sf.yaml")
	change := dpChange(t)
	change["hightouch/syncs/accounts-backfill-to-hubspot.yaml"] = ""
	after := gittest.Commit(t, dir, "change", change)
	oldSF, _ := fake.Sync("accounts-to-salesforce")
	backfill, _ := fake.Sync("accounts-backfill-to-hubspot")

	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake,
		map[string]string{"ingest": "apply", "workspace-slug": "acme"})
	if a.code != 0 {
		t.Fatal(a)
	}
	list := a.triggered(t)
	var slugs []string
	for _, r := range list {
		slugs = append(slugs, r.SyncSlug)
		if r.SyncID != dpSyncID(t, fake, r.SyncSlug) || r.RunID == "" || r.Status != "success" {
			t.Errorf("triggered entry %+v", r)
		}
		runs := fake.Runs(r.SyncID)
		if len(runs) != 1 || runs[0].ID != r.RunID {
			t.Errorf("%s: the fake has runs %+v", r.SyncSlug, runs)
		}
		link := fmt.Sprintf("[%s](https://app.hightouch.com/acme/syncs/%s/runs/%s)", r.RunID, r.SyncID, r.RunID)
		if !strings.Contains(a.summary, "| `"+r.SyncSlug+"` | "+link+" | success | 10 | 0 | 0 | 0 |") {
			t.Errorf("summary lacks the run row of %s with %s", r.SyncSlug, link)
		}
	}
	if want := []string{"accounts-to-braze", "accounts-to-sf", "active-users-to-braze"}; !slices.Equal(slugs, want) {
		t.Errorf("triggered %q, want %q\n%s", slugs, want, a)
	}
	if a.outputs["failed"] != "0" {
		t.Errorf("failed = %q", a.outputs["failed"])
	}
	// Created and updated through the API; the renamed-away and deleted
	// syncs are left alone.
	dpContains(t, "summary", a.summary,
		"| model | `active-users` | modified | updated (rawSql: text changed (+1 -1 lines)) |",
		"<details><summary>model active-users: rawSql</summary>",
		"-where e.occurred_at > dateadd(day, -30, current_date)\n+where e.occurred_at > dateadd(day, -14, current_date)",
		"| sync | `accounts-to-braze` | added | created |",
		"| sync | `accounts-to-sf` | renamed | created |",
		"## Deleted resources",
		"`accounts-backfill-to-hubspot` (hightouch/syncs/accounts-backfill-to-hubspot.yaml, deleted)",
		"`accounts-to-salesforce` (hightouch/syncs/accounts-to-salesforce.yaml, renamed away)",
	)
	// The text output shows the SQL change as a line diff.
	dpContains(t, "stdout", a.stdout, "--- Hightouch", "+++ file",
		"+where e.occurred_at > dateadd(day, -14, current_date)")
	if m, _ := fake.Model("active-users"); !strings.Contains(m.SQL, "dateadd(day, -14") {
		t.Errorf("model not updated: %q", m.SQL)
	}
	if s, _ := fake.Sync("accounts-to-salesforce"); len(fake.Runs(s.ID)) != 0 || fmt.Sprint(s) != fmt.Sprint(oldSF) {
		t.Errorf("the renamed-away sync was touched: %+v", s)
	}
	if s, _ := fake.Sync("accounts-backfill-to-hubspot"); len(fake.Runs(s.ID)) != 0 || fmt.Sprint(s) != fmt.Sprint(backfill) {
		t.Errorf("the deleted sync was touched: %+v", s)
	}
	for _, r := range fake.Requests() {
		if r.Method != "GET" && (strings.HasSuffix(r.Path, "/"+oldSF.ID) || strings.Contains(r.Path, "/"+oldSF.ID+"/") ||
			strings.HasSuffix(r.Path, "/"+backfill.ID) || strings.Contains(r.Path, "/"+backfill.ID+"/")) {
			t.Errorf("%s %s acts on a renamed-away or deleted sync", r.Method, r.Path)
		}
	}
	if n := fake.Count("POST /syncs") + fake.Count("PATCH /models/{modelId}"); n != 3 {
		t.Errorf("%d writes, want 2 creates and 1 update", n)
	}
	if !strings.Contains(a.stdout, "::add-mask::"+dpKey) {
		t.Error("the key was not masked")
	}
}

// TestDeployActionShallowClone: actions/checkout clones one commit deep;
// the commit before the push is fetched.
func TestDeployActionShallowClone(t *testing.T) {
	t.Parallel()
	origin, before := newRepo(t, "hightouch")
	after := gittest.Commit(t, origin, "change", dpChange(t))
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, filepath.Dir(clone), "clone", "-q", "--depth=1", "file://"+origin, clone)
	if out := gittest.Run(t, clone, "rev-parse", "--is-shallow-repository"); out != "true" {
		t.Fatalf("clone not shallow: %s", out)
	}
	fake := dpFake(t, origin, true)
	// The API URL from the environment, as action.yml's empty api-url lets it.
	a := runPushAction(t, dpPush{dir: clone, before: before, after: after}, fake,
		map[string]string{"ingest": "none", "trigger": "none", "api-url": ""}, "HIGHTOUCH_API_URL", fake.URL)
	if a.code != 0 {
		t.Fatal(a)
	}
	if fake.Count(hightouchtest.AnyRoute) == 0 {
		t.Error("no request reached the fake named by HIGHTOUCH_API_URL")
	}
	if !strings.Contains(a.stdout, "modified model active-users") || !strings.Contains(a.stdout, "added    sync  accounts-to-braze") {
		t.Errorf("the change was not seen:\n%s", a)
	}
	if a.outputs["triggered"] != "[]" || a.outputs["failed"] != "0" {
		t.Errorf("outputs %q", a.outputs)
	}
	gittest.Run(t, clone, "cat-file", "-e", before+"^{commit}")
}

// TestDeployNewBranch: a push that created the branch has no before; that
// is an error with advice, unless --all.
func TestDeployNewBranch(t *testing.T) {
	t.Parallel()
	dir, _, after, fake := dpChanged(t)
	zero := strings.Repeat("0", 40)
	p := dpPush{dir: dir, before: zero, after: after}

	a := runPushAction(t, p, fake, map[string]string{"ingest": "none"})
	if a.code != 2 || !strings.Contains(a.stderr, "this push created the branch") || !strings.Contains(a.stderr, "all: true") {
		t.Errorf("new branch without all: %s", a)
	}
	r := run(t, dir, dpEnv(fake), "deploy", "--path", "hightouch", "--from", zero, "--to", after)
	if r.code != 2 || !strings.Contains(r.stderr, "the push created the branch") || !strings.Contains(r.stderr, "--all") {
		t.Errorf("htgit deploy --from 000…: exit %d\nstderr: %s", r.code, r.stderr)
	}
	if n := fake.Count(hightouchtest.AnyRoute); n != 0 {
		t.Errorf("%d requests before the refusal", n)
	}

	a = runPushAction(t, p, fake, map[string]string{"ingest": "none", "all": "true"})
	if a.code != 0 {
		t.Fatal(a)
	}
	var slugs []string
	for _, r := range a.triggered(t) {
		slugs = append(slugs, r.SyncSlug+" "+r.Status)
	}
	// Every sync but the paused one; the new one too.
	if want := []string{"accounts-to-braze success", "accounts-to-salesforce success", "active-users-to-braze success", "customers-to-hubspot success"}; !slices.Equal(slugs, want) {
		t.Errorf("--all triggered %q, want %q\n%s", slugs, want, a)
	}
}

// TestDeployMissingBefore: a before that no remote has is an error with
// advice, not a silent empty plan.
func TestDeployMissingBefore(t *testing.T) {
	t.Parallel()
	dir, _, after, fake := dpChanged(t)
	a := runPushAction(t, dpPush{dir: dir, before: strings.Repeat("ab", 20), after: after}, fake, map[string]string{"ingest": "none"})
	if a.code != 2 || !strings.Contains(a.stderr, "is not in the repository") || !strings.Contains(a.stderr, "set the input `all: true` to treat every sync as changed, without Git: a deploy then triggers every sync") {
		t.Errorf("%s", a)
	}
	if n := fake.Count(hightouchtest.AnyRoute); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// TestDeployRefusals: deploy never runs for a pull request or on a branch
// Git Sync does not track, and says why.
func TestDeployRefusals(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)

	// The Action on another branch: command deploy refuses; auto only validates.
	other := dpPush{dir: dir, before: before, after: after, ref: "refs/heads/feature"}
	a := runPushAction(t, other, fake, map[string]string{"command": "deploy", "branch": "main"})
	if a.code != 2 || !strings.Contains(a.stderr, `deploy refuses to run on refs/heads/feature: Hightouch Git Sync tracks "main"`) {
		t.Errorf("deploy on another branch: %s", a)
	}
	a = runPushAction(t, other, fake, nil)
	if a.code != 0 || a.outputs["triggered"] != "" {
		t.Errorf("auto on another branch: %s", a)
	}

	// The Action for a pull request.
	b := payload(t, "deploy_pull_request.payload.json", func(pr map[string]any) {
		pull := pr["pull_request"].(map[string]any)
		pull["base"].(map[string]any)["sha"], pull["head"].(map[string]any)["sha"] = before, after
		pr["repository"].(map[string]any)["default_branch"] = "main"
	})
	event := filepath.Join(t.TempDir(), "pr.json")
	if err := os.WriteFile(event, b, 0o644); err != nil {
		t.Fatal(err)
	}
	a = runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, map[string]string{"command": "deploy"},
		"GITHUB_EVENT_NAME", "pull_request", "GITHUB_EVENT_PATH", event, "GITHUB_REF", "refs/pull/7/merge")
	if a.code != 2 || !strings.Contains(a.stderr, "deploy refuses to run for a pull_request event") {
		t.Errorf("deploy on a pull request: %s", a)
	}

	// The CLI.
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{[]string{"GITHUB_EVENT_NAME", "pull_request"}, nil, "deploy refuses to run for a pull_request event"},
		{[]string{"GITHUB_REF", "refs/heads/feature"}, []string{"--branch", "main"}, `deploy refuses to run on refs/heads/feature: Hightouch Git Sync tracks "main"`},
	} {
		args := append([]string{"deploy", "--path", "hightouch", "--from", before, "--to", after}, tc.args...)
		r := run(t, dir, dpEnv(fake, tc.env...), args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q %q: exit %d\nstderr: %s", tc.env, args, r.code, r.stderr)
		}
	}
	// A bad input is a usage error too, before any request.
	a = runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, map[string]string{"full-resync": "sometimes"})
	if a.code != 2 || !strings.Contains(a.stderr, `input full-resync "sometimes": use never, always or auto`) {
		t.Errorf("bad full-resync input: %s", a)
	}
	gittest.Run(t, dir, "checkout", "-q", "-b", "feature")
	r := run(t, dir, dpEnv(fake), "deploy", "--path", "hightouch", "--from", before, "--to", after, "--branch", "main")
	if r.code != 2 || !strings.Contains(r.stderr, `deploy refuses to run on refs/heads/feature: Hightouch Git Sync tracks "main"`) {
		t.Errorf("checked out feature: exit %d\nstderr: %s", r.code, r.stderr)
	}
	r = run(t, dir, map[string]string{"HIGHTOUCH_API_URL": fake.URL}, "deploy", "--path", "hightouch", "--from", before, "--to", after)
	if r.code != 2 || !strings.Contains(r.stderr, "HIGHTOUCH_API_KEY") {
		t.Errorf("no key: exit %d\nstderr: %s", r.code, r.stderr)
	}
	if n := fake.Count(hightouchtest.AnyRoute); n != 0 {
		t.Errorf("%d requests reached Hightouch from refused deploys", n)
	}
}

// TestDeployRunFails: a failed run fails the step (exit 1) and counts.
func TestDeployRunFails(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	fake.ScriptRuns(dpSyncID(t, fake, "active-users-to-braze"), hightouchtest.RunScript{Steps: []string{"queued"}, Final: "failed",
		Error: "Braze rejected 10 rows", Failed: &hightouchtest.Rows{Added: 10}})
	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, nil)
	if a.code != 1 || a.outputs["failed"] != "1" {
		t.Fatalf("%s", a)
	}
	for _, r := range a.triggered(t) {
		want := map[string]string{"accounts-to-braze": "success", "active-users-to-braze": "failed"}[r.SyncSlug]
		if r.Status != want {
			t.Errorf("%s: %s, want %s", r.SyncSlug, r.Status, want)
		}
	}
	if !strings.Contains(a.summary, " | failed: Braze rejected 10 rows | 0 | 0 | 0 | 10 |") || !strings.Contains(a.stdout, "Braze rejected 10 rows") {
		t.Errorf("the run's error is not reported:\n%s", a)
	}
}

// TestDeployValidationErrors: a workspace with errors never reaches
// Hightouch.
func TestDeployValidationErrors(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	change := dpChange(t)
	change["hightouch/syncs/accounts-to-braze.yaml"] = strings.Replace(change["hightouch/syncs/accounts-to-braze.yaml"], "model: accounts", "model: no-such-model", 1)
	after := gittest.Commit(t, dir, "broken", change)
	fake := dpFake(t, dir, false) // Git Sync would not ingest the broken sync either
	r := run(t, dir, dpEnv(fake), "deploy", "--path", "hightouch", "--from", before, "--to", after, "--ingest", "apply")
	if r.code != 1 || !strings.Contains(r.stderr, "validation found errors; nothing was sent to Hightouch") || !strings.Contains(r.stdout, "no-such-model") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, map[string]string{"ingest": "apply"})
	if a.code != 1 || !strings.Contains(a.stderr, "nothing was deployed") || a.outputs["triggered"] != "" {
		t.Errorf("%s", a)
	}
	if n := fake.Count(hightouchtest.AnyRoute); n != 0 {
		t.Errorf("%d requests reached Hightouch", n)
	}
}

// TestPlanCLI: plan works from Git alone without a key, and says what
// Hightouch would create or update with one.
func TestPlanCLI(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	change := dpChange(t)
	change["hightouch/models/accounts.yaml"] = example(t, "models/accounts.yaml", "primaryKey: account_id", "primaryKey: id")
	fake := dpFake(t, dir, true) // Hightouch has the workspace as it was before the change
	after := gittest.Commit(t, dir, "change", change)

	// plan runs anywhere, a pull request included.
	r := run(t, dir, map[string]string{"HIGHTOUCH_API_URL": fake.URL, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/7/merge"},
		"plan", "--path", "hightouch", "--from", before, "--to", after)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "plan without a key", r.stdout,
		"modified model accounts", "modified model active-users", "added    sync  accounts-to-braze",
		"Syncs to trigger (3):",
		`accounts-to-salesforce        model accounts modified; full resync (primary key of accounts changed from "account_id" to "id")`,
		"Syncs not triggered (1):\n  accounts-backfill-to-hubspot  model accounts modified; paused (schedulePaused: true; pass --include-paused to run it)",
		"accounts-to-braze             sync added; full resync (new sync)",
		"active-users-to-braze         model active-users modified; incremental",
		"set HIGHTOUCH_API_KEY",
	)
	if n := fake.Count(hightouchtest.AnyRoute); n != 0 {
		t.Errorf("plan without a key made %d requests", n)
	}

	r = run(t, dir, dpEnv(fake), "plan", "--path", "hightouch", "--from", before, "--to", after)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "plan with a key", r.stdout,
		"In Hightouch:",
		"model accounts: update",
		`primaryKey: "account_id" → "id"`,
		"model active-users: update",
		"      rawSql: text changed (+1 -1 lines)\n      --- Hightouch\n      +++ file\n",
		"      -where e.occurred_at > dateadd(day, -30, current_date)\n      +where e.occurred_at > dateadd(day, -14, current_date)\n",
		"sync  accounts-to-braze: create",
	)
	for _, r := range fake.Requests() {
		if r.Method != "GET" {
			t.Errorf("plan sent %s %s", r.Method, r.Path)
		}
	}
	dpNoKey(t, "stdout", r.stdout)
	dpNoKey(t, "stderr", r.stderr)

	// A sync added in Git that Hightouch already has and has run (made in
	// its UI) is not a full resync.
	dpIngest(t, fake, dir)
	req, _ := http.NewRequest("POST", fake.URL+"/syncs/"+dpSyncID(t, fake, "accounts-to-braze")+"/trigger", nil)
	req.Header.Set("Authorization", "Bearer "+dpKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r = run(t, dir, dpEnv(fake), "plan", "--path", "hightouch", "--from", before, "--to", after)
	for _, want := range []string{"accounts-to-braze             sync added; incremental", "sync  accounts-to-braze: unchanged"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("plan of a sync Hightouch has run lacks %q: exit %d\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}

	// The files are read from the working tree: a --to that is not checked
	// out is refused, one that only differs outside the Git Sync folder is not.
	r = run(t, dir, nil, "plan", "--path", "hightouch", "--from", before, "--to", before)
	if r.code != 2 || !strings.Contains(r.stderr, "--to "+before+" is not what is checked out") {
		t.Errorf("--to not checked out: exit %d\n%s", r.code, r.stderr)
	}
	gittest.Commit(t, dir, "docs", map[string]string{"README.md": "docs\n"})
	r = run(t, dir, nil, "plan", "--path", "hightouch", "--from", before, "--to", after)
	if r.code != 0 || !strings.Contains(r.stdout, "Syncs to trigger (3):") {
		t.Errorf("--to HEAD~1 with the same Git Sync files: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestDeployIngestTimeout: a change Git Sync does not ingest in time fails
// the deploy (exit 1), says what differs and triggers nothing.
func TestDeployIngestTimeout(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	fake := dpFake(t, dir, true)
	after := gittest.Commit(t, dir, "change", dpChange(t))
	r := run(t, dir, dpEnv(fake), "deploy", "--path", "hightouch", "--from", before, "--to", after, "--ingest-timeout", "300ms")
	if r.code != 1 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "stdout", r.stdout,
		"gave up waiting for ingestion after",
		"model active-users: differs (rawSql: text changed (+1 -1 lines))",
		"sync accounts-to-braze: not in Hightouch yet",
		"No sync was triggered.",
	)
	if n := fake.Count(hightouchtest.RouteTrigger); n != 0 {
		t.Errorf("%d triggers", n)
	}
}

// statuses maps each sync of the triggered output to its status.
func (a dpAction) statuses(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range a.triggered(t) {
		m[r.SyncSlug] = r.Status
	}
	return m
}

// dpWrites counts the requests that reached the fake to change a model or
// a sync (anything but reads and triggers).
func dpWrites(fake *hightouchtest.Server) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method != http.MethodGet && r.Route != hightouchtest.RouteTrigger && r.Route != hightouchtest.RouteTriggerCustom {
			n++
		}
	}
	return n
}

// dpLogOrder fails unless text has each of lines, in this order.
func dpLogOrder(t *testing.T, text string, lines ...string) {
	t.Helper()
	rest := text
	for _, line := range lines {
		i := strings.Index(rest, line)
		if i < 0 {
			t.Errorf("stdout lacks %q after %q:\n%s", line, strings.TrimSuffix(text, rest), text)
			return
		}
		rest = rest[i+len(line):]
	}
}

// TestDeployActionIngestWait: Git Sync ingests the merge a second after the
// Action starts; the Action (ingest: wait, the default) looks, waits, sees
// every change and only then triggers the affected syncs.
func TestDeployActionIngestWait(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	fake := dpFake(t, dir, true) // Hightouch as before the push
	after := gittest.Commit(t, dir, "change", dpChange(t))
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: []string{}})
	ingest := dpIngestion(t, fake, dir)
	ingested := make(chan time.Time, 1)
	var ingestErr error
	// Git Sync ingests once the deploy has looked (a fixed delay would race
	// a slow start on a loaded machine).
	done := make(chan struct{})
	go func() {
		for fake.Count("GET /models") == 0 {
			select {
			case <-done: // it never looked: never ingested
				ingested <- time.Time{}
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		at := time.Now()
		ingestErr = ingest()
		ingested <- at
	}()

	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, nil)
	close(done)
	at := <-ingested
	if ingestErr != nil {
		t.Fatal(ingestErr)
	}
	if a.code != 0 {
		t.Fatal(a)
	}
	dpLogOrder(t, a.stdout,
		"waiting up to 5m0s for Hightouch Git Sync to ingest 2 changed resource(s)",
		"Hightouch has every change",
		"triggered run",
	)
	if got, want := a.statuses(t), map[string]string{"accounts-to-braze": "success", "active-users-to-braze": "success"}; !maps.Equal(got, want) {
		t.Errorf("triggered %v, want %v\n%s", got, want, a)
	}
	if a.outputs["failed"] != "0" {
		t.Errorf("failed = %q", a.outputs["failed"])
	}
	var looksBefore, looksAfter, triggers int
	for _, r := range fake.Requests() {
		switch {
		case r.Route == "GET /models" && r.Time.Before(at):
			looksBefore++
		case r.Route == "GET /models":
			looksAfter++
		case r.Route == hightouchtest.RouteTrigger:
			triggers++
			if r.Time.Before(at) {
				t.Errorf("%s %s at %s, before Git Sync ingested the change at %s", r.Method, r.Path, r.Time.Format(time.StampMilli), at.Format(time.StampMilli))
			}
		}
	}
	if looksBefore == 0 || looksAfter == 0 {
		t.Errorf("%d model listings before the ingestion and %d after; want the deploy to look, wait and look again", looksBefore, looksAfter)
	}
	if triggers != 2 {
		t.Errorf("%d triggers, want 2", triggers)
	}
	if n := dpWrites(fake); n != 0 {
		t.Errorf("ingest: wait wrote %d times", n)
	}
	dpContains(t, "summary", a.summary,
		"| model | `active-users` | modified | arrived |",
		"| sync | `accounts-to-braze` | added | arrived |",
	)
}

// TestDeployActionApplyTwice: the same push deployed again with ingest:
// apply finds Hightouch as the files say and writes nothing.
func TestDeployActionApplyTwice(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	fake := dpFake(t, dir, true) // Hightouch as before the push
	after := gittest.Commit(t, dir, "change", dpChange(t))
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: []string{}})
	p, in := dpPush{dir: dir, before: before, after: after}, map[string]string{"ingest": "apply"}

	a := runPushAction(t, p, fake, in)
	if a.code != 0 || a.outputs["failed"] != "0" {
		t.Fatal(a)
	}
	if n := dpWrites(fake); n != 2 || fake.Count("PATCH /models/{modelId}") != 1 || fake.Count("POST /syncs") != 1 {
		t.Fatalf("first run: %d writes, want the model updated and the sync created\n%s", n, a)
	}

	a = runPushAction(t, p, fake, in)
	if a.code != 0 || a.outputs["failed"] != "0" {
		t.Fatal(a)
	}
	if n := dpWrites(fake); n != 2 {
		var writes []string
		for _, r := range fake.Requests() {
			if r.Method != http.MethodGet {
				writes = append(writes, r.Method+" "+r.Path)
			}
		}
		t.Errorf("the second run wrote %d times: %q", n-2, writes)
	}
	dpContains(t, "second summary", a.summary,
		"| model | `active-users` | modified | unchanged |",
		"| sync | `accounts-to-braze` | added | unchanged |",
	)
	// Run again, the new sync is not new to Hightouch any more: no second full resync.
	if got, want := a.statuses(t), map[string]string{"accounts-to-braze": "success", "active-users-to-braze": "success"}; !maps.Equal(got, want) {
		t.Errorf("triggered %v, want %v", got, want)
	}
	runs := fake.Runs(dpSyncID(t, fake, "accounts-to-braze"))
	if len(runs) != 2 || !runs[0].FullResync || runs[1].FullResync {
		t.Errorf("runs of the new sync %+v, want a full resync then an incremental run", runs)
	}
}

// TestDeployActionWarning: a run that ends with warning passes the step
// unless fail-on-warning.
func TestDeployActionWarning(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: []string{}})
	fake.ScriptRuns(dpSyncID(t, fake, "active-users-to-braze"), hightouchtest.RunScript{Steps: []string{}, Final: "warning",
		Failed: &hightouchtest.Rows{Changed: 2}})
	p := dpPush{dir: dir, before: before, after: after}
	want := map[string]string{"accounts-to-braze": "success", "active-users-to-braze": "warning"}

	a := runPushAction(t, p, fake, nil)
	if a.code != 0 || a.outputs["failed"] != "0" {
		t.Fatal(a)
	}
	if got := a.statuses(t); !maps.Equal(got, want) {
		t.Errorf("triggered %v, want %v", got, want)
	}
	if !regexp.MustCompile(`(?m)^active-users-to-braze +\S+ +warning +10 `).MatchString(a.stdout) ||
		!strings.Contains(a.summary, " | warning | 10 | 0 | 0 | 2 |") {
		t.Errorf("the warning is not reported:\n%s", a)
	}

	a = runPushAction(t, p, fake, map[string]string{"fail-on-warning": "true"})
	if a.code != 1 || a.outputs["failed"] != "1" {
		t.Fatal(a)
	}
	if got := a.statuses(t); !maps.Equal(got, want) {
		t.Errorf("fail-on-warning: triggered %v, want %v", got, want)
	}
	if !regexp.MustCompile(`(?m)^active-users-to-braze +\S+ +warning \(failed\) `).MatchString(a.stdout) {
		t.Errorf("the table does not count the warning as failed:\n%s", a.stdout)
	}
}

// TestDeployActionPollFaults: rate limits and server errors while the
// Action follows a run are retried (after Retry-After when given) without a
// second trigger, and the deploy finishes.
func TestDeployActionPollFaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		faults []hightouchtest.Fault // for the first poll and its first retry
		minGap time.Duration         // between the polls of a run
	}{
		{"429", []hightouchtest.Fault{{Status: 429, Times: 2}}, 0},
		{"429 Retry-After 1", []hightouchtest.Fault{{Status: 429, RetryAfter: "1", Times: 2}}, 950 * time.Millisecond},
		{"500 then 502", []hightouchtest.Fault{{Status: 500}, {Status: 502}}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Only the model changes: one sync runs and takes every fault.
			dir, before := newRepo(t, "hightouch")
			after := gittest.Commit(t, dir, "change", map[string]string{"hightouch/models/active-users.yaml": dpChange(t)["hightouch/models/active-users.yaml"]})
			fake := dpFake(t, dir, true)
			fake.Fault(hightouchtest.RouteRuns, tt.faults...)

			a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, nil)
			if a.code != 0 || a.outputs["failed"] != "0" {
				t.Fatal(a)
			}
			if got, want := a.statuses(t), map[string]string{"active-users-to-braze": "success"}; !maps.Equal(got, want) {
				t.Errorf("triggered %v, want %v", got, want)
			}
			if n := fake.Count(hightouchtest.RouteTrigger); n != 1 {
				t.Errorf("%d triggers, want 1", n)
			}
			// 2 faults, then the run queued, then its end.
			var polls []time.Time
			for _, r := range fake.Requests() {
				if r.Route == hightouchtest.RouteRuns {
					polls = append(polls, r.Time)
				}
			}
			if len(polls) != 4 {
				t.Fatalf("%d polls, want 4 (2 faults, queued, success)\n%s", len(polls), a)
			}
			for i := 1; i < 3; i++ {
				if gap := polls[i].Sub(polls[i-1]); gap < tt.minGap {
					t.Errorf("poll %d came %s after the one answered %d with Retry-After: 1", i+1, gap, tt.faults[0].Status)
				}
			}
		})
	}
}

// TestDeployActionTriggerAnswerLost: a trigger that reached Hightouch but
// whose answer was lost is not sent again; it fails the step and says to
// check the sync's runs.
func TestDeployActionTriggerAnswerLost(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: []string{}})
	fake.Fault(hightouchtest.RouteTrigger, hightouchtest.Fault{Drop: hightouchtest.DropAfterBody})

	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, nil)
	if a.code != 1 || a.outputs["failed"] != "1" {
		t.Fatal(a)
	}
	var lost []dpTriggered
	for _, r := range a.triggered(t) {
		if r.Status != "success" {
			lost = append(lost, r)
		}
	}
	if len(lost) != 1 || lost[0].Status != "trigger failed" || lost[0].RunID != "" {
		t.Fatalf("triggered %+v, want one sync whose trigger failed and one success", a.triggered(t))
	}
	id := dpSyncID(t, fake, lost[0].SyncSlug)
	n := 0
	for _, r := range fake.Requests() {
		if r.Route == hightouchtest.RouteTrigger && r.Path == "/syncs/"+id+"/trigger" {
			n++
		}
	}
	if n != 1 || fake.Count(hightouchtest.RouteTrigger) != 2 {
		t.Errorf("%d trigger requests for %s (want 1), %d in all (want 2)", n, lost[0].SyncSlug, fake.Count(hightouchtest.RouteTrigger))
	}
	if runs := fake.Runs(id); len(runs) != 1 {
		t.Errorf("runs of %s in Hightouch: %+v, want the one the lost trigger started", lost[0].SyncSlug, runs)
	}
	dpContains(t, "stdout", a.stdout, lost[0].SyncSlug+": trigger failed: ", "the trigger may have started a run", "check the sync's runs in Hightouch")
	dpContains(t, "summary", a.summary, "`"+lost[0].SyncSlug+"`", "check the sync's runs")
}

// TestDeployActionUnknownStatuses: a status Hightouch does not document is
// logged and polled on while the run goes on, and a final one is a failure.
func TestDeployActionUnknownStatuses(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	running := dpSyncID(t, fake, "active-users-to-braze")
	fake.ScriptRuns(running, hightouchtest.RunScript{Steps: []string{"mystery"}})
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: []string{}, Final: "completed_with_errors", Error: "3 rows rejected"})

	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, nil)
	if a.code != 1 || a.outputs["failed"] != "1" {
		t.Fatal(a)
	}
	if got, want := a.statuses(t), map[string]string{"accounts-to-braze": "completed_with_errors", "active-users-to-braze": "success"}; !maps.Equal(got, want) {
		t.Errorf("triggered %v, want %v", got, want)
	}
	dpLogOrder(t, a.stdout, "active-users-to-braze: mystery (unknown status; still polling) after ", "active-users-to-braze: success after ")
	if !regexp.MustCompile(`(?m)^accounts-to-braze +\S+ +completed_with_errors \(failed\) `).MatchString(a.stdout) {
		t.Errorf("the table does not count completed_with_errors as failed:\n%s", a.stdout)
	}
	dpContains(t, "summary", a.summary, "3 rows rejected")
	polls := 0
	for _, r := range fake.Requests() {
		if r.Path == "/syncs/"+running+"/runs" {
			polls++
		}
	}
	if polls != 2 {
		t.Errorf("%d polls of the run that showed an unknown status, want 2", polls)
	}
}

// TestDeployApplyDBTModel: a new dbt model cannot be written through the
// API; the deploy's last line says so instead of "0 of 0 run(s) failed".
func TestDeployApplyDBTModel(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	fake := dpFake(t, dir, true) // Hightouch as before the change
	after := gittest.Commit(t, dir, "dbt model", map[string]string{
		"hightouch/models/dim-orders.yaml": example(t, "models/dim-customers.yaml", "dim_customers", "dim_orders"),
	})
	r := run(t, dir, dpEnv(fake), "deploy", "--path", "hightouch", "--from", before, "--to", after, "--ingest", "apply")
	want := "htgit: the deploy failed: model dim-orders is not in Hightouch as merged (failed: --ingest apply cannot write dbt_model models: the API needs Hightouch's internal dbt model id; let Git Sync ingest them (--ingest wait)), so nothing was triggered"
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

// TestPlanJSON: plan --format json writes the plan, and with a key what
// Hightouch would create or update, as one JSON document on stdout.
func TestPlanJSON(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	type doc struct {
		From, To string
		All      bool
		Changed  []struct{ Kind, Slug, Path, Change, RenamedFrom string }
		Deleted  []struct{ Kind, Slug string }
		Runs     []struct {
			Sync, Path, Model, Reason, Resync, Skip string
			FullResync                              bool
		}
		Hightouch []struct {
			Kind, Slug, Result string
			Changes            []string
		}
	}
	for _, withKey := range []bool{false, true} {
		env := map[string]string{"HIGHTOUCH_API_URL": fake.URL}
		if withKey {
			env = dpEnv(fake)
		}
		r := run(t, dir, env, "plan", "--path", "hightouch", "--from", before, "--to", after, "--format", "json")
		var d doc
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil || r.code != 0 {
			t.Fatalf("key %v: exit %d, %v\nstdout:\n%s\nstderr:\n%s", withKey, r.code, err, r.stdout, r.stderr)
		}
		if d.From != before || len(d.Changed) != 2 || d.Changed[0].Slug != "active-users" || d.Changed[0].Change != "modified" ||
			d.Changed[1].Path != "hightouch/syncs/accounts-to-braze.yaml" || d.Changed[1].Change != "added" {
			t.Errorf("key %v: changed %+v", withKey, d.Changed)
		}
		var runs []string
		for _, run := range d.Runs {
			runs = append(runs, fmt.Sprintf("%s %s full=%v %s", run.Sync, run.Reason, run.FullResync, run.Resync))
		}
		want := []string{"accounts-to-braze sync added full=true new sync", "active-users-to-braze model active-users modified full=false incremental"}
		if !slices.Equal(runs, want) {
			t.Errorf("key %v: runs %q, want %q", withKey, runs, want)
		}
		if withKey != (len(d.Hightouch) == 2) {
			t.Errorf("key %v: hightouch %+v", withKey, d.Hightouch)
		}
	}
	r := run(t, dir, nil, "plan", "--path", "hightouch", "--from", before, "--format", "yaml")
	if r.code != 2 || !strings.Contains(r.stderr, `--format "yaml": choose text or json`) {
		t.Errorf("a bad --format: exit %d\n%s", r.code, r.stderr)
	}
}
