package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

const manifest = "sources:\n  snowflake: {name: Snowflake, type: snowflake}\ndestinations:\n  braze: {name: Braze, type: braze}\n  hubspot: {name: HubSpot, type: hubspot}\n"

func TestReferenceRules(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		rel   string
		want  []want
	}{
		{"model slug with closest", map[string]string{"syncs/users-to-braze.yaml": syncEdit("model: users", "model: user")},
			"syncs/users-to-braze.yaml", []want{{"sync-model-ref", "1:8-1:12", `model "user" is not a model slug in this workspace (no models/user.yaml); closest slugs: users`}}},
		{"model given by name", map[string]string{"syncs/users-to-braze.yaml": syncEdit("model: users", "model: Users")},
			"syncs/users-to-braze.yaml", []want{{"sync-model-ref", "1:8-1:13", "it is the name of model models/users.yaml: use its slug `users`"}}},
		{"model far from any slug", map[string]string{"syncs/users-to-braze.yaml": syncEdit("model: users", "model: invoices-by-region")},
			"syncs/users-to-braze.yaml", []want{{"sync-model-ref", "1:8-1:26", "set it to the file name of a model, without .yaml"}}},
		{"model in a subfolder resolves", map[string]string{"models/users.yaml": "", "models/crm/users.yaml": baseModel},
			"syncs/users-to-braze.yaml", nil},
		{"model too large to read still resolves", map[string]string{"models/users.yaml": baseModel + "# " + string(make([]byte, workspace.DefaultMaxSize)) + "\n"},
			"syncs/users-to-braze.yaml", nil},
		{"unparsable model still resolves", map[string]string{"models/users.yaml": "name: [\n"},
			"syncs/users-to-braze.yaml", nil},
		{"no manifest: references are not checked, and a notice says so once", map[string]string{"manifest.yaml": "", "syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: anything")},
			"models/users.yaml", []want{{"manifest-missing", "2:9-2:18", "no manifest*.yaml in the Git Sync folder, so 1 source and 1 destination reference(s), this one among them, were not checked"}}},
		{"destination not in the manifest", map[string]string{"manifest.yaml": manifest, "syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: brase")},
			"syncs/users-to-braze.yaml", []want{{"sync-destination-ref", "2:14-2:19", `destination "brase" is not listed in manifest.yaml; closest: braze`}}},
		{"source not in the manifest", map[string]string{"manifest.yaml": manifest, "models/users.yaml": model("source: snowflake", "source: postgres")},
			"models/users.yaml", []want{{"model-source-ref", "2:9-2:17", `source "postgres" is not listed in manifest.yaml; closest source slugs: snowflake`}}},
		{"manifest without destinations: not checked", map[string]string{"manifest.yaml": "sources: {snowflake: {}}\n", "syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: x")},
			"syncs/users-to-braze.yaml", nil},
		{"manifest with empty destinations: not checked", map[string]string{"manifest.yaml": "sources: {snowflake: {}}\ndestinations:\n", "syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: x")},
			"syncs/users-to-braze.yaml", nil},
		{"two workspaces: a slug one manifest lacks is a warning", map[string]string{"manifest.yaml": manifest, "manifest-eu.yaml": "destinations: {braze-eu: {}}\n", "syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: braze-eu")},
			"syncs/users-to-braze.yaml", []want{{"sync-destination-ref", "2:14-2:22", "is listed in manifest-eu.yaml but not in manifest.yaml: Git Sync cannot ingest this file into the workspace of manifest.yaml"}}},
		{"a slug an aliases file names is known", map[string]string{"manifest.yaml": manifest, "manifest-eu.yaml": "destinations: {braze-eu: {}}\n", "aliases-eu.yaml": "destinations:\n  braze: braze-eu\n", "syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: braze-eu")},
			"syncs/users-to-braze.yaml", nil},
		{"a schema model's unknown source is a warning", map[string]string{"manifest.yaml": manifest, "schema/parent-models/people.yaml": "name: People\nsource: snowflak\n"},
			"schema/parent-models/people.yaml", []want{{"model-source-ref", "2:9-2:17", "not public"}}},
		{"a sync may name a parent model", map[string]string{"manifest.yaml": manifest, "schema/parent-models/people.yaml": "name: People\nsource: snowflake\n", "syncs/users-to-braze.yaml": syncEdit("model: users", "model: people")},
			"syncs/users-to-braze.yaml", nil},
		{"a model and a parent model share slugs", map[string]string{"manifest.yaml": manifest, "schema/parent-models/users.yaml": "name: People\n"},
			"schema/parent-models/users.yaml", []want{{"slug-duplicate", "1:1-1:1", `model slug "users" is also given by models/users.yaml`}}},
		{"two manifests named in the message", map[string]string{"manifest.yaml": manifest, "manifest-eu.yaml": "destinations: {braze-eu: {}}\n", "syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: nope")},
			"syncs/users-to-braze.yaml", []want{{"sync-destination-ref", "2:14-2:18", "not listed in manifest-eu.yaml or manifest.yaml"}}},
		{"duplicate model name", map[string]string{"models/users-2.yaml": baseModel},
			"models/users.yaml", []want{{"model-duplicate-name", "1:7-1:12", `model name "Users" is also used by models/users-2.yaml`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, res := runFiles(t, tt.files, Options{})
			expect(t, dir, res, tt.rel, tt.want)
		})
	}
}

