// Package dbt checks the other side of a dbt_model: that the dbt project in
// the same repository has the model a Hightouch model names
// (dbtModel: model.<package>.<model>), from its compiled manifest when there
// is one, else from its model files, and that a change does not delete or
// rename a dbt model a Hightouch model uses. Hightouch itself finds out only
// at the model's next run.
package dbt

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/suggest"
	"github.com/htgit/htgit/internal/workspace"
)

// Options say where the dbt project is and what changed.
type Options struct {
	Root   string // the repository root, absolute
	GitDir string // the Git Sync folder, absolute: a project is not looked for in it
	// Project and Manifest are the configuration's dbt.project and
	// dbt.manifest, relative to Root; empty: found. ProjectAt and
	// ManifestAt name where the configuration says them
	// (".htgit.yaml:12:3"), for errors.
	Project, Manifest     string
	ProjectAt, ManifestAt string
	// Changes gives the change's files (staged, a pull request, a push),
	// relative to Root; nil when no change is known. It is called only when
	// a model names a dbt model of a project found, as it may run git.
	Changes func() []gitdiff.Change
	// ReportSet, when not empty, is the files a run reports on (absolute):
	// only their dbtModel ids are checked, all of them when one is in the
	// dbt project. A hook run whose commit touches neither reads no
	// manifest, which for a big project takes seconds.
	ReportSet []string
}

// Check is a check.Visitor: it collects the dbtModel of every model file,
// then checks them against the dbt project once every file is seen.
type Check struct {
	opts Options
	mu   sync.Mutex
	refs []ref
}

// ref is one dbtModel value and where it is.
type ref struct {
	file       workspace.File
	id         string
	start, end finding.Pos
}

// New checks the configuration's paths: a project or manifest it names that
// is not there is the user's to fix (a *workspace.InputError, exit 2).
func New(opts Options) (*Check, error) {
	at := func(where string) string {
		if where == "" {
			return ""
		}
		return where + ": "
	}
	if opts.Project != "" {
		if _, err := os.Stat(filepath.Join(opts.Root, filepath.FromSlash(opts.Project), ProjectFile)); err != nil {
			return nil, &workspace.InputError{Msg: fmt.Sprintf("%sdbt.project %q: no %s there (%v); name the folder that holds the dbt project's %s, relative to the repository root",
				at(opts.ProjectAt), opts.Project, ProjectFile, unwrap(err), ProjectFile)}
		}
	}
	if opts.Manifest != "" {
		if _, err := os.Stat(filepath.Join(opts.Root, filepath.FromSlash(opts.Manifest))); err != nil {
			return nil, &workspace.InputError{Msg: fmt.Sprintf("%sdbt.manifest %q: %v; run dbt compile (or dbt parse) to write target/manifest.json, or leave dbt.manifest out to check against the model files",
				at(opts.ManifestAt), opts.Manifest, unwrap(err))}
		}
	}
	return &Check{opts: opts}, nil
}

