package engine

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/drift"
	"github.com/htgit/htgit/internal/workspace"
)

// Workspaces are the Hightouch workspaces the configuration declares
// (workspaces: in .htgit.yaml); none means one, keyed by HIGHTOUCH_API_KEY.
func (e *Engine) Workspaces() ([]config.Workspace, error) {
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	return cfg.Workspaces, nil
}

// Cfg is the configuration Workspaces (or Config) read.
func (e *Engine) Cfg() *config.Config { return e.cfg }

// ForBranch makes the run talk to the declared workspace whose Git Sync
// tracks branch (a deploy of a push, a plan of a change request into it).
// Without declared workspaces it changes nothing. A branch no workspace
// tracks is refused, naming the tracked ones.
func (e *Engine) ForBranch(branch string) error {
	cfg, err := e.Config()
	if err != nil || len(cfg.Workspaces) == 0 {
		return err
	}
	w, ok := cfg.Tracking(branch)
	if !ok {
		var tracked []string
		for _, w := range cfg.Workspaces {
			tracked = append(tracked, fmt.Sprintf("%s (workspace %s)", w.Branch, w.Name))
		}
		return Usagef("no workspace in %s tracks branch %q, so there is nothing to deploy it to; the tracked branches are %s",
			e.configName(), branch, strings.Join(tracked, ", "))
	}
	e.Use(w)
	return nil
}

// Use makes the run talk to workspace w: its branch is the tracked one, its
// manifest the one references must be in, its API URL (when it names one)
// and only its key, read from its variable ("" when that is not set).
func (e *Engine) Use(w config.Workspace) {
	e.workspace = w
	e.Opts.APIKey = strings.TrimSpace(e.Getenv(w.APIKeyEnv))
	e.Opts.Branch = w.Branch
	e.Opts.APIURL = cmp.Or(w.APIURL, e.Opts.APIURL)
}

// ForChangeRequest makes a change request's run talk to the declared
// workspace --workspace names, else to the one tracking the request's
// target branch: its plan is what that workspace will get (a request from
// staging into main shows production's). Into a branch no workspace
// tracks, it talks to none: validate and plan from Git alone.
func (e *Engine) ForChangeRequest(target string) error {
	if e.Opts.Workspace != "" {
		return e.UseNamed(e.Opts.Workspace)
	}
	cfg, err := e.Config()
	if err != nil {
		return err
	}
	if w, ok := cfg.Tracking(target); ok {
		e.Use(w)
	}
	return nil
}

// UseNamed makes the run talk to the declared workspace name (--workspace).
func (e *Engine) UseNamed(name string) error {
	cfg, err := e.Config()
	if err != nil {
		return err
	}
	w, ok := cfg.Named(name)
	if !ok {
		return Usagef("%s %q: %s declares %s", e.Opts.Origin.Name("workspace"), name, e.configName(), declared(cfg))
	}
	e.Use(w)
	return nil
}

// configName is the configuration file as the user would name it: relative
// to the working directory when it is below it.
func (e *Engine) configName() string {
	if e.cfg == nil || e.cfg.File == "" {
		return config.FileName
	}
	if rel, err := filepath.Rel(e.Dir, e.cfg.File); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return e.cfg.File
}

// declared names the declared workspaces, for messages.
func declared(cfg *config.Config) string {
	if len(cfg.Workspaces) == 0 {
		return "no workspaces"
	}
	var names []string
	for _, w := range cfg.Workspaces {
		names = append(names, w.Name)
	}
	return "the workspaces " + strings.Join(names, ", ")
}

// keyAdvice says how to give the run a key: the chosen workspace's
// variable, a workspace to choose, or HIGHTOUCH_API_KEY.
func (e *Engine) keyAdvice() string {
	switch {
	case e.workspace.Name != "":
		return "set " + e.workspace.APIKeyEnv
	case e.cfg != nil && len(e.cfg.Workspaces) > 0:
		return e.Opts.Origin.Pass("workspace", "NAME") + " and set that workspace's key"
	}
	return "set HIGHTOUCH_API_KEY"
}

