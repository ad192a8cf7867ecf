// Package plan works out what a change to the Git Sync workspace means for
// Hightouch: which models and syncs were added, modified, renamed or deleted
// between two commits, which syncs that touches, and which of those need a
// full resync. It reads Git and the workspace; it never calls Hightouch.
package plan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/workspace"
)

// Resource is one changed model or sync file.
type Resource struct {
	Kind    workspace.Kind
	Slug    string
	Path    string // repo-relative, forward slashes
	Change  gitdiff.Status
	OldSlug string // renamed: the slug Hightouch still has
	OldPath string
}

// Run is a sync the change touches, and how it would be triggered.
type Run struct {
	Sync   string // slug
	Path   string // repo-relative
	Model  string // the model slug the sync reads
	Reason Reason // why it is affected
	New    bool   // the sync file is new (or renamed): new to Hightouch
	Resync Resync // whether and why it is a full resync
	Paused bool   // schedulePaused: true
	Skip   string // why it will not be triggered (paused), or ""
	// CheckKey is the model's primary key now when it was missing or
	// empty before: Git cannot say whether Hightouch's key changes, so
	// SettleKeys compares it with Hightouch's.
	CheckKey string
}

// Plan is what a change does.
type Plan struct {
	From, To  string
	All       bool       // every sync counts as changed
	Changed   []Resource // added, modified and renamed models and syncs, by path (with All: every one, gitdiff.Current)
	Deleted   []Resource // deleted models and syncs (and the old side of renames)
	Runs      []Run      // affected syncs, by slug
	Files     []string   // every changed path under the Git Sync folder, repo-relative
	Fallback  bool       // a merge base was wanted but Git could not find it
	FullRules string     // the --full-resync mode the runs were planned with
	// Dir is the directory the paths are relative to: Git's top level, or
	// Options.RepoDir with All.
	Dir string
	// Prefix is the Git Sync folder relative to Dir, forward slashes; ""
	// when it is Dir itself.
	Prefix string
}

// Full-resync modes.
const (
	ResyncNever  = "never"
	ResyncAlways = "always"
	ResyncAuto   = "auto"
)

// ErrFullResyncMode is returned (wrapped) by Build for a full-resync mode
// other than never, always or auto: the caller's input is wrong.
var ErrFullResyncMode = errors.New("use never, always or auto")

// Options say what to compare.
type Options struct {
	RepoDir       string // the workspace root: the Git top level or a folder in it
	From, To      string // commits; To defaults to HEAD
	All           bool   // skip Git: every sync is affected
	MergeBase     bool   // compare from the merge base (pull requests)
	FullResync    string // never, always or auto (default)
	IncludePaused bool
	// PausedAdvice says how to run paused syncs anyway, as the caller
	// takes options (default "pass --include-paused to run it").
	PausedAdvice string
}

// Build plans the change between opts.From and opts.To for ws, whose files
// are the To side.
func Build(ctx context.Context, ws *workspace.Workspace, opts Options) (*Plan, error) {
	mode := cmp.Or(opts.FullResync, ResyncAuto)
	if !slices.Contains([]string{ResyncNever, ResyncAlways, ResyncAuto}, mode) {
		return nil, fmt.Errorf("full resync mode %q: %w", mode, ErrFullResyncMode)
	}
	p := &Plan{From: opts.From, To: cmp.Or(opts.To, "HEAD"), All: opts.All, FullRules: mode, Dir: opts.RepoDir}
	if !opts.All {
		// Git's paths are relative to its top level, which may be above
		// the root the workspace was discovered from (--root).
		top, err := gitdiff.TopLevel(ctx, opts.RepoDir)
		if err != nil {
			return nil, err
		}
		p.Dir = top
	}
	syncs, err := readSyncs(ws, p.Dir)
	if err != nil {
		return nil, err
	}
	prefix := relSlash(gitdiff.RealPath(p.Dir), gitdiff.RealPath(ws.Dir))
	p.Prefix = prefix

	oldKeys := map[string]string{} // modified model slug -> primary key before
	if !opts.All {
		diff, err := gitdiff.Changes(ctx, p.Dir, opts.From, p.To, gitdiff.Options{Prefix: prefix, MergeBase: opts.MergeBase})
		if err != nil {
			return nil, err
		}
		p.Fallback = diff.MergeBaseFallback
		for _, c := range diff.Changes {
			p.Files = append(p.Files, c.Path)
			if c.OldPath != "" {
				p.Files = append(p.Files, c.OldPath)
			}
			p.classify(c, prefix)
		}
		p.pairMoves()
		for _, r := range p.Changed {
			if r.Kind.Resource() == workspace.ModelResource && r.Change == gitdiff.Modified {
				if key, err := primaryKeyAt(ctx, p.Dir, diff.Base, cmp.Or(r.OldPath, r.Path)); err == nil {
					oldKeys[r.Slug] = key
				} else if !errors.Is(err, gitdiff.ErrNotExist) {
					return nil, err
				}
			}
		}
	}
	if opts.All {
		// Every file is what Hightouch must have: deploy waits for (or
		// applies) all of them.
		for _, f := range ws.Files {
			if f.Kind.Resource() != workspace.NotDeployed {
				p.Changed = append(p.Changed, Resource{Kind: f.Kind, Slug: f.Slug, Path: relSlash(gitdiff.RealPath(p.Dir), gitdiff.RealPath(f.Path)), Change: gitdiff.Current})
			}
		}
		slices.SortFunc(p.Changed, func(a, b Resource) int { return strings.Compare(a.Path, b.Path) })
	}
	p.Runs = affected(p, syncs, ws, oldKeys, mode, opts)
	return p, nil
}

