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
workspaces:
  staging:
    branch: staging
    apiKeyEnv: HT_KEY_STAGING
    apiUrl: https://eu.example.com/api/v1
  prod:
    branch: main
    apiKeyEnv: HT_KEY_PROD
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
		},
		Workspaces: []Workspace{
			{Name: "staging", Branch: "staging", APIKeyEnv: "HT_KEY_STAGING", APIURL: "https://eu.example.com/api/v1", Line: 10, Col: 3},
			{Name: "prod", Branch: "main", APIKeyEnv: "HT_KEY_PROD", Line: 14, Col: 3},
		}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
	if w, ok := cfg.Tracking("main"); !ok || w.Name != "prod" {
		t.Errorf("Tracking(main) = %+v, %v", w, ok)
	}
	if _, ok := cfg.Tracking("feature"); ok {
		t.Error("a branch no workspace tracks has one")
	}
	if w, ok := cfg.Named("staging"); !ok || w.APIKeyEnv != "HT_KEY_STAGING" {
		t.Errorf("Named(staging) = %+v, %v", w, ok)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"pth: x\n", "c.yaml:1:1: unknown key \"pth\"; the keys are path, exclude, rules, ignore and workspaces"},
		{"workspaces:\n  prod:\n    branch: main\n    apiKey: ht_live_1234\n", "c.yaml:4:5: workspace prod: never write an API key in .htgit.yaml (it is in the repository for anyone to read); name the environment variable that holds it with apiKeyEnv, and set that from a secret"},
		{"workspaces:\n  prod:\n    branch: main\n    apiKeyEnv: 0f3a-99e1-key\n", "c.yaml:4:16: workspace prod: apiKeyEnv names the environment variable holding the key (such as HT_KEY_PROD), not the key; never write a key in .htgit.yaml"},
		{"workspaces:\n  a:\n    branch: main\n    apiKeyEnv: A\n  b:\n    branch: main\n    apiKeyEnv: B\n", "c.yaml:6:13: workspaces a and b both track branch \"main\"; each branch deploys to one workspace"},
		{"workspaces:\n  prod:\n    apiKeyEnv: A\n", "c.yaml:2:3: workspace prod needs branch: the branch its Git Sync tracks"},
		{"workspaces:\n  prod:\n    branch: main\n", "c.yaml:2:3: workspace prod needs apiKeyEnv: the environment variable holding its API key"},
		{"workspaces:\n  prod:\n    branch: main\n    apiKeyEnv: A\n    tracked: x\n", "c.yaml:5:5: unknown key \"tracked\" in workspace prod; the keys are branch, apiKeyEnv and apiUrl"},
		{"workspaces:\n  pr/od:\n    branch: main\n    apiKeyEnv: A\n", "c.yaml:2:3: workspace \"pr/od\": a workspace is named as in its manifest-<workspace>.yaml (letters, digits, - _ .)"},
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
	for _, src := range []string{full, "{}", "pth: x\n", "rules:\n  no-such-rule: off\n", "rules:\n  yaml-tab: loud\n", "ignore:\n  - rule: yaml-tab\n",
		"workspaces:\n  prod:\n    branch: main\n    apiKey: x\n", "workspaces:\n  prod:\n    branch: main\n    apiKeyEnv: not a name\n",
		"workspaces:\n  prod:\n    branch: main\n"} {
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

// TestLoadHostile: the root's configuration that links out of the
// repository is refused without its content in the message (it echoed
// /etc/passwd as an unknown key); one that is not a regular file, or
// larger than MaxSize (a link to /dev/zero ran out of memory), is refused
// too. --config may name a file anywhere, still bounded (issue 22).
func TestLoadHostile(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte("root:x:0:0:SECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, target, config, want string
	}{
		{"link outside", outside, "", "a link to a file outside the repository"},
		{"link to /dev/zero", "/dev/zero", "", "a link to a file outside the repository"},
		{"a folder", ".", "", "not a regular file"},
		{"--config /dev/zero", "", "/dev/zero", "larger than 1048576 bytes"},
		{"--config too large", "", big, "larger than 1048576 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if tt.target == "." {
				if err := os.Mkdir(filepath.Join(root, FileName), 0o755); err != nil {
					t.Fatal(err)
				}
			} else if tt.target != "" {
				if err := os.Symlink(tt.target, filepath.Join(root, FileName)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(root, tt.config)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("Load = %v\nwant an error saying %q", err, tt.want)
			}
		})
	}
	// A link inside the repository is read; --config may be outside.
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "conf.yaml"), []byte("path: hightouch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("conf.yaml", filepath.Join(root, FileName)); err != nil {
		t.Fatal(err)
	}
	if cfg, err := Load(root, ""); err != nil || cfg.Path != "hightouch" {
		t.Errorf("a link inside the repository: %+v, %v", cfg, err)
	}
	if _, err := Load(root, outside); err == nil || !strings.Contains(err.Error(), "secret.yaml:1:1: the configuration must be a mapping") {
		t.Errorf("--config outside the repository is read: %v", err)
	}
}
