package dbt

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/workspace"
)

// copyFixture copies testdata/dbt/analytics into a new repository root,
// with or without its compiled manifest, and returns the root.
func copyFixture(t *testing.T, withManifest bool) string {
	t.Helper()
	root := t.TempDir()
	src := "../../testdata/dbt"
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if !withManifest && d.Name() == "target" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(root, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// run checks Hightouch models naming ids (one model file each, under
// hightouch/models/) against the repository at root.
func run(t *testing.T, opts Options, ids ...string) []string {
	t.Helper()
	if opts.GitDir == "" {
		opts.GitDir = filepath.Join(opts.Root, "hightouch")
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		rel := fmt.Sprintf("models/m%d.yaml", i)
		f := workspace.File{Path: filepath.Join(opts.GitDir, rel), Rel: rel, Kind: workspace.Model, Slug: fmt.Sprintf("m%d", i)}
		doc, _ := workspace.Parse(f, []byte("name: M\nsource: snow\ntype: dbt_model\ndbtModel: "+id+"\nprimaryKey: id\n"))
		c.Visit(doc)
	}
	var out []string
	fs := c.Findings()
	finding.Sort(fs)
	for _, f := range fs {
		rel, _ := filepath.Rel(opts.Root, f.Path)
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s %s", filepath.ToSlash(rel), f.Start.Line, f.Start.Col, f.Severity, f.Rule, f.Message))
	}
	return out
}

func expectFindings(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d:\n got %s\nwant %s...", i, got[i], want[i])
		}
	}
}

func TestAgainstManifest(t *testing.T) {
	t.Parallel()
	root := copyFixture(t, true)
	got := run(t, Options{Root: root},
		"model.analytics.dim_customers",    // m0: fine
		"model.analytics.dim_customer",     // m1: a typo
		"model.analytics.legacy_customers", // m2: disabled
		"model.analytics.dim_accounts",     // m3: versioned, no version named
		"model.analytics.dim_accounts.v2",  // m4: fine
		"model.analytics.fct_orders",       // m5: a Python model, fine
		"model.dbt_utils.date_spine",       // m6: another package, not in the manifest
		"model.analytics",                  // m7: malformed: model-dbt-model's
	)
	expectFindings(t, got,
		"hightouch/models/m1.yaml:4:11 error dbt-model-missing dbtModel model.analytics.dim_customer is not an enabled model in the dbt manifest analytics/target/manifest.json; closest: model.analytics.dim_customers",
		"hightouch/models/m2.yaml:4:11 error dbt-model-missing dbt model model.analytics.legacy_customers is disabled in the dbt manifest analytics/target/manifest.json",
		"hightouch/models/m3.yaml:4:11 warning dbt-model-missing dbt model model.analytics.dim_accounts is versioned in the dbt manifest analytics/target/manifest.json (model.analytics.dim_accounts.v2)",
		"hightouch/models/m6.yaml:4:11 error dbt-model-missing dbtModel model.dbt_utils.date_spine is not an enabled model in the dbt manifest analytics/target/manifest.json; run dbt compile if the model is new",
	)
}

// TestAgainstFiles: without a manifest only the project's own package is
// checked, an error where no file can be the model, a warning where dbt
// may define it elsewhere.
func TestAgainstFiles(t *testing.T) {
	t.Parallel()
	root := copyFixture(t, false)
	got := run(t, Options{Root: root},
		"model.analytics.dim_customers",    // fine
		"model.analytics.dim_customer",     // a typo
		"model.analytics.legacy_customers", // has a file; disabled is unknown without a manifest
		"model.analytics.dim_accounts.v2",  // dim_accounts_v2.sql
		"model.analytics.dim_accounts.v3",  // no file; defined_in may name one
		"model.analytics.fct_orders",       // fct_orders.py
		"model.dbt_utils.date_spine",       // another package: not checked
	)
	expectFindings(t, got,
		"hightouch/models/m1.yaml:4:11 error dbt-model-missing dbtModel model.analytics.dim_customer: the dbt project analytics has no model file dim_customer.sql or dim_customer.py under models; closest: model.analytics.dim_customers",
		"hightouch/models/m4.yaml:4:11 warning dbt-model-missing dbtModel model.analytics.dim_accounts.v3: the dbt project analytics has no model file dim_accounts.v3.sql or dim_accounts.v3.py under models; closest: model.analytics.dim_accounts.v2",
	)
	if !strings.Contains(got[1], "(a warning: a model version's file may be named by defined_in;") {
		t.Errorf("the versioned finding does not say why it is a warning: %s", got[1])
	}
}

