package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// What --on-delete does with a sync whose file the change deleted or
// renamed away: warn (Hightouch keeps it running) or pause it.
const (
	OnDeleteWarn  = "warn"
	OnDeletePause = "pause"
)

// Results of a Retirement.
const (
	RetirePaused        = "paused"
	RetireWouldPause    = "would pause"
	RetireAlreadyPaused = "already paused"
	RetireNotInHT       = "not in Hightouch"
	RetireKept          = "kept: a file with this slug exists in the workspace"
	// A later deploy pauses what its own change deletes, so only a deploy
	// of this change again keeps this deletion's promise.
	RetireNotRun = "not paused: the deploy did not succeed; deploy this change again (re-run the job) to pause it, or pause it in Hightouch: a deploy of a later change does not see this deletion"
	RetireModel  = "a model cannot be paused"
)

// Retirement is what --on-delete pause did (or would do) with one deleted
// or renamed-away model or sync.
type Retirement struct {
	Kind   workspace.Kind
	Slug   string
	Path   string // the deleted file, repo-relative
	SyncID hightouch.ID
	Result string   // one of the Retire* results, or "failed: ..."
	UsedBy []string // a model: the syncs in Hightouch that still read it
	Failed bool
}

func (r Retirement) String() string {
	s := fmt.Sprintf("%s %s: %s", r.Kind, r.Slug, r.Result)
	if len(r.UsedBy) > 0 {
		s += "; syncs in Hightouch still using it: " + strings.Join(r.UsedBy, ", ")
	}
	return s
}

// Retirements lists what --on-delete pause would consider, from the plan
// alone: the deleted and renamed-away syncs and models, except those whose
// slug still has a file (exists reports that).
func Retirements(p *plan.Plan, exists func(workspace.Kind, string) bool) []Retirement {
	var out []Retirement
	seen := map[string]bool{}
	for _, d := range p.Deleted {
		key := d.Kind.String() + " " + d.Slug
		if seen[key] {
			continue
		}
		seen[key] = true
		r := Retirement{Kind: d.Kind, Slug: d.Slug, Path: d.Path, Result: RetireWouldPause}
		switch {
		case exists != nil && exists(d.Kind, d.Slug):
			r.Result = RetireKept
		case d.Kind.Resource() == workspace.ModelResource:
			r.Result = RetireModel
		}
		out = append(out, r)
	}
	return out
}

// retire pauses (or with dryRun says it would pause) each deleted sync
// Hightouch has and runs, and names the syncs still reading each deleted
// model. Paused syncs are not patched again.
func (d *deployer) retire(ctx context.Context, dryRun bool) []Retirement {
	if d.OnDelete != OnDeletePause {
		return nil
	}
	out := Retirements(d.Plan, d.Exists)
	for i := range out {
		r := &out[i]
		if r.Result == RetireKept {
			continue
		}
		if r.Kind.Resource() == workspace.ModelResource {
			r.UsedBy = d.snap.SyncsOfModel(r.Slug)
			if _, ok := d.snap.Models[r.Slug]; !ok {
				r.Result = RetireNotInHT
			} else if len(r.UsedBy) == 0 {
				r.Result += "; no sync in Hightouch uses it: delete it there"
			}
			continue
		}
		s, ok := d.snap.Syncs[r.Slug]
		c, conflict := d.snap.Conflicted("sync", r.Slug)
		switch {
		case conflict:
			// Which of the two the file was is unknown: pausing either
			// could stop the wrong one.
			r.Result, r.Failed = "not paused: "+c.String()+"; pause the right one in Hightouch", true
		case !ok:
			r.Result = RetireNotInHT
		case s.Disabled:
			r.SyncID, r.Result = s.ID, RetireAlreadyPaused
		case dryRun:
			r.SyncID = s.ID
		default:
			r.SyncID = s.ID
			if _, err := d.Client.PauseSync(ctx, s.ID); err != nil {
				r.Result, r.Failed = "failed: "+err.Error(), true
			} else {
				r.Result = RetirePaused
			}
		}
		if !dryRun {
			d.logf("%s", r)
		}
	}
	return out
}

// skipRetire marks what a failed deploy leaves running.
func (d *deployer) skipRetire() []Retirement {
	if d.OnDelete != OnDeletePause {
		return nil
	}
	out := Retirements(d.Plan, d.Exists)
	for i := range out {
		if out[i].Kind.Resource() == workspace.SyncResource && out[i].Result == RetireWouldPause {
			out[i].Result = RetireNotRun
			d.logf("%s", out[i])
		}
	}
	return out
}

// Paused lists the syncs this deploy paused.
func (o *Outcome) Paused() []Retirement {
	var out []Retirement
	for _, r := range o.Retired {
		if r.Result == RetirePaused {
			out = append(out, r)
		}
	}
	return out
}