// TestTargetWorkspace: a slug the manifest of the workspace a change goes
// to lacks is an error there (its Git Sync cannot ingest the file), still a
// warning for a change going elsewhere.
func TestTargetWorkspace(t *testing.T) {
	files := map[string]string{"manifest.yaml": "", "manifest-staging.yaml": manifest, "manifest-prod.yaml": "destinations: {braze-prod: {}}\nsources: {snowflake: {}}\n"}
	for _, tc := range []struct {
		workspace string
		severity  finding.Severity
		msg       string
	}{
		{"", finding.Warning, "Git Sync cannot ingest this file into the workspace of manifest-prod.yaml unless an aliases file maps the slug"},
		{"staging", finding.Warning, "unless an aliases file maps the slug"},
		{"prod", finding.Error, "unless an aliases file maps the slug; this change goes to workspace prod (manifest-prod.yaml)"},
	} {
		_, res := runFiles(t, files, Options{Workspace: tc.workspace})
		if len(res.Findings) != 1 || res.Findings[0].Rule != "sync-destination-ref" {
			t.Fatalf("workspace %q: findings %v", tc.workspace, res.Findings)
		}
		if f := res.Findings[0]; f.Severity != tc.severity || !strings.HasSuffix(f.Message, tc.msg) {
			t.Errorf("workspace %q: %v %q, want %v ending %q", tc.workspace, f.Severity, f.Message, tc.severity, tc.msg)
		}
	}
}

// TestReportSet: with FILE arguments the whole workspace is still checked,
// only findings in those files are kept, plus the cross-file findings whose
// cause is one of them.
func TestReportSet(t *testing.T) {
	broken := map[string]string{
		"manifest.yaml":             manifest,
		"models/users.yaml":         "",
		"models/customers.yaml":     baseModel, // renamed from users.yaml: the sync breaks
		"models/copy.yaml":          model("primaryKey: user_id", "primaryKey: ''"),
		"syncs/users-to-braze.yaml": syncEdit("destination: braze", "destination: brase"),
	}
	tests := []struct {
		name  string
		given []string
		want  []string // rel:rule
	}{
		{"everything", nil, []string{"models/copy.yaml:model-primary-key", "models/customers.yaml:model-duplicate-name", "syncs/users-to-braze.yaml:sync-model-ref", "syncs/users-to-braze.yaml:sync-destination-ref"}},
		{"the renamed model brings in the broken sync", []string{"models/customers.yaml"}, []string{"models/customers.yaml:model-duplicate-name", "syncs/users-to-braze.yaml:sync-model-ref"}},
		{"the first of a duplicate name brings in the finding on the second", []string{"models/copy.yaml"}, []string{"models/copy.yaml:model-primary-key", "models/customers.yaml:model-duplicate-name", "syncs/users-to-braze.yaml:sync-model-ref"}},
		{"the manifest brings in its references", []string{"manifest.yaml"}, []string{"syncs/users-to-braze.yaml:sync-destination-ref"}},
		{"the sync alone", []string{"syncs/users-to-braze.yaml"}, []string{"syncs/users-to-braze.yaml:sync-model-ref", "syncs/users-to-braze.yaml:sync-destination-ref"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, res := runFiles(t, broken, Options{ReportSet: slices.Clone(tt.given)})
			var got []string
			for _, f := range res.Findings {
				rel, _ := filepath.Rel(dir, f.Path)
				got = append(got, filepath.ToSlash(rel)+":"+f.Rule)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings %q\nwant %q", got, tt.want)
			}
			if res.Files != 4 || res.Models != 2 || res.Syncs != 1 {
				t.Errorf("counts %d files %d models %d syncs: the whole workspace must be checked", res.Files, res.Models, res.Syncs)
			}
		})
	}
}

