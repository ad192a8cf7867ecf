package cli

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
	"github.com/htgit/htgit/internal/report"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/workspace"
)

// loaded is a checked workspace.
type loaded struct {
	ws     *workspace.Workspace
	result *check.Result
	policy rules.Policy // how rules are reported: the configuration, then --strict
}

// errNoWorkspaceFiles: none of the FILE arguments is a workspace file, so
// there is nothing to report on (and nothing to say "no problems" about).
var errNoWorkspaceFiles = errors.New("no workspace files given")

func (c *Command) validate(ctx context.Context, args []string) error {
	fs := c.flagSet("validate", "[FILE...]", "Checks the whole workspace; with FILEs, reports only on those files and on\nreferences to them (what pre-commit passes). With --staged, reports on what\nthe index would commit, deletions and renames included (the pre-commit hook).")
	var w workspaceFlags
	w.register(fs.FlagSet)
	var formats stringList
	fs.Var(&formats, "format", "output `FORMAT[=PATH]`: text, github, json or sarif, optionally written to PATH (repeatable; default github on GitHub Actions, else text)")
	staged := fs.Bool("staged", false, "report on the files the index would commit, and the references their deletions or renames break (for pre-commit; no FILE arguments)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := w.check(); err != nil {
		return err
	}
	if *staged && len(files) > 0 {
		return usagef("--staged reads the index; give no FILE arguments (got %q)", files[0])
	}
	outputs, err := c.parseFormats(formats)
	if err != nil {
		return err
	}
	var l *loaded
	if *staged {
		l, err = c.loadStaged(ctx, w)
	} else {
		l, err = c.load(ctx, w, files)
	}
	if errors.Is(err, errNoWorkspaceFiles) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.render(outputs, c.reportInput(l), renderOptions{repoRoot: l.ws.Root}); err != nil {
		return err
	}
	if l.result.Counts().Errors > 0 {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// discovered is a workspace found, not yet checked, and how its rules are
// reported.
type discovered struct {
	ws       *workspace.Workspace
	findings []finding.Finding // what discovery found (files too large, ...)
	policy   rules.Policy      // the configuration, then --strict
}

// discover reads the configuration and finds the workspace w describes.
func (c *Command) discover(w workspaceFlags) (*discovered, error) {
	// Compile the schemas nearly every workspace needs while the disk (and,
	// for the hook, Git) is read: the hook's budget is 50 ms.
	schema.Prepare(workspace.Model.Spec().Schema, workspace.Sync.Spec().Schema, workspace.Manifest.Spec().Schema)
	root, err := workspaceRoot(c, w)
	if err != nil {
		return nil, err
	}
	configFile := w.config
	if configFile != "" {
		configFile = c.abs(configFile)
	}
	cfg, err := config.Load(root, configFile)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	// The command line wins over the configuration; --exclude adds to it.
	if w.path, err = c.gitSyncFolder(root, w.path, cfg.Path); err != nil {
		return nil, err
	}
	d := &discovered{policy: cfg.Policy}
	d.policy.Strict = w.strict
	d.ws, d.findings, err = workspace.Discover(workspace.Options{Root: root, Path: w.path, Exclude: slices.Concat(cfg.Exclude, w.exclude), MaxSize: w.maxSize})
	if err != nil {
		return nil, err
	}
	ws := d.ws
	if !hasResources(ws) {
		where := ""
		if w.root == "" && w.path == "" {
			where = " (the default root: the Git top level, else the working directory)"
		}
		return nil, usagef("no model or sync files found in %s%s (looked for %s); %s if Git Sync uses a subfolder",
			ws.Dir, where, strings.Join(resourceGlobs(), ", "), c.pass("path", "FOLDER"))
	}
	return d, nil
}

// load discovers and checks the workspace. reportSet holds FILE arguments
// (relative to the working directory): each must exist; files outside the
// workspace are named on stderr and skipped.
func (c *Command) load(ctx context.Context, w workspaceFlags, reportSet []string) (*loaded, error) {
	for _, arg := range reportSet {
		if _, err := os.Stat(c.abs(arg)); err != nil {
			return nil, usagef("FILE argument %s: %v (for files a commit deletes, use --staged: it reads them from Git's index)", arg, errors.Unwrap(err))
		}
	}
	d, err := c.discover(w)
	if err != nil {
		return nil, err
	}
	ws := d.ws
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
			if p := c.abs(arg); inWorkspace[p] {
				only = append(only, p)
			} else {
				fmt.Fprintf(c.Stderr, "htgit: %s is not a workspace file under %s; skipped\n", arg, ws.Dir)
			}
		}
		if len(only) == 0 {
			fmt.Fprintf(c.Stderr, "htgit: none of the %d given files is a workspace file (models, syncs or manifest under %s); nothing to check\n", len(reportSet), ws.Dir)
			return nil, errNoWorkspaceFiles
		}
	}
	return c.checkWorkspace(ctx, d, only)
}

// loadStaged checks the workspace and reports on what the index would
// commit: added, modified and renamed files, and the deleted (or renamed
// away) paths, whose slugs name the references that break. With nothing
// staged at all (pre-commit run --all-files, CI) it reports on everything;
// a commit that stages only other files has nothing to check.
func (c *Command) loadStaged(ctx context.Context, w workspaceFlags) (*loaded, error) {
	d, err := c.discover(w)
	if err != nil {
		return nil, err
	}
	ws := d.ws
	// The folder holding .git, found without running git: the hook's
	// budget is 50 ms and each git process costs several.
	top, err := workspace.FindRoot(ws.Dir)
	if err != nil {
		return nil, err
	}
	changes, err := gitdiff.Staged(ctx, top, gitdiff.Options{})
	if errors.Is(err, gitdiff.ErrNotRepo) {
		return nil, usagef("--staged reads Git's index, but %s is not in a Git repository", ws.Dir)
	}
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return c.checkWorkspace(ctx, d, nil)
	}
	only := stagedIn(ws, top, changes)
	if len(only) == 0 {
		fmt.Fprintln(c.Stderr, "htgit: no staged change to a model, sync or manifest; nothing to check")
		return nil, errNoWorkspaceFiles
	}
	return c.checkWorkspace(ctx, d, only)
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

func (c *Command) checkWorkspace(ctx context.Context, d *discovered, only []string) (*loaded, error) {
	res, err := check.Run(ctx, d.ws, d.findings, check.Options{Policy: d.policy, ReportSet: only})
	if err != nil {
		return nil, err
	}
	return &loaded{ws: d.ws, result: res, policy: d.policy}, nil
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

func (c *Command) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(c.Dir, p)
}

func workspaceRoot(c *Command, w workspaceFlags) (string, error) {
	if w.root != "" {
		return c.abs(w.root), nil
	}
	return workspace.FindRoot(c.Dir)
}

func (c *Command) reportInput(l *loaded) report.Input {
	return report.Input{
		Findings: l.result.Findings,
		Rules:    l.policy.Rules(),
		RulesOff: l.policy.Off(),
		Stats:    report.Stats{Files: l.result.Files, Models: l.result.Models, Syncs: l.result.Syncs},
		BaseDir:  c.Dir,
		Version:  Version(),
	}
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
func (c *Command) gitSyncFolder(root, flagPath, configPath string) (string, error) {
	if flagPath != "" {
		if p := c.abs(flagPath); isDir(p) {
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
		return "", usagef("%s holds %d folders that look like Git Sync's: %s; choose one with --path (path: in .htgit.yaml, or the Action's path: input)",
			root, len(candidates), strings.Join(candidates, ", "))
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
