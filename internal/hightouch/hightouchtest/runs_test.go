package hightouchtest

import (
	"encoding/json"
	"slices"
	"testing"
)

// statuses lists the statuses of a sync's runs, oldest first as the fake
// lists them: one poll.
func statuses(t *testing.T, s *Server, syncID string) []string {
	t.Helper()
	_, body := call(t, s, "GET", "/syncs/"+syncID+"/runs", "")
	var page struct{ Data []struct{ Status string } }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var out []string
	for _, r := range page.Data {
		out = append(out, r.Status)
	}
	return out
}

// A run moves one status per poll, after the polls that do not list it
// yet; the script holds for the sync's next runs too.
func TestRunsAdvanceOnePollAtATime(t *testing.T) {
	s := New()
	defer s.Close()
	id := seed(s)
	s.ScriptRuns(id, RunScript{Final: "failed", Error: "query failed", HiddenPolls: 2, Steps: []string{"queued", "processing"}})
	call(t, s, "POST", "/syncs/"+id+"/trigger", `{}`)
	var got [][]string
	for range 3 {
		got = append(got, statuses(t, s, id))
	}
	call(t, s, "POST", "/syncs/"+id+"/trigger", `{}`)
	for range 5 {
		got = append(got, statuses(t, s, id))
	}
	want := [][]string{nil, nil, {"queued"},
		{"processing"}, {"failed"}, {"failed", "queued"}, {"failed", "processing"}, {"failed", "failed"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("polls saw %q, want %q", got, want)
	}
}

// Upserting a resource by slug, as Git Sync does when it ingests a merge,
// keeps its id and replaces its content.
func TestUpsertKeepsTheID(t *testing.T) {
	s := New()
	defer s.Close()
	id := seed(s)
	y, _ := s.Sync("users-to-braze")
	y.Configuration = map[string]any{"mode": "mirror"}
	if got := s.UpsertSync(y); got != id {
		t.Errorf("upsert gave id %s, want %s", got, id)
	}
	_, body := call(t, s, "GET", "/syncs/"+id, "")
	var sync struct{ Configuration map[string]any }
	json.Unmarshal(body, &sync)
	if sync.Configuration["mode"] != "mirror" {
		t.Errorf("configuration %v after the upsert", sync.Configuration)
	}
}