func TestRunStrict(t *testing.T) {
	files := map[string]string{"manifest.yaml": manifest, "models/users.yaml": model("isSchema: false", "isSchema: false\nowner: x")}
	for _, strict := range []bool{false, true} {
		_, res := runFiles(t, files, Options{})
		res.Findings = rules.Policy{Strict: strict}.Apply(res.Findings, func(string) []string { return nil })
		if len(res.Findings) != 1 || res.Findings[0].Rule != "schema-unknown-key" {
			t.Fatalf("findings %v", res.Findings)
		}
		want := finding.Warning
		if strict {
			want = finding.Error
		}
		if got := res.Findings[0].Severity; got != want {
			t.Errorf("strict=%v: severity %v, want %v", strict, got, want)
		}
	}
}

// TestRunUnreadable: a file that disappears between discovery and reading
// (or cannot be read) is a finding, not a failed run.
func TestRunUnreadable(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"manifest.yaml": manifest, "models/users.yaml": baseModel, "syncs/s.yaml": baseSync})
	ws, _, err := workspace.Discover(workspace.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "models", "users.yaml")); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), ws, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Rule != "file-unreadable" || res.Findings[0].Start.Line != 1 {
		t.Errorf("findings %v; want one file-unreadable at line 1 (and the sync's model still resolving)", res.Findings)
	}
}

func TestRunCancelled(t *testing.T) {
	dir, _ := runFiles(t, nil, Options{})
	ws, _, err := workspace.Discover(workspace.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, ws, nil, Options{}); err == nil {
		t.Error("Run with a cancelled context succeeded")
	}
}

