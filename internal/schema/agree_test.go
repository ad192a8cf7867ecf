package schema_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/workspace"
)

// reference validates with a complete JSON Schema implementation, the one
// htgit used before it interpreted its small subset itself.
func reference(t testing.TB) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for _, name := range schema.Names {
		src, err := schema.Source(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		url := "https://github.com/htgit/htgit/schema/" + name + ".json"
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		if out[name], err = c.Compile(url); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// referenceViolations lists what the reference reports, in the terms both
// agree on: path, problem and key.
func referenceViolations(s *jsonschema.Schema, v any) []string {
	err := s.Validate(forReference(v))
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{"error: " + err.Error()}
	}
	var out []string
	var walk func(ve *jsonschema.ValidationError)
	walk = func(ve *jsonschema.ValidationError) {
		if len(ve.Causes) > 0 {
			for _, c := range ve.Causes {
				walk(c)
			}
			return
		}
		path := strings.Join(ve.InstanceLocation, "/")
		switch k := ve.ErrorKind.(type) {
		case *kind.Required:
			for _, key := range k.Missing {
				out = append(out, fmt.Sprintf("%s %d %s", path, schema.Required, key))
			}
		case *kind.AdditionalProperties:
			for _, key := range k.Properties {
				out = append(out, fmt.Sprintf("%s %d %s", path, schema.Unknown, key))
			}
		case *kind.Type:
			out = append(out, fmt.Sprintf("%s %d ", path, schema.Type))
		case *kind.Enum:
			out = append(out, fmt.Sprintf("%s %d ", path, schema.Enum))
		default:
			out = append(out, fmt.Sprintf("%s %d ", path, schema.Other))
		}
	}
	walk(ve)
	slices.Sort(out)
	return out
}

// forReference writes integers beyond int64, which workspace.Value gives as
// *big.Int, as the json.Number the reference understands.
func forReference(v any) any {
	switch v := v.(type) {
	case *big.Int:
		return json.Number(v.String())
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = forReference(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = forReference(e)
		}
		return s
	}
	return v
}

func ours(t testing.TB, name string, root *yaml.Node) []string {
	vs, err := schema.Validate(name, root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range vs {
		out = append(out, fmt.Sprintf("%s %d %s", strings.Join(x.Path, "/"), x.Problem, x.Key))
	}
	slices.Sort(out)
	return out
}

// seeds are YAML documents: every file under testdata (the cases break
// each rule) and FuzzValidate's saved inputs.
func seeds(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	root := filepath.Join("..", "..", "testdata")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(p); ext == ".yaml" || ext == ".yml" {
			src, err := os.ReadFile(p)
			out = append(out, src)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	corpus, _ := filepath.Glob(filepath.Join("..", "check", "testdata", "fuzz", "FuzzValidate", "*"))
	for _, p := range corpus {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// "go test fuzz v1\n[]byte(\"...\")\n"
		q := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(strings.SplitN(string(src), "\n", 2)[1]), "[]byte("), ")")
		if s, err := strconv.Unquote(q); err == nil {
			out = append(out, []byte(s))
		}
	}
	return out
}

// extra documents reach the branches the testdata files do not.
var extra = []string{
	"name: 5\nsource: [x]\ntype: {a: 1}\nprimaryKey: 1.5\nisSchema: null\nrawSql: 12\ndescription: {}\n",
	"model: m\ndestination: d\nconfig: {mappings: {}, customMappings: [1, {to: 2, lookup: x}]}\nschedule: []\n",
	"model: m\ndestination: d\nschedule: {schedule: {interval: {unit: 3, quantity: \"1\", x: 1}, expressions: [{days: {monday: 1}, time: 9}, x]}}\n",
	"model: m\ndestination: d\nschedule: {type: 1, startDate: 2026-01-01, schedule: {expression: [1], account: 1, job: []}}\nschedulePaused: 0\n",
	"sources: {a: 1, b: {name: 1, type: []}}\ndestinations: [1]\nother: 1\n",
	"sources: ~\ndestinations: {x: ~}\n",
	"name: ''\nsource: ''\ntype: ''\nprimaryKey: ''\n",
	"name: x\nsource: s\ntype: table\nprimaryKey: k\n",
	"name: é\nsource: s\ntype: raw_sql\nprimaryKey: 0x10\nisSchema: !!bool true\n",
	"model: m\ndestination: d\nschedule: {schedule: {interval: {unit: hour, quantity: 1.0}}}\n",
	"model: m\ndestination: d\nschedule: {schedule: {interval: {unit: hour, quantity: 123456789012345678901234567890}}}\n",
}

// TestAgreesWithJSONSchema: on every document at hand, htgit's validator
// finds the same violations as a complete JSON Schema implementation.
func TestAgreesWithJSONSchema(t *testing.T) {
	ref := reference(t)
	docs := seeds(t)
	for _, e := range extra {
		docs = append(docs, []byte(e))
	}
	compared := 0
	for _, src := range docs {
		doc, _ := workspace.Parse(workspace.File{Kind: workspace.Model}, src)
		if doc.Root == nil {
			continue
		}
		v := workspace.Value(doc.Root)
		for _, name := range schema.Names {
			compared++
			if got, want := ours(t, name, doc.Root), referenceViolations(ref[name], v); !slices.Equal(got, want) {
				t.Errorf("%s schema on %q:\n got %q\nwant %q", name, src, got, want)
			}
		}
	}
	if compared < 100 {
		t.Errorf("only %d comparisons: the seeds went missing", compared)
	}
}

// FuzzSchemaAgrees compares the two validators on arbitrary YAML.
func FuzzSchemaAgrees(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	for _, e := range extra {
		f.Add([]byte(e))
	}
	ref := reference(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, _ := workspace.Parse(workspace.File{Kind: workspace.Model}, src)
		if doc.Root == nil {
			return
		}
		v := workspace.Value(doc.Root)
		for _, name := range schema.Names {
			if got, want := ours(t, name, doc.Root), referenceViolations(ref[name], v); !slices.Equal(got, want) {
				t.Errorf("%s schema:\n got %q\nwant %q", name, got, want)
			}
		}
	})
}
