package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/htgit/htgit/internal/gittest"
)

// A push renames accounts-to-salesforce away and deletes the paused
// backfill sync, the dbt model and its sync: plan says what --on-delete
// pause would pause, and the Action's deploy pauses it and says so.
func TestOnDeletePause(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	fake := dpFake(t, dir, true)
	gittest.Run(t, dir, "mv", "hightouch/syncs/accounts-to-salesforce.yaml", "hightouch/syncs/accounts-to-sf.yaml")
	change := dpChange(t)
	for _, f := range []string{"syncs/accounts-backfill-to-hubspot.yaml", "syncs/customers-to-hubspot.yaml", "models/dim-customers.yaml"} {
		change["hightouch/"+f] = ""
	}
	after := gittest.Commit(t, dir, "change", change)

	r := run(t, dir, nil, "plan", "--path", "hightouch", "--from", before, "--on-delete", "pause")
	if r.code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "plan without a key", r.stdout, "On delete (pause), if Hightouch has them:\n",
		"  model dim-customers: a model cannot be paused\n",
		"  sync accounts-to-salesforce: would pause\n", "  sync customers-to-hubspot: would pause\n")

	r = run(t, dir, dpEnv(fake), "plan", "--path", "hightouch", "--from", before, "--on-delete", "pause")
	dpContains(t, "plan with a key", r.stdout, "On delete (pause):\n",
		"  model dim-customers: a model cannot be paused; syncs in Hightouch still using it: customers-to-hubspot\n",
		"  sync accounts-backfill-to-hubspot: already paused\n",
		"  sync accounts-to-salesforce: would pause\n")
	if r := run(t, dir, nil, "plan", "--path", "hightouch", "--from", before, "--on-delete", "delete"); r.code != 2 {
		t.Errorf("--on-delete delete: exit %d", r.code)
	}
	if n := dpWrites(fake); n != 0 {
		t.Fatalf("plan wrote %d times", n)
	}

	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake,
		map[string]string{"ingest": "apply", "on-delete": "pause"})
	if a.code != 0 {
		t.Fatal(a)
	}
	var paused []struct{ SyncSlug, SyncID string }
	if err := json.Unmarshal([]byte(a.outputs["paused"]), &paused); err != nil {
		t.Fatalf("output paused %q: %v", a.outputs["paused"], err)
	}
	var slugs []string
	for _, p := range paused {
		slugs = append(slugs, p.SyncSlug)
		if p.SyncID != dpSyncID(t, fake, p.SyncSlug) {
			t.Errorf("paused %+v: wrong id", p)
		}
		if s, _ := fake.Sync(p.SyncSlug); !s.Disabled {
			t.Errorf("%s is not paused in Hightouch", p.SyncSlug)
		}
	}
	if want := []string{"accounts-to-salesforce", "customers-to-hubspot"}; !slices.Equal(slugs, want) {
		t.Errorf("paused %q, want %q\n%s", slugs, want, a)
	}
	if s, _ := fake.Sync("accounts-to-sf"); s.Disabled {
		t.Error("the new slug of the renamed sync was paused")
	}
	dpContains(t, "summary", a.summary, "Deleted in Git (`on-delete: pause`):",
		"- sync accounts-to-salesforce: paused", "- sync accounts-backfill-to-hubspot: already paused")
	dpContains(t, "log", a.stdout, "sync customers-to-hubspot: paused")

	// Without the input: today's behaviour, nothing paused, an empty list.
	a = runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, map[string]string{"ingest": "apply"})
	if a.code != 0 || a.outputs["paused"] != "[]" {
		t.Fatalf("warn: paused = %q\n%s", a.outputs["paused"], a)
	}
}
