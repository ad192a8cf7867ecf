package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/check"
	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/dbt"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/workspace"
)

// ErrNoWorkspaceFiles: none of the files to report on is a workspace file,
// so there is nothing to report (and nothing to say "no problems" about).
var ErrNoWorkspaceFiles = errors.New("no workspace files given")

// Discovered is a workspace found, not yet checked, and how its rules are
// reported.
type Discovered struct {
	WS       *workspace.Workspace
	findings []finding.Finding // what discovery found (files too large, ...)
	Policy   rules.Policy      // the configuration, then --strict
	cfg      *config.Config    // its policies and dbt project
}

// Loaded is a checked workspace and its findings from every source.
type Loaded struct {
	*Discovered
	Result *check.Result
	// sources are the findings before the policy: the checks', then each
	// source Add adds (a change's deletions and renames, ...).
	sources []finding.Finding
	// changes are the change the checks saw (relative to WS.Root).
	changes *changeSource
}

// ChangedFiles are the paths (relative to WS.Root) of every file the change
// the checks saw adds, modifies, deletes or renames, dbt's too: a finding
// they cause is the change's.
func (l *Loaded) ChangedFiles() []string {
	var out []string
	for _, ch := range l.changes.known() {
		for _, p := range []string{ch.Path, ch.OldPath} {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// Add adds findings of another source (a plan's change findings, ...); they
// pass the rule policy with the rest, once, in Findings.
func (l *Loaded) Add(fs []finding.Finding) { l.sources = append(l.sources, fs...) }

// AddChange adds the findings of a change (deletions and renames a reviewer
// must see).
func (l *Loaded) AddChange(p *plan.Plan) { l.Add(p.Findings(l.WS.Root)) }

// Findings are the findings of every source as the policy reports them
// (levels, ignores, --strict), sorted. It is the one place the policy is
// applied.
func (l *Loaded) Findings() []finding.Finding {
	out := l.Policy.Apply(l.sources, l.WS.RelPaths)
	finding.Sort(out)
	return out
}

// Discover reads the configuration and finds the workspace the options
// describe.
func (e *Engine) Discover() (*Discovered, error) {
	// Compile the schemas nearly every workspace needs while the disk (and,
	// for the hook, Git) is read: the hook's budget is 50 ms.
	schema.Prepare(workspace.Model.Spec().Schema, workspace.Sync.Spec().Schema, workspace.Manifest.Spec().Schema)
	o := e.Opts
	if o.MaxSize < 1 {
		return nil, Usagef("%s %d: give the largest file size in bytes, 1 or more", o.Origin.Name("max-size"), o.MaxSize)
	}
	root, err := e.root()
	if err != nil {
		return nil, err
	}
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	// The command line wins over the configuration; --exclude adds to it.
	path, err := e.gitSyncFolder(root, o.Path, cfg.Path)
	if err != nil {
		return nil, err
	}
	// pathName is where the folder was given, as the user wrote it.
	pathName := o.Origin.Name("path")
	if o.Path == "" && cfg.Path != "" {
		pathName = fmt.Sprintf("%s:%d:%d: path", e.rel(cfg.File), cfg.PathAt[0], cfg.PathAt[1])
	}
	if err := e.checkFolder(root, path, pathName); err != nil {
		return nil, err
	}
	if err := e.notDBT(root, path, pathName); err != nil {
		return nil, err
	}
	d := &Discovered{Policy: cfg.Policy, cfg: cfg}
	d.Policy.Strict = o.Strict
	d.WS, d.findings, err = workspace.Discover(workspace.Options{Root: root, Path: path, PathName: pathName, Exclude: slices.Concat(cfg.Exclude, o.Exclude), MaxSize: o.MaxSize})
	if err != nil {
		return nil, err
	}
	ws := d.WS
	if !ws.HasResources() {
		where := ""
		if o.Root == "" && path == "" {
			where = " (the default root: the Git top level, else the working directory)"
		}
		return nil, Usagef("no model or sync files found in %s%s (looked for %s); %s if Git Sync uses a subfolder",
			e.rel(ws.Dir), where, strings.Join(resourceGlobs(), ", "), o.Origin.Pass("path", "FOLDER"))
	}
	if err := checkManifests(cfg, ws); err != nil {
		return nil, err
	}
	return d, nil
}

// Load discovers and checks the workspace. reportSet holds files (relative
// to the working directory) to report on: each must exist; files outside
// the workspace are named on Notes and skipped. None: the whole workspace.
func (e *Engine) Load(ctx context.Context, reportSet []string) (*Loaded, error) {
	for _, arg := range reportSet {
		if _, err := os.Stat(e.abs(arg)); err != nil {
			return nil, Usagef("FILE argument %s: %v (for files a commit deletes, use --staged: it reads them from Git's index)", arg, errors.Unwrap(err))
		}
	}
	d, err := e.Discover()
	if err != nil {
		return nil, err
	}
	ws := d.WS
	var only []string
	if len(reportSet) > 0 {
		inWorkspace := map[string]bool{}
		for _, f := range slices.Concat(ws.Files, ws.Skipped) {
			inWorkspace[f.Path] = true
		}
		for _, f := range d.findings {
			inWorkspace[f.Path] = true
		}
		for _, arg := range reportSet {
			if p := e.abs(arg); inWorkspace[p] {
				only = append(only, p)
			} else {
				fmt.Fprintf(e.Notes, "htgit: %s is not a workspace file under %s; skipped\n", arg, e.rel(ws.Dir))
			}
		}
		if len(only) == 0 {
			fmt.Fprintf(e.Notes, "htgit: none of the %d given files is a workspace file (models, syncs or manifest under %s); nothing to check\n", len(reportSet), e.rel(ws.Dir))
			return nil, ErrNoWorkspaceFiles
		}
	}
	return e.check(ctx, d, only, newChangeSource(func() []gitdiff.Change { return e.knownChange(ctx, ws.Root) }))
}

// LoadStaged checks the workspace and reports on what the index would
// commit: added, modified and renamed files, and the deleted (or renamed
// away) paths, whose slugs name the references that break; the deletions
// and renames themselves are change findings, as in a pull request. With
// nothing staged at all (pre-commit run --all-files, CI) it reports on
// everything; a commit that stages only other files has nothing to check.
func (e *Engine) LoadStaged(ctx context.Context) (*Loaded, error) {
	d, err := e.Discover()
	if err != nil {
		return nil, err
	}
	ws := d.WS
	// The folder holding .git, found without running git: the hook's
	// budget is 50 ms and each git process costs several.
	top, err := workspace.FindRoot(ws.Dir)
	if err != nil {
		return nil, err
	}
	changes, err := gitdiff.Staged(ctx, top, gitdiff.Options{})
	if errors.Is(err, gitdiff.ErrNotRepo) {
		return nil, Usagef("--staged reads Git's index, but %s is not in a Git repository", e.rel(ws.Dir))
	}
	if err != nil {
		return nil, err
	}
	fromRootChanges := fromRoot(changes, top, ws.Root)
	staged := newChangeSource(func() []gitdiff.Change { return fromRootChanges })
	if len(changes) == 0 {
		return e.check(ctx, d, nil, staged)
	}
	prefix, err := filepath.Rel(gitdiff.RealPath(top), gitdiff.RealPath(ws.Dir))
	if err != nil {
		return nil, err
	}
	prefix = filepath.ToSlash(prefix)
	if prefix == "." {
		prefix = "" // the Git Sync folder is the top level
	}
	only := stagedIn(ws, prefix, changes)
	// A commit of dbt model files alone can break the Hightouch models that
	// read them: the dbt check reports on those files.
	for _, ch := range fromRootChanges {
		for _, p := range []string{ch.Path, ch.OldPath} {
			if p != "" && dbt.InProject(ws.Root, d.cfg.DBT.Project, p) {
				only = append(only, filepath.Join(ws.Root, filepath.FromSlash(p)))
			}
		}
	}
	if len(only) == 0 {
		fmt.Fprintln(e.Notes, "htgit: no staged change to a model, sync, manifest or dbt model; nothing to check")
		return nil, ErrNoWorkspaceFiles
	}
	l, err := e.check(ctx, d, only, staged)
	if err != nil {
		return nil, err
	}
	l.Add(plan.ChangeFindings(top, prefix, changes))
	return l, nil
}

// stagedIn turns the staged paths (relative to Git's top level) that are
// workspace files, present or deleted, into paths under ws.Dir; prefix is
// ws.Dir relative to the top level, "" for the top level itself.
func stagedIn(ws *workspace.Workspace, prefix string, changes []gitdiff.Change) []string {
	var only []string
	for _, ch := range changes {
		for _, p := range []string{ch.Path, ch.OldPath} {
			rel, ok := p, p != ""
			if prefix != "" {
				rel, ok = strings.CutPrefix(p, prefix+"/")
			}
			if _, isKind := workspace.KindOf(rel); ok && isKind {
				only = append(only, filepath.Join(ws.Dir, filepath.FromSlash(rel)))
			}
		}
	}
	return only
}

// check checks the workspace, with the configuration's policies and the dbt
// check, which ask changes for the change's files when they need them.
func (e *Engine) check(ctx context.Context, d *Discovered, only []string, changes *changeSource) (*Loaded, error) {
	visitors, err := e.visitors(d, changes, only)
	if err != nil {
		return nil, err
	}
	res, err := check.Run(ctx, d.WS, d.findings, check.Options{ReportSet: only, Workspace: e.workspace.Name, Visitors: visitors})
	if err != nil {
		return nil, err
	}
	return &Loaded{Discovered: d, Result: res, sources: res.Findings, changes: changes}, nil
}

// checkFolder refuses a Git Sync folder that is not a folder under root,
// naming where it was given (name) and what it was taken as.
func (e *Engine) checkFolder(root, path, name string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Join(root, filepath.FromSlash(path))
	rootName := e.rootName(root)
	if rel, err := filepath.Rel(root, dir); err != nil || !filepath.IsLocal(rel) {
		return Usagef("%s %q leaves %s; give the Git Sync folder relative to it", name, path, rootName)
	}
	info, err := os.Stat(dir)
	switch {
	case err != nil:
		return Usagef("%s %q: there is no folder %s; give the Git Sync folder relative to %s", name, path, e.rel(dir), rootName)
	case !info.IsDir():
		return Usagef("%s %q: %s is a file, not the Git Sync folder", name, path, e.rel(dir))
	}
	return nil
}

// notDBT refuses a Git Sync folder that is a dbt project and nothing else:
// dbt's models/*.yml would be read as Hightouch models, each one a heap of
// schema errors. A dbt project that also holds Git Sync's files (a
// manifest, syncs/) is checked, with a note.
func (e *Engine) notDBT(root, path, name string) error {
	dir := filepath.Join(root, filepath.FromSlash(path))
	dbt := slices.ContainsFunc([]string{"dbt_project.yml", "dbt_project.yaml"}, func(f string) bool {
		_, err := os.Stat(filepath.Join(dir, f))
		return err == nil
	})
	if !dbt {
		return nil
	}
	manifests, _ := filepath.Glob(filepath.Join(dir, "manifest*.y*ml"))
	if len(manifests) > 0 || isDir(filepath.Join(dir, workspace.Sync.Spec().Folder)) {
		fmt.Fprintf(e.Notes, "htgit: %s holds dbt_project.yml as well as Git Sync files; its models/ are read as Hightouch models\n", e.rel(dir))
		return nil
	}
	what := fmt.Sprintf("%s %q", name, path)
	if path == "" {
		what = e.rootName(root)
	}
	return Usagef("%s is a dbt project (it holds dbt_project.yml), not Hightouch's Git Sync folder: dbt's models/*.yml are no Hightouch models; %s, FOLDER being the one Git Sync writes (it holds manifest*.yaml, models/ and syncs/)",
		what, e.Opts.Origin.Pass("path", "FOLDER"))
}

// rootName names the repository root for messages.
func (e *Engine) rootName(root string) string {
	if rel := e.rel(root); rel != "." {
		return "the repository root (" + rel + ")"
	}
	return "the repository root (the working directory)"
}

// rel shows p relative to the working directory, as findings are shown;
// "." for the working directory itself.
func (e *Engine) rel(p string) string {
	if r, err := filepath.Rel(e.Dir, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}

// Config is the configuration the options name (--config, else
// .htgit.yaml at the root), read once.
func (e *Engine) Config() (*config.Config, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	root, err := e.root()
	if err != nil {
		return nil, err
	}
	file := e.Opts.Config
	if file != "" {
		file = e.abs(file)
	}
	cfg, err := config.Load(root, file)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			ce.File = e.rel(ce.File) // relative, as findings' paths
		}
		return nil, &UsageError{Msg: err.Error()}
	}
	e.cfg = cfg
	return cfg, nil
}

// root is the repository: --root, else the Git top level above the working
// directory, else the working directory.
func (e *Engine) root() (string, error) {
	if e.Opts.Root != "" {
		root := e.abs(e.Opts.Root)
		if info, err := os.Stat(root); err != nil {
			return "", Usagef("%s %q: there is no folder %s", e.Opts.Origin.Name("root"), e.Opts.Root, e.rel(root))
		} else if !info.IsDir() {
			return "", Usagef("%s %q: %s is a file, not the repository's folder", e.Opts.Origin.Name("root"), e.Opts.Root, e.rel(root))
		}
		return root, nil
	}
	return workspace.FindRoot(e.Dir)
}

// resourceGlobs are the globs of the files plan and deploy act on.
func resourceGlobs() []string {
	var globs []string
	for _, k := range workspace.Kinds() {
		if k.Resource() != workspace.NotDeployed {
			globs = append(globs, k.Spec().Globs...)
		}
	}
	return globs
}

// gitSyncFolder is the Git Sync folder relative to root: --path (taken from
// the working directory when it names a folder there, as a shell user
// expects, else from the root), else the configuration's path, else the one
// folder below root that looks like Git Sync's.
func (e *Engine) gitSyncFolder(root, flagPath, configPath string) (string, error) {
	if flagPath != "" {
		if p := e.abs(flagPath); isDir(p) {
			if rel, err := filepath.Rel(root, p); err == nil && filepath.IsLocal(rel) {
				return filepath.ToSlash(rel), nil
			}
		}
		return flagPath, nil
	}
	if configPath != "" {
		return configPath, nil
	}
	dir, candidates, found := workspace.Locate(root)
	if len(candidates) > 1 {
		return "", Usagef("%s holds %d folders that look like Git Sync's: %s; choose one with %s (path: in .htgit.yaml)",
			e.rel(root), len(candidates), strings.Join(candidates, ", "), e.Opts.Origin.Name("path"))
	}
	if !found || dir == "." {
		return "", nil
	}
	return dir, nil
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
