package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/workspace"
)

func TestCompileRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		def       Def
		field     Field
		line, col int
		msg       string
	}{
		{"bad id", Def{ID: "Model_Described", Expression: "true"}, FieldID, 0, 0, "lowercase"},
		{"built-in id", Def{ID: "model-type", Expression: "true"}, FieldID, 0, 0, "built-in rule"},
		{"unknown kind", Def{ID: "p", Kinds: []string{"model", "modle"}, Expression: "true"}, FieldKinds, 0, 0, `unknown kind "modle"`},
		{"syntax", Def{ID: "p", Expression: "file.name ==="}, FieldExpression, 1, 13, "does not compile"},
		{"unknown variable", Def{ID: "p", Expression: `filee.name == "x"`}, FieldExpression, 1, 1, "undeclared reference to 'filee'"},
		{"misspelt entry field", Def{ID: "p", Kinds: []string{"sync"}, Expression: `destination.tipe != "salesforce"`}, FieldExpression, 1, 12, "undefined field 'tipe'"},
		{"not a bool", Def{ID: "p", Expression: `file.name`}, FieldExpression, 1, 1, "gives dyn"},
		{"destination on models", Def{ID: "p", Kinds: []string{"model", "sync"}, Expression: `destination.type != "x"`}, FieldExpression, 1, 1, "destination is known only for sync files"},
		{"model on every kind", Def{ID: "p", Expression: `has(model.name)`}, FieldExpression, 1, 5, "model is known only for sync files"},
		{"near miss of a field", Def{ID: "p", Kinds: []string{"model"}, Expression: `has(file.descripton)`}, FieldExpression, 1, 5, "did you mean file.description?"},
		{"near miss in the model", Def{ID: "p", Kinds: []string{"sync"}, Expression: `model.primaryKee != ""`}, FieldExpression, 1, 1, "did you mean model.primaryKey?"},
		{"second line", Def{ID: "p", Expression: "true &&\n  file.x +"}, FieldExpression, 2, 11, "does not compile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(tt.def)
			if err == nil {
				t.Fatal("compiled")
			}
			if err.Field != tt.field || err.Line != tt.line || err.Col != tt.col || !strings.Contains(err.Msg, tt.msg) {
				t.Errorf("got field %d at %d:%d %q; want field %d at %d:%d containing %q", err.Field, err.Line, err.Col, err.Msg, tt.field, tt.line, tt.col, tt.msg)
			}
		})
	}
}

// TestCompileAccepts: fields htgit's schemas do not list but that are not
// near a listed one are allowed (Git Sync may write keys htgit has not
// seen), and the libraries Kubernetes' policies have are there.
func TestCompileAccepts(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{
		`!has(file.tags) || file.tags.size() < 5`,
		`slug.matches("^[a-z0-9-]+$") && slug.lowerAscii() == slug`,
		`["a", "b"].distinct().size() == 2 && sets.contains([1, 2], [1])`,
		`file["config"]["mode"] != "mirror"`,
	} {
		if _, err := Compile(Def{ID: "p", Kinds: []string{"sync"}, Expression: expr}); err != nil {
			t.Errorf("%s: %s", expr, err.Msg)
		}
	}
}

func TestSelections(t *testing.T) {
	t.Parallel()
	p, err := Compile(Def{ID: "p", Kinds: []string{"sync"}, Expression: `!(destination.type in ["salesforce"]) || (has(file.config) && file["config"].mode != "mirror") || model.name == "x"`})
	if err != nil {
		t.Fatal(err.Msg)
	}
	if len(p.paths) != 1 || strings.Join(p.paths[0], ".") != "config.mode" {
		t.Errorf("paths = %q; want [config.mode]", p.paths)
	}
	if strings.Join(p.refKeys, ",") != "destination,model" {
		t.Errorf("refKeys = %q; want destination, model", p.refKeys)
	}
}

// evaluate compiles policies and runs them over files given by relative
// path and content.
func evaluate(t *testing.T, defs []Def, changes Changes, files map[string]string) []finding.Finding {
	t.Helper()
	var ps []*Policy
	for _, d := range defs {
		p, err := Compile(d)
		if err != nil {
			t.Fatalf("%s: %s", d.ID, err.Msg)
		}
		ps = append(ps, p)
	}
	return evaluatePolicies(t, ps, changes, files)
}

