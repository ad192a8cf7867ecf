package cihost

import (
	"strings"

	"github.com/htgit/htgit/internal/comment"
)

// gitlab reads GitLab CI's predefined variables
// (https://docs.gitlab.com/ci/variables/predefined_variables/). A merge
// request pipeline (CI_PIPELINE_SOURCE merge_request_event) compares with
// CI_MERGE_REQUEST_DIFF_BASE_SHA, the merge base GitLab shows the diff
// from; a push with CI_COMMIT_BEFORE_SHA (all zeros for a new branch).
func gitlab(getenv func(string) string) *Host {
	h := &Host{Name: "gitlab", Title: "GitLab CI", Format: "text",
		Dir: getenv("CI_PROJECT_DIR"), Head: getenv("CI_COMMIT_SHA"), DefaultBranch: getenv("CI_DEFAULT_BRANCH"),
		RunURL:  getenv("CI_JOB_URL"),
		shallow: "set the variable GIT_DEPTH: 0 (or a larger depth) for the job (https://docs.gitlab.com/ci/runners/configure_runners/#shallow-cloning)"}
	if u := getenv("CI_PROJECT_URL"); u != "" && h.Head != "" {
		h.LinkBase = strings.TrimSuffix(u, "/") + "/-/blob/" + h.Head + "/"
	}
	switch getenv("CI_PIPELINE_SOURCE") {
	case "merge_request_event":
		h.Event = ChangeRequest
		h.BaseCommit = getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA")
		h.TargetBranch = getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
		h.Branch = getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
		h.ChangeRequest = getenv("CI_MERGE_REQUEST_IID")
	case "push":
		// CI_COMMIT_BRANCH is empty for a tag.
		if h.Branch = getenv("CI_COMMIT_BRANCH"); h.Branch != "" {
			h.Event, h.Before = Push, getenv("CI_COMMIT_BEFORE_SHA")
		}
	default:
		h.Branch = getenv("CI_COMMIT_BRANCH")
	}
	// A CI job token cannot write notes: a project access token with the
	// api scope, in a masked variable.
	h.TokenVar = "GITLAB_TOKEN"
	h.enable = "the CI/CD variable GITLAB_TOKEN (masked) holds a project access token with the api scope and the Reporter role; the job token CI_JOB_TOKEN cannot write merge request notes"
	h.comments = func(token string) comment.Client {
		return comment.NewGitLab(getenv("CI_API_V4_URL"), getenv("CI_PROJECT_ID"), h.ChangeRequest, token)
	}
	return h
}
