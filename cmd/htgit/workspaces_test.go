package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// Two Hightouch workspaces share the Git Sync folder: staging tracks the
// branch staging, prod tracks main, each with its own key and server.
const (
	wsKeyStaging = "ht-e2e-STAGING-1b2c3d4e5f"
	wsKeyProd    = "ht-e2e-PROD-9a8b7c6d5e4f"
	// wsKeyOther is HIGHTOUCH_API_KEY's: with workspaces declared it must
	// reach no server.
	wsKeyOther = "ht-e2e-OTHER-0000111122"
)

type wsRepo struct {
	dir, before, after string
	staging, prod      *hightouchtest.Server
}

// newWorkspacesRepo is the example workspace with a manifest per workspace,
// the change of dpChange committed on main, and both fakes holding it.
func newWorkspacesRepo(t *testing.T, config string) wsRepo {
	t.Helper()
	var r wsRepo
	r.dir, _ = newRepo(t, "hightouch")
	r.staging, r.prod = exampleFake(t, wsKeyStaging, "success"), exampleFake(t, wsKeyProd, "success")
	manifest := example(t, "manifest.yaml")
	if config == "" {
		config = fmt.Sprintf("workspaces:\n  staging:\n    branch: staging\n    apiKeyEnv: HT_KEY_STAGING\n    apiUrl: %s\n  prod:\n    branch: main\n    apiKeyEnv: HT_KEY_PROD\n    apiUrl: %s\n",
			r.staging.URL, r.prod.URL)
	}
	gittest.Run(t, r.dir, "rm", "-q", "hightouch/manifest.yaml")
	r.before = gittest.Commit(t, r.dir, "two workspaces", map[string]string{
		"hightouch/manifest-staging.yaml": manifest, "hightouch/manifest-prod.yaml": manifest, ".htgit.yaml": config,
	})
	r.after = gittest.Commit(t, r.dir, "change", dpChange(t))
	for _, fake := range []*hightouchtest.Server{r.staging, r.prod} {
		dpIngest(t, fake, r.dir)
		m, _ := fake.Model("dim-customers")
		m.DBTUniqueID = "model.analytics.dim_customers" // as its file says
		fake.UpsertModel(m)
	}
	return r
}

// wsEnv is every key set, HIGHTOUCH_API_KEY's too.
func wsEnv(extra ...string) map[string]string {
	return dpPairs(append([]string{"HT_KEY_STAGING", wsKeyStaging, "HT_KEY_PROD", wsKeyProd, "HIGHTOUCH_API_KEY", wsKeyOther}, extra...)...)
}

// wsNoKeys fails if any key shows in text.
func wsNoKeys(t *testing.T, text string) {
	t.Helper()
	for _, k := range []string{wsKeyStaging, wsKeyProd, wsKeyOther} {
		if strings.Contains(text, k) {
			t.Errorf("a key is printed:\n%s", text)
		}
	}
}

