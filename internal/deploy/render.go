package deploy

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/htgit/htgit/internal/fielddiff"
	"github.com/htgit/htgit/internal/hightouch"
)

// WriteTable prints the final table of a deploy.
func (o *Outcome) WriteTable(w io.Writer) {
	if len(o.Resources) > 0 {
		fmt.Fprintln(w, "Resources:")
		for _, r := range o.Resources {
			fmt.Fprintf(w, "  %-5s %-30s %-8s %s\n", r.Resource.Kind, r.Resource.Slug, r.Resource.Change, r.Result)
			WriteChanges(w, "      ", r.Changes)
		}
	}
	for _, r := range o.Skipped {
		fmt.Fprintf(w, "Not triggered: %s (%s)\n", r.Sync, r.Skip)
	}
	WriteRetirements(w, "Deleted in Git (--on-delete pause):", o.Retired)
	if len(o.Runs) == 0 {
		fmt.Fprintln(w, "No sync was triggered.")
		return
	}
	// Columns fit the longest value (a slug, or a status such as
	// "completed_with_errors (failed)").
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SYNC\tRUN\tSTATUS\tADDED\tCHANGED\tREMOVED\tFAILED\tDURATION")
	for _, r := range o.Runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.Sync, r.RunID, r.statusText(),
			r.Rows.Added, r.Rows.Changed, r.Rows.Removed, r.FailedRows, r.Duration.Round(time.Second))
	}
	tw.Flush()
	for _, r := range o.Runs {
		if r.Error != "" {
			fmt.Fprintf(w, "  %s: %s\n", r.Sync, r.Error)
		}
	}
}

// Markdown renders the outcome for the job summary.
func (o *Outcome) Markdown() string {
	var b strings.Builder
	if o.IngestFailed {
		b.WriteString("**Ingestion did not finish**: some changes are not in Hightouch as merged, so no sync was triggered.\n\n")
	}
	WriteResourcesMarkdown(&b, o.Resources)
	for _, r := range o.Skipped {
		fmt.Fprintf(&b, "Not triggered: `%s` (%s).\n\n", r.Sync, cell(r.Skip))
	}
	b.WriteString(RetirementsMarkdown(o.Retired))
	if len(o.Runs) == 0 {
		b.WriteString("No sync was triggered.\n")
		return b.String()
	}
	b.WriteString("| Sync | Run | Status | Added | Changed | Removed | Failed | Duration |\n|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range o.Runs {
		run := string(r.RunID)
		if r.URL != "" {
			run = fmt.Sprintf("[%s](%s)", r.RunID, r.URL)
		}
		status := r.statusText()
		if r.Error != "" {
			status += ": " + cell(r.Error)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %d | %d | %d | %d | %s |\n", r.Sync, run, status,
			r.Rows.Added, r.Rows.Changed, r.Rows.Removed, r.FailedRows, r.Duration.Round(time.Second))
	}
	return b.String()
}

// WriteResourcesMarkdown renders per-resource results (a deploy's or a
// preview's) as a table.
func WriteResourcesMarkdown(b *strings.Builder, resources []ResourceResult) {
	if len(resources) == 0 {
		return
	}
	b.WriteString("| Resource | Slug | Change | In Hightouch |\n|---|---|---|---|\n")
	for _, r := range resources {
		fmt.Fprintf(b, "| %s | `%s` | %s | %s%s |\n", r.Resource.Kind, r.Resource.Slug, r.Resource.Change, cell(r.Result), cell(detail(r.Diff)))
	}
	b.WriteString("\n")
	for _, r := range resources {
		b.WriteString(fielddiff.Markdown(r.Resource.Kind.String()+" "+r.Resource.Slug, r.Changes, Labels))
	}
}

// Labels name the sides of a unified diff: what Hightouch has, and what
// the file says.
var Labels = fielddiff.Labels{Old: "Hightouch", New: "file"}

// WriteChanges writes each change on its own line after indent, long text
// as a unified line diff.
func WriteChanges(w io.Writer, indent string, changes []fielddiff.Change) {
	fielddiff.Write(w, indent, changes, Labels)
}

// statusText is the status, marked when it counts as failed without
// saying so itself (warning with --fail-on-warning, a timeout while
// running, an unknown final status).
func (r RunResult) statusText() string {
	saysFailed := r.Phase == NotInHightouch || r.Phase == TriggerFailed ||
		r.Phase == Reported && slices.Contains([]hightouch.RunStatus{hightouch.RunFailed, hightouch.RunCancelled, hightouch.RunInterrupted}, r.Status)
	if r.Failed && !saysFailed {
		return r.State() + " (failed)"
	}
	return r.State()
}

// State is the run's state in words: Hightouch's status once it reported
// the run, else how far htgit got.
func (r RunResult) State() string {
	if r.Phase == Reported {
		return string(r.Status)
	}
	return r.Phase.String()
}

// cell keeps a value inside one markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}

// WriteRetirements prints what became of deleted models and syncs under a
// heading, one per line; nothing when there are none.
func WriteRetirements(w io.Writer, heading string, rs []Retirement) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w, heading)
	for _, r := range rs {
		fmt.Fprintf(w, "  %s\n", r)
	}
}

// RetirementsMarkdown renders what became of deleted models and syncs.
func RetirementsMarkdown(rs []Retirement) string {
	if len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Deleted in Git (`on-delete: pause`):\n\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "- %s\n", cell(r.String()))
	}
	b.WriteString("\n")
	return b.String()
}
