package cihost

import (
	"cmp"

	"github.com/htgit/htgit/internal/comment"
)

// bitbucket reads Bitbucket Pipelines' default variables
// (https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/).
// BITBUCKET_PR_ID is set in a pull-requests pipeline, whose base htgit
// fetches from BITBUCKET_PR_DESTINATION_BRANCH; a branch pipeline is a
// push, and Bitbucket names no previous commit, so the first parent of
// the built commit is taken.
func bitbucket(getenv func(string) string) *Host {
	h := &Host{Name: "bitbucket", Title: "Bitbucket Pipelines", Format: "text",
		Dir: getenv("BITBUCKET_CLONE_DIR"), Head: getenv("BITBUCKET_COMMIT"), Branch: getenv("BITBUCKET_BRANCH"),
		shallow: "set clone: depth: full in bitbucket-pipelines.yml (https://support.atlassian.com/bitbucket-cloud/docs/git-clone-behavior/)"}
	full := getenv("BITBUCKET_REPO_FULL_NAME")
	if full != "" && getenv("BITBUCKET_BUILD_NUMBER") != "" {
		h.RunURL = "https://bitbucket.org/" + full + "/pipelines/results/" + getenv("BITBUCKET_BUILD_NUMBER")
	}
	switch {
	case getenv("BITBUCKET_PR_ID") != "":
		h.Event, h.ChangeRequest = ChangeRequest, getenv("BITBUCKET_PR_ID")
		h.TargetBranch = getenv("BITBUCKET_PR_DESTINATION_BRANCH")
	case h.Branch != "":
		h.Event = Push
	}
	h.TokenVar = "BITBUCKET_TOKEN"
	h.enable = "the secured repository variable BITBUCKET_TOKEN holds a repository access token with the pullrequest:write scope"
	h.comments = func(token string) comment.Client {
		// HTGIT_BITBUCKET_API_URL points htgit at another endpoint (a proxy, a test).
		return comment.NewBitbucket(cmp.Or(getenv("HTGIT_BITBUCKET_API_URL"), comment.BitbucketAPI),
			getenv("BITBUCKET_WORKSPACE"), getenv("BITBUCKET_REPO_SLUG"), h.ChangeRequest, token)
	}
	return h
}
