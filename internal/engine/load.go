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
}

// Loaded is a checked workspace and its findings from every source.
type Loaded struct {
	*Discovered
	Result *check.Result
	// sources are the findings before the policy: the checks', then each
	// source Add adds (a change's deletions and renames, ...).
	sources []finding.Finding
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
	d := &Discovered{Policy: cfg.Policy}
	d.Policy.Strict = o.Strict
	d.WS, d.findings, err = workspace.Discover(workspace.Options{Root: root, Path: path, Exclude: slices.Concat(cfg.Exclude, o.Exclude), MaxSize: o.MaxSize})
	if err != nil {
		return nil, err
	}
	ws := d.WS
	if !hasResources(ws) {
		where := ""
		if o.Root == "" && path == "" {
			where = " (the default root: the Git top level, else the working directory)"
		}
		return nil, Usagef("no model or sync files found in %s%s (looked for %s); %s if Git Sync uses a subfolder",
			ws.Dir, where, strings.Join(resourceGlobs(), ", "), o.Origin.Pass("path", "FOLDER"))
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
				fmt.Fprintf(e.Notes, "htgit: %s is not a workspace file under %s; skipped\n", arg, ws.Dir)
			}
		}
		if len(only) == 0 {
			fmt.Fprintf(e.Notes, "htgit: none of the %d given files is a workspace file (models, syncs or manifest under %s); nothing to check\n", len(reportSet), ws.Dir)
			return nil, ErrNoWorkspaceFiles
		}
	}
	return e.check(ctx, d, only)
}

// LoadStaged checks the workspace and reports on what the index would
// commit: added, modified and renamed files, and the deleted (or renamed
// away) paths, whose slugs name the references that break. With nothing
// staged at all (pre-commit run --all-files, CI) it reports on everything;
// a commit that stages only other files has nothing to check.
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
		return nil, Usagef("--staged reads Git's index, but %s is not in a Git repository", ws.Dir)
	}
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return e.check(ctx, d, nil)
	}
	only := stagedIn(ws, top, changes)
	if len(only) == 0 {
		fmt.Fprintln(e.Notes, "htgit: no staged change to a model, sync or manifest; nothing to check")
		return nil, ErrNoWorkspaceFiles
	}
	return e.check(ctx, d, only)
}

// stagedIn turns the staged paths (relative to Git's top level) that are
// workspace files, present or deleted, into paths under ws.Dir.
func stagedIn(ws *workspace.Workspace, top string, changes []gitdiff.Change) []string {
	prefix, err := filepath.Rel(realPath(top), realPath(ws.Dir))
	if err != nil {
		return nil
	}
	prefix = filepath.ToSlash(prefix)
	var only []string
	for _, ch := range changes {
		for _, p := range []string{ch.Path, ch.OldPath} {
			rel, ok := strings.CutPrefix(p, prefix+"/")
			if prefix == "." {
				rel, ok = p, p != ""
			}
			if _, isKind := workspace.KindOf(rel); ok && isKind {
				only = append(only, filepath.Join(ws.Dir, filepath.FromSlash(rel)))
			}
		}
	}
	return only
}

func (e *Engine) check(ctx context.Context, d *Discovered, only []string) (*Loaded, error) {
	res, err := check.Run(ctx, d.WS, d.findings, check.Options{ReportSet: only, Workspace: e.workspace.Name})
	if err != nil {
		return nil, err
	}
	return &Loaded{Discovered: d, Result: res, sources: res.Findings}, nil
}

// realPath resolves symlinks, as Git reports its top level resolved.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func hasResources(ws *workspace.Workspace) bool {
	for _, f := range slices.Concat(ws.Files, ws.Skipped) {
		if f.Kind.Resource() != workspace.NotDeployed {
			return true
		}
	}
	return false
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
		return nil, &UsageError{Msg: err.Error()}
	}
	e.cfg = cfg
	return cfg, nil
}

// root is the repository: --root, else the Git top level above the working
// directory, else the working directory.
func (e *Engine) root() (string, error) {
	if e.Opts.Root != "" {
		return e.abs(e.Opts.Root), nil
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
			root, len(candidates), strings.Join(candidates, ", "), e.Opts.Origin.Name("path"))
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
