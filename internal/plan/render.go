package plan

import (
	"fmt"
	"io"
	"strings"

	"github.com/htgit/htgit/internal/gitdiff"
)

// WriteText prints the plan for a terminal or a CI log. Syncs that will run
// and syncs that will not are listed and counted apart.
func (p *Plan) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Plan %s\n", p.span())
	if len(p.Changed)+len(p.Deleted) == 0 && !p.All {
		fmt.Fprintln(w, "  no model or sync changed")
	}
	for _, r := range p.Changed {
		fmt.Fprintf(w, "  %-8s %-5s %s%s\n", r.Change, r.Kind, r.Slug, renamedFrom(r))
	}
	for _, r := range p.Deleted {
		if r.Change == gitdiff.Deleted {
			fmt.Fprintf(w, "  %-8s %-5s %s (Hightouch keeps it)\n", r.Change, r.Kind, r.Slug)
		}
	}
	runs, skipped := p.split()
	if len(runs) == 0 {
		fmt.Fprintln(w, "No sync to trigger.")
	} else {
		fmt.Fprintf(w, "Syncs to trigger (%d):\n", len(runs))
	}
	// One column of slugs across both lists, so the reasons line up.
	width := 0
	for _, r := range p.Runs {
		width = max(width, len(r.Sync))
	}
	for _, r := range runs {
		fmt.Fprintf(w, "  %-*s  %s; %s\n", width, r.Sync, r.Reason, r.how())
	}
	if len(skipped) > 0 {
		fmt.Fprintf(w, "Syncs not triggered (%d):\n", len(skipped))
	}
	for _, r := range skipped {
		fmt.Fprintf(w, "  %-*s  %s; %s\n", width, r.Sync, r.Reason, r.Skip)
	}
}

// Markdown renders the plan for the job summary. subject is who triggers
// the runs: "Merging" for a pull request, "This push" after the merge.
func (p *Plan) Markdown(subject string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Changes %s.\n\n", p.span())
	if len(p.Changed) > 0 {
		b.WriteString("| Resource | Slug | Change |\n|---|---|---|\n")
		for _, r := range p.Changed {
			fmt.Fprintf(&b, "| %s | `%s` | %s%s |\n", r.Kind, r.Slug, r.Change, renamedFrom(r))
		}
		b.WriteString("\n")
	} else if !p.All {
		b.WriteString("No model or sync changed.\n\n")
	}
	runs, skipped := p.split()
	if len(runs) == 0 {
		fmt.Fprintf(&b, "%s triggers no sync.\n", subject)
	} else {
		fmt.Fprintf(&b, "%s triggers %d sync(s):\n\n| Sync | Why | Run |\n|---|---|---|\n", subject, len(runs))
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Sync, r.Reason, r.how())
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "\nNot triggered (%d):\n\n| Sync | Why | Reason not triggered |\n|---|---|---|\n", len(skipped))
	}
	for _, r := range skipped {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Sync, r.Reason, r.Skip)
	}
	return b.String()
}

// Triggered counts the runs that will be triggered (not skipped).
func (p *Plan) Triggered() int {
	runs, _ := p.split()
	return len(runs)
}

// split separates the runs that will be triggered from the skipped ones.
func (p *Plan) split() (runs, skipped []Run) {
	for _, r := range p.Runs {
		if r.Skip == "" {
			runs = append(runs, r)
		} else {
			skipped = append(skipped, r)
		}
	}
	return runs, skipped
}

func (p *Plan) span() string {
	if p.All {
		return "for every sync, treated as changed without Git"
	}
	return fmt.Sprintf("from %s to %s", short(p.From), short(p.To))
}

// how says how a triggered run runs.
func (r Run) how() string {
	if r.Resync.Full() {
		return "full resync (" + r.Resync.String() + ")"
	}
	return "incremental"
}

func renamedFrom(r Resource) string {
	if r.OldSlug == "" {
		return ""
	}
	return fmt.Sprintf(" (from %s; Hightouch keeps %s)", r.OldSlug, r.OldSlug)
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// JSONPlan is a plan as `htgit plan --format json` writes it. Paths are
// relative to Git's top level, with "/".
type JSONPlan struct {
	From    string         `json:"from,omitempty"`
	To      string         `json:"to,omitempty"`
	All     bool           `json:"all"`
	Changed []JSONResource `json:"changed"`
	Deleted []JSONResource `json:"deleted"` // deleted files, and the old side of renames
	Runs    []JSONRun      `json:"runs"`
}

// JSONResource is one changed model or sync file.
type JSONResource struct {
	Kind        string `json:"kind"`
	Slug        string `json:"slug"`
	Path        string `json:"path"`
	Change      string `json:"change"` // added, modified, renamed, deleted, current (--all)
	RenamedFrom string `json:"renamedFrom,omitempty"`
}

// JSONRun is a sync the change touches.
type JSONRun struct {
	Sync       string `json:"sync"`
	Path       string `json:"path"`
	Model      string `json:"model"`
	Reason     string `json:"reason"`
	FullResync bool   `json:"fullResync"`
	Resync     string `json:"resync"`         // incremental, or why a full resync
	Skip       string `json:"skip,omitempty"` // why it is not triggered (paused)
}

// JSON is the plan as JSONPlan; lists are [] when empty, never null.
func (p *Plan) JSON() JSONPlan {
	out := JSONPlan{From: p.From, To: p.To, All: p.All, Changed: []JSONResource{}, Deleted: []JSONResource{}, Runs: []JSONRun{}}
	resource := func(r Resource) JSONResource {
		return JSONResource{Kind: r.Kind.String(), Slug: r.Slug, Path: r.Path, Change: r.Change.String(), RenamedFrom: r.OldSlug}
	}
	for _, r := range p.Changed {
		out.Changed = append(out.Changed, resource(r))
	}
	for _, r := range p.Deleted {
		out.Deleted = append(out.Deleted, resource(r))
	}
	for _, r := range p.Runs {
		out.Runs = append(out.Runs, JSONRun{Sync: r.Sync, Path: r.Path, Model: r.Model, Reason: r.Reason.String(),
			FullResync: r.Resync.Full(), Resync: r.Resync.String(), Skip: r.Skip})
	}
	return out
}
