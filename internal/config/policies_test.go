package config

import (
	"reflect"
	"testing"

	"github.com/htgit/htgit/internal/finding"
)

const withPolicies = `policies:
  - id: model-described
    kinds: [model]
    expression: 'has(file.description) && file.description != ""'
    message: every model needs a description
    level: error
  - id: kebab-slugs
    expression: slug.matches("^[a-z0-9-]*$")
rules:
  kebab-slugs: off
ignore:
  - rule: model-described
    paths: ["models/legacy/**"]
dbt:
  project: analytics
  manifest: analytics/target/manifest.json
`

func TestParsePolicies(t *testing.T) {
	t.Parallel()
	cfg, err := Parse(".htgit.yaml", []byte(withPolicies))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Policies) != 2 || cfg.Policies[0].ID != "model-described" || cfg.Policies[0].Level != finding.Error || cfg.Policies[1].Level != finding.Warning {
		t.Fatalf("policies = %+v", cfg.Policies)
	}
	if len(cfg.Policy.Custom) != 2 || cfg.Policy.Custom[0].ID != "model-described" || cfg.Policy.Custom[0].Summary != "every model needs a description" {
		t.Errorf("custom rules = %+v", cfg.Policy.Custom)
	}
	if want := (DBT{Project: "analytics", Manifest: "analytics/target/manifest.json", ProjectAt: ".htgit.yaml:15:12", ManifestAt: ".htgit.yaml:16:13"}); !reflect.DeepEqual(cfg.DBT, want) {
		t.Errorf("dbt = %+v", cfg.DBT)
	}
	if off := cfg.Policy.Off(); !reflect.DeepEqual(off, []string{"kebab-slugs"}) {
		t.Errorf("off = %q", off)
	}
}

// TestParsePolicyErrors: every refused policy is an error at its place in
// .htgit.yaml, inside the expression where cel-go says.
func TestParsePolicyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"policies:\n  - id: p\n    kinds: [sync]\n    expression: destination.tipe == 'x'\n",
			"c.yaml:4:28: policy p: the expression does not compile: undefined field 'tipe'"},
		{"policies:\n  - id: p\n    kinds: [sync]\n    expression: \"destination.tipe == 'x'\"\n",
			"c.yaml:4:29: policy p: the expression does not compile: undefined field 'tipe'"},
		{"policies:\n  - id: p\n    expression: |\n      kind == 'model' &&\n        fil.x == 1\n",
			"c.yaml:5:9: policy p: the expression does not compile: undeclared reference to 'fil'"},
		{"policies:\n  - id: model-type\n    expression: 'true'\n",
			"c.yaml:2:9: policy id \"model-type\" is a built-in rule's; choose another id (`htgit rules` lists the built-in ones)"},
		{"policies:\n  - id: p\n    kinds: [model, syncs]\n    expression: 'true'\n",
			"c.yaml:3:20: policy p: unknown kind \"syncs\"; the kinds are model, sync, manifest, parent model, related model, event model, model relationship, event contract, aliases"},
		{"policies:\n  - id: p\n    expression: 'true'\n  - id: p\n    expression: 'false'\n",
			"c.yaml:4:9: policy id \"p\" is given twice; each policy needs its own id"},
		{"policies:\n  - id: p\n", "c.yaml:2:5: a policy needs an id and an expression"},
		{"policies:\n  - id: p\n    expression: 'true'\n    level: loud\n", "c.yaml:4:12: \"loud\" is not a policy level; write error, warning or notice"},
		{"policies:\n  - id: p\n    expression: 'true'\n    when: x\n", "c.yaml:4:5: unknown key \"when\" in a policy; the keys are id, kinds, expression, message and level"},
		{"policies: {id: p}\n", "c.yaml:1:11: policies must be a list of {id, kinds, expression, message, level}"},
		{"rules:\n  my-policy: off\n", "c.yaml:2:3: unknown rule \"my-policy\"; `htgit rules` lists every rule id"},
		{"dbt:\n  projects: x\n", "c.yaml:2:3: unknown key \"projects\" in dbt; the keys are project (the folder of dbt_project.yml) and manifest (the compiled manifest.json)"},
	}
	for _, tt := range tests {
		_, err := Parse("c.yaml", []byte(tt.src))
		if err == nil || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want {
			t.Errorf("Parse(%q) = %v\nwant %s", tt.src, err, tt.want)
		}
	}
}
