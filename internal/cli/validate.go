package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/check"
	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/report"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// workspaceFlags locate and bound the workspace; validate, plan and deploy
// share them.
type workspaceFlags struct {
	root    string
	path    string
	exclude stringList
	maxSize int64
	strict  bool
	config  string
}

func (w *workspaceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&w.root, "root", "", "repository root (default: the Git top level, or the working directory outside Git)")
	fs.StringVar(&w.path, "path", "", "Git Sync folder relative to the root, as configured in Hightouch (default: the root)")
	fs.Var(&w.exclude, "exclude", "skip files matching this glob, relative to the root or the Git Sync folder (repeatable)")
	fs.Int64Var(&w.maxSize, "max-size", workspace.DefaultMaxSize, "largest file to read, in bytes")
	fs.BoolVar(&w.strict, "strict", false, "treat warnings as errors (after the configuration's rule levels)")
	fs.StringVar(&w.config, "config", "", "read the configuration from `FILE` (default: "+config.FileName+" at the root, when it exists)")
}

func (w *workspaceFlags) check() error {
	if w.maxSize < 1 {
		return usagef("--max-size %d: give the largest file size in bytes, 1 or more", w.maxSize)
	}
	return nil
}

// loaded is a checked workspace.
type loaded struct {
	ws     *workspace.Workspace
	result *check.Result
	policy rules.Policy // how rules are reported: the configuration, then --strict
}

// load discovers and checks the workspace. reportSet holds FILE arguments
// (relative to the working directory); files outside the workspace are
// named on stderr and skipped.
func (c *Command) load(ctx context.Context, w workspaceFlags, reportSet []string) (*loaded, error) {
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
	policy := cfg.Policy
	policy.Strict = w.strict
	ws, discovered, err := workspace.Discover(workspace.Options{Root: root, Path: w.path, Exclude: slices.Concat(cfg.Exclude, w.exclude), MaxSize: w.maxSize})
	var ie *workspace.InputError
	if errors.As(err, &ie) {
		return nil, &usageError{msg: ie.Msg}
	}
	if err != nil {
		return nil, err
	}
	if !hasResources(ws) {
		where := ""
		if w.root == "" && w.path == "" {
			where = " (the default root: the Git top level, else the working directory)"
		}
		return nil, usagef("no model or sync files found in %s%s (looked for %s); pass --path if Git Sync uses a subfolder",
			ws.Dir, where, strings.Join(resourceGlobs(), ", "))
	}
	var only []string
	if len(reportSet) > 0 {
		inWorkspace := map[string]bool{}
		for _, f := range ws.Files {
			inWorkspace[f.Path] = true
		}
		for _, f := range discovered {
			inWorkspace[f.Path] = true
		}
		for _, arg := range reportSet {
			p := c.abs(arg)
			// A deleted model or sync still names the references that break.
			if !inWorkspace[p] && !wouldBeWorkspaceFile(ws, p) {
				fmt.Fprintf(c.Stderr, "htgit: %s is not a workspace file under %s; skipped\n", arg, ws.Dir)
				continue
			}
			only = append(only, p)
		}
		if len(only) == 0 {
			// Nothing to report on: say so rather than pass silently.
			fmt.Fprintf(c.Stderr, "htgit: none of the %d given files is a workspace file\n", len(reportSet))
			return &loaded{ws: ws, result: &check.Result{}, policy: policy}, nil
		}
	}
	res, err := check.Run(ctx, ws, discovered, check.Options{Policy: policy, ReportSet: only})
	if err != nil {
		return nil, err
	}
	return &loaded{ws: ws, result: res, policy: policy}, nil
}

// wouldBeWorkspaceFile reports whether p, which may not exist, has the path
// of a model, sync or manifest file of ws.
func wouldBeWorkspaceFile(ws *workspace.Workspace, p string) bool {
	rel, err := filepath.Rel(ws.Dir, p)
	if err != nil || !filepath.IsLocal(rel) {
		return false
	}
	_, ok := workspace.KindOf(filepath.ToSlash(rel))
	return ok
}

func hasResources(ws *workspace.Workspace) bool {
	for _, f := range append(slices.Clone(ws.Files), ws.Skipped...) {
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

func (c *Command) validate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("htgit validate", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	var w workspaceFlags
	w.register(fs)
	var formats stringList
	fs.Var(&formats, "format", "output format text|github|json|sarif, optionally =PATH to write a file (repeatable; default github on GitHub Actions, else text)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: htgit validate [flags] [FILE...]\n\nChecks the whole workspace; with FILEs, reports only on those files and on\nreferences to them (what pre-commit passes).\n\nFlags:")
		fs.PrintDefaults()
	}
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := w.check(); err != nil {
		return err
	}
	outputs, err := c.parseFormats(formats)
	if err != nil {
		return err
	}
	l, err := c.load(ctx, w, files)
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
