package workspace

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/htgit/htgit/internal/gittest"
)

// TestREADMEEditorGlobs: the README's yaml.schemas globs give an editor a
// schema for exactly the files htgit reads as that kind, dot-files and
// dot-folders included, so an editor shows no error htgit does not.
func TestREADMEEditorGlobs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)// \\.vscode/settings\\.json\n(\\{.*?\n\\})\n```").FindSubmatch(b)
	if block == nil {
		t.Fatal("README.md has no .vscode/settings.json example")
	}
	var settings struct {
		Schemas map[string][]string `json:"yaml.schemas"`
	}
	if err := json.Unmarshal(block[1], &settings); err != nil {
		t.Fatalf("README's settings: %v", err)
	}
	// editor is what the YAML language server does: any pattern matches
	// and no !pattern does.
	editor := func(patterns []string, rel string) bool {
		in := false
		for _, p := range patterns {
			if neg, ok := strings.CutPrefix(p, "!"); ok {
				if doublestar.MatchUnvalidated(neg, rel) {
					return false
				}
			} else if doublestar.MatchUnvalidated(p, rel) {
				in = true
			}
		}
		return in
	}

	paths := []string{
		"models/a.yaml", "models/b.yml", "models/sub/c.yaml", "models/.draft.yaml", "models/.old/d.yaml",
		"models/sub/.e.yml", "syncs/s.yaml", "syncs/.t.yaml", "syncs/.wip/u.yml", "manifest.yaml",
		"manifest-prod.yml", ".manifest.yaml",
	}
	dir := t.TempDir()
	files := map[string]string{}
	for _, p := range paths {
		files["hightouch/"+p] = "a: 1\n"
	}
	gittest.Write(t, dir, files)
	ws, _, err := Discover(Options{Root: dir, Path: "hightouch"})
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]Kind{}
	for _, f := range ws.Files {
		read[f.Rel] = f.Kind
	}
	if len(read) == 0 {
		t.Fatal("htgit read none of the files")
	}
	for _, k := range []Kind{Model, Sync, Manifest} {
		patterns := settings.Schemas[".schemas/"+k.Spec().Schema+".json"]
		if len(patterns) == 0 {
			t.Fatalf("README's settings give no globs for .schemas/%s.json", k.Spec().Schema)
		}
		for _, p := range paths {
			kind, ok := read[p]
			htgit := ok && kind == k
			if got := editor(patterns, "hightouch/"+p); got != htgit {
				t.Errorf("%s: the README's %s globs match it: %v; htgit reads it as a %s: %v", p, k, got, k, htgit)
			}
		}
	}
}
