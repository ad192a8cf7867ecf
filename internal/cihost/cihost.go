// Package cihost tells htgit where it runs: which CI host (GitHub Actions,
// GitLab CI, Bitbucket Pipelines, Azure Pipelines, or none), read from the
// host's documented predefined variables. A Host says whether the run is
// for a change request or a push, which commits to compare (fetching what a
// shallow clone lacks), the branch even on a detached HEAD, how findings
// are printed at their line, where a summary goes and how to reach the
// comment API. It decides nothing about the workspace.
package cihost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/htgit/htgit/internal/comment"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/report"
	"github.com/sethvargo/go-githubactions"
)

// Event is why the pipeline runs.
type Event int

const (
	Other         Event = iota // a schedule, a manual run, a tag: validate only
	Push                       // a push to a branch
	ChangeRequest              // a pull request or merge request
)

func (e Event) String() string {
	return [...]string{"other", "push", "change request"}[e]
}

// Host is one run on one CI host.
type Host struct {
	Name  string // github, gitlab, bitbucket, azure, none
	Title string // "GitLab CI"
	Event Event
	// Head is the commit under test as the host names it; the checkout
	// (HEAD) is what htgit reads, and a change request's checkout may be a
	// merge commit of it.
	Head string
	// Before is the commit a push came after, "" when the host names none
	// (then the first parent of HEAD), all zeros when the push created the
	// branch.
	Before string
	// BaseCommit is a change request's base as the host names it; "" has
	// Base fetch TargetBranch.
	BaseCommit   string
	TargetBranch string // a change request's target branch
	// Branch is the branch pushed, or a change request's source branch,
	// as the host names it: the checkout is usually a detached HEAD.
	Branch string
	// DefaultBranch is the repository's default branch when the host
	// names it.
	DefaultBranch string
	ChangeRequest string // the pull or merge request's number, "" otherwise
	// Dir is the checkout, which repository-relative paths are relative to.
	Dir string
	// Format is how findings are printed at their line in the log:
	// "github" (workflow commands), "azure" (logging commands) or "text".
	Format string
	// RunURL links to this pipeline run; "" when unknown.
	RunURL string
	// LinkBase prefixes a repository-relative path to link to it at Head
	// (report.MarkdownOptions.LinkBase); "" when links are not built.
	LinkBase string
	// Summary writes a markdown summary where the host shows one (GitHub's
	// job summary, Azure's build summary); nil where there is none
	// (GitLab, Bitbucket: the change request's comment is the summary).
	Summary func(stdout io.Writer, markdown string) error

	// TokenVar is the variable htgit ci reads the comment API's token
	// from.
	TokenVar string
	// shallow says how to deepen this host's clone.
	shallow string
	// comments builds the comment client from the token; enable says how
	// to give htgit one.
	comments func(token string) comment.Client
	enable   string
}

// Detect reads the environment of the host htgit runs on.
func Detect(getenv func(string) string) (*Host, error) {
	switch name(getenv) {
	case "github":
		return github(getenv)
	case "gitlab":
		return gitlab(getenv), nil
	case "bitbucket":
		return bitbucket(getenv), nil
	case "azure":
		return azure(getenv), nil
	}
	return none(getenv), nil
}

// name tells the host from the variable each sets in every job.
func name(getenv func(string) string) string {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		return "github"
	case getenv("GITLAB_CI") == "true":
		return "gitlab"
	case getenv("BITBUCKET_BUILD_NUMBER") != "":
		return "bitbucket"
	case strings.EqualFold(getenv("TF_BUILD"), "true"):
		return "azure"
	}
	return "none"
}

// Format is the findings format of the host htgit runs on (Host.Format),
// told without reading the event.
func Format(getenv func(string) string) string {
	switch name(getenv) {
	case "github":
		return "github"
	case "azure":
		return "azure"
	}
	return "text"
}

// ErrNoBase is returned (wrapped) by Base when the run has no commit to
// compare with.
var ErrNoBase = errors.New("no commit to compare with")

// Base returns the commit the change is compared with, present in the
// clone at dir: a change request's base (its target branch fetched when
// the host names no commit; the plan takes the merge base with HEAD), or
// the commit before a push (the first parent of HEAD where the host names
// none). A push that created the branch gives an all-zero id, which the
// plan reports. A commit a shallow clone lacks is fetched; when it cannot
// be, the error says how to deepen the clone on this host.
func (h *Host) Base(ctx context.Context, dir string) (string, error) {
	var base string
	var err error
	switch h.Event {
	case ChangeRequest:
		base = h.BaseCommit
		if base == "" {
			if h.TargetBranch == "" {
				return "", fmt.Errorf("%s names neither the change request's base commit nor its target branch: %w", h.Title, ErrNoBase)
			}
			base, err = gitdiff.FetchBranch(ctx, dir, h.TargetBranch)
		}
	case Push:
		base = h.Before
		if base == "" {
			base, err = gitdiff.Parent(ctx, dir, "HEAD")
		}
	case Other:
		return "", fmt.Errorf("the %s run is neither a change request nor a push: %w", h.Title, ErrNoBase)
	}
	if err == nil && !gitdiff.IsZero(base) {
		err = gitdiff.EnsureCommit(ctx, dir, base)
	}
	var missing *gitdiff.MissingCommitError
	if errors.As(err, &missing) {
		missing.ShallowAdvice = h.shallow
	}
	return base, err
}

// Comments returns the client of the change request's comment API with
// token, or nil and a notice saying how to enable the comment when token
// is empty (or nil and "" when the run is not a change request, or the
// host has no API htgit speaks).
func (h *Host) Comments(token string) (comment.Client, string) {
	if h.Event != ChangeRequest || h.comments == nil {
		return nil, ""
	}
	if token = strings.TrimSpace(token); token == "" {
		return nil, "no plan comment: the plan is kept as one comment on the change request when " + h.enable
	}
	return h.comments(token), ""
}

// Warn prints a warning in the host's log form: an annotation on GitHub,
// a build issue on Azure, a line elsewhere.
func (h *Host) Warn(w io.Writer, msg string) {
	switch h.Format {
	case "github":
		githubactions.New(githubactions.WithWriter(w)).WithFieldsMap(map[string]string{"title": "htgit"}).Warningf("%s", msg)
	case "azure":
		io.WriteString(w, report.AzureCommand("task.logissue", [][2]string{{"type", "warning"}}, "htgit: "+msg))
	default:
		fmt.Fprintf(w, "htgit: warning: %s\n", msg)
	}
}

// IsBranch is the short name of a branch ref ("refs/heads/x" -> "x"), or
// "" for other refs (tags, pull request refs).
func IsBranch(ref string) string {
	b, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok {
		return ""
	}
	return b
}