// classify files one changed path as a model or sync change.
func (p *Plan) classify(c gitdiff.Change, prefix string) {
	kind, slug, ok := resourceOf(c.Path, prefix)
	oldKind, oldSlug, oldOK := resourceOf(c.OldPath, prefix)
	switch {
	case c.Status == gitdiff.Renamed && ok && oldOK && oldKind == kind && oldSlug == slug:
		// Moved between subfolders, slug unchanged: the same resource.
		p.Changed = append(p.Changed, Resource{Kind: kind, Slug: slug, Path: c.Path, Change: gitdiff.Modified, OldPath: c.OldPath})
	case c.Status == gitdiff.Renamed:
		if oldOK {
			p.Deleted = append(p.Deleted, Resource{Kind: oldKind, Slug: oldSlug, Path: c.OldPath, Change: gitdiff.Renamed})
		}
		if ok {
			r := Resource{Kind: kind, Slug: slug, Path: c.Path, Change: gitdiff.Added}
			if oldOK && oldKind == kind {
				r.Change, r.OldSlug, r.OldPath = gitdiff.Renamed, oldSlug, c.OldPath
			}
			p.Changed = append(p.Changed, r)
		}
	case !ok:
	case c.Status == gitdiff.Deleted:
		p.Deleted = append(p.Deleted, Resource{Kind: kind, Slug: slug, Path: c.Path, Change: gitdiff.Deleted})
	default:
		p.Changed = append(p.Changed, Resource{Kind: kind, Slug: slug, Path: c.Path, Change: c.Status})
	}
}

// pairMoves turns a deleted file and an added one with the same kind and
// slug into one modification: the file moved to another subfolder and
// changed too much for Git to see a rename, but Hightouch knows resources by
// slug, so it is the same model or sync.
func (p *Plan) pairMoves() {
	for i := range p.Changed {
		r := &p.Changed[i]
		if r.Change != gitdiff.Added {
			continue
		}
		j := slices.IndexFunc(p.Deleted, func(d Resource) bool {
			return d.Change == gitdiff.Deleted && d.Kind == r.Kind && d.Slug == r.Slug
		})
		if j < 0 {
			continue
		}
		r.Change, r.OldPath = gitdiff.Modified, p.Deleted[j].Path
		p.Deleted = slices.Delete(p.Deleted, j, j+1)
	}
}

// resourceOf tells whether a repo-relative path is a model or sync file of
// the Git Sync folder prefix.
func resourceOf(repoPath, prefix string) (workspace.Kind, string, bool) {
	if repoPath == "" {
		return 0, "", false
	}
	rel := repoPath
	if prefix != "" {
		var ok bool
		if rel, ok = strings.CutPrefix(repoPath, prefix+"/"); !ok {
			return 0, "", false
		}
	}
	if kind, ok := workspace.KindOf(rel); ok && kind.Resource() != workspace.NotDeployed {
		return kind, workspace.Slug(rel), true
	}
	return 0, "", false
}

// syncInfo is what planning needs of each sync file.
type syncInfo struct {
	slug, path, model string
	paused            bool
}

// readSyncs reads the model and schedulePaused of every sync file: a changed
// model touches every sync that reads it.
func readSyncs(ws *workspace.Workspace, dir string) ([]syncInfo, error) {
	var out []syncInfo
	for _, f := range ws.Files {
		if f.Kind.Resource() != workspace.SyncResource {
			continue
		}
		src, err := os.ReadFile(f.Path)
		if err != nil {
			return nil, err
		}
		doc, _ := workspace.Parse(f, src)
		info := syncInfo{slug: f.Slug, path: relSlash(gitdiff.RealPath(dir), gitdiff.RealPath(f.Path))}
		if doc.Root != nil {
			_, model := workspace.Lookup(doc.Root, "model")
			info.model, _ = workspace.String(model)
			_, paused := workspace.Lookup(doc.Root, "schedulePaused")
			info.paused = IsTrue(paused)
		}
		out = append(out, info)
	}
	return out, nil
}