// TestRunDeterministic: files finish in any order; the findings must not
// depend on it or on the number of workers.
func TestRunDeterministic(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cases"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"sync-model-ref", "sync-schedule-visual", "slug-duplicate"} {
		ws, disc, err := workspace.Discover(workspace.Options{Root: filepath.Join(root, c)})
		if err != nil {
			t.Fatal(err)
		}
		first, err := Run(context.Background(), ws, disc, Options{Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			again, err := Run(context.Background(), ws, disc, Options{Jobs: 8})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(first.Findings, again.Findings) {
				t.Fatalf("%s: findings differ between runs:\n%v\n%v", c, first.Findings, again.Findings)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		s          string
		candidates []string
		want       string
	}{
		{"primarykey", []string{"name", "primaryKey", "source"}, "primaryKey"},
		{"sourc", []string{"name", "source"}, "source"},
		{"tablename", []string{"tableName", "type"}, "tableName"},
		{"descripton", []string{"description", "destination"}, "description"},
		{"xyz", []string{"name", "source"}, ""},
		{"name", []string{"name"}, ""}, // the same key is not a suggestion
		{"ab", []string{"ba", "ab2"}, "ab2"},
		{"", []string{"a"}, "a"},
	}
	for _, tt := range tests {
		if got := closest(tt.s, tt.candidates); got != tt.want {
			t.Errorf("closest(%q, %q) = %q, want %q", tt.s, tt.candidates, got, tt.want)
		}
	}
	if got := nearest("user", []string{"users", "usr", "user-2", "customers"}, 2, 3); !reflect.DeepEqual(got, []string{"users", "usr"}) {
		t.Errorf("nearest = %q; want the two nearest, ties by name", got)
	}
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"café", "cafe", 1}, {"☕", "☕", 0}} {
		q := newQuery(tt.a, 10)
		q.b = []rune(tt.b)
		if got := q.distance(); got != tt.d {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

// TestNearestLongValue: a 1 MB model value against 10,000 slugs must not
// run the quadratic distance 10,000 times (about 2*10^11 steps): the length
// bound rules every slug out first. Broken, this test runs for minutes.
func TestNearestLongValue(t *testing.T) {
	slugs := make([]string, 10_000)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("model-%d", i)
	}
	long := strings.Repeat("m", 1<<20)
	if got := nearest(long, slugs, 3, len(long)/2); len(got) != 0 {
		t.Errorf("nearest = %q", got)
	}
}

// TestSuggester: with budget to spare, the index and a full comparison
// give what nearest gives; without, a slug one edit away is still found,
// and 10,000 misspelt values against 10,000 slugs cost a bounded number of
// distances (a full comparison each would be 10^8).
func TestSuggester(t *testing.T) {
	slugs := make([]string, 10_000)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("model-%d", i)
	}
	slices.Sort(slugs)
	for _, v := range []string{"model-12", "modle-12", "Model-77", "model-777x", "mdel-5", "model_5", "orders", "model-1234567", strings.Repeat("m", 1<<16)} {
		budget := suggestScans
		got := newSuggester(slugs, &budget).near(v)
		if want := nearest(v, slugs, suggestions, max(3, len(v)/2)); !slices.Equal(got, want) {
			t.Errorf("near(%q) = %q, nearest gives %q", v, got, want)
		}
	}
	budget := 0
	s := newSuggester(slugs, &budget)
	for v, want := range map[string]string{"model-12": "model-1", "modle-12": "model-12", "Model-77": "model-77", "model-777x": "model-777", "mdel-5": "model-5"} {
		if got := s.near(v); len(got) == 0 || got[0] != want {
			t.Errorf("without budget, near(%q) = %q; want %q first", v, got, want)
		}
	}
	budget = suggestScans
	s = newSuggester(slugs, &budget)
	for i := range 10_000 {
		if got := s.near(fmt.Sprintf("modle-%d", i)); len(got) == 0 || got[0] != fmt.Sprintf("model-%d", i) {
			t.Fatalf("near(modle-%d) = %q", i, got)
		}
	}
	if limit := suggestScans + 10_000*100; s.compared > limit {
		t.Errorf("10,000 values computed %d distances; want at most %d", s.compared, limit)
	}
}

// TestRunModelsUnlisted: when a folder under models/ could not be read, a
// sync naming a model htgit did not find is not an error of its own: the
// model may be in that folder, whose file-unreadable finding says so.
func TestRunModelsUnlisted(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"models/users.yaml": baseModel, "syncs/s.yaml": syncEdit("model: users", "model: legacy-users")})
	for _, unlisted := range [][]string{nil, {"models/legacy"}, {"syncs/old"}} {
		ws, _, err := workspace.Discover(workspace.Options{Root: dir})
		if err != nil {
			t.Fatal(err)
		}
		ws.Unlisted = unlisted
		res, err := Run(context.Background(), ws, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		refs := slices.ContainsFunc(res.Findings, func(f finding.Finding) bool { return f.Rule == rules.SyncModelRef.ID })
		if want := !slices.Contains(unlisted, "models/legacy"); refs != want {
			t.Errorf("unlisted %q: sync-model-ref reported %v, want %v (%v)", unlisted, refs, want, res.Findings)
		}
	}
}

// TestSlugDuplicateAcrossKinds: two models with one slug are an error; a
// model and a Customer Studio model with one slug only a warning, as
// whether Hightouch keeps their slugs apart is not public.
func TestSlugDuplicateAcrossKinds(t *testing.T) {
	for _, tt := range []struct {
		rel  string
		want finding.Severity
	}{
		{"models/crm/users.yaml", finding.Error},
		{"schema/parent-models/users.yaml", finding.Warning},
	} {
		_, res := runFiles(t, map[string]string{tt.rel: baseModel}, Options{})
		i := slices.IndexFunc(res.Findings, func(f finding.Finding) bool { return f.Rule == rules.SlugDuplicate.ID })
		if i < 0 || res.Findings[i].Severity != tt.want {
			t.Errorf("%s beside models/users.yaml: findings %v; want a slug-duplicate %v", tt.rel, res.Findings, tt.want)
		}
	}
}

// TestUnconfirmedKindsWarn: the schema of a kind whose format is htgit's
// reading gives warnings that say so, never errors.
func TestUnconfirmedKindsWarn(t *testing.T) {
	dir, res := runFiles(t, map[string]string{"schema/parent-models/people.yaml": "name: [People]\nsource: snowflake\n"}, Options{})
	expect(t, dir, res, "schema/parent-models/people.yaml", []want{{"schema-type", "1:7-1:15", "(a warning: Git Sync's format for Customer Studio schema files is not public)"}})
	for _, f := range res.Findings {
		if f.Severity == finding.Error {
			t.Errorf("an error: %+v", f)
		}
	}
}