func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Visit collects a model file's dbtModel. It is safe for concurrent use.
func (c *Check) Visit(doc *workspace.Document) {
	if doc.File.Kind != workspace.Model || doc.Root == nil {
		return
	}
	_, v := workspace.Lookup(doc.Root, "dbtModel")
	id, ok := workspace.String(v)
	// A dbtModel not of the form model.<package>.<model> is
	// model-dbt-model's finding.
	if !ok || strings.Count(id, ".") < 2 || !strings.HasPrefix(id, "model.") {
		return
	}
	start, end := doc.Span(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refs = append(c.refs, ref{file: doc.File, id: id, start: start, end: end})
}

// Findings checks the collected ids. The project is looked for only when a
// model names one, so a workspace without dbt models costs nothing.
func (c *Check) Findings() []finding.Finding {
	if len(c.opts.ReportSet) > 0 && !slices.ContainsFunc(c.opts.ReportSet, c.notWorkspaceFile) {
		// Only workspace files are reported on: only their ids matter, and
		// with none the project is not even looked for (the hook's budget).
		c.refs = c.reported("")
	}
	if len(c.refs) == 0 {
		return nil
	}
	slices.SortFunc(c.refs, func(a, b ref) int { return strings.Compare(a.file.Path, b.file.Path) })
	note := func(path string, msg string) []finding.Finding {
		return []finding.Finding{{Path: path, Start: finding.Pos{Line: 1, Col: 1}, End: finding.Pos{Line: 1, Col: 1},
			Rule: rules.DBTProject.ID, Severity: rules.DBTProject.Severity, Message: msg}}
	}
	dir := c.opts.Project
	var out []finding.Finding
	if dir == "" {
		found := FindProjects(c.opts.Root, c.opts.GitDir)
		switch {
		case len(found) == 0:
			// The dbt project lives in another repository, as it often
			// does: there is nothing here to check against.
			return nil
		case len(found) > 1:
			out = note(filepath.Join(c.opts.Root, filepath.FromSlash(found[0]), ProjectFile),
				fmt.Sprintf("the repository has %d dbt projects (%s); htgit checks dbtModel ids against the first: set dbt.project in .htgit.yaml to choose", len(found), strings.Join(found, ", ")))
		}
		dir = found[0]
	}
	proj, err := ReadProject(filepath.Join(c.opts.Root, filepath.FromSlash(dir)))
	if err != nil {
		return append(out, note(filepath.Join(c.opts.Root, filepath.FromSlash(dir), ProjectFile), fmt.Sprintf("cannot read the dbt project (%v), so dbtModel ids were not checked", unwrap(err)))...)
	}
	c.refs = c.reported(proj.Dir)
	if len(c.refs) == 0 {
		return out
	}
	// Walked at most once: a change's removals and a check without a
	// manifest both read the model files.
	modelFiles := sync.OnceValues(proj.ModelFiles)
	removed := c.removed(proj, modelFiles)
	out = append(out, removed...)
	// A model whose dbt file the change removes has that finding, which
	// says why; not a second one saying the file is missing.
	c.refs = slices.DeleteFunc(c.refs, func(r ref) bool {
		return slices.ContainsFunc(removed, func(f finding.Finding) bool { return f.Path == r.file.Path && f.Start == r.start })
	})
	manifestPath := c.opts.Manifest
	if manifestPath == "" {
		manifestPath = path.Join(dir, "target", "manifest.json")
		if _, err := os.Stat(filepath.Join(c.opts.Root, filepath.FromSlash(manifestPath))); err != nil {
			manifestPath = "" // not compiled: the model files tell
		}
	}
	if manifestPath != "" {
		abs := filepath.Join(c.opts.Root, filepath.FromSlash(manifestPath))
		m, err := ReadManifest(abs)
		if err == nil {
			return append(out, c.againstManifest(m, manifestPath, proj.Dir)...)
		}
		out = append(out, note(abs, fmt.Sprintf("cannot read the dbt manifest (%v); dbtModel ids are checked against the project's model files instead", err))...)
	}
	return append(out, c.againstFiles(proj, modelFiles)...)
}

// notWorkspaceFile reports whether a file is not a Git Sync file (a dbt
// file): the Git Sync folder may be the root and hold the dbt project too.
func (c *Check) notWorkspaceFile(p string) bool {
	rel, err := filepath.Rel(c.opts.GitDir, p)
	if err != nil || !filepath.IsLocal(rel) {
		return true
	}
	_, ok := workspace.KindOf(filepath.ToSlash(rel))
	return !ok
}

// reported keeps the refs the run reports on: all of them without a report
// set or when it holds a file of the dbt project (projectDir; "" for none),
// else those in it.
func (c *Check) reported(projectDir string) []ref {
	if len(c.opts.ReportSet) == 0 {
		return c.refs
	}
	given := map[string]bool{}
	for _, p := range c.opts.ReportSet {
		p = filepath.Clean(p)
		if projectDir != "" && strings.HasPrefix(p, projectDir+string(filepath.Separator)) {
			return c.refs
		}
		given[p] = true
	}
	return slices.DeleteFunc(c.refs, func(r ref) bool { return !given[r.file.Path] })
}

// againstManifest: every id must be an enabled model node's unique_id.
func (c *Check) againstManifest(m *Manifest, rel, projectDir string) []finding.Finding {
	ids := slices.Sorted(maps.Keys(m.Models))
	budget := suggest.Scans
	near := suggest.New(ids, &budget)
	var out []finding.Finding
	for _, r := range c.refs {
		if _, ok := m.Models[r.id]; ok {
			continue
		}
		f := c.finding(r, rules.DBTModelMissing, "", m.Path, projectDir)
		switch {
		case m.Disabled[r.id]:
			f.Message = fmt.Sprintf("dbt model %s is disabled in the dbt manifest %s; enable it in dbt, or point dbtModel at an enabled model", r.id, rel)
		case hasVersions(ids, r.id):
			// dbt resolves an unversioned ref to the latest version;
			// whether Hightouch does is not documented.
			f.Severity = finding.Warning
			f.Message = fmt.Sprintf("dbt model %s is versioned in the dbt manifest %s (%s); name the version Hightouch should read (a warning: whether Hightouch resolves an unversioned id is not documented)",
				r.id, rel, strings.Join(versionsOf(ids, r.id), ", "))
		default:
			f.Message = fmt.Sprintf("dbtModel %s is not an enabled model in the dbt manifest %s%s", r.id, rel, closest(near.Near(r.id), "; run dbt compile if the model is new"))
		}
		out = append(out, f)
	}
	return out
}

// versionID is a versioned model's name in an id: dim_users.v2.
var versionID = regexp.MustCompile(`\.v\d+$`)

func hasVersions(ids []string, id string) bool { return len(versionsOf(ids, id)) > 0 }

func versionsOf(ids []string, id string) []string {
	var out []string
	for _, other := range ids {
		if rest, ok := strings.CutPrefix(other, id+".v"); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			out = append(out, other)
		}
	}
	return out
}