// TestManifestUnreadable: a manifest that cannot be read is a notice, and
// the model files are read instead.
func TestManifestUnreadable(t *testing.T) {
	t.Parallel()
	root := copyFixture(t, true)
	if err := os.WriteFile(filepath.Join(root, "analytics/target/manifest.json"), []byte(`{"nodes": {`), 0o644); err != nil {
		t.Fatal(err)
	}
	got := run(t, Options{Root: root}, "model.analytics.dim_customer")
	expectFindings(t, got,
		"analytics/target/manifest.json:1:1 notice dbt-project cannot read the dbt manifest (",
		"hightouch/models/m0.yaml:4:11 error dbt-model-missing dbtModel model.analytics.dim_customer: the dbt project analytics has no model file",
	)
}

func TestRemoved(t *testing.T) {
	t.Parallel()
	root := copyFixture(t, true)
	// The manifest is stale (compiled before the change): the change
	// decides.
	for _, mv := range [][2]string{
		{"models/marts/dim_customers.sql", "models/marts/dim_clients.sql"},
		{"models/staging/stg_orders.sql", "models/orders/stg_orders.sql"},
	} {
		from, to := filepath.Join(root, "analytics", mv[0]), filepath.Join(root, "analytics", mv[1])
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(root, "analytics/models/marts/fct_orders.py")); err != nil {
		t.Fatal(err)
	}
	changes := []gitdiff.Change{
		{Status: gitdiff.Renamed, OldPath: "analytics/models/marts/dim_customers.sql", Path: "analytics/models/marts/dim_clients.sql"},
		{Status: gitdiff.Renamed, OldPath: "analytics/models/staging/stg_orders.sql", Path: "analytics/models/orders/stg_orders.sql"}, // moved: same id
		{Status: gitdiff.Deleted, Path: "analytics/models/marts/fct_orders.py"},
		{Status: gitdiff.Deleted, Path: "analytics/seeds/countries.csv"}, // not a model
		{Status: gitdiff.Modified, Path: "analytics/models/staging/stg_customers.sql"},
	}
	got := run(t, Options{Root: root, Changes: func() []gitdiff.Change { return changes }},
		"model.analytics.dim_customers", "model.analytics.stg_orders", "model.analytics.fct_orders", "model.analytics.stg_customers")
	expectFindings(t, got,
		"hightouch/models/m0.yaml:4:11 error dbt-model-removed this change renames analytics/models/marts/dim_customers.sql, the dbt model model.analytics.dim_customers this model reads",
		"hightouch/models/m2.yaml:4:11 error dbt-model-removed this change deletes analytics/models/marts/fct_orders.py",
	)
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		// The dbt project lives in another repository: nothing to check.
		expectFindings(t, run(t, Options{Root: t.TempDir()}, "model.analytics.nope"))
	})
	t.Run("configured", func(t *testing.T) {
		t.Parallel()
		root := copyFixture(t, true)
		if err := os.Rename(filepath.Join(root, "analytics"), filepath.Join(root, "node_modules")); err != nil {
			t.Fatal(err)
		}
		// node_modules is never searched, but a configured project is read.
		expectFindings(t, run(t, Options{Root: root}, "model.analytics.nope"))
		expectFindings(t, run(t, Options{Root: root, Project: "node_modules", Manifest: "node_modules/target/manifest.json"}, "model.analytics.nope"),
			"hightouch/models/m0.yaml:4:11 error dbt-model-missing dbtModel model.analytics.nope is not an enabled model in the dbt manifest node_modules/target/manifest.json")
	})
	t.Run("inside the Git Sync folder", func(t *testing.T) {
		t.Parallel()
		root := copyFixture(t, true)
		if err := os.Rename(filepath.Join(root, "analytics"), filepath.Join(root, "hightouch")); err != nil {
			t.Fatal(err)
		}
		expectFindings(t, run(t, Options{Root: root}, "model.analytics.nope"))
	})
}