// TestWorkspacesDeploy: a push to main deploys to prod with prod's key
// alone; staging's server hears nothing, and no request is refused (a key
// sent to the wrong server would be).
func TestWorkspacesDeploy(t *testing.T) {
	t.Parallel()
	r := newWorkspacesRepo(t, "")
	res := run(t, r.dir, wsEnv(), "deploy", "--from", r.before, "--to", r.after, "--wait")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if n := r.prod.Count(hightouchtest.RouteTrigger); n != 2 {
		t.Errorf("prod: %d triggers, want 2", n)
	}
	if reqs := r.staging.Requests(); len(reqs) != 0 {
		t.Errorf("staging heard %d request(s) of a deploy to prod, the first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
	for _, req := range r.prod.Requests() {
		if req.Route == "" {
			t.Errorf("prod refused %s %s", req.Method, req.Path)
		}
	}
	wsNoKeys(t, res.stdout+res.stderr)

	// The same push to staging goes to staging.
	gittest.Run(t, r.dir, "checkout", "-q", "-b", "staging")
	res = run(t, r.dir, wsEnv(), "deploy", "--from", r.before, "--to", r.after)
	if res.code != 0 || r.staging.Count(hightouchtest.RouteTrigger) != 2 || r.prod.Count(hightouchtest.RouteTrigger) != 2 {
		t.Errorf("staging deploy: exit %d, staging %d triggers, prod %d\n%s", res.code,
			r.staging.Count(hightouchtest.RouteTrigger), r.prod.Count(hightouchtest.RouteTrigger), res.stderr)
	}
}

// TestWorkspacesDeployRefusals: a branch no workspace tracks and a missing
// key are exit 2, naming what to do; nothing reaches either server.
func TestWorkspacesDeployRefusals(t *testing.T) {
	t.Parallel()
	r := newWorkspacesRepo(t, "")
	gittest.Run(t, r.dir, "checkout", "-q", "-b", "feature")
	res := run(t, r.dir, wsEnv(), "deploy", "--from", r.before, "--to", r.after)
	if want := `no workspace in .htgit.yaml tracks branch "feature", so there is nothing to deploy it to; the tracked branches are staging (workspace staging), main (workspace prod)`; res.code != 2 || !strings.Contains(res.stderr, want) {
		t.Errorf("untracked branch: exit %d, stderr %q; want 2 and %q", res.code, res.stderr, want)
	}
	gittest.Run(t, r.dir, "checkout", "-q", "main")
	env := wsEnv()
	delete(env, "HT_KEY_PROD")
	res = run(t, r.dir, env, "deploy", "--from", r.before, "--to", r.after)
	if want := "deploy needs workspace prod's API key in the environment variable HT_KEY_PROD"; res.code != 2 || !strings.Contains(res.stderr, want) {
		t.Errorf("missing key: exit %d, stderr %q; want 2 and %q", res.code, res.stderr, want)
	}
	if n := len(r.staging.Requests()) + len(r.prod.Requests()); n != 0 {
		t.Errorf("%d request(s) reached Hightouch", n)
	}
}

// TestWorkspacesDrift: drift checks each workspace whose key is set and
// reports each; one drifting is exit 1. --workspace checks one.
func TestWorkspacesDrift(t *testing.T) {
	t.Parallel()
	r := newWorkspacesRepo(t, "")
	m, _ := r.staging.Model("active-users")
	m.SQL = "select 1"
	r.staging.UpsertModel(m) // edited in staging's UI
	res := run(t, r.dir, wsEnv(), "drift")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	staging, prod, _ := strings.Cut(res.stdout, "workspace prod:")
	if !strings.HasPrefix(staging, "workspace staging:\n") || !strings.Contains(staging, "model active-users") || strings.Contains(prod, "active-users") || !strings.Contains(prod, "no drift") {
		t.Errorf("reports:\n%s", res.stdout)
	}
	res = run(t, r.dir, wsEnv(), "drift", "--workspace", "prod", "--format", "json")
	if res.code != 0 || !strings.Contains(res.stdout, `"name": "prod"`) || strings.Contains(res.stdout, `"staging"`) {
		t.Errorf("--workspace prod: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	// A workspace whose key is not set is named, not checked.
	env := wsEnv()
	delete(env, "HT_KEY_STAGING")
	before := len(r.staging.Requests())
	res = run(t, r.dir, env, "drift")
	if res.code != 0 || !strings.Contains(res.stdout, "workspace staging:\nnot checked: HT_KEY_STAGING is not set") || len(r.staging.Requests()) != before {
		t.Errorf("without staging's key: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	res = run(t, r.dir, wsEnv(), "drift", "--workspace", "qa")
	if res.code != 2 || !strings.Contains(res.stderr, `--workspace "qa": .htgit.yaml declares the workspaces staging, prod`) {
		t.Errorf("unknown workspace: exit %d, %s", res.code, res.stderr)
	}
	wsNoKeys(t, res.stdout+res.stderr)
}

// TestWorkspacesPlan: plan previews against the workspace --workspace
// names, with its key alone; without one it plans from Git and says how to
// compare.
func TestWorkspacesPlan(t *testing.T) {
	t.Parallel()
	r := newWorkspacesRepo(t, "")
	res := run(t, r.dir, wsEnv(), "plan", "--from", r.before, "--to", r.after)
	if want := "(pass --workspace NAME and set that workspace's key to also see what Hightouch would create or update)"; res.code != 0 || !strings.Contains(res.stdout, want) {
		t.Errorf("plan without a workspace: exit %d, want 0 and %q\n%s\n%s", res.code, want, res.stdout, res.stderr)
	}
	if n := len(r.staging.Requests()) + len(r.prod.Requests()); n != 0 {
		t.Errorf("a plan without a workspace sent %d request(s)", n)
	}
	res = run(t, r.dir, wsEnv(), "plan", "--from", r.before, "--to", r.after, "--workspace", "staging")
	if res.code != 0 || !strings.Contains(res.stdout, "In Hightouch:") || len(r.staging.Requests()) == 0 || len(r.prod.Requests()) != 0 {
		t.Errorf("plan --workspace staging: exit %d, staging %d requests, prod %d\n%s\n%s", res.code, len(r.staging.Requests()), len(r.prod.Requests()), res.stdout, res.stderr)
	}
	wsNoKeys(t, res.stdout+res.stderr)
}

// TestWorkspacesConfigErrors: what cannot be right in workspaces: is exit
// 2 at its line and column.
func TestWorkspacesConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ config, want string }{
		{"workspaces:\n  staging:\n    branch: main\n    apiKeyEnv: A\n  prod:\n    branch: main\n    apiKeyEnv: B\n",
			`.htgit.yaml:6:13: workspaces staging and prod both track branch "main"`},
		{"workspaces:\n  prod:\n    branch: main\n    apiKeyEnv: B\n  qa:\n    branch: qa\n    apiKeyEnv: C\n",
			".htgit.yaml:5:3: workspace qa has no manifest-qa.yaml in "},
		{"workspaces:\n  prod:\n    branch: main\n    apiKeyEnv: " + wsKeyProd + "\n",
			".htgit.yaml:4:16: workspace prod: apiKeyEnv names the environment variable holding the key"},
	} {
		r := newWorkspacesRepo(t, tc.config)
		res := run(t, r.dir, wsEnv(), "validate")
		if res.code != 2 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("exit %d, stderr %q; want 2 and %q", res.code, res.stderr, tc.want)
		}
		wsNoKeys(t, res.stderr)
	}
}

// TestWorkspacesAction: the Action deploys a push to staging to staging;
// a pull request from staging into main is previewed against prod, the
// workspace that will get it.
func TestWorkspacesAction(t *testing.T) {
	t.Parallel()
	r := newWorkspacesRepo(t, "")
	gittest.Run(t, r.dir, "branch", "staging", r.after)
	push := dpPush{dir: r.dir, before: r.before, after: r.after, ref: "refs/heads/staging"}
	a := runPushAction(t, push, r.staging, map[string]string{"api-key": "", "api-url": ""}, "HT_KEY_STAGING", wsKeyStaging, "HT_KEY_PROD", wsKeyProd)
	if a.code != 0 || r.staging.Count(hightouchtest.RouteTrigger) != 2 || len(r.prod.Requests()) != 0 {
		t.Fatalf("push to staging: staging %d triggers, prod %d requests\n%s", r.staging.Count(hightouchtest.RouteTrigger), len(r.prod.Requests()), a)
	}
	wsNoKeys(t, a.stdout+a.stderr+a.summary)

	stagingBefore := len(r.staging.Requests())
	pr := runAsRunner(t, runnerEvent{name: "pull_request", workspace: r.dir, ref: "refs/pull/7/merge", sha: r.after,
		payload: payload(t, "pull_request_opened.payload.json", func(m map[string]any) {
			pull := m["pull_request"].(map[string]any)
			pull["base"].(map[string]any)["sha"], pull["base"].(map[string]any)["ref"] = r.before, "main"
			pull["head"].(map[string]any)["sha"], pull["head"].(map[string]any)["ref"] = r.after, "staging"
		})}, inputEnv(nil), dpPairs("HT_KEY_STAGING", wsKeyStaging, "HT_KEY_PROD", wsKeyProd))
	if pr.code != 0 || len(r.prod.Requests()) == 0 || len(r.staging.Requests()) != stagingBefore {
		t.Errorf("pull request into main: exit %d, prod %d requests, staging %d more\n%s\n%s", pr.code, len(r.prod.Requests()), len(r.staging.Requests())-stagingBefore, pr.stdout, pr.stderr)
	}
	if !strings.Contains(pr.stdout, "In Hightouch:") {
		t.Errorf("the plan was not compared with prod:\n%s", pr.stdout)
	}
	wsNoKeys(t, pr.stdout+pr.stderr+pr.summary)
}
