package engine

import (
	"testing"

	"github.com/htgit/htgit/internal/check"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// TestFindingsOnePolicy: every source's findings, the checks' and a
// change's, pass the configured levels, ignores and --strict once.
func TestFindingsOnePolicy(t *testing.T) {
	dir := t.TempDir()
	ws := &workspace.Workspace{Root: dir, Dir: dir}
	checked := []finding.Finding{
		{Path: dir + "/models/a.yaml", Rule: rules.SchemaUnknownKey.ID, Severity: finding.Warning},
		{Path: dir + "/models/b.yaml", Rule: rules.ModelType.ID, Severity: finding.Warning},
	}
	p := &plan.Plan{Deleted: []plan.Resource{{Kind: workspace.Sync, Slug: "gone", Path: "syncs/gone.yaml", Change: gitdiff.Deleted}},
		Changed: []plan.Resource{{Kind: workspace.Sync, Slug: "new", Path: "syncs/new.yaml", Change: gitdiff.Renamed, OldSlug: "old", OldPath: "syncs/old.yaml"}}}
	policy := rules.Policy{
		Levels: map[string]rules.Level{rules.ChangeDeleted.ID: rules.Off},
		Ignore: []rules.Ignore{{Rule: rules.ModelType.ID, Paths: []string{"models/b.yaml"}}},
		Strict: true,
	}
	l := &Loaded{Discovered: &Discovered{WS: ws, Policy: policy}, Result: &check.Result{Findings: checked}, sources: checked}
	l.AddChange(p)
	got := l.Findings()
	if len(got) != 2 {
		t.Fatalf("findings %+v, want the unknown key and the rename", got)
	}
	for _, f := range got {
		if f.Severity != finding.Error {
			t.Errorf("%s: %v; --strict makes every source's warnings errors", f.Rule, f.Severity)
		}
	}
	if got[0].Rule != rules.SchemaUnknownKey.ID || got[1].Rule != rules.ChangeRenamed.ID {
		t.Errorf("rules %s, %s", got[0].Rule, got[1].Rule)
	}
	// Applying is idempotent: asking again gives the same.
	if again := l.Findings(); len(again) != 2 {
		t.Errorf("a second Findings gave %d", len(again))
	}
}
