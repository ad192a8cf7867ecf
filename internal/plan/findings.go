package plan

import (
	"cmp"
	"fmt"
	"path/filepath"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// ChangeFindings are Findings for changes Git reports without a plan (the
// index's, for validate --staged): top is Git's top level the paths are
// relative to, prefix the Git Sync folder relative to it ("" for top).
func ChangeFindings(top, prefix string, changes []gitdiff.Change) []finding.Finding {
	p := &Plan{Dir: top, Prefix: prefix}
	for _, c := range changes {
		p.classify(c, prefix)
	}
	p.pairMoves()
	return p.Findings(top)
}

// Findings are the warnings a reviewer must see about deletions and renames.
// The plan's paths are relative to p.Dir; repoDir is used only for a plan
// without one.
func (p *Plan) Findings(repoDir string) []finding.Finding {
	var out []finding.Finding
	base := cmp.Or(p.Dir, repoDir)
	abs := func(rel string) string { return filepath.Join(base, filepath.FromSlash(rel)) }
	for _, d := range p.Deleted {
		if d.Change != gitdiff.Deleted {
			continue // the old side of a rename: reported on the new file
		}
		msg := fmt.Sprintf("%s %q is deleted here but Hightouch will not delete it", d.Kind, d.Slug)
		switch d.Kind.Resource() {
		case workspace.SyncResource:
			msg += "; the sync keeps running on its schedule. To retire it: set schedulePaused: true, merge, then delete it in Hightouch"
		case workspace.ModelResource:
			msg += "; delete the model in Hightouch once no sync uses it"
		default:
			panic(fmt.Sprintf("plan: %v files are not deployed", d.Kind))
		}
		out = append(out, finding.Finding{Path: abs(d.Path), Rule: rules.ChangeDeleted.ID, Severity: rules.ChangeDeleted.Severity, Message: msg})
	}
	for _, r := range p.Changed {
		if r.Change != gitdiff.Renamed {
			continue
		}
		msg := fmt.Sprintf("renamed from %s: Hightouch will create a new %s %q and keep the old %q", r.OldPath, r.Kind, r.Slug, r.OldSlug)
		switch r.Kind.Resource() {
		case workspace.SyncResource:
			msg += ", which keeps running on its schedule; retire the old one in Hightouch or keep the old file name"
		case workspace.ModelResource:
			msg += "; delete the old model in Hightouch once no sync uses it, or keep the old file name"
		default:
			panic(fmt.Sprintf("plan: %v files are not deployed", r.Kind))
		}
		out = append(out, finding.Finding{Path: abs(r.Path), Start: finding.Pos{Line: 1, Col: 1}, End: finding.Pos{Line: 1, Col: 1},
			Rule: rules.ChangeRenamed.ID, Severity: rules.ChangeRenamed.Severity, Message: msg})
	}
	return out
}
