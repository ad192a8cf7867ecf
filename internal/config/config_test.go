package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/rules"
)

const full = `path: hightouch              # the Git Sync folder; --path wins
exclude: ["syncs/legacy/**"]
rules:
  model-primary-key-unused: off     # off | warning | error
  schema-unknown-key: error
ignore:
  - rule: sync-schedule-type
    paths: ["syncs/old-*.yaml"]
`

func TestParse(t *testing.T) {
	cfg, err := Parse(".htgit.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{File: ".htgit.yaml", Path: "hightouch", Exclude: []string{"syncs/legacy/**"},
		Policy: rules.Policy{
			Levels: map[string]rules.Level{"model-primary-key-unused": rules.Off, "schema-unknown-key": rules.AsError},
			Ignore: []rules.Ignore{{Rule: "sync-schedule-type", Paths: []string{"syncs/old-*.yaml"}}},
		}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"pth: x\n", "c.yaml:1:1: unknown key \"pth\"; the keys are path, exclude, rules, ignore, policies and dbt"},
		{"rules:\n  no-such-rule: off\n", "c.yaml:2:3: unknown rule \"no-such-rule\"; `htgit rules` lists every rule id"},
		{"rules:\n  yaml-tab: loud\n", "c.yaml:2:13: rule yaml-tab: \"loud\" is not a level; write off, warning or error"},
		{"rules: [yaml-tab]\n", "c.yaml:1:8: rules must be a mapping"},
		{"exclude: syncs/**\n", "c.yaml:1:10: exclude must be a list of globs, e.g. [\"syncs/legacy/**\"]"},
		{"exclude: [\"[\"]\n", "c.yaml:1:11: \"[\" is not a valid glob"},
		{"path: 3\n", "c.yaml:1:7: path must be a string"},
		{"ignore:\n  - rule: yaml-tab\n", "c.yaml:2:5: an ignore entry needs rule and paths"},
		{"ignore:\n  - rule: yaml-tab\n    path: [x]\n", "c.yaml:3:5: unknown key \"path\" in an ignore entry; the keys are rule and paths"},
		{"path: a\npath: b\n", "c.yaml:2:1: \"path\" is given twice"},
		{"- a\n", "c.yaml:1:1: the configuration must be a mapping"},
		{"path: [\n", "c.yaml:1:1: not valid YAML: did not find expected node content"},
	}
	for _, tt := range tests {
		_, err := Parse("c.yaml", []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	cfg, err := Load(root, "")
	if err != nil || cfg.File != "" {
		t.Fatalf("no configuration: %+v, %v", cfg, err)
	}
	if _, err := Load(root, filepath.Join(root, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml: cannot read the configuration: no such file or directory") {
		t.Errorf("a --config that does not exist: %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, FileName), []byte("path: hightouch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, err := Load(root, ""); err != nil || cfg.Path != "hightouch" {
		t.Errorf("the root's %s: %+v, %v", FileName, cfg, err)
	}
}

// TestSchemaAgrees holds the JSON Schema editors see to what Parse accepts.
// A rule id the schema cannot refuse is one that could be a policy's, which
// it cannot see: rules: and ignore: take those too.
func TestSchemaAgrees(t *testing.T) {
	raw, err := json.Marshal(Schema())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("config.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("config.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{full, withPolicies, "{}", "pth: x\n", "policies:\n  - id: x\n", "policies:\n  - id: x\n    expression: 'true'\n    level: loud\n", "dbt: {projects: x}\n", "rules:\n  No_Such_Rule: off\n", "rules:\n  yaml-tab: loud\n", "ignore:\n  - rule: yaml-tab\n"} {
		var v any
		if err := yaml.Unmarshal([]byte(src), &v); err != nil {
			t.Fatal(err)
		}
		_, parseErr := Parse("c.yaml", []byte(src))
		schemaErr := sch.Validate(v)
		if (parseErr == nil) != (schemaErr == nil) {
			t.Errorf("%q: Parse says %v, the schema says %v", src, parseErr, schemaErr)
		}
	}
}
