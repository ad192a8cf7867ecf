package plan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// TestMain isolates every git run from the machine's config and from any
// repository the tests happen to run inside.
func TestMain(m *testing.M) {
	gittest.Isolate()
	os.Exit(m.Run())
}

func model(source, sql, pk string) string {
	return fmt.Sprintf("name: M\nsource: %s\ntype: raw_sql\nrawSql: %q\ntableName: null\ndbtModel: null\nisSchema: false\nprimaryKey: %s\n", source, sql, pk)
}

func syncFile(model, dest string, paused string, extra string) string {
	return fmt.Sprintf("model: %s\ndestination: %s\nconfig:\n  mode: upsert\n  object: users%s\nschedule:\n  type: manual\nschedulePaused: %s\n", model, dest, extra, paused)
}

// base is the workspace every case starts from, under hightouch/, with
// Git Sync look-alikes outside it that must be ignored.
func base(sub string) map[string]string {
	files := map[string]string{
		"models/accounts.yaml":        model("pg", "select * from accounts", "account_id"),
		"models/users.yaml":           model("snow", "select * from users", "user_id"),
		"syncs/accounts-to-sf.yaml":   syncFile("accounts", "sf", "false", ""),
		"syncs/users-to-braze.yaml":   syncFile("users", "braze", "false", ""),
		"syncs/team/users-audit.yaml": syncFile("users", "braze", "false", ""),
		"syncs/users-paused.yaml":     syncFile("users", "braze", "True", ""),
		"manifest.yaml":               "sources:\n  pg: {name: PG, type: postgres}\n  snow: {name: S, type: snowflake}\ndestinations:\n  sf: {name: SF, type: salesforce}\n  braze: {name: B, type: braze}\n",
	}
	out := map[string]string{"README.md": "hello\n", "other/models/outside.yaml": model("pg", "select 1", "id"), "models/root-level.yaml": model("pg", "select 2", "id")}
	for k, v := range files {
		out[pathJoin(sub, k)] = v
	}
	return out
}

func pathJoin(sub, rel string) string {
	if sub == "" {
		return rel
	}
	return sub + "/" + rel
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 8*time.Second)
	t.Cleanup(cancel)
	return c
}

// setup makes a repository with the base workspace under sub, applies
// change in a second commit (renames are "old=>new" keys with new content,
// or "" to keep it) and returns the directory, both commits and the
// workspace at the second commit.
func setup(t *testing.T, sub string, change map[string]string) (dir, from, to string, ws *workspace.Workspace) {
	t.Helper()
	dir, from = gittest.Seed(t, base(sub))
	files := map[string]string{}
	for k, v := range change {
		old, nu, isRename := strings.Cut(k, "=>")
		if !isRename {
			files[pathJoin(sub, k)] = v
			continue
		}
		oldPath, newPath := pathJoin(sub, old), pathJoin(sub, nu)
		if v == "" {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(oldPath)))
			if err != nil {
				t.Fatal(err)
			}
			v = string(b)
		}
		files[oldPath], files[newPath] = "", v
	}
	to = gittest.Commit(t, dir, "change", files)
	ws, _, err := workspace.Discover(workspace.Options{Root: dir, Path: sub})
	if err != nil {
		t.Fatal(err)
	}
	return dir, from, to, ws
}

func resources(rs []Resource) []string {
	out := []string{}
	for _, r := range rs {
		s := fmt.Sprintf("%s %s %s", r.Change, r.Kind, r.Slug)
		if r.OldSlug != "" {
			s += " from " + r.OldSlug
		}
		out = append(out, s)
	}
	return out
}

func runs(rs []Run) []string {
	out := []string{}
	for _, r := range rs {
		how := r.how()
		if r.Skip != "" {
			how = "skipped: " + r.Skip
		}
		out = append(out, r.Sync+": "+r.Reason.String()+"; "+how)
	}
	return out
}

