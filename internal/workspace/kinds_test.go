package workspace

import (
	"slices"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// TestKinds holds every kind to a full definition: a new kind left half
// defined fails here, not in a user's run.
func TestKinds(t *testing.T) {
	names := map[string]bool{}
	for _, k := range Kinds() {
		spec := k.Spec()
		if spec.Name == "" || spec.Schema == "" || len(spec.Globs) == 0 {
			t.Errorf("Kind(%d) lacks a name, schema or glob: %+v", int(k), spec)
		}
		if names[spec.Name] {
			t.Errorf("two kinds are named %q", spec.Name)
		}
		names[spec.Name] = true
		for _, g := range spec.Globs {
			if !doublestar.ValidatePattern(g) {
				t.Errorf("%s: glob %q is invalid", k, g)
			}
		}
		// A kind in a folder names its files there: what export writes is
		// read back as the same kind.
		if spec.Folder != "" {
			if got, ok := KindOf(spec.File("some-slug")); !ok || got != k {
				t.Errorf("%s: its file %s is read as %v, %v", k, spec.File("some-slug"), got, ok)
			}
		}
		if spec.Resource != NotDeployed && (spec.Folder == "" || !slices.Contains(DeployedResources(), spec.Resource)) {
			t.Errorf("%s is deployed but has no folder, or its resource is not deployed", k)
		}
	}
	for _, r := range DeployedResources() {
		if spec := r.Spec(); spec.Deleted == "" || spec.Renamed == "" {
			t.Errorf("Resource(%d) is half defined: %+v", int(r), spec)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("an unknown kind did not panic")
		}
	}()
	_ = Kind(len(Kinds())).String()
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		rel  string
		kind Kind
		ok   bool
	}{
		{"models/users.yaml", Model, true},
		{"models/sub/users.yml", Model, true},
		{"syncs/a.yaml", Sync, true},
		{"manifest.yaml", Manifest, true},
		{"manifest-prod-12.yml", Manifest, true},
		{"models/readme.md", 0, false},
		{"other/users.yaml", 0, false},
	}
	for _, tt := range tests {
		kind, ok := KindOf(tt.rel)
		if kind != tt.kind || ok != tt.ok {
			t.Errorf("KindOf(%q) = %v, %v; want %v, %v", tt.rel, kind, ok, tt.kind, tt.ok)
		}
	}
}
