package cli

import (
	"encoding/json"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/deploy"
	"github.com/htgit/htgit/internal/workspace"
)

// hasFile reports whether ws has a model or sync file of a slug, read or
// not: --on-delete pause never pauses such a slug.
func hasFile(ws *workspace.Workspace) func(workspace.Kind, string) bool {
	have := map[workspace.Kind]map[string]bool{}
	for _, list := range [][]workspace.File{ws.Files, ws.Skipped, ws.Excluded} {
		for _, f := range list {
			if f.Kind.Resource() != workspace.NotDeployed {
				if have[f.Kind] == nil {
					have[f.Kind] = map[string]bool{}
				}
				have[f.Kind][f.Slug] = true
			}
		}
	}
	return func(k workspace.Kind, slug string) bool { return have[k][slug] }
}

// pausedSync is one entry of the Action's `paused` output.
type pausedSync struct {
	SyncSlug string `json:"syncSlug"`
	SyncID   string `json:"syncId"`
}

// setPausedOutput sets `paused`: the syncs the deploy paused, a JSON list.
func setPausedOutput(r *action.Runner, o *deploy.Outcome) error {
	list := []pausedSync{}
	for _, p := range o.Paused() {
		list = append(list, pausedSync{SyncSlug: p.Slug, SyncID: string(p.SyncID)})
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return r.SetOutput("paused", string(b))
}
