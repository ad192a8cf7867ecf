package main

import (
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/gittest"
)

// TestPlanPrimaryKeyFixed: a push that fixes an empty primaryKey is no
// change of key Git can judge (the old one was invalid): without a key the
// plan runs incrementally; with one, Hightouch's key decides.
func TestPlanPrimaryKeyFixed(t *testing.T) {
	t.Parallel()
	dir, _ := newRepo(t, "hightouch")
	model := "hightouch/models/accounts.yaml"
	broken := gittest.Commit(t, dir, "empty key", map[string]string{model: example(t, "models/accounts.yaml", "primaryKey: account_id", `primaryKey: ""`)})
	fake := dpFake(t, dir, true)
	fixed := gittest.Commit(t, dir, "fix the key", map[string]string{model: example(t, "models/accounts.yaml", "primaryKey: account_id", "primaryKey: account_id")})

	r := run(t, dir, nil, "plan", "--path", "hightouch", "--from", broken, "--to", fixed)
	if r.code != 0 || !strings.Contains(r.stdout, "accounts-to-salesforce        model accounts modified; incremental") || strings.Contains(r.stdout, `from ""`) {
		t.Errorf("plan from Git alone: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// Hightouch took the empty key as it was ingested: no key to compare
	// with either, so no full resync.
	r = run(t, dir, dpEnv(fake), "plan", "--path", "hightouch", "--from", broken, "--to", fixed)
	if m, _ := fake.Model("accounts"); m.PrimaryKey != "" || r.code != 0 || !strings.Contains(r.stdout, "accounts-to-salesforce        model accounts modified; incremental") {
		t.Errorf("plan with Hightouch holding the empty key %q: exit %d\n%s\n%s", m.PrimaryKey, r.code, r.stdout, r.stderr)
	}
	// Hightouch has another key (set in its UI): a full resync.
	m, _ := fake.Model("accounts")
	m.PrimaryKey = "id"
	fake.UpsertModel(m)
	r = run(t, dir, dpEnv(fake), "plan", "--path", "hightouch", "--from", broken, "--to", fixed)
	want := `accounts-to-salesforce        model accounts modified; full resync (primary key of accounts in Hightouch is "id", the workspace now gives "account_id")`
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("plan with Hightouch holding another key: exit %d, want %q\n%s\n%s", r.code, want, r.stdout, r.stderr)
	}
}
