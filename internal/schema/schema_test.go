package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

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

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		src    string
		want   []Violation
	}{
		{"valid model", "model", "{name: n, source: s, type: table, primaryKey: id}", nil},
		{"missing keys, sorted", "model", "{name: n, type: table}", []Violation{
			{Path: []string{}, Problem: Required, Key: "primaryKey", Message: "missing required key `primaryKey`"},
			{Path: []string{}, Problem: Required, Key: "source", Message: "missing required key `source`"},
		}},
		{"unknown key lists the known ones", "sync", "{model: m, destination: d, schedule: {typ: x}}", []Violation{
			{Path: []string{"schedule"}, Problem: Unknown, Key: "typ", Known: []string{"schedule", "startDate", "type"}, Message: "unknown key `typ`"},
		}},
		{"type", "sync", "{model: m, destination: 3}", []Violation{
			{Path: []string{"destination"}, Problem: Type, Message: "must be a string, not an integer"},
		}},
		{"type in the schema's order", "sync", "{model: m, destination: d, schedule: {schedule: x}}", []Violation{
			{Path: []string{"schedule", "schedule"}, Problem: Type, Message: "must be a mapping or null, not a string"},
		}},
		{"enum", "model", "{name: n, source: s, type: view, primaryKey: id}", []Violation{
			{Path: []string{"type"}, Problem: Enum, Message: `must be one of raw_sql, table, dbt_model, not "view"`},
		}},
		{"other", "model", "{name: '', source: s, type: table, primaryKey: id}", []Violation{
			{Path: []string{"name"}, Problem: Other, Message: "must not be empty"},
		}},
		{"items and additionalProperties", "sync", "{model: m, destination: d, config: {mappings: [{to: 1}]}, schedule: {schedule: {expressions: [{days: {monday: 1}}]}}}", []Violation{
			{Path: []string{"config", "mappings", "0", "to"}, Problem: Type, Message: "must be a string or null, not an integer"},
			{Path: []string{"schedule", "schedule", "expressions", "0", "days", "monday"}, Problem: Type, Message: "must be a boolean, not an integer"},
		}},
		{"through merges and an alias", "model", "{<<: [{name: n}, {name: '', source: s}], type: &t table, primaryKey: *t}", nil},
		{"merged values are checked", "model", "{<<: {name: 1, source: s}, type: table}", []Violation{
			{Path: []string{}, Problem: Required, Key: "primaryKey", Message: "missing required key `primaryKey`"},
			{Path: []string{"name"}, Problem: Type, Message: "must be a string, not an integer"},
		}},
		// The mapping schema does not descend into `mappings`: the cycle
		// must end without a finding (and without running forever).
		{"an alias cycle ends", "sync", "{model: m, destination: d, config: &c {mappings: [*c, *c]}}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.src), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := Validate(tt.schema, &doc)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if i < len(tt.want) && tt.want[i].Known == nil {
					got[i].Known = nil // only compared where the case names them
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate = %#v\nwant %#v", got, tt.want)
			}
		})
	}
	if _, err := Validate("nope", nil); err == nil {
		t.Error("Validate with an unknown schema succeeded")
	}
}
