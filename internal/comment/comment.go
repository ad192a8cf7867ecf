// Package comment keeps htgit's one comment on a change request (a pull
// request, a merge request): found again by a hidden marker, created on
// the first run and edited in place on later ones, so reviewers read the
// current plan where they review. It holds a client per Git host's
// comment API and renders the comment's body; it knows nothing of CI
// variables (cihost picks the client) and never sees the Hightouch key.
package comment

import (
	"context"
	"fmt"
	"strings"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
)

// Marker starts every body htgit writes: an HTML comment, hidden when the
// host renders the markdown, that tells htgit's comment from the others.
const Marker = "<!-- htgit:plan -->"

// MaxBytes caps a body below the smallest limit of the hosts (GitHub's
// 65536 characters).
const MaxBytes = 60000

// Comment is one comment on a change request.
type Comment struct {
	ID     string
	Thread string // the thread holding it, on hosts with threads (Azure DevOps)
	Body   string
}

// Client reaches one change request's comments on one host.
type Client interface {
	// List returns every comment, all pages.
	List(ctx context.Context) ([]Comment, error)
	Create(ctx context.Context, body string) error
	Update(ctx context.Context, c Comment, body string) error
}

// Outcome is what Sync did.
type Outcome int

const (
	None      Outcome = iota // no comment and none wanted
	Created                  // a new comment
	Updated                  // the comment was edited
	Unchanged                // the comment already said so
)

func (o Outcome) String() string {
	return [...]string{"none", "created", "updated", "unchanged"}[o]
}

// Sync makes htgit's comment say body: it edits the comment holding the
// marker, or creates one when create is set (a change request whose Git
// Sync files did not change gets no new comment, only an edited one).
func Sync(ctx context.Context, c Client, body string, create bool) (Outcome, error) {
	list, err := c.List(ctx)
	if err != nil {
		return None, fmt.Errorf("listing the comments: %w", err)
	}
	for _, cm := range list {
		if !strings.Contains(cm.Body, Marker) {
			continue
		}
		if strings.TrimSpace(cm.Body) == strings.TrimSpace(body) {
			return Unchanged, nil
		}
		if err := c.Update(ctx, cm, body); err != nil {
			return None, fmt.Errorf("updating comment %s: %w", cm.ID, err)
		}
		return Updated, nil
	}
	if !create {
		return None, nil
	}
	if err := c.Create(ctx, body); err != nil {
		return None, fmt.Errorf("creating the comment: %w", err)
	}
	return Created, nil
}

// Report is what the comment tells.
type Report struct {
	// Input holds the findings to list (the errors in files the change
	// touches), and the run's stats.
	Input report.Input
	// All counts every finding of the run, listed or not.
	All finding.Counts
	// Plan is the change's plan.
	Plan *plan.Plan
	// Preview is the plan as markdown, with what Hightouch would create or
	// update and each field's change; "" renders Plan alone.
	Preview string
	// Subject triggers the plan's syncs ("Merging").
	Subject string
	// LinkBase links findings to their lines (see report.MarkdownOptions).
	LinkBase string
	// RunURL links to the pipeline run; "" leaves it out.
	RunURL string
}

// Body renders the comment: the marker, the counts, deletions and full
// resyncs first (what a reviewer must not miss), the errors in changed
// files, then the plan.
func Body(r Report) (string, error) {
	var before []report.Section
	if s := attention(r.Plan); s != "" {
		before = append(before, report.Section{Heading: "Deletions and full resyncs", Body: s})
	}
	note := fmt.Sprintf("Validation found %s in every file checked", countText(r.All))
	if r.RunURL != "" {
		note += " ([the run](" + r.RunURL + ") lists each)"
	}
	note += "; the table lists the errors in files this change touches.\n"
	before = append(before, report.Section{Heading: "Validation", Body: note})
	preview := r.Preview
	if preview == "" && r.Plan != nil {
		preview = r.Plan.Markdown(r.Subject)
	}
	var after []report.Section
	if preview != "" {
		after = append(after, report.Section{Heading: "Plan", Body: preview})
	}
	var b strings.Builder
	b.WriteString(Marker + "\n")
	err := report.Markdown(&b, r.Input, report.MarkdownOptions{Title: "htgit plan", LinkBase: r.LinkBase,
		Before: before, After: after, MaxBytes: MaxBytes - len(Marker) - 1})
	return b.String(), err
}

// NoChangeBody is the comment when the change touches no file under the
// Git Sync folder: an earlier comment is edited to say so.
func NoChangeBody(folder string) string {
	return Marker + "\n## htgit plan\n\nThis change no longer touches the Git Sync folder `" + folder + "`: merging it changes nothing in Hightouch.\n"
}

// attention lists what a reviewer must see first: deleted (or renamed
// away) resources, which Hightouch keeps, and syncs that will run a full
// resync.
func attention(p *plan.Plan) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, d := range p.Deleted {
		fmt.Fprintf(&b, "- **%s** %s `%s` (%s): Hightouch keeps it, and a deleted sync keeps running on its schedule\n", d.Change, d.Kind, d.Slug, d.Path)
	}
	for _, r := range p.Runs {
		if r.Skip == "" && r.Resync.Full() {
			fmt.Fprintf(&b, "- **full resync** of sync `%s` (%s)\n", r.Sync, r.Resync)
		}
	}
	return b.String()
}

func countText(c finding.Counts) string {
	if c.Errors+c.Warnings == 0 {
		return "no problems"
	}
	return fmt.Sprintf("%d error(s) and %d warning(s)", c.Errors, c.Warnings)
}
