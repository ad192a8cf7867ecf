package plan

import (
	"cmp"
	"fmt"
	"path/filepath"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/rules"
)

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
		msg := fmt.Sprintf("%s %q is deleted here but Hightouch will not delete it; %s", d.Kind, d.Slug, d.Kind.Resource().Spec().Deleted)
		out = append(out, finding.Finding{Path: abs(d.Path), Rule: rules.ChangeDeleted.ID, Severity: rules.ChangeDeleted.Severity, Message: msg})
	}
	for _, r := range p.Changed {
		if r.Change != gitdiff.Renamed {
			continue
		}
		msg := fmt.Sprintf("renamed from %s: Hightouch will create a new %s %q and keep the old %q%s", r.OldPath, r.Kind, r.Slug, r.OldSlug, r.Kind.Resource().Spec().Renamed)
		out = append(out, finding.Finding{Path: abs(r.Path), Start: finding.Pos{Line: 1, Col: 1}, End: finding.Pos{Line: 1, Col: 1},
			Rule: rules.ChangeRenamed.ID, Severity: rules.ChangeRenamed.Severity, Message: msg})
	}
	return out
}
