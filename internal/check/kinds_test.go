package check

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/workspace"
)

// TestEveryKindIsHandled runs each kind through the per-file checks, its
// schema and the cross-file index: a kind added to the registry without
// checks panics here instead of falling into another kind's branch.
func TestEveryKindIsHandled(t *testing.T) {
	for _, k := range workspace.Kinds() {
		t.Run(k.String(), func(t *testing.T) {
			f := workspace.File{Path: "/w/" + k.Spec().Globs[0], Rel: k.Spec().Globs[0], Kind: k, Slug: "x"}
			if _, err := schema.Validate(k.Spec().Schema, nil); err != nil {
				t.Fatalf("schema %q: %v", k.Spec().Schema, err)
			}
			s, _ := checkSource(f, []byte("a: 1\n"))
			ws := &workspace.Workspace{Root: "/w", Dir: "/w", Files: []workspace.File{f}}
			newIndex(ws, []*summary{s}).crossFile()
		})
	}
}

// TestExampleKeysAreSchemaKeys: a kind's example key, which messages
// suggest, is a top-level key of its schema.
func TestExampleKeysAreSchemaKeys(t *testing.T) {
	for _, k := range workspace.Kinds() {
		key := strings.TrimSuffix(k.Spec().ExampleKey, ":")
		if key == "" {
			continue
		}
		src, err := schema.Source(k.Spec().Schema)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		if _, ok := doc.Properties[key]; !ok {
			t.Errorf("%s: example key %q is not a top-level key of schema %s", k, key, k.Spec().Schema)
		}
	}
}
