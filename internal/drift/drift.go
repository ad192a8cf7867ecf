// Package drift compares the models and syncs of a workspace's files with
// what Hightouch has: what only Hightouch has (a file deleted in Git, or a
// resource created in the UI and never written back), what only Git has
// (not ingested yet, or rejected), and what both have but differently, field
// by field. It reads files and a compare.Snapshot; it makes no request.
package drift

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/fielddiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/workspace"
)

// Status says how Git and Hightouch disagree on an Item, in words.
type Status string

// Statuses of an Item.
const (
	OnlyHightouch Status = "only in Hightouch"
	OnlyGit       Status = "only in Git"
	Differs       Status = "differs"
	Unreadable    Status = "unreadable"
)

// Item is one model or sync on which Git and Hightouch disagree.
type Item struct {
	Kind    workspace.Kind
	Slug    string
	Status  Status
	Path    string       // the file, relative to the Git Sync folder (see RelativeTo); "" when only Hightouch has it
	ID      hightouch.ID // Hightouch's id; "" when only Git has it
	Changes []fielddiff.Change
	Error   string // Unreadable: why
}

// Report is the outcome of a comparison.
type Report struct {
	Items         []Item   // models first, then syncs, each by slug
	Models, Syncs int      // files compared
	InHightouch   [2]int   // models and syncs Hightouch has
	NotCompared   []string // skipped or excluded files, relative to the Git Sync folder (see RelativeTo)
	dir           string   // the Git Sync folder
}

// Labels name the sides of drift's differences.
var Labels = fielddiff.Labels{Old: "Hightouch", New: "Git"}

// Drifted reports whether Git and Hightouch disagree.
func (r *Report) Drifted() bool { return len(r.Items) > 0 }

// count tallies a compared file of resource res.
func (r *Report) count(res workspace.Resource) {
	switch res {
	case workspace.ModelResource:
		r.Models++
	case workspace.SyncResource:
		r.Syncs++
	case workspace.NotDeployed:
	}
}

// Compare compares ws's model and sync files with snap. Files the workspace
// skipped or excluded are not compared, and their slugs do not count as
// only in Hightouch.
func Compare(ws *workspace.Workspace, snap *compare.Snapshot) *Report {
	r := &Report{InHightouch: [2]int{len(snap.Models), len(snap.Syncs)}, dir: ws.Dir}
	inGit := map[workspace.Resource]map[string]bool{workspace.ModelResource: {}, workspace.SyncResource: {}}
	for _, f := range slices.Concat(ws.Skipped, ws.Excluded) {
		if f.Kind.Resource() != workspace.NotDeployed {
			inGit[f.Kind.Resource()][f.Slug] = true
			r.NotCompared = append(r.NotCompared, f.Rel)
		}
	}
	for _, f := range ws.Files {
		if f.Kind.Resource() == workspace.NotDeployed {
			continue
		}
		inGit[f.Kind.Resource()][f.Slug] = true
		item := Item{Kind: f.Kind, Slug: f.Slug, Path: f.Rel}
		root, err := compare.ReadDoc(ws.Dir, f.Rel, f.Kind)
		var exists bool
		switch {
		case err != nil:
			item.Status, item.Error = Unreadable, err.Error()
		default:
			r.count(f.Kind.Resource())
			// The display name counts: a rename in the UI is drift.
			exists, item.Changes, item.ID = snap.FileDiff(f.Kind.Resource(), root, f.Slug, true)
		}
		switch {
		case item.Status != "":
		case !exists:
			item.Status = OnlyGit
		case len(item.Changes) > 0:
			item.Status = Differs
		default:
			continue
		}
		r.Items = append(r.Items, item)
	}
	for slug, m := range snap.Models {
		if !inGit[workspace.ModelResource][slug] {
			r.Items = append(r.Items, Item{Kind: workspace.Model, Slug: slug, Status: OnlyHightouch, ID: m.ID})
		}
	}
	for slug, s := range snap.Syncs {
		if !inGit[workspace.SyncResource][slug] {
			r.Items = append(r.Items, Item{Kind: workspace.Sync, Slug: slug, Status: OnlyHightouch, ID: s.ID})
		}
	}
	slices.SortFunc(r.Items, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Slug, b.Slug))
	})
	slices.Sort(r.NotCompared)
	return r
}

// RelativeTo shows the report's paths relative to base (the working
// directory), as validate shows its findings', instead of relative to the
// Git Sync folder. A path with no relative form stays as it was.
func (r *Report) RelativeTo(base string) {
	rel := func(p string) string {
		out, err := filepath.Rel(base, filepath.Join(r.dir, filepath.FromSlash(p)))
		if err != nil {
			return p
		}
		return filepath.ToSlash(out)
	}
	for i := range r.Items {
		if r.Items[i].Path != "" {
			r.Items[i].Path = rel(r.Items[i].Path)
		}
	}
	for i, p := range r.NotCompared {
		r.NotCompared[i] = rel(p)
	}
}

