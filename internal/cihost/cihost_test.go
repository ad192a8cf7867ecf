package cihost

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/gittest"
)

func TestMain(m *testing.M) {
	gittest.Isolate()
	os.Exit(m.Run())
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestDetect reads each host's documented variables into the same answers.
func TestDetect(t *testing.T) {
	dir := t.TempDir()
	prEvent := filepath.Join(dir, "pr.json")
	os.WriteFile(prEvent, []byte(`{"number": 7, "pull_request": {"base": {"sha": "b1"}, "head": {"sha": "h1"}}, "repository": {"full_name": "acme/repo", "default_branch": "main"}}`), 0o644)
	pushEvent := filepath.Join(dir, "push.json")
	os.WriteFile(pushEvent, []byte(`{"before": "b0", "after": "h0", "ref": "refs/heads/main", "repository": {"full_name": "acme/repo", "default_branch": "main"}}`), 0o644)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Host
	}{
		{"github pull request", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": prEvent,
			"GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature", "GITHUB_RUN_ID": "99", "GITHUB_REPOSITORY": "acme/repo"},
			Host{Name: "github", Event: ChangeRequest, BaseCommit: "b1", Head: "h1", TargetBranch: "main", Branch: "feature", ChangeRequest: "7",
				DefaultBranch: "main", Format: "github", RunURL: "https://github.com/acme/repo/actions/runs/99"}},
		{"github push", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": pushEvent},
			Host{Name: "github", Event: Push, Before: "b0", Head: "h0", Branch: "main", DefaultBranch: "main", Format: "github"}},
		{"gitlab merge request", map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
			"CI_MERGE_REQUEST_DIFF_BASE_SHA": "b2", "CI_MERGE_REQUEST_IID": "12", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
			"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature", "CI_COMMIT_SHA": "h2", "CI_DEFAULT_BRANCH": "main", "CI_JOB_URL": "https://gitlab.example/j/1"},
			Host{Name: "gitlab", Event: ChangeRequest, BaseCommit: "b2", Head: "h2", TargetBranch: "main", Branch: "feature", ChangeRequest: "12",
				DefaultBranch: "main", Format: "text", RunURL: "https://gitlab.example/j/1"}},
		{"gitlab push", map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
			"CI_COMMIT_BEFORE_SHA": "b3", "CI_COMMIT_SHA": "h3", "CI_DEFAULT_BRANCH": "main"},
			Host{Name: "gitlab", Event: Push, Before: "b3", Head: "h3", Branch: "main", DefaultBranch: "main", Format: "text"}},
		{"gitlab tag", map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_SHA": "h3"},
			Host{Name: "gitlab", Event: Other, Head: "h3", Format: "text"}},
		{"gitlab schedule", map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main"},
			Host{Name: "gitlab", Event: Other, Branch: "main", Format: "text"}},
		{"bitbucket pull request", map[string]string{"BITBUCKET_BUILD_NUMBER": "5", "BITBUCKET_PR_ID": "3", "BITBUCKET_PR_DESTINATION_BRANCH": "main",
			"BITBUCKET_BRANCH": "feature", "BITBUCKET_COMMIT": "h4", "BITBUCKET_REPO_FULL_NAME": "acme/repo"},
			Host{Name: "bitbucket", Event: ChangeRequest, TargetBranch: "main", Branch: "feature", Head: "h4", ChangeRequest: "3", Format: "text",
				RunURL: "https://bitbucket.org/acme/repo/pipelines/results/5"}},
		{"bitbucket branch", map[string]string{"BITBUCKET_BUILD_NUMBER": "5", "BITBUCKET_BRANCH": "main", "BITBUCKET_COMMIT": "h5"},
			Host{Name: "bitbucket", Event: Push, Branch: "main", Head: "h5", Format: "text"}},
		{"bitbucket tag", map[string]string{"BITBUCKET_BUILD_NUMBER": "5", "BITBUCKET_TAG": "v1", "BITBUCKET_COMMIT": "h5"},
			Host{Name: "bitbucket", Event: Other, Head: "h5", Format: "text"}},
		{"azure pull request", map[string]string{"TF_BUILD": "True", "BUILD_REASON": "PullRequest", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main",
			"SYSTEM_PULLREQUEST_SOURCEBRANCH": "refs/heads/feature", "SYSTEM_PULLREQUEST_SOURCECOMMITID": "h6", "BUILD_SOURCEVERSION": "merge6",
			"SYSTEM_PULLREQUEST_PULLREQUESTID": "9", "BUILD_SOURCEBRANCH": "refs/pull/9/merge",
			"SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "proj", "BUILD_BUILDID": "77"},
			Host{Name: "azure", Event: ChangeRequest, TargetBranch: "main", Branch: "feature", Head: "h6", ChangeRequest: "9", Format: "azure",
				RunURL: "https://dev.azure.com/acme/proj/_build/results?buildId=77"}},
		{"azure CI", map[string]string{"TF_BUILD": "True", "BUILD_REASON": "IndividualCI", "BUILD_SOURCEBRANCH": "refs/heads/main", "BUILD_SOURCEVERSION": "h7"},
			Host{Name: "azure", Event: Push, Branch: "main", Head: "h7", Format: "azure"}},
		{"azure batched CI", map[string]string{"TF_BUILD": "True", "BUILD_REASON": "BatchedCI", "BUILD_SOURCEBRANCH": "refs/heads/main"},
			Host{Name: "azure", Event: Push, Branch: "main", Format: "azure"}},
		{"azure manual", map[string]string{"TF_BUILD": "True", "BUILD_REASON": "Manual", "BUILD_SOURCEBRANCH": "refs/heads/main"},
			Host{Name: "azure", Event: Other, Branch: "main", Format: "azure"}},
		{"azure tag", map[string]string{"TF_BUILD": "True", "BUILD_REASON": "IndividualCI", "BUILD_SOURCEBRANCH": "refs/tags/v1"},
			Host{Name: "azure", Event: Other, Format: "azure"}},
		{"none", map[string]string{"CI": "true"}, Host{Name: "none", Event: Other, Format: "text"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Detect(env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			got := Host{Name: h.Name, Event: h.Event, BaseCommit: h.BaseCommit, Before: h.Before, Head: h.Head, TargetBranch: h.TargetBranch,
				Branch: h.Branch, ChangeRequest: h.ChangeRequest, DefaultBranch: h.DefaultBranch, Format: h.Format, RunURL: h.RunURL}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestComments: no token is a notice naming the variable to set; a
// token gives a client; a push has no comment.
func TestComments(t *testing.T) {
	for _, tc := range []struct {
		env      map[string]string
		tokenVar string
	}{
		{map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event"}, "GITLAB_TOKEN"},
		{map[string]string{"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_PR_ID": "2"}, "BITBUCKET_TOKEN"},
		{map[string]string{"TF_BUILD": "True", "BUILD_REASON": "PullRequest"}, "SYSTEM_ACCESSTOKEN"},
	} {
		h, _ := Detect(env(tc.env))
		if c, notice := h.Comments(""); c != nil || !strings.Contains(notice, tc.tokenVar) || h.TokenVar != tc.tokenVar {
			t.Errorf("%s without a token: %v, %q", h.Name, c, notice)
		}
		if c, notice := h.Comments("t"); c == nil || notice != "" {
			t.Errorf("%s with a token: %v, %q", h.Name, c, notice)
		}
	}
	h, _ := Detect(env(map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}))
	if c, notice := h.Comments("t"); c != nil || notice != "" {
		t.Errorf("push: %v, %q", c, notice)
	}
	h, _ = Detect(env(map[string]string{"TF_BUILD": "True", "BUILD_REASON": "PullRequest", "BUILD_REPOSITORY_PROVIDER": "GitHub"}))
	if c, _ := h.Comments("t"); c != nil {
		t.Error("Azure Pipelines building a GitHub repository would post to Azure Repos")
	}
}

// repo is an origin with main (two commits) and a feature branch, cloned
// at depth 1 as CI hosts do, on a detached HEAD at checkout.
func repo(t *testing.T, checkout string) (clone, mainFirst, mainTip, base string) {
	src := gittest.Init(t)
	gittest.Write(t, src, map[string]string{"a": "1"})
	mainFirst = gittest.Commit(t, src, "first", nil)
	gittest.Write(t, src, map[string]string{"a": "2"})
	base = gittest.Commit(t, src, "second", nil)
	gittest.Run(t, src, "checkout", "-q", "-b", "feature")
	gittest.Write(t, src, map[string]string{"b": "1"})
	gittest.Commit(t, src, "feature", nil)
	gittest.Run(t, src, "checkout", "-q", "main")
	gittest.Write(t, src, map[string]string{"a": "3"})
	mainTip = gittest.Commit(t, src, "third", nil)
	clone = filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, src, "clone", "-q", "--depth=1", "--branch", checkout, "file://"+filepath.ToSlash(src), clone)
	gittest.Run(t, clone, "checkout", "-q", "--detach")
	return clone, mainFirst, mainTip, base
}

// TestBase: each way a host names (or does not name) the commit to
// compare with gives a commit present in the clone.
func TestBase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	clone, _, mainTip, _ := repo(t, "feature")
	h, _ := Detect(env(map[string]string{"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_PR_ID": "2", "BITBUCKET_PR_DESTINATION_BRANCH": "main"}))
	if got, err := h.Base(ctx, clone); err != nil || got != mainTip {
		t.Errorf("Bitbucket pull request: %s, %v; want main's tip %s", got, err, mainTip)
	}

	clone, _, mainTip, base := repo(t, "main")
	h, _ = Detect(env(map[string]string{"TF_BUILD": "True", "BUILD_REASON": "IndividualCI", "BUILD_SOURCEBRANCH": "refs/heads/main"}))
	if got, err := h.Base(ctx, clone); err != nil || got != base {
		t.Errorf("Azure push: %s, %v; want HEAD's parent %s (HEAD %s)", got, err, base, mainTip)
	}

	clone, mainFirst, _, _ := repo(t, "main")
	h, _ = Detect(env(map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_BEFORE_SHA": mainFirst}))
	if got, err := h.Base(ctx, clone); err != nil || got != mainFirst {
		t.Errorf("GitLab push: %s, %v; want CI_COMMIT_BEFORE_SHA %s", got, err, mainFirst)
	}
	if gittest.Run(t, clone, "cat-file", "-t", mainFirst) != "commit" {
		t.Error("CI_COMMIT_BEFORE_SHA was not fetched")
	}

	zero := strings.Repeat("0", 40)
	h, _ = Detect(env(map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "new", "CI_COMMIT_BEFORE_SHA": zero}))
	if got, err := h.Base(ctx, clone); err != nil || got != zero {
		t.Errorf("GitLab new branch: %s, %v; want the zero id for the plan to report", got, err)
	}

	gittest.Run(t, clone, "remote", "remove", "origin")
	h, _ = Detect(env(map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
		"CI_MERGE_REQUEST_DIFF_BASE_SHA": strings.Repeat("ab", 20)}))
	_, err := h.Base(ctx, clone)
	var missing *gitdiff.MissingCommitError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), "GIT_DEPTH") {
		t.Errorf("unreachable base in a shallow clone: %v; want GitLab's advice", err)
	}

	h, _ = Detect(env(map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "schedule"}))
	if _, err := h.Base(ctx, clone); !errors.Is(err, ErrNoBase) {
		t.Errorf("scheduled run: %v, want ErrNoBase", err)
	}
}