func TestBuild(t *testing.T) {
	const (
		accountsModified = "accounts-to-sf: model accounts modified; incremental"
		pausedSkipped    = "users-paused: model users modified; skipped: paused (schedulePaused: true; pass --include-paused to run it)"
	)
	tests := []struct {
		name          string
		sub           string // Git Sync folder; default hightouch
		change        map[string]string
		fullResync    string
		includePaused bool
		changed       []string
		deleted       []string
		runs          []string
	}{
		{
			name:    "sync added: new, full resync",
			change:  map[string]string{"syncs/new-sync.yaml": syncFile("accounts", "sf", "false", "")},
			changed: []string{"added sync new-sync"},
			runs:    []string{"new-sync: sync added; full resync (new sync)"},
		},
		{
			name:    "sync modified: incremental",
			change:  map[string]string{"syncs/accounts-to-sf.yaml": syncFile("accounts", "sf", "false", "\n  extra: 1")},
			changed: []string{"modified sync accounts-to-sf"},
			runs:    []string{"accounts-to-sf: sync modified; incremental"},
		},
		{
			name:    "model SQL modified: its syncs, paused one skipped, other model's sync untouched",
			change:  map[string]string{"models/users.yaml": model("snow", "select id from users", "user_id")},
			changed: []string{"modified model users"},
			runs: []string{
				"users-audit: model users modified; incremental",
				pausedSkipped,
				"users-to-braze: model users modified; incremental",
			},
		},
		{
			name:    "model primary key changed: full resync of its syncs",
			change:  map[string]string{"models/accounts.yaml": model("pg", "select * from accounts", "id")},
			changed: []string{"modified model accounts"},
			runs:    []string{`accounts-to-sf: model accounts modified; full resync (primary key of accounts changed from "account_id" to "id")`},
		},
		{
			name:          "include paused",
			change:        map[string]string{"models/users.yaml": model("snow", "select 3", "user_id")},
			includePaused: true,
			changed:       []string{"modified model users"},
			runs: []string{
				"users-audit: model users modified; incremental",
				"users-paused: model users modified; incremental",
				"users-to-braze: model users modified; incremental",
			},
		},
		{
			name:    "model and its sync changed: the sync once, as a sync change",
			change:  map[string]string{"models/accounts.yaml": model("pg", "select 9", "account_id"), "syncs/accounts-to-sf.yaml": syncFile("accounts", "sf", "false", "\n  x: y")},
			changed: []string{"modified model accounts", "modified sync accounts-to-sf"},
			runs:    []string{"accounts-to-sf: sync modified; incremental"},
		},
		{
			name:    "sync deleted: reported, not run",
			change:  map[string]string{"syncs/accounts-to-sf.yaml": ""},
			deleted: []string{"deleted sync accounts-to-sf"},
		},
		{
			name:    "model deleted: reported, its syncs not run",
			change:  map[string]string{"models/accounts.yaml": ""},
			deleted: []string{"deleted model accounts"},
		},
		{
			name:    "sync renamed: a new slug, the old one reported",
			change:  map[string]string{"syncs/accounts-to-sf.yaml=>syncs/accounts-to-salesforce.yaml": ""},
			changed: []string{"renamed sync accounts-to-salesforce from accounts-to-sf"},
			deleted: []string{"renamed sync accounts-to-sf"},
			runs:    []string{"accounts-to-salesforce: sync renamed; full resync (new sync)"},
		},
		{
			name: "model renamed and its sync repointed",
			change: map[string]string{
				"models/accounts.yaml=>models/companies.yaml": "",
				"syncs/accounts-to-sf.yaml":                   syncFile("companies", "sf", "false", ""),
			},
			changed: []string{"renamed model companies from accounts", "modified sync accounts-to-sf"},
			deleted: []string{"renamed model accounts"},
			runs:    []string{"accounts-to-sf: sync modified; incremental"},
		},
		{
			name:    "sync moved between subfolders keeping its slug: the same sync",
			change:  map[string]string{"syncs/accounts-to-sf.yaml=>syncs/crm/accounts-to-sf.yaml": ""},
			changed: []string{"modified sync accounts-to-sf"},
			runs:    []string{"accounts-to-sf: sync modified; incremental"},
		},
		{
			name:    "model moved between subfolders with a new primary key",
			change:  map[string]string{"models/accounts.yaml=>models/crm/accounts.yaml": model("pg", "select * from accounts", "id")},
			changed: []string{"modified model accounts"},
			runs:    []string{`accounts-to-sf: model accounts modified; full resync (primary key of accounts changed from "account_id" to "id")`},
		},
		{
			// Rewritten beyond rename detection: Git sees a deletion and an
			// addition, but the slug is the same resource.
			name:    "sync moved and rewritten: still the same sync",
			change:  map[string]string{"syncs/accounts-to-sf.yaml=>syncs/crm/accounts-to-sf.yaml": "# rewritten\nmodel: accounts\ndestination: sf\nschedule:\n  type: interval\n  schedule:\n    interval:\n      unit: day\n      quantity: 2\nconfig:\n  object: Account\n  mode: update\n  mappings:\n    - from: a\n      to: b\n      type: standard\n    - from: c\n      to: d\n      type: standard\nschedulePaused: false\n"},
			changed: []string{"modified sync accounts-to-sf"},
			runs:    []string{"accounts-to-sf: sync modified; incremental"},
		},
		{
			name: "files outside the Git Sync folder are ignored",
			change: map[string]string{
				"../README.md":                 "changed\n",
				"../other/models/outside.yaml": model("pg", "select 5", "id"),
				"../models/root-level.yaml":    "",
				"../models/new-root.yaml":      model("pg", "select 6", "id"),
			},
		},
		{
			name:    "Git Sync at the repository root",
			sub:     ".",
			change:  map[string]string{"syncs/users-to-braze.yaml": syncFile("users", "braze", "false", "\n  z: 1")},
			changed: []string{"modified sync users-to-braze"},
			runs:    []string{"users-to-braze: sync modified; incremental"},
		},
		{
			name:       "full resync never",
			fullResync: ResyncNever,
			change:     map[string]string{"syncs/new-sync.yaml": syncFile("accounts", "sf", "false", ""), "models/accounts.yaml": model("pg", "select *", "id")},
			changed:    []string{"modified model accounts", "added sync new-sync"},
			runs:       []string{"accounts-to-sf: model accounts modified; incremental", "new-sync: sync added; incremental"},
		},
		{
			name:       "full resync always",
			fullResync: ResyncAlways,
			change:     map[string]string{"syncs/accounts-to-sf.yaml": syncFile("accounts", "sf", "false", "\n  q: 1")},
			changed:    []string{"modified sync accounts-to-sf"},
			runs:       []string{"accounts-to-sf: sync modified; full resync (--full-resync always)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sub := tt.sub
			switch sub {
			case "":
				sub = "hightouch"
			case ".":
				sub = ""
			}
			dir, from, to, ws := setupOutside(t, sub, tt.change)
			p, err := Build(ctx(t), ws, Options{RepoDir: dir, From: from, To: to, FullResync: tt.fullResync, IncludePaused: tt.includePaused})
			if err != nil {
				t.Fatal(err)
			}
			check(t, "changed", resources(p.Changed), tt.changed)
			check(t, "deleted", resources(p.Deleted), tt.deleted)
			check(t, "runs", runs(p.Runs), tt.runs)
			if sub != "" {
				for _, f := range p.Files {
					if !strings.HasPrefix(f, sub+"/") {
						t.Errorf("Files has %s, outside %s/", f, sub)
					}
				}
			}
		})
	}
}

