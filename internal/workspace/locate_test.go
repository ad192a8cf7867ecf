package workspace

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLocate(t *testing.T) {
	tests := []struct {
		name       string
		files      []string
		want       string
		candidates []string
	}{
		{"Git Sync at the root", []string{"manifest.yaml", "models/a.yaml", "syncs/b.yaml"}, ".", []string{"."}},
		{"a subfolder beside a dbt project", []string{"dbt_project.yml", "models/schema.yml", "hightouch/manifest-prod.yaml", "hightouch/models/a.yaml"}, "hightouch", []string{"hightouch"}},
		{"models and syncs without a manifest", []string{"dbt/dbt_project.yml", "dbt/models/x.sql", "hightouch/models/a.yaml", "hightouch/syncs/b.yaml"}, "hightouch", []string{"hightouch"}},
		{"a manifest wins over a models and syncs pair", []string{"a/manifest.yaml", "b/models/x.yaml", "b/syncs/y.yaml"}, "a", []string{"a"}},
		{"a dbt project with syncs is still dbt", []string{"dbt_project.yml", "models/a.sql", "syncs/x.yaml"}, "", nil},
		{"several", []string{"staging/manifest.yaml", "prod/manifest.yaml"}, "", []string{"prod", "staging"}},
		{"nothing", []string{"README.md"}, "", nil},
		{"hidden folders and dependencies are not searched", []string{".git/manifest.yaml", "node_modules/x/manifest.yaml", "hightouch/manifest.yaml"}, "hightouch", []string{"hightouch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("x: 1\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dir, candidates, found := Locate(root)
			if dir != tt.want || found != (tt.want != "") || !slices.Equal(candidates, tt.candidates) {
				t.Errorf("Locate = %q, %v, %v; want %q, %v", dir, candidates, found, tt.want, tt.candidates)
			}
		})
	}
}
