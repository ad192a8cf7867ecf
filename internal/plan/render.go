package plan

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints the plan for a terminal or a CI log.
func (p *Plan) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Plan %s\n", p.span())
	if len(p.Changed)+len(p.Deleted) == 0 && !p.All {
		fmt.Fprintln(w, "  no model or sync changed")
	}
	for _, r := range p.Changed {
		fmt.Fprintf(w, "  %-8s %-5s %s%s\n", r.Change, r.Kind, r.Slug, renamedFrom(r))
	}
	for _, r := range p.Deleted {
		if r.Change == "deleted" {
			fmt.Fprintf(w, "  %-8s %-5s %s (Hightouch keeps it)\n", r.Change, r.Kind, r.Slug)
		}
	}
	if len(p.Runs) == 0 {
		fmt.Fprintln(w, "No sync to trigger.")
		return
	}
	fmt.Fprintf(w, "Syncs to trigger (%d):\n", p.Triggered())
	for _, r := range p.Runs {
		fmt.Fprintf(w, "  %s  %s\n", r.Sync, r.describe())
	}
}

// Markdown renders the plan for the job summary.
func (p *Plan) Markdown() string {
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
	if len(p.Runs) == 0 {
		b.WriteString("No sync will be triggered.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Merging triggers %d sync(s):\n\n| Sync | Why | Run |\n|---|---|---|\n", p.Triggered())
	for _, r := range p.Runs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Sync, r.Reason, r.describeRun())
	}
	return b.String()
}

// Triggered counts the runs that will be triggered (not skipped).
func (p *Plan) Triggered() int {
	n := 0
	for _, r := range p.Runs {
		if r.Skip == "" {
			n++
		}
	}
	return n
}

func (p *Plan) span() string {
	if p.All {
		return "for every sync (--all)"
	}
	return fmt.Sprintf("from %s to %s", short(p.From), short(p.To))
}

func (r Run) describe() string {
	return r.Reason + "; " + r.describeRun()
}

func (r Run) describeRun() string {
	switch {
	case r.Skip != "":
		return "skipped: " + r.Skip
	case r.FullResync:
		return "full resync (" + r.ResyncWhy + ")"
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