// closest names the nearest ids, or says what else to do.
func closest(near []string, otherwise string) string {
	if len(near) == 0 {
		return otherwise
	}
	return "; closest: " + strings.Join(near, ", ")
}

// againstFiles checks the ids of the project's own package against its
// model files: an error where no file can be the model, a warning where
// dbt may define it elsewhere (versions, Jinja in model-paths, a folder
// htgit could not read). Other packages' ids are not checked.
func (c *Check) againstFiles(p *Project, modelFiles func() (map[string]string, []string)) []finding.Finding {
	files, unreadable := modelFiles()
	budget := suggest.Scans
	near := suggest.New(slices.Sorted(maps.Keys(files)), &budget)
	var out []finding.Finding
	for _, r := range c.refs {
		if !strings.HasPrefix(r.id, "model."+p.Name+".") {
			continue
		}
		if _, ok := files[r.id]; ok {
			continue
		}
		name := strings.TrimPrefix(r.id, "model."+p.Name+".")
		f := c.finding(r, rules.DBTModelMissing, "", p.Dir)
		where := strings.Join(p.ModelPaths, ", ")
		f.Message = fmt.Sprintf("dbtModel %s: the dbt project %s has no model file %s.sql or %s.py under %s%s", r.id, rel(c.opts.Root, p.Dir), name, name, where, closest(near.Near(r.id), "; name a model of the project"))
		var unsure string
		switch {
		case p.Unsure != "":
			unsure = p.Unsure
		case len(unreadable) > 0:
			unsure = "htgit could not read " + strings.Join(unreadable, ", ")
		case versionID.MatchString(name):
			unsure = "a model version's file may be named by defined_in"
		}
		if unsure != "" {
			f.Severity = finding.Warning
			f.Message += " (a warning: " + unsure + "; a compiled manifest, from dbt compile, would settle it)"
		}
		out = append(out, f)
	}
	return out
}

// removed reports the models whose dbt model file the change deletes, or
// renames to another model name.
func (c *Check) removed(p *Project, modelFiles func() (map[string]string, []string)) []finding.Finding {
	if c.opts.Changes == nil {
		return nil
	}
	changes := c.opts.Changes()
	projRel := rel(c.opts.Root, p.Dir)
	inProject := func(repoRel string) (string, bool) {
		if projRel == "." {
			return repoRel, p.IsModelFile(repoRel)
		}
		r, ok := strings.CutPrefix(repoRel, projRel+"/")
		return r, ok && p.IsModelFile(r)
	}
	type removal struct{ file, how string }
	gone := map[string]removal{} // model id -> the file (repo-relative) that no longer gives it
	for _, ch := range changes {
		old, how := ch.Path, "deletes"
		switch ch.Status {
		case gitdiff.Deleted:
		case gitdiff.Renamed:
			old, how = ch.OldPath, "renames"
		case gitdiff.Added, gitdiff.Modified, gitdiff.Current:
			continue
		}
		r, ok := inProject(old)
		if !ok {
			continue
		}
		for _, id := range p.IDs(r) {
			gone[id] = removal{old, how}
		}
	}
	if len(gone) == 0 {
		return nil
	}
	// A model file moved to another folder keeps its id.
	files, _ := modelFiles()
	var out []finding.Finding
	for _, r := range c.refs {
		old, ok := gone[r.id]
		if _, still := files[r.id]; !ok || still {
			continue
		}
		abs := filepath.Join(c.opts.Root, filepath.FromSlash(old.file))
		out = append(out, c.finding(r, rules.DBTModelRemoved,
			fmt.Sprintf("this change %s %s, the dbt model %s this model reads: Hightouch's next run of it fails; keep the dbt model, or point dbtModel at its replacement", old.how, old.file, r.id), abs))
	}
	return out
}

// finding is a finding at r's dbtModel value, related to the dbt files
// whose change can cause it.
func (c *Check) finding(r ref, rule finding.Rule, msg string, related ...string) finding.Finding {
	return finding.Finding{Path: r.file.Path, Start: r.start, End: r.end, Rule: rule.ID, Severity: rule.Severity, Message: msg, Related: related}
}

func rel(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
