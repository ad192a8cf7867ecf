package main

import (
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// TestDeployTimeout: when the whole deploy runs out of --timeout, htgit says
// so (not a rate limit, not an internal error) and exits 1.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	fake.Fault(hightouchtest.AnyRoute, hightouchtest.Fault{Latency: 3 * time.Second, Times: 100})
	r := run(t, dir, dpEnv(fake), "deploy", "--path", "hightouch", "--from", before, "--to", after, "--timeout", "1s")
	if r.code != 1 || !strings.Contains(r.stderr, "the deploy did not finish within --timeout 1s") {
		t.Fatalf("exit %d, want 1 and the timeout named\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "rate limit") {
		t.Errorf("the timeout is blamed on the rate limit:\n%s", r.stderr)
	}
}

// TestPlanWithFindings: plan still shows what merging would do when the
// workspace has errors, and exits 1 for them.
func TestPlanWithFindings(t *testing.T) {
	t.Parallel()
	dir, before := newRepo(t, "hightouch")
	after := gittest.Commit(t, dir, "break", map[string]string{
		"hightouch/models/accounts.yaml": example(t, "models/accounts.yaml", "primaryKey: account_id", "primaryKey: ''"),
	})
	r := run(t, dir, nil, "plan", "--path", "hightouch", "--from", before, "--to", after)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "plan with findings", r.stdout,
		"hightouch/models/accounts.yaml:8:13: error: primaryKey is empty", "modified model accounts")
	dpContains(t, "plan with findings", r.stderr, "a deploy would refuse to run")
}
