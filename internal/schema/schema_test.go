package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
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
		if doc["$id"] != location(name) {
			t.Errorf("%s: $id %v, want %s", name, doc["$id"], location(name))
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
		value  any
		want   []Violation
	}{
		{"valid model", "model", map[string]any{"name": "n", "source": "s", "type": "table", "primaryKey": "id"}, nil},
		{"missing keys, sorted", "model", map[string]any{"name": "n", "type": "table"}, []Violation{
			{Path: []string{}, Problem: Required, Key: "primaryKey", Message: "missing required key `primaryKey`"},
			{Path: []string{}, Problem: Required, Key: "source", Message: "missing required key `source`"},
		}},
		{"unknown key lists the known ones", "sync", map[string]any{"model": "m", "destination": "d", "schedule": map[string]any{"typ": "x"}}, []Violation{
			{Path: []string{"schedule"}, Problem: Unknown, Key: "typ", Known: []string{"schedule", "startDate", "type"}, Message: "unknown key `typ`"},
		}},
		{"type", "sync", map[string]any{"model": "m", "destination": int64(3)}, []Violation{
			{Path: []string{"destination"}, Problem: Type, Message: "must be a string, not a number"},
		}},
		{"enum", "model", map[string]any{"name": "n", "source": "s", "type": "view", "primaryKey": "id"}, []Violation{
			{Path: []string{"type"}, Problem: Enum, Message: `must be one of raw_sql, table, dbt_model, not "view"`},
		}},
		{"other", "model", map[string]any{"name": "", "source": "s", "type": "table", "primaryKey": "id"}, []Violation{
			{Path: []string{"name"}, Problem: Other, Message: "must not be empty"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Validate(tt.schema, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i].Known != nil && tt.want[i].Known == nil {
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
