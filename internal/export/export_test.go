package export

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

func snapshot(t *testing.T, fill func(s *hightouchtest.Server, src, dst string)) *compare.Snapshot {
	t.Helper()
	s := hightouchtest.New()
	t.Cleanup(s.Close)
	src := s.AddSource(hightouchtest.Source{Slug: "wh", Name: "Warehouse", Type: "snowflake"})
	dst := s.AddDestination(hightouchtest.Destination{Slug: "crm", Name: "CRM: prod", Type: "salesforce"})
	fill(s, src, dst)
	c, err := hightouch.New(hightouch.Config{BaseURL: s.URL, APIKey: s.APIKey})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := compare.Fetch(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestFiles(t *testing.T) {
	snap := snapshot(t, func(s *hightouchtest.Server, src, dst string) {
		m := s.AddModel(hightouchtest.Model{Slug: "users", Name: "Users", SourceID: src, SQL: "select *\nfrom users  \n", PrimaryKey: "id"})
		v := s.AddModel(hightouchtest.Model{Slug: "visual", Name: "V", SourceID: src, QueryType: "visual", PrimaryKey: "id"})
		s.AddModel(hightouchtest.Model{Slug: "../escape", Name: "E", SourceID: src, Table: "t", QueryType: "table", PrimaryKey: "id"})
		s.AddSync(hightouchtest.Sync{Slug: "users-to-crm", ModelID: m, DestinationID: dst,
			Configuration: map[string]any{"object": "Contact", "mode": "upsert", "on": "yes", "n": 1.5},
			Schedule:      map[string]any{"type": "cron", "schedule": map[string]any{"expression": "0 6 * * *"}}})
		s.AddSync(hightouchtest.Sync{Slug: "visual-to-crm", ModelID: v, DestinationID: dst})
	})
	res, err := Files(snap)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	byPath := map[string]string{}
	for _, f := range res.Files {
		paths = append(paths, f.Path)
		byPath[f.Path] = string(f.Data)
	}
	if want := []string{"manifest.yaml", "models/users.yaml", "syncs/users-to-crm.yaml"}; !slices.Equal(paths, want) {
		t.Fatalf("files %q, want %q", paths, want)
	}
	if res.Models != 1 || res.Syncs != 1 || len(res.Skipped) != 3 {
		t.Errorf("counts %d/%d, skipped %q", res.Models, res.Syncs, res.Skipped)
	}
	for _, want := range []string{`model "../escape": the slug is not a file name`, `model visual: query type "visual" has no Git Sync file shape`, "sync visual-to-crm: its model (id"} {
		if !slices.ContainsFunc(res.Skipped, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("skipped %q lacks %q", res.Skipped, want)
		}
	}
	// Trailing blanks keep the SQL exact (a quoted string then).
	if got := byPath["models/users.yaml"]; !strings.Contains(got, "rawSql: \"select *\\nfrom users  \\n\"\ntableName: null\n") {
		t.Errorf("model:\n%s", got)
	}
	// Config keys sorted; strings YAML would read as something else quoted.
	if got := byPath["syncs/users-to-crm.yaml"]; got != "model: users\ndestination: crm\nconfig:\n  mode: upsert\n  \"n\": 1.5\n  object: Contact\n  \"on\": \"yes\"\nschedule:\n  type: cron\n  schedule:\n    expression: 0 6 * * *\nschedulePaused: false\n" {
		t.Errorf("sync:\n%s", got)
	}
	if got := byPath["manifest.yaml"]; got != "sources:\n  wh:\n    name: Warehouse\n    type: snowflake\ndestinations:\n  crm:\n    name: 'CRM: prod'\n    type: salesforce\n" {
		t.Errorf("manifest:\n%s", got)
	}
	// The same workspace gives the same bytes.
	again, _ := Files(snap)
	if !slices.EqualFunc(res.Files, again.Files, func(a, b File) bool { return a.Path == b.Path && string(a.Data) == string(b.Data) }) {
		t.Error("two exports differ")
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	files := []File{{Path: "models/a.yaml", Data: []byte("x\n")}, {Path: "manifest.yaml", Data: []byte("y\n")}}
	if err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "models", "a.yaml")); err != nil || string(b) != "x\n" {
		t.Errorf("models/a.yaml: %q %v", b, err)
	}
	if err := Write(dir, files); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second write: %v, want ErrNotEmpty", err)
	}
	if err := Write(t.TempDir(), files); err != nil {
		t.Errorf("into an empty folder: %v", err)
	}
}