// advice says what each status may mean and what to do. deploy without
// --all writes only the files a range changed, which a file only in Git
// may not be.
var advice = map[Status]string{
	OnlyHightouch: "its file was deleted in Git, or it was created in the UI and not written back; add the file or retire it in Hightouch",
	OnlyGit:       "Hightouch has not ingested it yet, or rejected it; see Git Sync's status in Hightouch, or write it with htgit deploy --all --ingest apply",
	Differs:       "changed in the UI, or a merged change not ingested yet",
}

// counts is the one-line tally.
func (r *Report) counts() string {
	n := map[Status]int{}
	for _, it := range r.Items {
		n[it.Status]++
	}
	var parts []string
	for _, s := range []Status{OnlyHightouch, OnlyGit, Differs, Unreadable} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("no drift: %d model(s) and %d sync(s) agree with Hightouch", r.Models, r.Syncs)
	}
	return fmt.Sprintf("drift: %s (compared %d model file(s) and %d sync file(s) with %d model(s) and %d sync(s) in Hightouch)",
		strings.Join(parts, ", "), r.Models, r.Syncs, r.InHightouch[0], r.InHightouch[1])
}

// WriteText prints the report, each difference on its own line.
func (r *Report) WriteText(w io.Writer) {
	for _, it := range r.Items {
		where := it.Path
		if where == "" {
			where = "id " + string(it.ID)
		}
		fmt.Fprintf(w, "%-5s %s (%s): %s", it.Kind, it.Slug, where, it.Status)
		if a := advice[it.Status]; a != "" && it.Status != Differs {
			fmt.Fprintf(w, "; %s", a)
		}
		if it.Error != "" {
			fmt.Fprintf(w, ": %s", it.Error)
		}
		fmt.Fprintln(w)
		fielddiff.Write(w, "    ", it.Changes, Labels)
	}
	for _, rel := range r.NotCompared {
		fmt.Fprintf(w, "not compared (skipped or excluded): %s\n", rel)
	}
	fmt.Fprintln(w, r.counts())
}

// Markdown renders the report for the job summary.
func (r *Report) Markdown() string {
	var b strings.Builder
	b.WriteString(r.counts() + ".\n\n")
	if len(r.Items) == 0 {
		return b.String()
	}
	b.WriteString("| Resource | Slug | Drift | Hightouch → Git |\n|---|---|---|---|\n")
	for _, it := range r.Items {
		detail := cmp.Or(it.Error, advice[it.Status])
		if len(it.Changes) > 0 {
			detail = strings.Join(fielddiff.Lines(it.Changes), "<br>")
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", it.Kind, it.Slug, it.Status, cell(detail))
	}
	b.WriteString("\n")
	for _, it := range r.Items {
		b.WriteString(fielddiff.Markdown(it.Kind.String()+" "+it.Slug, it.Changes, Labels))
	}
	return b.String()
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}

// jsonChange is one difference in the JSON report.
type jsonChange struct {
	Path      string `json:"path"`
	Hightouch any    `json:"hightouch"`
	Git       any    `json:"git"`
	Diff      string `json:"diff,omitempty"` // long text: a unified diff
}

type jsonItem struct {
	Kind    string       `json:"kind"`
	Slug    string       `json:"slug"`
	Status  Status       `json:"status"`
	Path    string       `json:"path,omitempty"`
	ID      string       `json:"id,omitempty"`
	Error   string       `json:"error,omitempty"`
	Changes []jsonChange `json:"changes,omitempty"`
}

// WriteJSON writes the report as one JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	out := struct {
		Drift       bool       `json:"drift"`
		Models      int        `json:"modelsCompared"`
		Syncs       int        `json:"syncsCompared"`
		Items       []jsonItem `json:"items"`
		NotCompared []string   `json:"notCompared,omitempty"`
	}{Drift: r.Drifted(), Models: r.Models, Syncs: r.Syncs, Items: []jsonItem{}, NotCompared: r.NotCompared}
	for _, it := range r.Items {
		j := jsonItem{Kind: it.Kind.String(), Slug: it.Slug, Status: it.Status, Path: it.Path, ID: string(it.ID), Error: it.Error}
		for _, c := range it.Changes {
			jc := jsonChange{Path: c.Path, Hightouch: c.Old, Git: c.New}
			if c.Long() {
				jc.Diff = c.Unified(Labels) + "\n"
			}
			j.Changes = append(j.Changes, jc)
		}
		out.Items = append(out.Items, j)
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(out)
}
