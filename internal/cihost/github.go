package cihost

import (
	"cmp"
	"io"
	"strconv"
	"strings"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/comment"
)

// github reads GitHub Actions: the event name and payload
// (https://docs.github.com/actions/reference/workflows-and-actions/variables#default-environment-variables,
// https://docs.github.com/webhooks/webhook-events-and-payloads), as the
// Action does. A pull request compares with the base branch's commit, a
// push with "before".
func github(getenv func(string) string) (*Host, error) {
	ev, err := action.New(io.Discard, getenv).Event()
	if err != nil {
		return nil, err
	}
	return GitHub(getenv, ev), nil
}

// GitHub is the GitHub Actions host of an event already read (the Action
// reads it first).
func GitHub(getenv func(string) string, ev *action.Event) *Host {
	h := &Host{Name: "github", Title: "GitHub Actions", Format: "github",
		Dir: getenv("GITHUB_WORKSPACE"), DefaultBranch: ev.DefaultBranch, LinkBase: ev.BlobURL(),
		shallow: "set fetch-depth: 0 (or 2) in actions/checkout"}
	if id := getenv("GITHUB_RUN_ID"); id != "" && ev.Repository != "" {
		h.RunURL = strings.TrimSuffix(cmp.Or(ev.ServerURL, "https://github.com"), "/") + "/" + ev.Repository + "/actions/runs/" + id
	}
	h.Summary = func(w io.Writer, md string) error { return action.New(w, getenv).AddSummary(md) }
	switch {
	case ev.IsPullRequest():
		h.Event, h.BaseCommit, h.Head, h.ChangeRequest = ChangeRequest, ev.BaseSHA, ev.HeadSHA, strconv.Itoa(ev.Number)
		h.TargetBranch, h.Branch = getenv("GITHUB_BASE_REF"), getenv("GITHUB_HEAD_REF")
	case ev.Name == "push":
		h.Event, h.Before, h.Head, h.Branch = Push, ev.Before, ev.After, ev.Branch()
	default:
		h.Branch = ev.Branch()
	}
	// htgit ci reads GITHUB_TOKEN set in the step's env; the Action, its
	// github-token input.
	h.TokenVar = "GITHUB_TOKEN"
	h.enable = "it has a token: the Action's github-token input (default ${{ github.token }}), or GITHUB_TOKEN in the env of a step running htgit ci, with permissions: pull-requests: write"
	h.comments = func(token string) comment.Client {
		return comment.NewGitHub(cmp.Or(getenv("GITHUB_API_URL"), "https://api.github.com"), ev.Repository, ev.Number, token)
	}
	return h
}