func affected(p *Plan, syncs []syncInfo, ws *workspace.Workspace, oldKeys map[string]string, mode string, opts Options) []Run {
	changed := map[workspace.Resource]map[string]Resource{workspace.SyncResource: {}, workspace.ModelResource: {}}
	for _, r := range p.Changed {
		changed[r.Kind.Resource()][r.Slug] = r
	}
	changedSync, changedModel := changed[workspace.SyncResource], changed[workspace.ModelResource]
	newKeys := map[string]string{}
	for slug := range oldKeys {
		newKeys[slug] = primaryKeyOf(ws, slug)
	}
	var runs []Run
	for _, s := range syncs {
		run := Run{Sync: s.slug, Path: s.path, Model: s.model, Paused: s.paused}
		sr, syncChanged := changedSync[s.slug]
		mr, modelChanged := changedModel[s.model]
		switch {
		case p.All:
			run.Reason = Reason{Cause: EverySync, Change: gitdiff.Current}
		case syncChanged:
			run.Reason = Reason{Cause: SyncChanged, Change: sr.Change}
			run.New = sr.Change == gitdiff.Added || sr.Change == gitdiff.Renamed
		case modelChanged:
			run.Reason = Reason{Cause: ModelChanged, Change: mr.Change, Model: s.model}
		default:
			continue
		}
		old, keyKnown := oldKeys[s.model]
		switch {
		case mode == ResyncAlways:
			run.Resync = Resync{Kind: ResyncForced}
		case mode == ResyncNever:
		case run.New:
			run.Resync = Resync{Kind: ResyncNewSync}
		case keyKnown && old == "":
			// The key before was missing or empty (invalid): not a
			// change Git can see; Hightouch's key settles it.
			run.CheckKey = newKeys[s.model]
		case keyKnown && old != newKeys[s.model]:
			run.Resync = Resync{Kind: KeyChanged, Model: s.model, From: old, To: newKeys[s.model]}
		}
		if s.paused && !opts.IncludePaused {
			run.Skip = "paused (schedulePaused: true; " + cmp.Or(opts.PausedAdvice, "pass --include-paused to run it") + ")"
		}
		runs = append(runs, run)
	}
	slices.SortFunc(runs, func(a, b Run) int { return strings.Compare(a.Sync, b.Sync) })
	return runs
}

// SettleKeys decides the full resyncs Git could not (CheckKey): a run
// gets one when Hightouch has the model with another primary key than the
// workspace now gives it. hightouchKey returns Hightouch's key of a model.
func (p *Plan) SettleKeys(hightouchKey func(model string) (string, bool)) {
	for i := range p.Runs {
		r := &p.Runs[i]
		now := r.CheckKey
		if now == "" || r.Resync.Full() {
			continue
		}
		r.CheckKey = ""
		if had, ok := hightouchKey(r.Model); ok && had != "" && had != now {
			r.Resync = Resync{Kind: KeyDiffers, Model: r.Model, From: had, To: now}
		}
	}
}

// IsTrue reports whether a YAML node is the boolean true in any of its
// spellings (true, True, TRUE), following an alias.
func IsTrue(n *yaml.Node) bool {
	v, ok := workspace.Value(n).(bool)
	return ok && v
}

// primaryKeyAt reads a model file's primaryKey at a revision.
func primaryKeyAt(ctx context.Context, repoDir, rev, repoPath string) (string, error) {
	src, err := gitdiff.Show(ctx, repoDir, rev, repoPath)
	if err != nil {
		return "", err
	}
	return primaryKey(src), nil
}

func primaryKeyOf(ws *workspace.Workspace, slug string) string {
	for _, f := range ws.Files {
		if f.Kind.Resource() == workspace.ModelResource && f.Slug == slug {
			if src, err := os.ReadFile(f.Path); err == nil {
				return primaryKey(src)
			}
		}
	}
	return ""
}

func primaryKey(src []byte) string {
	doc, _ := workspace.Parse(workspace.File{Kind: workspace.Model}, src)
	_, v := workspace.Lookup(doc.Root, "primaryKey")
	key, _ := workspace.String(v)
	return key
}

func relSlash(base, p string) string {
	rel, err := filepath.Rel(base, p)
	if err != nil || rel == "." {
		return ""
	}
	return path.Clean(filepath.ToSlash(rel))
}