// evaluatePolicies runs compiled policies over files given by relative path
// (below /ws/, manifests written to a temporary folder) and content.
func evaluatePolicies(t *testing.T, ps []*Policy, changes Changes, files map[string]string) []finding.Finding {
	t.Helper()
	dir := t.TempDir()
	ws := &workspace.Workspace{Root: dir, Dir: dir}
	for rel, src := range files {
		k, _ := workspace.KindOf(rel)
		if k == workspace.Manifest {
			p := filepath.Join(dir, rel)
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			ws.Files = append(ws.Files, workspace.File{Path: p, Rel: rel, Kind: k})
		}
	}
	e := NewEvaluator(ps, ws, changes)
	for rel, src := range files {
		k, ok := workspace.KindOf(rel)
		if !ok {
			t.Fatalf("%s is no kind's", rel)
		}
		f := workspace.File{Path: "/ws/" + rel, Rel: rel, Kind: k}
		if k.Spec().SlugSpace != "" {
			f.Slug = workspace.Slug(rel)
		}
		doc, _ := workspace.Parse(f, []byte(src))
		e.Visit(doc)
	}
	fs := e.Findings()
	finding.Sort(fs)
	return fs
}

const (
	manifestYAML = "sources:\n  snow: {name: Snowflake, type: snowflake}\ndestinations:\n  sf: {name: Salesforce, type: salesforce}\n  braze: {name: Braze, type: braze}\n"
	modelYAML    = "name: Users\nsource: snow\ntype: raw_sql\nrawSql: select 1\nprimaryKey: id\n"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		def     Def
		changes Changes
		files   map[string]string
		want    []string // rel:line:col rule severity message-part
	}{
		{"description required",
			Def{ID: "model-described", Kinds: []string{"model"}, Expression: `has(file.description) && file.description != ""`, Message: "every model needs a description", Level: finding.Error},
			nil,
			map[string]string{"models/a.yaml": modelYAML, "models/b.yaml": modelYAML + "description: ''\n", "models/c.yaml": modelYAML + "description: all users\n"},
			[]string{"models/a.yaml:1:1 model-described error every model needs a description", "models/b.yaml:6:1 model-described error every model needs a description"}},
		{"no mirror to a CRM, on the mode key",
			Def{ID: "no-crm-mirror", Kinds: []string{"sync"}, Expression: `!(destination.type in ["salesforce", "hubspot"]) || file.config.mode != "mirror"`, Level: finding.Warning},
			nil,
			map[string]string{"manifest.yaml": manifestYAML, "models/users.yaml": modelYAML,
				"syncs/a.yaml": "model: users\ndestination: sf\nconfig:\n  mode: mirror\n",
				"syncs/b.yaml": "model: users\ndestination: braze\nconfig:\n  mode: mirror\n",
				"syncs/c.yaml": "model: users\ndestination: sf\nconfig:\n  mode: upsert\n"},
			[]string{"syncs/a.yaml:4:3 no-crm-mirror warning policy no-crm-mirror does not hold"}},
		{"new syncs start paused",
			Def{ID: "new-sync-paused", Kinds: []string{"sync"}, Expression: `change != "added" || (has(file.schedulePaused) && file.schedulePaused)`, Level: finding.Error},
			Changes{"/ws/syncs/new.yaml": "added", "/ws/syncs/paused.yaml": "added"},
			map[string]string{"syncs/new.yaml": "model: m\ndestination: d\nschedulePaused: false\n", "syncs/old.yaml": "model: m\ndestination: d\nschedulePaused: false\n",
				"syncs/paused.yaml": "model: m\ndestination: d\nschedulePaused: true\n"},
			[]string{"syncs/new.yaml:3:1 new-sync-paused error"}},
		{"no diff known: change is empty",
			Def{ID: "p", Kinds: []string{"sync"}, Expression: `change == ""`, Level: finding.Warning},
			nil, map[string]string{"syncs/a.yaml": "model: m\n"}, nil},
		{"sync reads its model and the model's source does not matter",
			Def{ID: "keyed", Kinds: []string{"sync"}, Expression: `has(model.primaryKey) && model.primaryKey == "id"`, Message: "sync only models keyed by id", Level: finding.Notice},
			nil,
			map[string]string{"models/users.yaml": modelYAML, "models/orders.yaml": "name: O\nsource: snow\ntype: table\ntableName: o\nprimaryKey: order_id\n",
				"syncs/a.yaml": "model: users\ndestination: d\n", "syncs/b.yaml": "model: orders\ndestination: d\n", "syncs/c.yaml": "model: gone\ndestination: d\n"},
			[]string{"syncs/b.yaml:1:1 keyed notice sync only models keyed by id", "syncs/c.yaml:1:1 keyed notice sync only models keyed by id"}},
		{"source entry on models",
			Def{ID: "snowflake-only", Kinds: []string{"model"}, Expression: `source.type == "snowflake"`, Level: finding.Warning},
			nil,
			map[string]string{"manifest.yaml": manifestYAML, "models/a.yaml": modelYAML, "models/b.yaml": strings.Replace(modelYAML, "snow", "pg", 1)},
			[]string{"models/b.yaml:2:1 snowflake-only warning"}},
		{"evaluation error is the policy's finding",
			Def{ID: "described", Kinds: []string{"model"}, Expression: `file.description != ""`, Level: finding.Warning},
			nil, map[string]string{"models/a.yaml": modelYAML},
			[]string{"models/a.yaml:1:1 described warning policy described could not be evaluated on this file: no such key: description"}},
		{"slug naming on every kind but only slugged ones fail",
			Def{ID: "kebab", Expression: `kind == "manifest" || slug.matches("^[a-z0-9]+(-[a-z0-9]+)*$")`, Level: finding.Warning},
			nil, map[string]string{"manifest.yaml": manifestYAML, "models/Users_All.yaml": modelYAML, "models/all-users.yaml": modelYAML},
			[]string{"models/Users_All.yaml:1:1 kebab warning"}},
		{"cost limit stops a runaway expression",
			Def{ID: "slow", Expression: `[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, a+b+c+d+e+f > 0))))))`, Level: finding.Warning},
			nil, map[string]string{"models/a.yaml": modelYAML},
			[]string{"models/a.yaml:1:1 slow warning policy slow could not be evaluated on this file: operation cancelled: actual cost limit exceeded"}},
		{"the whole file, when the expression reads it whole",
			Def{ID: "keys", Kinds: []string{"sync"}, Expression: `file.size() <= 3 && file.all(k, k != "bogus")`, Level: finding.Warning},
			nil, map[string]string{"syncs/a.yaml": "model: m\ndestination: d\nconfig: {mode: upsert}\n", "syncs/b.yaml": "model: m\nbogus: 1\n",
				"syncs/c.yaml": "model: m\ndestination: d\nconfig: {}\nschedule: {type: manual}\n"},
			[]string{"syncs/b.yaml:1:1 keys warning", "syncs/c.yaml:1:1 keys warning"}},
		{"a part read whole and a field below it",
			Def{ID: "config", Kinds: []string{"sync"}, Expression: `file.config.mode == "upsert" && file.config.size() == 2`, Level: finding.Warning},
			nil, map[string]string{"syncs/a.yaml": "config: {mode: upsert, object: x}\n", "syncs/b.yaml": "config: {mode: upsert}\n"},
			[]string{"syncs/b.yaml:1:10 config warning"}},
		{"merge keys and aliases read as YAML reads them",
			Def{ID: "merged", Kinds: []string{"sync"}, Expression: `file.config.mode == "upsert" && file["config"]["object"] == "users"`, Level: finding.Warning},
			nil, map[string]string{"syncs/a.yaml": "base: &b {mode: upsert, object: users}\nconfig:\n  <<: *b\n", "syncs/b.yaml": "base: &b {mode: upsert, object: users}\nconfig:\n  <<: *b\n  object: accounts\n"},
			[]string{"syncs/b.yaml:1:11 merged warning"}}, // mode, where the merge brings it from
		{"a field below a value that is not a mapping",
			Def{ID: "deep", Kinds: []string{"sync"}, Expression: `file.config.mode == "upsert"`, Level: finding.Warning},
			nil, map[string]string{"syncs/a.yaml": "config: upsert\n"},
			[]string{"syncs/a.yaml:1:1 deep warning policy deep could not be evaluated on this file"}},
		{"a huge integer reads as a double",
			Def{ID: "big", Kinds: []string{"model"}, Expression: `file.n > 1.0`, Level: finding.Warning},
			nil, map[string]string{"models/a.yaml": modelYAML + "n: 123456789012345678901234567890\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(t, []Def{tt.def}, tt.changes, tt.files)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings %v; want %d", len(got), got, len(tt.want))
			}
			for i, f := range got {
				line := fmt.Sprintf("%s:%d:%d %s %s %s", strings.TrimPrefix(f.Path, "/ws/"), f.Start.Line, f.Start.Col, f.Rule, f.Severity, f.Message)
				if !strings.HasPrefix(line, tt.want[i]) {
					t.Errorf("finding %d = %s\nwant prefix  %s", i, line, tt.want[i])
				}
			}
		})
	}
}

func TestNeed(t *testing.T) {
	t.Parallel()
	n := need{}
	n.add([]string{"config", "mode"})
	n.add([]string{"schedule"})
	n.add([]string{"schedule", "type"}) // below a part read whole: no change
	n.add([]string{"config", "object"})
	want := need{"config": need{"mode": nil, "object": nil}, "schedule": nil}
	if fmt.Sprint(n) != fmt.Sprint(want) {
		t.Errorf("need = %v; want %v", n, want)
	}
	if u := union(n, need{"config": nil, "name": nil}); fmt.Sprint(u) != fmt.Sprint(need{"config": nil, "name": nil, "schedule": nil}) {
		t.Errorf("union = %v", u)
	}
	if u := union(n, nil); u != nil {
		t.Errorf("union with all = %v; want all (nil)", u)
	}
}
