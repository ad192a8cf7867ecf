package cli

import (
	"encoding/json"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/deploy"
)

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
