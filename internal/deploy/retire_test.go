package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// The change deletes users-to-braze and the users model's last file, and
// renames accounts-to-sf away; users-paused is already paused in Hightouch.
func retireEnv(t *testing.T) (*env, *plan.Plan) {
	t.Helper()
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{
		"syncs/users-to-braze.yaml":  "",
		"syncs/users-paused.yaml":    "",
		"models/users.yaml":          "",
		"syncs/accounts-to-sf.yaml":  "",
		"syncs/accounts-to-sf2.yaml": accountsSync,
	})
	return e, e.plan(e.first, to, plan.Options{})
}

func TestOnDeletePause(t *testing.T) {
	t.Parallel()
	e, p := retireEnv(t)
	e.ingest() // accounts-to-sf2 arrives
	before, _ := e.fake.Sync("users-to-braze")
	out, log := e.run(p, func(o *Options) {
		o.OnDelete = OnDeletePause
		o.Exists = func(k workspace.Kind, slug string) bool { return k == workspace.Sync && slug == "users-paused" }
	})
	if !out.OK() {
		t.Fatalf("outcome not OK: %+v\n%s", out, log)
	}
	got := []string{}
	for _, r := range out.Retired {
		got = append(got, r.String())
	}
	equal(t, "retired", got, []string{
		"model users: a model cannot be paused; syncs in Hightouch still using it: users-paused, users-to-braze",
		"sync accounts-to-sf: paused",
		"sync users-paused: kept: a file with this slug exists in the workspace",
		"sync users-to-braze: paused",
	})
	for _, slug := range []string{"users-to-braze", "accounts-to-sf"} {
		if s, _ := e.fake.Sync(slug); !s.Disabled {
			t.Errorf("%s not paused in Hightouch", slug)
		}
	}
	if s, _ := e.fake.Sync("accounts-to-sf2"); s.Disabled {
		t.Error("the renamed sync's new slug was paused")
	}
	if n := e.fake.Count("PATCH /syncs/{syncId}"); n != 2 {
		t.Errorf("%d PATCH requests, want 2 (one per paused sync)", n)
	}
	var pausedIDs []string
	for _, r := range out.Paused() {
		pausedIDs = append(pausedIDs, string(r.SyncID))
	}
	if !strings.Contains(strings.Join(pausedIDs, ","), before.ID) {
		t.Errorf("Paused() ids %v lack users-to-braze's %s", pausedIDs, before.ID)
	}
	var table strings.Builder
	out.WriteTable(&table)
	for _, want := range []string{"Deleted in Git (--on-delete pause):", "  sync users-to-braze: paused"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	if !strings.Contains(out.Markdown(), "- sync users-to-braze: paused") {
		t.Errorf("markdown:\n%s", out.Markdown())
	}

	// Once: a second deploy finds them paused and writes nothing.
	out, _ = e.run(p, func(o *Options) { o.OnDelete = OnDeletePause })
	if n := e.fake.Count("PATCH /syncs/{syncId}"); n != 2 {
		t.Errorf("the second deploy patched again: %d PATCH requests", n)
	}
	if out.Retired[3].Result != RetireAlreadyPaused {
		t.Errorf("second deploy: %v", out.Retired[3])
	}
}

func TestOnDeleteNotAfterAFailure(t *testing.T) {
	t.Parallel()
	e, p := retireEnv(t)
	e.ingest()
	e.fake.ScriptRuns(e.syncID("accounts-to-sf2"), hightouchtest.RunScript{Final: "failed"})
	out, log := e.run(p, func(o *Options) { o.OnDelete = OnDeletePause })
	if out.OK() {
		t.Fatal("a failed run left the outcome OK")
	}
	if n := e.fake.Count("PATCH /syncs/{syncId}"); n != 0 {
		t.Errorf("a failed deploy paused %d sync(s)", n)
	}
	if !strings.Contains(log, "sync users-to-braze: "+RetireNotRun) {
		t.Errorf("log does not say why nothing was paused:\n%s", log)
	}

	// What the message says is what happens (issue 22): a deploy of a
	// later change does not pause the sync; deploying this change again
	// does.
	e.fake.ScriptRuns(e.syncID("accounts-to-sf2"), hightouchtest.RunScript{Final: "success"})
	later := e.commit(map[string]string{"syncs/accounts-to-sf2.yaml": accountsSync + "# a later change\n"})
	out, log = e.run(e.plan(p.To, later, plan.Options{}), func(o *Options) { o.OnDelete = OnDeletePause })
	if s, _ := e.fake.Sync("users-to-braze"); !out.OK() || s.Disabled {
		t.Errorf("a later deploy: OK %v, users-to-braze paused %v\n%s", out.OK(), s.Disabled, log)
	}
	out, log = e.run(p, func(o *Options) { o.OnDelete = OnDeletePause })
	if s, _ := e.fake.Sync("users-to-braze"); !out.OK() || !s.Disabled {
		t.Errorf("the change deployed again: OK %v, users-to-braze paused %v\n%s", out.OK(), s.Disabled, log)
	}
}

// TestOnDeleteConflict: when Hightouch lists two syncs with the deleted
// file's slug, neither is paused, whichever it lists last, and the deploy
// says so and fails (issue 22).
func TestOnDeleteConflict(t *testing.T) {
	t.Parallel()
	e, p := retireEnv(t)
	e.ingest()
	for _, order := range []bool{false, true} {
		snap, err := compare.Fetch(t.Context(), e.client)
		if err != nil {
			t.Fatal(err)
		}
		a, b := snap.Syncs["users-to-braze"], snap.Syncs["accounts-to-sf"]
		if order {
			a, b = b, a
		}
		snap.Conflicts = append(snap.Conflicts, compare.Conflict{Kind: "sync", Slugs: []string{"users-to-braze"}, IDs: []hightouch.ID{a.ID, b.ID}})
		var log strings.Builder
		d := &deployer{Options: Options{Plan: p, Client: e.client, OnDelete: OnDeletePause, Log: &log}, snap: snap, start: time.Now()}
		for _, r := range d.retire(t.Context(), false) {
			if r.Slug == "users-to-braze" && (!r.Failed || !strings.Contains(r.String(), "not paused: Hightouch lists 2 syncs with the slug \"users-to-braze\"")) {
				t.Errorf("retired %v", r)
			}
		}
	}
	if s, _ := e.fake.Sync("users-to-braze"); s.Disabled {
		t.Error("a sync in a conflict was paused")
	}
}

func TestOnDeleteWarnAndPreview(t *testing.T) {
	t.Parallel()
	e, p := retireEnv(t)
	e.ingest()
	out, _ := e.run(p, nil) // warn: today's behaviour
	if len(out.Retired) != 0 || e.fake.Count("PATCH /syncs/{syncId}") != 0 {
		t.Errorf("warn paused: %+v", out.Retired)
	}
	_, retire, err := Preview(t.Context(), Options{RepoDir: e.dir, Plan: p, Client: e.client, OnDelete: OnDeletePause})
	if err != nil {
		t.Fatal(err)
	}
	if len(retire) != 4 || retire[3].Result != RetireWouldPause || retire[3].SyncID == "" {
		t.Errorf("preview %+v", retire)
	}
	if e.writes() != 0 {
		t.Error("preview wrote to Hightouch")
	}
	// From the plan alone: what would be considered.
	if r := Retirements(p, nil); len(r) != 4 || r[0].Result != RetireModel || r[1].Result != RetireWouldPause || r[0].String() != "model users: a model cannot be paused" {
		t.Errorf("Retirements %+v", r)
	}
}