// setupOutside is setup where keys starting with "../" are relative to the
// repository instead of the Git Sync folder.
func setupOutside(t *testing.T, sub string, change map[string]string) (string, string, string, *workspace.Workspace) {
	t.Helper()
	if sub == "" {
		return setup(t, sub, change)
	}
	inside := map[string]string{}
	outside := map[string]string{}
	for k, v := range change {
		if rest, ok := strings.CutPrefix(k, "../"); ok {
			outside[rest] = v
		} else {
			inside[k] = v
		}
	}
	dir, from, _, _ := setup(t, sub, inside)
	// setup committed the inside changes; add the outside ones to the
	// same second commit.
	gittest.Write(t, dir, outside)
	gittest.Run(t, dir, "add", "-A")
	gittest.Run(t, dir, "commit", "-q", "--amend", "--no-edit", "--allow-empty")
	to := gittest.Run(t, dir, "rev-parse", "HEAD")
	ws, _, err := workspace.Discover(workspace.Options{Root: dir, Path: sub})
	if err != nil {
		t.Fatal(err)
	}
	return dir, from, to, ws
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestBuildAll(t *testing.T) {
	dir, _, _, ws := setup(t, "hightouch", nil)
	// --all needs no Git: not even a repository.
	if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	p, err := Build(ctx(t), ws, Options{RepoDir: dir, All: true})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "changed", resources(p.Changed), []string{
		"current model accounts", "current model users",
		"current sync accounts-to-sf", "current sync users-audit", "current sync users-paused", "current sync users-to-braze",
	})
	check(t, "deleted", resources(p.Deleted), nil)
	check(t, "runs", runs(p.Runs), []string{
		"accounts-to-sf: every sync treated as changed; incremental",
		"users-audit: every sync treated as changed; incremental",
		"users-paused: every sync treated as changed; skipped: paused (schedulePaused: true; pass --include-paused to run it)",
		"users-to-braze: every sync treated as changed; incremental",
	})
	if p.Triggered() != 3 {
		t.Errorf("Triggered() = %d, want 3", p.Triggered())
	}
	var text strings.Builder
	p.WriteText(&text)
	if !strings.Contains(text.String(), "for every sync, treated as changed without Git") || !strings.Contains(text.String(), "Syncs to trigger (3):") {
		t.Errorf("WriteText:\n%s", text.String())
	}
	p, err = Build(ctx(t), ws, Options{RepoDir: dir, All: true, FullResync: ResyncAlways, IncludePaused: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Triggered() != 4 || !p.Runs[2].Resync.Full() {
		t.Errorf("--all --full-resync always --include-paused: %q", runs(p.Runs))
	}
}

func TestBuildErrors(t *testing.T) {
	dir, from, _, ws := setup(t, "hightouch", nil)
	if _, err := Build(ctx(t), ws, Options{RepoDir: dir, From: strings.Repeat("0", 40)}); !errors.Is(err, gitdiff.ErrNewBranch) {
		t.Errorf("zero from: %v, want ErrNewBranch", err)
	}
	var missing *gitdiff.MissingCommitError
	if _, err := Build(ctx(t), ws, Options{RepoDir: dir, From: strings.Repeat("ab", 20)}); !errors.As(err, &missing) {
		t.Errorf("unknown from: %v, want a MissingCommitError", err)
	}
	if _, err := Build(ctx(t), ws, Options{RepoDir: dir, From: from, FullResync: "sometimes"}); !errors.Is(err, ErrFullResyncMode) || !strings.Contains(err.Error(), `full resync mode "sometimes": use never, always or auto`) {
		t.Errorf("bad mode: %v", err)
	}
	p, err := Build(ctx(t), ws, Options{RepoDir: dir, From: from})
	if err != nil {
		t.Fatal(err)
	}
	if p.To != "HEAD" || p.FullRules != ResyncAuto || len(p.Runs) != 0 {
		t.Errorf("defaults: To %q, FullRules %q, runs %q", p.To, p.FullRules, runs(p.Runs))
	}
	var text strings.Builder
	p.WriteText(&text)
	if !strings.Contains(text.String(), "no model or sync changed") || !strings.Contains(text.String(), "No sync to trigger.") {
		t.Errorf("WriteText of an empty plan:\n%s", text.String())
	}
}

func TestFindings(t *testing.T) {
	dir, from, to, ws := setup(t, "hightouch", map[string]string{
		"syncs/accounts-to-sf.yaml":                             "",
		"models/accounts.yaml":                                  "",
		"syncs/users-to-braze.yaml=>syncs/users-to-braze2.yaml": "",
		"models/users.yaml=>models/people.yaml":                 "",
	})
	p, err := Build(ctx(t), ws, Options{RepoDir: dir, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	fs := p.Findings(dir)
	got := map[string]string{}
	for _, f := range fs {
		rel, _ := filepath.Rel(dir, f.Path)
		got[filepath.ToSlash(rel)] = f.Rule + ": " + f.Message
	}
	want := map[string][]string{
		"hightouch/syncs/accounts-to-sf.yaml": {rules.ChangeDeleted.ID, `sync "accounts-to-sf" is deleted here but Hightouch will not delete it`, "keeps running on its schedule", "schedulePaused: true"},
		"hightouch/models/accounts.yaml":      {rules.ChangeDeleted.ID, `model "accounts" is deleted here but Hightouch will not delete it`, "delete the model in Hightouch once no sync uses it"},
		"hightouch/syncs/users-to-braze2.yaml": {rules.ChangeRenamed.ID, "renamed from hightouch/syncs/users-to-braze.yaml",
			`Hightouch will create a new sync "users-to-braze2" and keep the old "users-to-braze"`, "keeps running on its schedule"},
		"hightouch/models/people.yaml": {rules.ChangeRenamed.ID, `Hightouch will create a new model "people" and keep the old "users"`},
	}
	if len(got) != len(want) || len(fs) != len(want) {
		t.Errorf("findings: %q", got)
	}
	for path, parts := range want {
		msg, ok := got[path]
		if !ok {
			t.Errorf("no finding for %s", path)
			continue
		}
		for _, part := range parts {
			if !strings.Contains(msg, part) {
				t.Errorf("%s: %q lacks %q", path, msg, part)
			}
		}
	}
	for _, f := range fs {
		if f.Severity != rules.ChangeDeleted.Severity {
			t.Errorf("%s: severity %v", f.Path, f.Severity)
		}
	}
	// The summary shows both deletions and where renames came from.
	md := p.Markdown("Merging")
	for _, part := range []string{"| sync | `users-to-braze2` | renamed (from users-to-braze; Hightouch keeps users-to-braze) |", "Merging triggers"} {
		if !strings.Contains(md, part) {
			t.Errorf("Markdown lacks %q:\n%s", part, md)
		}
	}
	var text strings.Builder
	p.WriteText(&text)
	for _, part := range []string{"deleted  sync  accounts-to-sf (Hightouch keeps it)", "deleted  model accounts (Hightouch keeps it)"} {
		if !strings.Contains(text.String(), part) {
			t.Errorf("WriteText lacks %q:\n%s", part, text.String())
		}
	}
}

// TestBuildRootBelowTopLevel: --root names a folder inside the repository,
// and Git reports paths from its top level.
func TestBuildRootBelowTopLevel(t *testing.T) {
	dir := gittest.Init(t)
	files := map[string]string{}
	for k, v := range base("") {
		files["sub/"+k] = v
	}
	from := gittest.Commit(t, dir, "change", files)
	to := gittest.Commit(t, dir, "change", map[string]string{"sub/models/accounts.yaml": model("pg", "select 1", "id")})
	root := filepath.Join(dir, "sub")
	ws, _, err := workspace.Discover(workspace.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(ctx(t), ws, Options{RepoDir: root, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "changed", resources(p.Changed), []string{"modified model accounts"})
	check(t, "runs", runs(p.Runs), []string{`accounts-to-sf: model accounts modified; full resync (primary key of accounts changed from "account_id" to "id")`})
	if p.Changed[0].Path != "sub/models/accounts.yaml" || p.Runs[0].Path != "sub/syncs/accounts-to-sf.yaml" {
		t.Errorf("paths: %s, %s; want them relative to the top level", p.Changed[0].Path, p.Runs[0].Path)
	}
	if _, err := os.Stat(filepath.Join(p.Dir, p.Changed[0].Path)); err != nil {
		t.Errorf("Dir %s + Path: %v", p.Dir, err)
	}
}

// TestCountsMatchLists: the count says how many syncs run, and the paused
// ones are listed apart with the reason, in the log and in the summary;
// the summary's subject says who triggers them.
func TestCountsMatchLists(t *testing.T) {
	dir, from, to, ws := setup(t, "hightouch", map[string]string{"models/users.yaml": model("snow", "select id from users", "user_id")})
	p, err := Build(ctx(t), ws, Options{RepoDir: dir, From: from, To: to, PausedAdvice: "set the input `include-paused: true` to run it"})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	p.WriteText(&text)
	want := "Syncs to trigger (2):\n" +
		"  users-audit     model users modified; incremental\n" +
		"  users-to-braze  model users modified; incremental\n" +
		"Syncs not triggered (1):\n" +
		"  users-paused    model users modified; paused (schedulePaused: true; set the input `include-paused: true` to run it)\n"
	if !strings.HasSuffix(text.String(), want) {
		t.Errorf("WriteText:\n%s\nwant it to end with:\n%s", text.String(), want)
	}
	md := p.Markdown("This push")
	for _, part := range []string{
		"This push triggers 2 sync(s):\n\n| Sync | Why | Run |\n|---|---|---|\n| `users-audit` | model users modified | incremental |\n| `users-to-braze` | model users modified | incremental |\n\n",
		"Not triggered (1):\n\n| Sync | Why | Reason not triggered |\n|---|---|---|\n| `users-paused` | model users modified | paused (schedulePaused: true; set the input `include-paused: true` to run it) |\n",
	} {
		if !strings.Contains(md, part) {
			t.Errorf("Markdown lacks\n%s\nin:\n%s", part, md)
		}
	}
	if strings.Contains(md, "Merging") {
		t.Errorf("a push's summary speaks of merging:\n%s", md)
	}
}

// TestPrimaryKeyInvalidBefore: fixing an empty primaryKey is no change Git
// can judge: no full resync from the plan; with Hightouch's key,
// SettleKeys resyncs only if Hightouch has another key.
func TestPrimaryKeyInvalidBefore(t *testing.T) {
	dir, _, broken, _ := setup(t, "hightouch", map[string]string{"models/accounts.yaml": model("pg", "select * from accounts", `""`)})
	fixed := gittest.Commit(t, dir, "fix the key", map[string]string{"hightouch/models/accounts.yaml": model("pg", "select * from accounts", "account_id")})
	ws, _, err := workspace.Discover(workspace.Options{Root: dir, Path: "hightouch"})
	if err != nil {
		t.Fatal(err)
	}
	build := func() *Plan {
		p, err := Build(ctx(t), ws, Options{RepoDir: dir, From: broken, To: fixed})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := build()
	check(t, "runs", runs(p.Runs), []string{"accounts-to-sf: model accounts modified; incremental"})
	if p.Runs[0].CheckKey != "account_id" {
		t.Errorf("CheckKey = %q, want the key to compare with Hightouch's", p.Runs[0].CheckKey)
	}
	p.SettleKeys(func(string) (string, bool) { return "account_id", true })
	check(t, "runs, Hightouch has the same key", runs(p.Runs), []string{"accounts-to-sf: model accounts modified; incremental"})
	p = build()
	p.SettleKeys(func(m string) (string, bool) { return map[string]string{"accounts": "id"}[m], m == "accounts" })
	check(t, "runs, Hightouch has another key", runs(p.Runs), []string{`accounts-to-sf: model accounts modified; full resync (primary key of accounts in Hightouch is "id", the workspace now gives "account_id")`})
}

// TestChangeFindings: the deletions and renames Git reports without a plan
// (validate --staged) give the findings a plan of the same change gives.
func TestChangeFindings(t *testing.T) {
	t.Parallel()
	dir, from, to, ws := setup(t, "hightouch", map[string]string{
		"syncs/accounts-to-sf.yaml":             "",
		"models/users.yaml=>models/people.yaml": "",
	})
	p, err := Build(ctx(t), ws, Options{RepoDir: dir, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	diff, err := gitdiff.Changes(ctx(t), dir, from, to, gitdiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, want := ChangeFindings(dir, "hightouch", diff.Changes), p.Findings(dir)
	if len(want) != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("ChangeFindings:\n%v\nwant the plan's\n%v", got, want)
	}
}
