package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	return fetch(t, s.URL, s.APIKey)
}

// fetch lists what the API at url has.
func fetch(t *testing.T, url, key string) *compare.Snapshot {
	t.Helper()
	c, err := hightouch.New(hightouch.Config{BaseURL: url, APIKey: key})
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
	for _, want := range []string{`model "../escape": the slug is not a file name`, `model "visual": query type "visual" has no Git Sync file shape`, `sync "visual-to-crm": its model (id`} {
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

// listingServer answers the four listings with data, in the order given,
// or reversed on every second request of a route when flip is set.
func listingServer(t *testing.T, data map[string][]string, flip bool) *compare.Snapshot {
	t.Helper()
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		items := slices.Clone(data[strings.TrimPrefix(r.URL.Path, "/")])
		if flip && n%2 == 0 {
			slices.Reverse(items)
		}
		fmt.Fprintf(w, `{"data":[%s],"hasMore":false}`, strings.Join(items, ","))
	}))
	t.Cleanup(srv.Close)
	return fetch(t, srv.URL, "ht-test-key-0123456789")
}

// TestFilesHostile: resources sharing an id or a slug give the same files
// whatever order Hightouch lists them in, and are named in Skipped with
// the rest exported; only slugs of Hightouch's characters, short enough,
// and distinct in any case name files (issue 22).
func TestFilesHostile(t *testing.T) {
	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	model := func(id int, slug string, source int) string {
		return fmt.Sprintf(`{"id":%d,"slug":%s,"name":"M","sourceId":%d,"queryType":"table","table":{"name":"t"},"primaryKey":"id"}`, id, js(slug), source)
	}
	sync := func(id int, slug string, model, dest int) string {
		return fmt.Sprintf(`{"id":%d,"slug":%s,"modelId":%d,"destinationId":%d,"configuration":{}}`, id, js(slug), model, dest)
	}
	long := strings.Repeat("a", 300)
	data := map[string][]string{
		"sources":      {`{"id":1,"slug":"wh","name":"W","type":"snowflake"}`, `{"id":2,"slug":"wh","name":"Other","type":"bigquery"}`, `{"id":3,"slug":"pg","name":"P","type":"postgres"}`},
		"destinations": {`{"id":1,"slug":"crm","name":"C","type":"salesforce"}`, `{"id":1,"slug":"crm2","name":"C","type":"salesforce"}`, `{"id":2,"slug":"hub","name":"H","type":"hubspot"}`},
		"models": {model(10, "users", 3), model(11, "users", 3), model(12, "same-id", 3), model(12, "same-id-renamed", 3),
			model(13, "on-wh", 1), model(14, "ok", 3), model(15, long, 3), model(16, "nul\x00x", 3), model(17, "OK", 3), model(18, "-dash", 3)},
		"syncs": {sync(20, "s", 14, 2), sync(21, "s", 14, 2), sync(22, "to-crm", 14, 1), sync(23, "of-users", 10, 2), sync(24, "fine", 17, 2)},
	}
	a, b := listingServer(t, data, false), listingServer(t, data, true)
	// The second fetch lists every listing reversed.
	ra, err := Files(a)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Files(b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(ra.Files, rb.Files, func(x, y File) bool { return x.Path == y.Path && string(x.Data) == string(y.Data) }) || !slices.Equal(ra.Skipped, rb.Skipped) {
		t.Errorf("the order of the listings changes the export:\n%v\n%v", ra.Skipped, rb.Skipped)
	}
	var paths []string
	for _, f := range ra.Files {
		paths = append(paths, f.Path)
	}
	if want := []string{"manifest.yaml", "models/OK.yaml", "syncs/fine.yaml"}; !slices.Equal(paths, want) {
		t.Errorf("files %q, want %q", paths, want)
	}
	for _, want := range []string{
		`model "users": Hightouch lists 2 models with the slug "users" (ids 10, 11)`,
		`model "same-id": Hightouch lists the model id 12 with 2 slugs (same-id, same-id-renamed)`,
		`model "on-wh": its source is in a conflict: Hightouch lists 2 sources with the slug "wh" (ids 1, 2)`,
		`model "ok": its file name differs from model OK's only in case`,
		`model "` + long + `": the slug is 300 characters long; a file name holds at most 250`,
		`model "nul\\x00x": the slug is not a file name`, // as the client escaped it
		`model "-dash": the slug is not a file name`,
		`sync "s": Hightouch lists 2 syncs with the slug "s" (ids 20, 21)`,
		`sync "to-crm": its destination is in a conflict: Hightouch lists the destination id 1 with 2 slugs (crm, crm2)`,
		`sync "of-users": its model (id 10) is not exported`,
		`source "wh": not in the manifest`,
		`destination "crm2": not in the manifest`,
	} {
		if !slices.ContainsFunc(ra.Skipped, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("skipped lacks %q:\n%s", want, strings.Join(ra.Skipped, "\n"))
		}
	}
	manifest := string(ra.Files[0].Data)
	if manifest != "sources:\n  pg:\n    name: P\n    type: postgres\ndestinations:\n  hub:\n    name: H\n    type: hubspot\n" {
		t.Errorf("manifest:\n%s", manifest)
	}
}

// TestWriteRefuses: an output path that is a file, or whose parent does
// not exist, is ErrOutput (exit 2); nothing is written.
func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{{Path: "models/a.yaml", Data: []byte("x\n")}}
	for _, out := range []string{file, filepath.Join(dir, "missing", "out")} {
		if err := Write(out, files); !errors.Is(err, ErrOutput) {
			t.Errorf("Write(%s) = %v, want ErrOutput", out, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("something was written: %v", entries)
	}
}
