package main

import (
	"encoding/json"
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/comment"
	"github.com/htgit/htgit/internal/comment/commenttest"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// The `htgit ci` tests run each host's template from ci/ as the host would:
// its script lines in a shell, in a detached-HEAD clone of a bare origin,
// with the host's predefined variables, the built binary on PATH, a fake
// Hightouch and a fake of the host's comment API.

const ciToken = "git-host-TOKEN-51c2"

// ciRepo is an origin whose main holds the example workspace under
// hightouch/, and a feature branch with dpChange and a broken sync on it.
type ciRepo struct {
	origin, base, feature string // the bare origin; main's tip; the feature's tip
	work                  string // the working repository the origin was made from
}

func newCIRepo(t *testing.T) ciRepo {
	t.Helper()
	work, base := newRepo(t, "hightouch")
	gittest.Run(t, work, "checkout", "-q", "-b", "feature")
	change := dpChange(t)
	change["hightouch/syncs/broken.yaml"] = example(t, "syncs/active-users-to-braze.yaml", "model: active-users", "model: no-such-model")
	feature := gittest.Commit(t, work, "change", change)
	gittest.Run(t, work, "checkout", "-q", "main")
	return ciRepo{origin: gittest.Bare(t, work), base: base, feature: feature, work: work}
}

// merged pushes the feature, fixed, to main as a merge, and returns main's
// new tip.
func (r ciRepo) merged(t *testing.T) string {
	t.Helper()
	gittest.Run(t, r.work, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	tip := gittest.Commit(t, r.work, "fix", map[string]string{"hightouch/syncs/broken.yaml": ""})
	gittest.Run(t, r.work, "push", "-q", r.origin, "main")
	return tip
}

// scriptOf reads the shell lines a template runs: the GitLab job htgit,
// the Bitbucket step, or the Azure step named htgit (with its env).
func scriptOf(t *testing.T, host string) (lines []string, env map[string]string) {
	t.Helper()
	switch host {
	case "gitlab":
		var doc struct {
			Variables map[string]string `yaml:"variables"`
			Job       struct {
				Script []string `yaml:"script"`
			} `yaml:"htgit"`
		}
		readYAML(t, "templates/gitlab/htgit.gitlab-ci.yml", &doc)
		return doc.Job.Script, doc.Variables
	case "bitbucket":
		var doc struct {
			Definitions struct {
				Steps []struct {
					Step struct {
						Script []string `yaml:"script"`
					} `yaml:"step"`
				} `yaml:"steps"`
			} `yaml:"definitions"`
		}
		readYAML(t, "templates/bitbucket/bitbucket-pipelines.yml", &doc)
		return doc.Definitions.Steps[0].Step.Script, nil
	case "azure":
		var doc struct {
			Parameters []struct {
				Name    string `yaml:"name"`
				Default string `yaml:"default"`
			} `yaml:"parameters"`
			Steps []struct {
				Bash        string            `yaml:"bash"`
				DisplayName string            `yaml:"displayName"`
				Env         map[string]string `yaml:"env"`
			} `yaml:"steps"`
		}
		readYAML(t, "templates/azure/htgit.yml", &doc)
		params := map[string]string{"path": "hightouch"} // as the README's use passes them
		for _, p := range doc.Parameters {
			if _, ok := params[p.Name]; !ok {
				params[p.Name] = p.Default
			}
		}
		for _, s := range doc.Steps {
			if s.DisplayName != "htgit" {
				continue
			}
			env = map[string]string{}
			param := regexp.MustCompile(`^\$\{\{ parameters\.(\w+) \}\}$`)
			for k, v := range s.Env {
				if m := param.FindStringSubmatch(v); m != nil {
					v = params[m[1]]
				}
				env[k] = v
			}
			return []string{s.Bash}, env
		}
	}
	t.Fatalf("no htgit script in the %s template", host)
	return nil, nil
}

// runTemplate runs host's template lines in dir with env (laid over the
// template's own variables), htgit on PATH; it returns the last line's
// result (the lines stop at the first failure, as a CI script does).
func runTemplate(t *testing.T, host, dir string, env map[string]string) result {
	t.Helper()
	lines, tmplEnv := scriptOf(t, host)
	all := map[string]string{"PATH": filepath.Dir(binary) + string(os.PathListSeparator) + os.Getenv("PATH")}
	maps.Copy(all, tmplEnv)
	for k, v := range all {
		// Azure expands $(Var) macros before the script runs.
		if m := regexp.MustCompile(`^\$\(([\w.]+)\)$`).FindStringSubmatch(v); m != nil {
			all[k] = env[strings.ToUpper(strings.ReplaceAll(m[1], ".", "_"))]
		}
	}
	maps.Copy(all, env)
	var r result
	for _, l := range lines {
		if r = runCmd(t, dir, all, "sh", "-c", l); r.code != 0 {
			break
		}
	}
	for where, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		dpNoKey(t, where, text)
		if strings.Contains(text, ciToken) {
			t.Errorf("the Git host's token is printed in %s", where)
		}
	}
	return r
}

// checkComment holds the fake's one comment to htgit's marker and wants,
// and makes sure the Hightouch key never reached the Git host.
func checkComment(t *testing.T, fake *commenttest.Server, wants ...string) {
	t.Helper()
	bodies := fake.Bodies()
	if len(bodies) != 1 || !strings.HasPrefix(bodies[0], comment.Marker) {
		t.Fatalf("comments %q, want htgit's one", bodies)
	}
	dpContains(t, "the comment", bodies[0], wants...)
	noKeySent(t, fake)
}

// noKeySent fails if the Hightouch key went to the Git host, in any part
// of any request.
func noKeySent(t *testing.T, fake *commenttest.Server) {
	t.Helper()
	for _, r := range fake.Requests() {
		raw, _ := json.Marshal(r)
		if strings.Contains(string(raw), dpKey) {
			t.Errorf("the Hightouch key went to the Git host: %s %s", r.Method, r.Path)
		}
	}
}

// TestCIGitLab: the GitLab template in a merge request pipeline validates
// and plans (Code Quality and JUnit reports, one note kept up to date), and
// after the merge, on a push to the default branch, deploys from a
// detached HEAD with CI_COMMIT_BEFORE_SHA as the previous commit.
func TestCIGitLab(t *testing.T) {
	t.Parallel()
	repo := newCIRepo(t)
	ht := dpFake(t, repo.work, true)
	notes := commenttest.New(t, commenttest.GitLab, ciToken)
	notes.Add("a reviewer's note")
	clone := gittest.CloneDetached(t, repo.origin, "feature", "", 1)
	env := dpEnv(ht, "GITLAB_CI", "true", "CI_PIPELINE_SOURCE", "merge_request_event", "CI_PROJECT_DIR", clone,
		"CI_MERGE_REQUEST_DIFF_BASE_SHA", repo.base, "CI_MERGE_REQUEST_IID", "7", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main",
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature", "CI_COMMIT_SHA", repo.feature, "CI_DEFAULT_BRANCH", "main",
		"CI_API_V4_URL", notes.URL, "CI_PROJECT_ID", "42", "GITLAB_TOKEN", ciToken, "HTGIT_PATH", "hightouch")
	r := runTemplate(t, "gitlab", clone, env)
	if r.code != 1 {
		t.Fatalf("merge request with a broken sync: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "the log", r.stdout, "hightouch/syncs/broken.yaml", "no-such-model")
	var issues []map[string]any
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(clone, "gl-code-quality.json"))), &issues); err != nil || len(issues) == 0 {
		t.Fatalf("Code Quality report: %v, %d issues", err, len(issues))
	}
	loc := issues[0]["location"].(map[string]any)
	if !strings.HasPrefix(loc["path"].(string), "hightouch/") {
		t.Errorf("Code Quality path %v is not relative to the repository", loc["path"])
	}
	var junit struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal([]byte(readFile(t, filepath.Join(clone, "htgit-junit.xml"))), &junit); err != nil || junit.Tests == 0 {
		t.Errorf("JUnit report: %v, %d tests", err, junit.Tests)
	}
	if len(notes.Bodies()) != 2 {
		t.Fatalf("notes %q, want the reviewer's and htgit's", notes.Bodies())
	}
	notes2 := notes.Bodies()[1]
	if !strings.Contains(notes2, "accounts-to-braze") || !strings.Contains(notes2, "no-such-model") {
		t.Errorf("the note lacks the plan or the error:\n%s", notes2)
	}

	// The second run edits the note in place.
	r = runTemplate(t, "gitlab", clone, env)
	if r.code != 1 || len(notes.Bodies()) != 2 {
		t.Fatalf("second run: exit %d, notes %q", r.code, notes.Bodies())
	}
	noKeySent(t, notes)

	// The merge: a push pipeline on main, detached HEAD, deploys.
	tip := repo.merged(t)
	main := gittest.CloneDetached(t, repo.origin, "main", "", 1)
	dpIngest(t, ht, repo.work)
	env = dpEnv(ht, "GITLAB_CI", "true", "CI_PIPELINE_SOURCE", "push", "CI_PROJECT_DIR", main, "CI_COMMIT_BRANCH", "main",
		"CI_COMMIT_BEFORE_SHA", repo.base, "CI_COMMIT_SHA", tip, "CI_DEFAULT_BRANCH", "main", "HTGIT_PATH", "hightouch")
	r = runTemplate(t, "gitlab", main, env)
	if r.code != 0 {
		t.Fatalf("push to main: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "the deploy log", r.stdout, "active-users-to-braze", "accounts-to-braze")
	if dpRow(r.stdout, "active-users-to-braze") == nil {
		t.Errorf("no run of active-users-to-braze in\n%s", r.stdout)
	}
}

// TestCIBitbucket: the Bitbucket step comments on a pull request (its
// base fetched from BITBUCKET_PR_DESTINATION_BRANCH), and on a push to main,
// where Bitbucket names no previous commit, deploys what the last commit
// changed.
func TestCIBitbucket(t *testing.T) {
	t.Parallel()
	repo := newCIRepo(t)
	ht := dpFake(t, repo.work, true)
	comments := commenttest.New(t, commenttest.Bitbucket, ciToken)
	clone := gittest.CloneDetached(t, repo.origin, "feature", "", 50)
	env := dpEnv(ht, "BITBUCKET_BUILD_NUMBER", "12", "BITBUCKET_PR_ID", "3", "BITBUCKET_PR_DESTINATION_BRANCH", "main",
		"BITBUCKET_BRANCH", "feature", "BITBUCKET_COMMIT", repo.feature, "BITBUCKET_CLONE_DIR", clone, "BITBUCKET_WORKSPACE", "acme",
		"BITBUCKET_REPO_SLUG", "warehouse", "BITBUCKET_TOKEN", ciToken, "HTGIT_BITBUCKET_API_URL", comments.URL)
	r := runTemplate(t, "bitbucket", clone, env)
	if r.code != 1 {
		t.Fatalf("pull request with a broken sync: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	checkComment(t, comments, "accounts-to-braze", "no-such-model")
	if _, err := os.Stat(filepath.Join(clone, "test-results", "htgit.xml")); err != nil {
		t.Errorf("no test report where Bitbucket looks: %v", err)
	}

	tip := repo.merged(t)
	main := gittest.CloneDetached(t, repo.origin, "main", "", 1)
	dpIngest(t, ht, repo.work)
	env = dpEnv(ht, "BITBUCKET_BUILD_NUMBER", "13", "BITBUCKET_BRANCH", "main", "BITBUCKET_COMMIT", tip, "BITBUCKET_CLONE_DIR", main)
	r = runTemplate(t, "bitbucket", main, env)
	if r.code != 0 {
		t.Fatalf("push to main: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The last commit only deleted broken.yaml: no sync to run.
	dpContains(t, "the deploy log", r.stdout, "No sync was triggered")
}

// TestCIAzure: the Azure step template on a pull request build (the merge
// commit checked out, the target branch fetched) writes logging commands
// at the findings' lines, a build summary, a JUnit file and one pull
// request thread; on a CI build of main it deploys.
func TestCIAzure(t *testing.T) {
	t.Parallel()
	repo := newCIRepo(t)
	ht := dpFake(t, repo.work, true)
	threads := commenttest.New(t, commenttest.Azure, ciToken)
	// The pull request's merge commit, as Azure builds it.
	gittest.Run(t, repo.work, "checkout", "-q", "-b", "pull/9/merge", "main")
	gittest.Run(t, repo.work, "merge", "-q", "--no-ff", "-m", "Merge pull request 9", "feature")
	merge := gittest.Run(t, repo.work, "rev-parse", "HEAD")
	gittest.Run(t, repo.work, "push", "-q", repo.origin, "pull/9/merge")
	gittest.Run(t, repo.work, "checkout", "-q", "main")
	clone := gittest.CloneDetached(t, repo.origin, "pull/9/merge", "", 1)
	tmp := t.TempDir()
	env := dpEnv(ht, "TF_BUILD", "True", "BUILD_REASON", "PullRequest", "SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main",
		"SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/feature", "SYSTEM_PULLREQUEST_SOURCECOMMITID", repo.feature,
		"SYSTEM_PULLREQUEST_PULLREQUESTID", "9", "BUILD_SOURCEBRANCH", "refs/pull/9/merge", "BUILD_SOURCEVERSION", merge,
		"BUILD_SOURCESDIRECTORY", clone, "AGENT_TEMPDIRECTORY", tmp, "SYSTEM_COLLECTIONURI", threads.URL+"/",
		"SYSTEM_TEAMPROJECT", "proj", "BUILD_REPOSITORY_NAME", "warehouse", "BUILD_REPOSITORY_PROVIDER", "TfsGit",
		"SYSTEM_ACCESSTOKEN", ciToken, "HIGHTOUCH_API_KEY", dpKey)
	r := runTemplate(t, "azure", clone, env)
	if r.code != 1 {
		t.Fatalf("pull request with a broken sync: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dpContains(t, "the log", r.stdout, "##vso[task.logissue type=error;sourcepath=hightouch/syncs/broken.yaml;linenumber=", "##vso[task.uploadsummary]")
	checkComment(t, threads, "accounts-to-braze", "no-such-model")
	if _, err := os.Stat(filepath.Join(tmp, "htgit-junit.xml")); err != nil {
		t.Errorf("no JUnit file for PublishTestResults: %v", err)
	}

	tip := repo.merged(t)
	main := gittest.CloneDetached(t, repo.origin, "main", "", 1)
	dpIngest(t, ht, repo.work)
	env = dpEnv(ht, "TF_BUILD", "True", "BUILD_REASON", "IndividualCI", "BUILD_SOURCEBRANCH", "refs/heads/main",
		"BUILD_SOURCEVERSION", tip, "BUILD_SOURCESDIRECTORY", main, "AGENT_TEMPDIRECTORY", tmp)
	r = runTemplate(t, "azure", main, env)
	if r.code != 0 {
		t.Fatalf("CI build of main: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestCIGitHubComment: `htgit ci` on a GitHub pull request keeps one
// comment through the issue comments API; without a token it says how to
// get one, and a failing API is a warning: neither changes the exit code.
func TestCIGitHubComment(t *testing.T) {
	t.Parallel()
	repo := newCIRepo(t)
	// Without the broken sync, the pull request is clean: exit 0.
	gittest.Run(t, repo.work, "checkout", "-q", "feature")
	fixed := gittest.Commit(t, repo.work, "fix", map[string]string{"hightouch/syncs/broken.yaml": ""})
	gittest.Run(t, repo.work, "push", "-q", repo.origin, "feature")
	gittest.Run(t, repo.work, "checkout", "-q", "main")
	clone := gittest.CloneDetached(t, repo.origin, "feature", "", 1)
	api := commenttest.New(t, commenttest.GitHub, ciToken)
	event := filepath.Join(t.TempDir(), "event.json")
	pr := payload(t, "pull_request_opened.payload.json", func(m map[string]any) {
		m["number"] = 5
		p := m["pull_request"].(map[string]any)
		p["base"].(map[string]any)["sha"], p["head"].(map[string]any)["sha"] = repo.base, fixed
		m["repository"].(map[string]any)["full_name"] = repository
	})
	if err := os.WriteFile(event, pr, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
		"GITHUB_WORKSPACE": clone, "GITHUB_REPOSITORY": repository, "GITHUB_API_URL": api.URL}
	ci := func(extra ...string) result {
		e := maps.Clone(env)
		maps.Copy(e, dpPairs(extra...))
		return run(t, clone, e, "ci", "--path", "hightouch")
	}

	r := ci()
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "GITHUB_TOKEN") || len(api.Requests()) != 0 {
		t.Errorf("no token: exit %d, %d API requests; want 0, none, and a notice naming GITHUB_TOKEN\n%s%s", r.code, len(api.Requests()), r.stdout, r.stderr)
	}
	if r := ci("GITHUB_TOKEN", ciToken); r.code != 0 {
		t.Fatalf("with a token: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkComment(t, api, "accounts-to-braze", "full resync")
	if r := ci("GITHUB_TOKEN", ciToken); r.code != 0 || len(api.Bodies()) != 1 {
		t.Errorf("second run: exit %d, comments %d", r.code, len(api.Bodies()))
	}
	api.Fail(403)
	r = ci("GITHUB_TOKEN", ciToken)
	if r.code != 0 || !strings.Contains(r.stdout, "::warning") || !strings.Contains(r.stdout, "403") {
		t.Errorf("API answering 403: exit %d, want 0 and a warning\n%s", r.code, r.stdout)
	}
}

// TestCITemplatesPinRelease: the templates run the release this
// CHANGELOG names, as the pre-commit hook does.
func TestCITemplatesPinRelease(t *testing.T) {
	v := changelogVersion(t)
	for _, f := range []string{"templates/gitlab/htgit.gitlab-ci.yml", "templates/bitbucket/bitbucket-pipelines.yml"} {
		if !strings.Contains(readFile(t, filepath.Join(repoRoot, f)), releaseImage+":"+v+"\n") {
			t.Errorf("%s does not run %s:%s", f, releaseImage, v)
		}
	}
	var azure struct {
		Parameters []struct {
			Name    string `yaml:"name"`
			Default string `yaml:"default"`
		} `yaml:"parameters"`
	}
	readYAML(t, "templates/azure/htgit.yml", &azure)
	for _, p := range azure.Parameters {
		if p.Name == "version" && p.Default != v {
			t.Errorf("templates/azure/htgit.yml installs %s, want %s", p.Default, v)
		}
	}
}

// TestActionComment: the Action keeps one plan comment on the pull
// request with its github-token input, at GITHUB_API_URL; comment: false
// posts none, and a failing API is a warning that leaves the step green.
func TestActionComment(t *testing.T) {
	t.Parallel()
	pr := newPullRequest(t, prSpec{sub: "hightouch", change: dpChange(t)})
	api := commenttest.New(t, commenttest.GitHub, ciToken)
	extra := map[string]string{"GITHUB_API_URL": api.URL}
	with := map[string]string{"path": "hightouch", "github-token": ciToken}

	a := runAction(t, pr, with, extra)
	if a.code != 0 {
		t.Fatalf("exit %d\n%s%s", a.code, a.stdout, a.stderr)
	}
	checkComment(t, api, "accounts-to-braze", "full resync")
	for _, r := range api.Requests() {
		if !strings.HasPrefix(r.Path, "/repos/"+repository+"/issues/") {
			t.Errorf("request to %s, not pull request 7's comments", r.Path)
		}
	}
	a = runAction(t, pr, with, extra)
	if a.code != 0 || len(api.Bodies()) != 1 {
		t.Errorf("second run: exit %d, %d comments; want the one updated", a.code, len(api.Bodies()))
	}

	requests := len(api.Requests())
	with["comment"] = "false"
	if a = runAction(t, pr, with, extra); a.code != 0 || len(api.Requests()) != requests {
		t.Errorf("comment: false: exit %d, %d more requests", a.code, len(api.Requests())-requests)
	}

	delete(with, "comment")
	api.Fail(500)
	a = runAction(t, pr, with, extra)
	if a.code != 0 || len(a.named("warning")) != 1 || !strings.Contains(a.named("warning")[0].data, "500") {
		t.Errorf("API failing: exit %d, warnings %v; want exit 0 and one warning naming the status", a.code, a.named("warning"))
	}
}

// TestCIWorkspaces: with workspaces declared, a GitLab push to staging
// (no default branch involved) deploys to staging with staging's key, and
// prod's server hears nothing.
func TestCIWorkspaces(t *testing.T) {
	t.Parallel()
	r := newWorkspacesRepo(t, "")
	gittest.Run(t, r.dir, "checkout", "-q", "--detach")
	res := run(t, r.dir, wsEnv("GITLAB_CI", "true", "CI_PIPELINE_SOURCE", "push", "CI_COMMIT_BRANCH", "staging",
		"CI_COMMIT_BEFORE_SHA", r.before, "CI_DEFAULT_BRANCH", "main"), "ci", "--path", "hightouch")
	if res.code != 0 || r.staging.Count(hightouchtest.RouteTrigger) != 2 || len(r.prod.Requests()) != 0 {
		t.Errorf("exit %d, staging %d triggers, prod %d requests\n%s\n%s", res.code,
			r.staging.Count(hightouchtest.RouteTrigger), len(r.prod.Requests()), res.stdout, res.stderr)
	}
	wsNoKeys(t, res.stdout+res.stderr)
}
