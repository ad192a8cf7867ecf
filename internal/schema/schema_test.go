package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/finding"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestSources: what `htgit schema NAME` prints must be the JSON Schema
// editors load, for every name, and nothing for other names.
func TestSources(t *testing.T) {
	for _, name := range Names {
		src, err := Source(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(src, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := "https://github.com/htgit/htgit/schema/" + name + ".json"; doc["$id"] != want {
			t.Errorf("%s: $id %v, want %s", name, doc["$id"], want)
		}
	}
	if _, err := Source("models"); err == nil || !strings.Contains(err.Error(), "model, sync, manifest") {
		t.Errorf("Source(models) err = %v; want one naming the choices", err)
	}
}

// TestDescriptions: an editor shows each property's description as you
// type, so every property has one (a property repeated under if/then to
// constrain it is described where it is declared).
func TestDescriptions(t *testing.T) {
	for _, name := range Names {
		src, _ := Source(name)
		var doc any
		if err := json.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		var walk func(v any, ptr string)
		walk = func(v any, ptr string) {
			switch v := v.(type) {
			case []any:
				for i, e := range v {
					walk(e, fmt.Sprintf("%s/%d", ptr, i))
				}
			case map[string]any:
				if p, ok := v["properties"].(map[string]any); ok && !strings.Contains(ptr, "/if") && !strings.Contains(ptr, "/then") {
					for k, s := range p {
						n++
						if d, _ := s.(map[string]any)["description"].(string); d == "" {
							t.Errorf("%s schema: %s/properties/%s has no description", name, ptr, k)
						}
					}
				}
				for k, e := range v {
					walk(e, ptr+"/"+k)
				}
			}
		}
		walk(doc, "")
		if n < 2 && name != "relationship" && name != "aliases" { // those two accept any mapping
			t.Errorf("%s schema: only %d properties found", name, n)
		}
	}
}

func parse(t testing.TB, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// short is a violation in the terms a test states: path, problem, key,
// rule and message.
func short(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s %d %s %s: %s", strings.Join(v.Path, "."), v.Problem, v.Key, v.Rule, v.Message))
	}
	return out
}

func TestValidate(t *testing.T) {
	const model = "{name: n, source: s, type: table, tableName: t, primaryKey: id"
	tests := []struct {
		name   string
		schema string
		src    string
		want   []string
	}{
		{"valid model", "model", model + "}", nil},
		{"missing keys, sorted", "model", "{type: table, tableName: t}", []string{
			" 0 name : missing required key `name`",
			" 0 source : missing required key `source`",
		}},
		{"primaryKey may be null or absent; isSchema may be true", "model", "{name: n, source: s, type: table, tableName: t, primaryKey: null, isSchema: true}", nil},
		{"unknown key", "sync", "{model: m, destination: d, schedul: x}", []string{
			" 3 schedul : unknown key `schedul`",
		}},
		{"unknown keys inside a schedule are accepted: Git Sync's are not public", "sync", "{model: m, destination: d, schedule: {type: interval, endDate: x, schedule: {interval: {unit: hour, quantity: 1, until: y}, z: 1}}}", nil},
		{"type", "sync", "{model: m, destination: 3}", []string{
			"destination 1  : must be a string, not an integer",
		}},
		{"types in the schema's order", "sync", "{model: m, destination: d, schedule: {schedule: x}}", []string{
			"schedule.schedule 1  : must be a mapping or null, not a string",
		}},
		{"1.0 is an integer", "sync", "{model: m, destination: d, schedule: {schedule: {interval: {unit: hour, quantity: 1.0}}}}", nil},
		{"1.5 is not", "sync", "{model: m, destination: d, schedule: {schedule: {interval: {unit: hour, quantity: 1.5}}}}", []string{
			"schedule.schedule.interval.quantity 1  : must be an integer, not a number",
		}},
		{"an integer beyond int64 is an integer", "sync", "{model: m, destination: d, schedule: {schedule: {interval: {unit: hour, quantity: 123456789012345678901234567890}}}}", nil},
		{".inf is a number", "sync", "{model: m, destination: d, schedule: {schedule: {interval: {unit: hour, quantity: .inf}}}}", []string{
			"schedule.schedule.interval.quantity 1  : must be an integer, not a number",
		}},
		{"enum", "sync", "{model: m, destination: d, schedule: {schedule: {interval: {unit: hours, quantity: 1}}}}", []string{
			"schedule.schedule.interval.unit 2  : must be one of minute, hour, day, week, not \"hours\"",
		}},
		{"a model type htgit does not know is check's warning, not a schema error", "model", "{name: n, source: s, type: visual}", nil},
		{"empty name", "model", "{name: '', source: s, type: table, tableName: t, primaryKey: id}", []string{
			"name 5  : must not be empty",
		}},
		{"query field of the type, in the schema", "model", "{name: n, source: s, type: raw_sql, tableName: t, primaryKey: id}", []string{
			" 0 rawSql model-query-field: missing required key `rawSql`",
			"tableName 1  model-query-field: must be null, not a string",
		}},
		{"blank query field", "model", "{name: n, source: s, type: raw_sql, rawSql: ' ', primaryKey: id}", []string{
			"rawSql 4  model-query-field: must match the pattern \\S",
		}},
		{"dbt model id", "model", "{name: n, source: s, type: dbt_model, dbtModel: analytics.users, primaryKey: id}", []string{
			"dbtModel 4  model-dbt-model: must match the pattern ^model\\.[A-Za-z0-9_]+\\.[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)?$",
		}},
		{"blank primary key", "model", model[:len(model)-2] + "' '}", []string{
			"primaryKey 4  model-primary-key: must match the pattern \\S",
		}},
		{"mapping rules, each under its own id", "sync", "{model: m, destination: d, config: {mappings: [{from: a}, {to: '', type: standart}, {to: x, type: template}]}}", []string{
			"config.mappings.0 0 to sync-mapping-to: missing required key `to`",
			"config.mappings.0 0 type sync-mapping-type: missing required key `type`",
			"config.mappings.1.to 5  sync-mapping-to: must not be empty",
			"config.mappings.1.type 2  sync-mapping-type: must be one of standard, template, variable, reference, static, inline, not \"standart\"",
		}},
		{"through merges and an alias", "model", "{<<: [{name: n}, {name: '', source: s}], type: &t table, tableName: x, primaryKey: *t}", nil},
		{"merged values are checked", "model", "{<<: {name: 1, source: s}, type: table, tableName: t}", []string{
			"name 1  : must be a string, not an integer",
		}},
		{"an alias inside its own anchor reads as null", "sync", "{model: m, destination: d, config: &c {mappings: [*c]}}", []string{
			"config.mappings.0 1  : must be a mapping, not null",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Validate(tt.schema, parse(t, tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if s := short(got); !reflect.DeepEqual(s, tt.want) {
				t.Errorf("Validate =\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if _, err := Validate("nope", nil); err == nil {
		t.Error("Validate with an unknown schema succeeded")
	}
}

// TestViolationDetails: what check needs to phrase a message and place it.
func TestViolationDetails(t *testing.T) {
	got, err := Validate("sync", parse(t, "{model: m, destination: d, schedul: 1, schedule: {schedule: {interval: {unit: hour, quantity: x}}}}"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Violation{
		{Path: []string{}, Problem: Unknown, Key: "schedul", Known: []string{"config", "description", "destination", "model", "schedule", "schedulePaused"}, Got: "object", Message: "unknown key `schedul`"},
		{Path: []string{"schedule", "schedule", "interval", "quantity"}, Problem: Type, Got: "string", Want: []string{"integer"}, Value: "x", Message: "must be an integer, not a string"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate =\n%#v\nwant\n%#v", got, want)
	}
}

// TestEditorsAcceptUnknownKeys: the printed schemas leave unknown keys to
// htgit's warning (an editor could only show them as errors, and Hightouch
// ignores them), while htgit's compiled schemas report them.
func TestEditorsAcceptUnknownKeys(t *testing.T) {
	docs := map[string]string{
		"model":    "{name: n, source: s, type: table, tableName: t, primaryKey: id, owner: x}",
		"sync":     "{model: m, destination: d, owner: x}",
		"manifest": "{sources: {}, owner: x}",
	}
	for _, name := range Names {
		src, _ := Source(name)
		if strings.Contains(string(src), `"additionalProperties": false`) {
			t.Errorf("%s schema: closes a mapping for editors", name)
		}
	}
	for name := range docs {
		src, _ := Source(name)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("https://example.com/"+name+".json", doc); err != nil {
			t.Fatal(err)
		}
		editor, err := c.Compile("https://example.com/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var inst any
		if err := yaml.Unmarshal([]byte(docs[name]), &inst); err != nil {
			t.Fatal(err)
		}
		if err := editor.Validate(inst); err != nil {
			t.Errorf("%s schema as printed rejects an unknown key: %v", name, err)
		}
		got, err := Validate(name, parse(t, docs[name]))
		if err != nil {
			t.Fatal(err)
		}
		if s := short(got); len(s) != 1 || !strings.Contains(s[0], "unknown key `owner`") {
			t.Errorf("%s: htgit reports %q; want the unknown key", name, s)
		}
	}
}

// manifest writes a manifest listing n destinations.
func manifest(n int) string {
	var b strings.Builder
	b.WriteString("sources:\n  s: {name: S, type: snowflake}\ndestinations:\n")
	for i := range n {
		fmt.Fprintf(&b, "  d%d:\n    name: Destination %d\n    type: braze\n", i, i)
	}
	return b.String()
}

// TestLargeValidFile: no budget turns a large file's values into null
// (issue 14: 40,000 destinations gave 6,674 false errors). How fast 100,000
// validate is BenchmarkHostile's (internal/check) to measure.
func TestLargeValidFile(t *testing.T) {
	got, err := Validate("manifest", parse(t, manifest(40_000)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("40,000 destinations: %d violations, first %s", len(got), short(got[:1]))
	}
}

// TestAliasBomb: aliases that expand past MaxValues give one violation that
// names the limit, quickly, instead of false errors or a stall.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("sources:\n  a0: &a0 {name: x, type: y}\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	start := time.Now()
	got, err := Validate("manifest", parse(t, b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Problem != TooLarge || got[0].Node == nil || !strings.Contains(got[0].Message, "4000000 values") {
		t.Fatalf("Validate = %v; want one TooLarge violation naming the limit", short(got))
	}
	if d := time.Since(start); d > 10*time.Second && !raceEnabled {
		t.Errorf("took %s", d)
	}

	// Aliases that stay under the limit are followed and checked.
	got, err = Validate("manifest", parse(t, "sources:\n  a: &a {name: 1}\n  b: *a\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := short(got); len(s) != 2 || !strings.HasPrefix(s[0], "sources.a.name 1") || !strings.HasPrefix(s[1], "sources.b.name 1") {
		t.Errorf("Validate = %q; want a type violation at both uses", s)
	}
}

// TestCompiles: every embedded schema compiles (htgit compiles each on first
// use, so a broken one would otherwise surface only on its kind of file).
func TestCompiles(t *testing.T) {
	for _, name := range Names {
		if _, err := schemas[name](); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// syncWithMappings is a sync whose config.mappings lists n entries, each
// valid but where bad[i] makes entry i an integer.
func syncWithMappings(n int, bad func(i int) bool) string {
	var b strings.Builder
	b.WriteString("model: m\ndestination: d\nconfig:\n  mappings:\n")
	for i := range n {
		if bad(i) {
			b.WriteString("    - 1\n")
		} else {
			fmt.Fprintf(&b, "    - {from: c%d, to: f%d, type: standard}\n", i, i)
		}
	}
	return b.String()
}

// TestValidateInWindows: long lists are validated a window at a time, so
// memory stays bounded, yet an item in a later window is still found at its
// own index, a long valid list stays valid, and past maxViolations the rest
// are counted, not kept.
func TestValidateInWindows(t *testing.T) {
	t.Run("an item in a later window", func(t *testing.T) {
		got, err := Validate("sync", parse(t, syncWithMappings(3*window+5, func(i int) bool { return i == 2*window+7 })))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("config.mappings.%d", 2*window+7)
		if len(got) != 1 || strings.Join(got[0].Path, ".") != want || got[0].Problem != Type {
			t.Errorf("violations %s; want one type violation at %s", short(got), want)
		}
	})
	t.Run("a long valid list", func(t *testing.T) {
		if got, err := Validate("sync", parse(t, syncWithMappings(3*window, func(int) bool { return false }))); err != nil || len(got) > 0 {
			t.Errorf("violations %v, %v", len(got), err)
		}
	})
	t.Run("past maxViolations", func(t *testing.T) {
		n := maxViolations + 3*window
		got, err := Validate("sync", parse(t, syncWithMappings(n, func(int) bool { return true })))
		if err != nil {
			t.Fatal(err)
		}
		last := got[len(got)-1]
		if len(got) != maxViolations+1 || !slices.ContainsFunc(got, func(v Violation) bool { return v.Problem == TooMany }) {
			t.Fatalf("%d violations, last %+v; want %d and one TooMany", len(got), last, maxViolations+1)
		}
		i := slices.IndexFunc(got, func(v Violation) bool { return v.Problem == TooMany })
		if want := finding.Thousands(n-maxViolations) + " more violations"; !strings.Contains(got[i].Message, want) {
			t.Errorf("TooMany says %q; want it to count %q", got[i].Message, want)
		}
	})
}