// NeedKey refuses a command that must reach Hightouch without a key, saying
// where the key is read from.
func (e *Engine) NeedKey(command string) error {
	switch {
	case e.APIKey() != "":
		return nil
	case e.workspace.Name != "":
		return Usagef("%s needs workspace %s's API key in the environment variable %s (%s), which is not set; set it from a secret", command, e.workspace.Name, e.workspace.APIKeyEnv, e.configName())
	case e.Opts.Origin == FromInputs:
		return Usagef("%s needs the Hightouch API key: set the input `api-key` from a secret, or the environment variable HIGHTOUCH_API_KEY", command)
	}
	return Usagef("%s needs the Hightouch API key in the environment variable HIGHTOUCH_API_KEY (never as a flag: it would land in shell history)", command)
}

// checkManifests refuses a declared workspace with no manifest in the Git
// Sync folder: its name would match no manifest-<workspace>.yaml.
func checkManifests(cfg *config.Config, ws *workspace.Workspace) error {
	have := map[string]bool{}
	for _, list := range [][]workspace.File{ws.Files, ws.Skipped, ws.Excluded} {
		for _, f := range list {
			if f.Kind == workspace.Manifest {
				have[strings.TrimSuffix(strings.TrimSuffix(path.Base(f.Rel), ".yaml"), ".yml")] = true
			}
		}
	}
	for _, w := range cfg.Workspaces {
		if !have["manifest-"+w.Name] {
			return &UsageError{Msg: cfg.Errorf(w.Line, w.Col, "workspace %s has no manifest-%s.yaml in %s; name each workspace as Git Sync names its manifest", w.Name, w.Name, ws.Dir).Error()}
		}
	}
	return nil
}

// WorkspaceDrift is one declared workspace's drift report, or why it was
// not checked.
type WorkspaceDrift struct {
	Name    string
	Report  *drift.Report // nil when not checked
	Skipped string        // why not
}

// DriftAll compares the files with every declared workspace whose key is
// set (only the one named, when name is not ""). Without declared
// workspaces it is Drift's one report, under the name "".
func (e *Engine) DriftAll(ctx context.Context, command, name string) ([]WorkspaceDrift, error) {
	all, err := e.Workspaces()
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		if name != "" {
			return nil, e.UseNamed(name) // says there is none to use
		}
		r, err := e.Drift(ctx, command)
		return []WorkspaceDrift{{Report: r}}, err
	}
	var out []WorkspaceDrift
	checked := 0
	var d *Discovered // the same files for every workspace: read once
	for _, w := range all {
		if name != "" && w.Name != name {
			continue
		}
		if strings.TrimSpace(e.Getenv(w.APIKeyEnv)) == "" && name == "" {
			out = append(out, WorkspaceDrift{Name: w.Name, Skipped: fmt.Sprintf("%s is not set", w.APIKeyEnv)})
			continue
		}
		if d == nil {
			if d, err = e.Discover(); err != nil {
				return nil, err
			}
		}
		one := *e
		one.Opts.APIKey = ""
		one.Use(w)
		r, err := one.driftOf(ctx, d, command)
		if err != nil {
			return nil, fmt.Errorf("workspace %s: %w", w.Name, err)
		}
		out = append(out, WorkspaceDrift{Name: w.Name, Report: r})
		checked++
	}
	if name != "" && len(out) == 0 {
		return nil, e.UseNamed(name) // says which are declared
	}
	if checked == 0 {
		var vars []string
		for _, w := range all {
			vars = append(vars, w.APIKeyEnv)
		}
		return nil, Usagef("%s needs the API key of at least one declared workspace: set %s", command, strings.Join(vars, " or "))
	}
	return out, nil
}
