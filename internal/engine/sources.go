package engine

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/htgit/htgit/internal/check"
	"github.com/htgit/htgit/internal/dbt"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/policy"
	"github.com/htgit/htgit/internal/workspace"
)

// visitors are the checks that read every parsed file beside check's own:
// the configuration's policies and the dbt check. only is the run's report
// set.
func (e *Engine) visitors(d *Discovered, changes *changeSource, only []string) ([]check.Visitor, error) {
	ws := d.WS
	var out []check.Visitor
	if len(d.cfg.Policies) > 0 {
		var known []gitdiff.Change
		if slices.ContainsFunc(d.cfg.Policies, (*policy.Policy).ReadsChange) {
			known = changes.get()
		}
		out = append(out, policy.NewEvaluator(d.cfg.Policies, ws, policyChanges(ws, known)))
	}
	c, err := dbt.New(dbt.Options{Root: ws.Root, GitDir: ws.Dir, Project: d.cfg.DBT.Project, Manifest: d.cfg.DBT.Manifest,
		ProjectAt: d.cfg.DBT.ProjectAt, ManifestAt: d.cfg.DBT.ManifestAt, Changes: changes.get, ReportSet: only})
	if err != nil {
		return nil, err
	}
	return append(out, c), nil
}

// changeSource is the change the checks may ask for (relative to the
// root), worked out on first use: a run whose checks need none runs no git
// for it (the Action's deploy must look at Hightouch soon after it starts).
type changeSource struct {
	once    sync.Once
	compute func() []gitdiff.Change
	changes []gitdiff.Change
	asked   atomic.Bool
}

func newChangeSource(compute func() []gitdiff.Change) *changeSource {
	return &changeSource{compute: compute}
}

// get is the change; nil when none is known.
func (c *changeSource) get() []gitdiff.Change {
	c.once.Do(func() {
		c.changes = c.compute()
		c.asked.Store(true)
	})
	return c.changes
}

// known is the change when a check asked for it, else nil.
func (c *changeSource) known() []gitdiff.Change {
	if !c.asked.Load() {
		return nil
	}
	return c.changes
}

// policyChanges is how each workspace file changed, for a policy's
// `change`; nil when no change is known.
func policyChanges(ws *workspace.Workspace, changes []gitdiff.Change) policy.Changes {
	if changes == nil {
		return nil
	}
	out := policy.Changes{}
	for _, ch := range changes {
		switch ch.Status {
		case gitdiff.Added, gitdiff.Modified, gitdiff.Renamed:
			out[filepath.Join(ws.Root, filepath.FromSlash(ch.Path))] = ch.Status.String()
		case gitdiff.Deleted, gitdiff.Current:
		}
	}
	return out
}

// fromRoot makes changes relative to Git's top level relative to the
// repository root htgit was given, leaving out what lies outside it.
func fromRoot(changes []gitdiff.Change, top, root string) []gitdiff.Change {
	prefix, err := filepath.Rel(gitdiff.RealPath(top), gitdiff.RealPath(root))
	if err != nil || prefix == "." {
		return changes
	}
	prefix = filepath.ToSlash(prefix) + "/"
	out := []gitdiff.Change{}
	for _, ch := range changes {
		p, inPath := strings.CutPrefix(ch.Path, prefix)
		old, inOld := strings.CutPrefix(ch.OldPath, prefix)
		if inPath || inOld {
			out = append(out, gitdiff.Change{Status: ch.Status, Path: p, OldPath: old})
		}
	}
	return out
}

// knownChange is the change the options name (plan, deploy, the Action's
// pull request or push), for policies and the dbt check; nil when there is
// none or Git cannot tell it here: the plan reports why, and the checks
// then run as without a change.
func (e *Engine) knownChange(ctx context.Context, root string) []gitdiff.Change {
	o := e.Opts
	if o.All || o.From == "" || gitdiff.IsZero(o.From) {
		return nil
	}
	// The folder holding .git, found without running git.
	top, err := workspace.FindRoot(root)
	if err != nil {
		return nil
	}
	// The plan fetches a commit the clone lacks all the same: fetch it now.
	if gitdiff.EnsureCommit(ctx, top, o.From) != nil {
		return nil
	}
	diff, err := gitdiff.Changes(ctx, top, o.From, cmp.Or(o.To, "HEAD"), gitdiff.Options{MergeBase: o.FromIsBase})
	if err != nil {
		return nil
	}
	return fromRoot(diff.Changes, top, root)
}
