package rules

import (
	"slices"
	"testing"
)

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	all := All()
	if len(all) != len(registry) {
		t.Fatalf("All lists %d rules, the registry holds %d", len(all), len(registry))
	}
	for _, r := range all {
		if seen[r.ID] {
			t.Errorf("rule %s registered twice", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Help == "" {
			t.Errorf("rule %s lacks a summary or help", r.ID)
		}
		if !slices.Contains(families, Family(r.ID)) {
			t.Errorf("rule %s is in no family of %v", r.ID, families)
		}
		if got, ok := Lookup(r.ID); !ok || got != r {
			t.Errorf("Lookup(%q) = %v, %v", r.ID, got, ok)
		}
	}
	if _, ok := Lookup("no-such-rule"); ok {
		t.Error("Lookup found a rule that does not exist")
	}
	// Families come in reading order.
	last := -1
	for _, r := range all {
		i := slices.Index(families, Family(r.ID))
		if i < last {
			t.Errorf("rule %s is listed after a later family", r.ID)
		}
		last = i
	}
}
