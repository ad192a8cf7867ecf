package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// exported is a fake holding the example workspace (and a model and a sync
// created in the UI), exported to a folder.
func exported(t *testing.T) (fake *hightouchtest.Server, out string) {
	t.Helper()
	dir, _ := newRepo(t, "hightouch")
	fake = dpFake(t, dir, true)
	src, _ := fake.Source("snowflake-prod")
	dst, _ := fake.Destination("braze-prod")
	m := fake.AddModel(hightouchtest.Model{Slug: "ui-model", Name: "Made in the UI", Description: "no file yet",
		SourceID: src.ID, SQL: "select 1 as id\nfrom dual", PrimaryKey: "id"})
	fake.AddSync(hightouchtest.Sync{Slug: "ui-sync", ModelID: m, DestinationID: dst.ID, Disabled: true,
		Configuration: map[string]any{"mode": "upsert", "object": "users", "batch": 100,
			"mappings": []any{map[string]any{"from": "id", "to": "external_id", "type": "standard"}}}})
	out = filepath.Join(t.TempDir(), "workspace")
	r := run(t, t.TempDir(), dpEnv(fake), "export", "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "exported 4 model(s), 5 sync(s) and a manifest") {
		t.Fatalf("export: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	return fake, out
}

// Export, then validate (no errors), then deploy --all --ingest apply
// --trigger none (no writes), then drift (none): the files are what
// Hightouch has, in a shape htgit itself accepts.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	fake, out := exported(t)
	files := gittest.ReadTree(t, out)
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"manifest.yaml", "models/accounts.yaml", "models/active-users.yaml", "models/dim-customers.yaml", "models/ui-model.yaml",
		"syncs/accounts-backfill-to-hubspot.yaml", "syncs/accounts-to-salesforce.yaml", "syncs/active-users-to-braze.yaml",
		"syncs/customers-to-hubspot.yaml", "syncs/ui-sync.yaml"}
	if !slices.Equal(names, want) {
		t.Fatalf("exported %q\nwant %q", names, want)
	}
	// The shape Git Sync writes (testdata/example): every query key, null
	// where unused; a manual schedule spelt out.
	dpContains(t, "ui-model", files["models/ui-model.yaml"], "name: Made in the UI\nsource: snowflake-prod\ntype: raw_sql\nrawSql: |-\n  select 1 as id\n  from dual\ntableName: null\ndbtModel: null\nisSchema: false\nprimaryKey: id\ndescription: no file yet\n")
	dpContains(t, "ui-sync", files["syncs/ui-sync.yaml"], "model: ui-model\ndestination: braze-prod\nconfig:\n  batch: 100\n  mappings:\n    - from: id\n      to: external_id\n      type: standard\n  mode: upsert\n  object: users\nschedule:\n  type: manual\nschedulePaused: true\n")
	dpContains(t, "manifest", files["manifest.yaml"], "sources:\n  postgres-app:\n    name: postgres-app\n    type: snowflake\n", "destinations:\n  braze-prod:\n")
	example, err := os.ReadFile(filepath.Join("..", "..", "testdata", "example", "models", "accounts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if files["models/accounts.yaml"] != string(example) {
		t.Errorf("models/accounts.yaml differs from the example Git Sync file:\n%s", files["models/accounts.yaml"])
	}

	// Byte for byte the same the second time.
	again := filepath.Join(t.TempDir(), "again")
	if r := run(t, t.TempDir(), dpEnv(fake), "export", "--out", again); r.code != 0 {
		t.Fatalf("second export: %d %s", r.code, r.stderr)
	}
	for name, b := range gittest.ReadTree(t, again) {
		if files[name] != b {
			t.Errorf("%s differs between two exports", name)
		}
	}

	if r := run(t, out, nil, "validate", "--root", out); r.code != 0 {
		t.Fatalf("validate of the export: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	before := len(fake.Requests())
	r := run(t, out, dpEnv(fake), "deploy", "--root", out, "--all", "--ingest", "apply", "--trigger", "none")
	if r.code != 0 {
		t.Fatalf("deploy of the export: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, req := range fake.Requests()[before:] {
		if req.Method != "GET" {
			t.Errorf("deploy of the export wrote: %s %s %s", req.Method, req.Path, req.Body)
		}
	}
	r = run(t, out, dpEnv(fake), "drift", "--root", out)
	if r.code != 0 || !strings.Contains(r.stdout, "no drift: 4 model(s) and 5 sync(s) agree with Hightouch") {
		t.Fatalf("drift after the round trip: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// A second export into a folder with files would mix old and new.
	if r := run(t, t.TempDir(), dpEnv(fake), "export", "--out", out); r.code != 2 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("export into a full folder: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, t.TempDir(), nil, "export", "--out", t.TempDir()); r.code != 2 || !strings.Contains(r.stderr, "HIGHTOUCH_API_KEY") {
		t.Errorf("export without a key: exit %d %s", r.code, r.stderr)
	}
}

// Drift names what only Hightouch has, what only Git has and what differs,
// with paths and values, in text, JSON and the Action's job summary.
func TestDrift(t *testing.T) {
	t.Parallel()
	fake, out := exported(t)
	// In the UI: a mapping edited, a schedule changed, SQL rewritten, a
	// sync created. In Git: a file deleted, one added.
	y, _ := fake.Sync("active-users-to-braze")
	cfg := map[string]any{}
	for k, v := range y.Configuration {
		cfg[k] = v
	}
	cfg["mappings"] = []any{map[string]any{"from": "EMAIL_ADDRESS", "to": "email", "type": "standard"}}
	y.Configuration = cfg
	y.Schedule = map[string]any{"type": "interval", "schedule": map[string]any{"interval": map[string]any{"unit": "hour", "quantity": 12}}}
	fake.UpsertSync(y)
	m, _ := fake.Model("ui-model")
	m.SQL = "select 2 as id\nfrom dual"
	fake.UpsertModel(m)
	dst, _ := fake.Destination("hubspot")
	fake.AddSync(hightouchtest.Sync{Slug: "made-later", ModelID: m.ID, DestinationID: dst.ID})
	if err := os.Remove(filepath.Join(out, "syncs", "ui-sync.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "syncs", "new-in-git.yaml"), []byte("model: accounts\ndestination: hubspot\nconfig:\n  mode: upsert\n  object: companies\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := run(t, out, dpEnv(fake), "drift", "--root", out)
	if r.code != 1 {
		t.Fatalf("drift: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "drift text", r.stdout,
		"model ui-model (models/ui-model.yaml): differs\n    rawSql: text changed (+1 -1 lines)\n    --- Hightouch\n    +++ Git\n",
		"    -select 2 as id\n    +select 1 as id\n",
		"sync  active-users-to-braze (syncs/active-users-to-braze.yaml): differs\n",
		`    config.mappings[0].from: "EMAIL_ADDRESS" → "email"`,
		`    config.mappings[1]: (absent) → {"template":"{{ row.first_name }} {{ row.last_name }}","to":"full_name","type":"template"}`,
		"    schedule.schedule.interval.quantity: 12 → 1\n",
		"sync  made-later (id ", "): only in Hightouch; its file was deleted in Git, or it was created in the UI",
		"sync  ui-sync (id ",
		"sync  new-in-git (syncs/new-in-git.yaml): only in Git; Hightouch has not ingested it yet, or rejected it; see Git Sync's status in Hightouch, or write it with htgit deploy --all --ingest apply\n",
		"drift: 2 only in Hightouch, 1 only in Git, 2 differs",
	)

	r = run(t, out, dpEnv(fake), "drift", "--root", out, "--format", "json")
	var rep struct {
		Drift bool
		Items []struct {
			Kind, Slug, Status string
			Changes            []struct {
				Path           string
				Hightouch, Git any
				Diff           string
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 || !rep.Drift || len(rep.Items) != 5 {
		t.Fatalf("json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if c := rep.Items[0].Changes[0]; rep.Items[0].Slug != "ui-model" || c.Path != "rawSql" || !strings.Contains(c.Diff, "+select 1 as id\n") {
		t.Errorf("json item 0: %+v", rep.Items[0])
	}

	// The Action: command drift, on a schedule.
	a := runAsRunner(t, runnerEvent{name: "schedule", payload: []byte(`{"schedule":"0 6 * * *"}`), workspace: out, ref: "refs/heads/main"},
		inputEnv(map[string]string{"command": "drift", "api-key": dpKey, "api-url": fake.URL}))
	if a.code != 1 || a.outputs["drift"] != "5" {
		t.Fatalf("action drift: exit %d outputs %v\n%s\n%s", a.code, a.outputs, a.stdout, a.stderr)
	}
	dpContains(t, "summary", a.summary, "# htgit drift",
		"| sync | `active-users-to-braze` | differs | config.mappings[0].from: \"EMAIL_ADDRESS\" → \"email\"<br>",
		"<details><summary>model ui-model: rawSql</summary>", "```diff\n--- Hightouch\n+++ Git\n")
	dpNoKey(t, "action stdout", a.stdout)
	dpNoKey(t, "summary", a.summary)

	// Exit 2 without a key, and with a key Hightouch refuses.
	if r := run(t, out, nil, "drift", "--root", out); r.code != 2 || !strings.Contains(r.stderr, "HIGHTOUCH_API_KEY") {
		t.Errorf("no key: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, out, map[string]string{"HIGHTOUCH_API_URL": fake.URL, "HIGHTOUCH_API_KEY": "wrong"}, "drift", "--root", out); r.code != 2 {
		t.Errorf("wrong key: exit %d %s", r.code, r.stderr)
	}
	// Exit 4 when Hightouch answers what cannot be used (an HTML page).
	fake.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Status: 404})
	if r := run(t, out, dpEnv(fake), "drift", "--root", out); r.code != 4 || !strings.Contains(r.stderr, "listing syncs") ||
		!strings.Contains(r.stderr, "Hightouch could not be reached or answered wrongly") {
		t.Errorf("a failed listing: exit %d %s", r.code, r.stderr)
	}
}

// TestDriftPathsRelative: drift shows paths relative to the working
// directory, as validate shows its findings', not to the Git Sync folder.
func TestDriftPathsRelative(t *testing.T) {
	t.Parallel()
	dir, _ := newRepo(t, "hightouch")
	fake := dpFake(t, dir, true)
	gittest.Write(t, dir, map[string]string{"hightouch/models/active-users.yaml": example(t, "models/active-users.yaml", "dateadd(day, -30", "dateadd(day, -7") + "owner: data\n"})
	r := run(t, dir, dpEnv(fake), "drift")
	if r.code != 1 || !strings.Contains(r.stdout, "model active-users (hightouch/models/active-users.yaml): differs") {
		t.Errorf("drift from the repository root: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	v := run(t, dir, nil, "validate", "--format", "json")
	if !strings.Contains(v.stdout, `"path": "hightouch/models/active-users.yaml"`) {
		t.Errorf("validate's paths are not relative to the working directory either:\n%s", v.stdout)
	}
}
