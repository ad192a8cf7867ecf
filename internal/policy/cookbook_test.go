package policy_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/policy"
)

// cookbook reads the README's policy cookbook: the YAML block after the
// <!-- cookbook --> marker, as a configuration.
func cookbook(t *testing.T) *config.Config {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "<!-- cookbook -->\n```yaml\n")
	block, _, closed := strings.Cut(after, "```\n")
	if !ok || !closed {
		t.Fatal("README.md has no <!-- cookbook --> YAML block")
	}
	cfg, err := config.Parse("README.md", []byte(block))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestCookbook runs each policy of the README on files that break it and
// files that keep it: exactly the breaking ones must have its findings.
func TestCookbook(t *testing.T) {
	t.Parallel()
	cfg := cookbook(t)
	const (
		manifest = "sources:\n  snow: {name: Snowflake, type: snowflake}\ndestinations:\n  sf: {name: Salesforce, type: salesforce}\n  braze: {name: Braze, type: braze}\n"
		model    = "name: Users\nsource: snow\ntype: raw_sql\nrawSql: select id from users\nprimaryKey: id\n"
		sync     = "model: users\ndestination: braze\nconfig:\n  mode: upsert\nschedulePaused: false\n"
	)
	cases := map[string]struct {
		changes      policy.Changes
		files        map[string]string
		breaks, keep []string // relative paths
	}{
		"models-described": {files: map[string]string{
			"models/none.yaml": model, "models/blank.yaml": model + "description: '  '\n", "models/users.yaml": model + "description: one row per user\n"},
			breaks: []string{"models/blank.yaml", "models/none.yaml"}, keep: []string{"models/users.yaml"}},
		"no-crm-mirror": {files: map[string]string{
			"syncs/to-sf.yaml":     strings.Replace(strings.Replace(sync, "braze", "sf", 1), "upsert", "mirror", 1),
			"syncs/sf-upsert.yaml": strings.Replace(sync, "braze", "sf", 1), "syncs/braze-mirror.yaml": strings.Replace(sync, "upsert", "mirror", 1)},
			breaks: []string{"syncs/to-sf.yaml"}, keep: []string{"syncs/braze-mirror.yaml", "syncs/sf-upsert.yaml"}},
		"new-syncs-paused": {changes: policy.Changes{"/ws/syncs/new.yaml": "added", "/ws/syncs/new-bare.yaml": "added", "/ws/syncs/new-paused.yaml": "added"},
			files: map[string]string{"syncs/new.yaml": sync, "syncs/new-bare.yaml": "model: users\ndestination: braze\n",
				"syncs/new-paused.yaml": strings.Replace(sync, "schedulePaused: false", "schedulePaused: true", 1), "syncs/old.yaml": sync},
			breaks: []string{"syncs/new-bare.yaml", "syncs/new.yaml"}, keep: []string{"syncs/new-paused.yaml", "syncs/old.yaml"}},
		"kebab-slugs": {files: map[string]string{"models/Users_All.yaml": model, "syncs/usersToBraze.yaml": sync, "models/all-users.yaml": model, "syncs/users-to-braze-2.yaml": sync},
			breaks: []string{"models/Users_All.yaml", "syncs/usersToBraze.yaml"}, keep: []string{"models/all-users.yaml", "syncs/users-to-braze-2.yaml"}},
		"at-most-every-15-minutes": {files: map[string]string{
			"syncs/five.yaml":       sync + "schedule:\n  type: interval\n  schedule:\n    interval: {unit: minute, quantity: 5}\n",
			"syncs/cron-5.yaml":     sync + "schedule:\n  type: cron\n  schedule:\n    expression: \"*/5 * * * *\"\n",
			"syncs/cron-every.yaml": sync + "schedule:\n  type: cron\n  schedule:\n    expression: \"* 6 * * *\"\n",
			"syncs/fifteen.yaml":    sync + "schedule:\n  type: interval\n  schedule:\n    interval: {unit: minute, quantity: 15}\n",
			"syncs/hourly.yaml":     sync + "schedule:\n  type: interval\n  schedule:\n    interval: {unit: hour, quantity: 1}\n",
			"syncs/cron-30.yaml":    sync + "schedule:\n  type: cron\n  schedule:\n    expression: \"*/30 * * * *\"\n",
			"syncs/manual.yaml":     sync + "schedule:\n  type: manual\n",
			"syncs/none.yaml":       sync},
			breaks: []string{"syncs/cron-5.yaml", "syncs/cron-every.yaml", "syncs/five.yaml"},
			keep:   []string{"syncs/cron-30.yaml", "syncs/fifteen.yaml", "syncs/hourly.yaml", "syncs/manual.yaml", "syncs/none.yaml"}},
	}
	if len(cfg.Policies) != 5 || len(cases) != 5 {
		t.Fatalf("the cookbook has %d policies and the test %d cases; both must be five", len(cfg.Policies), len(cases))
	}
	for _, p := range cfg.Policies {
		c, ok := cases[p.ID]
		if !ok {
			t.Errorf("no test case for the cookbook's %s", p.ID)
			continue
		}
		files := map[string]string{"manifest.yaml": manifest, "models/users.yaml": model + "description: one row per user\n"}
		for rel, src := range c.files {
			files[rel] = src
		}
		fs := policy.EvaluatePolicies(t, []*policy.Policy{p}, c.changes, files)
		var broken []string
		for _, f := range fs {
			if f.Rule != p.ID || f.Message != p.Message || f.Severity != p.Level {
				t.Errorf("%s: unexpected finding %+v", p.ID, f)
			}
			broken = append(broken, strings.TrimPrefix(f.Path, "/ws/"))
		}
		slices.Sort(broken)
		broken = slices.Compact(broken)
		if !slices.Equal(broken, c.breaks) {
			t.Errorf("%s breaks %q; want %q (and not %q)", p.ID, broken, c.breaks, c.keep)
		}
	}
	if cfg.Policies[1].Level != finding.Error || cfg.Policies[2].Level != finding.Warning {
		t.Errorf("levels: %v, %v", cfg.Policies[1].Level, cfg.Policies[2].Level)
	}
}