// TestAzureSummary: the markdown goes to a file the agent uploads as a
// build summary section.
func TestAzureSummary(t *testing.T) {
	tmp := t.TempDir()
	h, _ := Detect(env(map[string]string{"TF_BUILD": "True", "AGENT_TEMPDIRECTORY": tmp}))
	var out bytes.Buffer
	if err := h.Summary(&out, "## htgit\n"); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(out.String())
	path, ok := strings.CutPrefix(line, "##vso[task.uploadsummary]")
	if !ok || !filepath.IsAbs(path) || filepath.Dir(path) != tmp {
		t.Fatalf("command %q", line)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "## htgit\n" {
		t.Errorf("summary file: %q, %v", b, err)
	}
	for _, name := range []string{"GITLAB_CI", "BITBUCKET_BUILD_NUMBER"} {
		if h, _ := Detect(env(map[string]string{name: "true"})); h.Summary != nil {
			t.Errorf("%s has a summary", h.Name)
		}
	}
}

// TestWarn: a warning in each host's log form.
func TestWarn(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GITHUB_ACTIONS": "true"}, "::warning title=htgit::API said 50%25 no\n"},
		{map[string]string{"TF_BUILD": "True"}, "##vso[task.logissue type=warning;]htgit: API said 50%AZP25 no\n"},
		{map[string]string{"GITLAB_CI": "true"}, "htgit: warning: API said 50% no\n"},
	} {
		h, err := Detect(env(tc.env))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		h.Warn(&b, "API said 50% no")
		if b.String() != tc.want {
			t.Errorf("%s: %q, want %q", h.Name, b.String(), tc.want)
		}
		if Format(env(tc.env)) != h.Format {
			t.Errorf("%s: Format %q, Host.Format %q", h.Name, Format(env(tc.env)), h.Format)
		}
	}
}