func TestNewRefusesConfiguredPaths(t *testing.T) {
	t.Parallel()
	root := copyFixture(t, false)
	_, err := New(Options{Root: root, Project: "dbt", ProjectAt: ".htgit.yaml:3:12"})
	if err == nil || !strings.HasPrefix(err.Error(), `.htgit.yaml:3:12: dbt.project "dbt": no dbt_project.yml there (no such file or directory)`) {
		t.Errorf("a missing project: %v", err)
	}
	_, err = New(Options{Root: root, Project: "analytics", Manifest: "analytics/target/manifest.json"})
	if err == nil || !strings.Contains(err.Error(), `dbt.manifest "analytics/target/manifest.json": no such file or directory; run dbt compile`) {
		t.Errorf("a missing manifest: %v", err)
	}
	if _, ok := err.(*workspace.InputError); !ok {
		t.Errorf("%T is not an input error (exit 2)", err)
	}
}

// TestReportSet: a run limited to some files checks only their ids, unless
// one of them is a file of the dbt project; with none to check, the
// manifest is not read (here it is broken, and no notice says so).
func TestReportSet(t *testing.T) {
	t.Parallel()
	root := copyFixture(t, true)
	manifest := filepath.Join(root, "analytics/target/manifest.json")
	if err := os.WriteFile(manifest, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	m1 := filepath.Join(root, "hightouch/models/m1.yaml")
	expectFindings(t, run(t, Options{Root: root, ReportSet: []string{filepath.Join(root, "hightouch/syncs/s.yaml")}}, "model.analytics.nope", "model.analytics.nope2"))
	got := run(t, Options{Root: root, ReportSet: []string{m1}}, "model.analytics.nope", "model.analytics.nope2")
	expectFindings(t, got, "analytics/target/manifest.json:1:1 notice dbt-project", "hightouch/models/m1.yaml:4:11 error dbt-model-missing dbtModel model.analytics.nope2")
	got = run(t, Options{Root: root, ReportSet: []string{filepath.Join(root, "analytics/models/marts/dim_customers.sql")}}, "model.analytics.nope", "model.analytics.nope2")
	expectFindings(t, got, "analytics/target/manifest.json:1:1 notice dbt-project", "hightouch/models/m0.yaml:4:11 error", "hightouch/models/m1.yaml:4:11 error")
}

// TestReportSetGitSyncAtRoot: with the Git Sync folder at the root, a hook
// run on a commit deleting only a dbt model file still checks the models
// that read it.
func TestReportSetGitSyncAtRoot(t *testing.T) {
	t.Parallel()
	root := copyFixture(t, false)
	gone := "analytics/models/marts/dim_customers.sql"
	if err := os.Remove(filepath.Join(root, gone)); err != nil {
		t.Fatal(err)
	}
	got := run(t, Options{Root: root, GitDir: root, ReportSet: []string{filepath.Join(root, gone)},
		Changes: func() []gitdiff.Change { return []gitdiff.Change{{Status: gitdiff.Deleted, Path: gone}} }}, "model.analytics.dim_customers")
	expectFindings(t, got, "models/m0.yaml:4:11 error dbt-model-removed this change deletes "+gone)
}
