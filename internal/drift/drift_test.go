package drift_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/drift"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
	"github.com/htgit/htgit/internal/workspace"
)

const usersFile = "name: Users\nsource: wh\ntype: raw_sql\nrawSql: select 1\nprimaryKey: id\n"

// Files that are excluded or not read are not compared, and what they
// describe does not count as only in Hightouch; a file that does not parse
// is drift; a renamed model is drift.
func TestCompare(t *testing.T) {
	s := hightouchtest.New()
	defer s.Close()
	src := s.AddSource(hightouchtest.Source{Slug: "wh", Type: "snowflake"})
	dst := s.AddDestination(hightouchtest.Destination{Slug: "crm", Type: "salesforce"})
	m := s.AddModel(hightouchtest.Model{Slug: "users", Name: "Users (renamed in the UI)", SourceID: src, SQL: "select 1", PrimaryKey: "id"})
	s.AddModel(hightouchtest.Model{Slug: "kept-out", Name: "K", SourceID: src, SQL: "select 2", PrimaryKey: "id"})
	s.AddSync(hightouchtest.Sync{Slug: "broken", ModelID: m, DestinationID: dst})
	s.AddSync(hightouchtest.Sync{Slug: "same", ModelID: m, DestinationID: dst, Disabled: true})

	dir := t.TempDir()
	gittest.Write(t, dir, map[string]string{
		"models/users.yaml":    usersFile,
		"models/kept-out.yaml": usersFile,
		"syncs/broken.yaml":    "- a list\n",
		"syncs/same.yaml":      "model: users\ndestination: crm\nschedulePaused: true\n",
	})
	ws, _, err := workspace.Discover(workspace.Options{Root: dir, Exclude: []string{"models/kept-out.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := hightouch.New(hightouch.Config{BaseURL: s.URL, APIKey: s.APIKey})
	snap, err := compare.Fetch(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	r := drift.Compare(ws, snap)
	var got []string
	for _, it := range r.Items {
		got = append(got, it.Kind.String()+" "+it.Slug+" "+string(it.Status))
	}
	want := []string{"model users differs", "sync broken unreadable"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("items\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var text bytes.Buffer
	r.WriteText(&text)
	for _, want := range []string{
		"model users (models/users.yaml): differs\n    name: \"Users (renamed in the UI)\" → \"Users\"\n",
		"sync  broken (syncs/broken.yaml): unreadable: ",
		"not compared (skipped or excluded): models/kept-out.yaml\n",
		"drift: 1 differs, 1 unreadable (compared 1 model file(s) and 1 sync file(s) with 2 model(s) and 2 sync(s) in Hightouch)\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	md := r.Markdown()
	if !strings.Contains(md, "| model | `users` | differs | name: \"Users (renamed in the UI)\" → \"Users\" |") {
		t.Errorf("markdown:\n%s", md)
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || doc["drift"] != true || doc["notCompared"].([]any)[0] != "models/kept-out.yaml" {
		t.Errorf("json %v:\n%s", err, js.String())
	}

	// Shown from the repository root, as validate shows its findings.
	r.RelativeTo(filepath.Dir(dir))
	text.Reset()
	r.WriteText(&text)
	base := filepath.Base(dir)
	for _, want := range []string{
		"model users (" + base + "/models/users.yaml): differs",
		"not compared (skipped or excluded): " + base + "/models/kept-out.yaml\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("relative to the parent, text lacks %q:\n%s", want, text.String())
		}
	}

	// Agreement: nothing to report, and it says so.
	gittest.Write(t, dir, map[string]string{"syncs/broken.yaml": "model: users\ndestination: crm\n", "models/users.yaml": strings.Replace(usersFile, "Users", "Users (renamed in the UI)", 1)})
	r = drift.Compare(ws, snap)
	text.Reset()
	r.WriteText(&text)
	if r.Drifted() || !strings.Contains(text.String(), "no drift: 1 model(s) and 2 sync(s) agree with Hightouch") {
		t.Errorf("after fixing: %s", text.String())
	}
}
