package comment

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
	"github.com/htgit/htgit/internal/workspace"
)

// TestBody: the marker first, then what a reviewer must not miss
// (deletions, full resyncs), the counts and the errors in changed files,
// and the plan last.
func TestBody(t *testing.T) {
	root := filepath.FromSlash("/repo")
	p := &plan.Plan{From: "aaaaaaaaaaaaaaaa", To: "bbbbbbbbbbbbbbbb",
		Changed: []plan.Resource{{Kind: workspace.Sync, Slug: "new-sync", Path: "syncs/new.yaml", Change: gitdiff.Added}},
		Deleted: []plan.Resource{{Kind: workspace.Sync, Slug: "old-sync", Path: "syncs/old.yaml", Change: gitdiff.Deleted}},
		Runs:    []plan.Run{{Sync: "new-sync", Resync: plan.Resync{Kind: plan.ResyncNewSync}}}}
	in := report.Input{BaseDir: root, Stats: report.Stats{Files: 3, Syncs: 2},
		Findings: []finding.Finding{{Path: filepath.Join(root, "syncs/new.yaml"), Start: finding.Pos{Line: 4, Col: 3},
			Rule: "sync-model-missing", Severity: finding.Error, Message: "model \"x\" does not exist"}}}
	body, err := Body(Report{Input: in, All: finding.Counts{Errors: 1, Warnings: 2}, Plan: p, Subject: "Merging",
		Preview: "| Resource | Slug | Change | In Hightouch |\n|---|---|---|---|\n| sync | `new-sync` | added | create |\n\n`config.mode`: \"upsert\" → \"update\"\n", RunURL: "https://ci.example/run/1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, Marker+"\n") {
		t.Fatalf("body does not start with the marker:\n%s", body)
	}
	order := []string{"Deletions and full resyncs", "**deleted** sync `old-sync`", "**full resync** of sync `new-sync` (new sync)",
		"1 error(s) and 2 warning(s)", "https://ci.example/run/1", "syncs/new.yaml:4:3", "### Plan", `"upsert" → "update"`}
	at := 0
	for _, s := range order {
		i := strings.Index(body[at:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in\n%s", s, body)
		}
		at += i
	}
	if len(body) > MaxBytes {
		t.Errorf("body of %d bytes over %d", len(body), MaxBytes)
	}
}

// TestBodyCapped: a plan too long for a comment is cut to fit the
// smallest host limit.
func TestBodyCapped(t *testing.T) {
	body, err := Body(Report{Preview: strings.Repeat("| sync | `s` | modified | update |\n", 5000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > MaxBytes || !strings.HasPrefix(body, Marker) {
		t.Errorf("%d bytes, marker %v", len(body), strings.HasPrefix(body, Marker))
	}
}
