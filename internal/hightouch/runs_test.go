package hightouch_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// poll reads a run through GetRun until it is terminal and returns the statuses seen, ""
// for the polls where the run was not listed yet.
func poll(t *testing.T, c *hightouch.Client, syncID, runID hightouch.ID) ([]string, *hightouch.SyncRun) {
	t.Helper()
	var seen []string
	for range 20 {
		run, visible, err := c.GetRun(context.Background(), syncID, runID)
		if err != nil {
			t.Fatal(err)
		}
		if !visible {
			seen = append(seen, "")
			continue
		}
		seen = append(seen, string(run.Status))
		if run.Status.IsTerminal() {
			return seen, run
		}
	}
	t.Fatalf("run %s never ended: %v", runID, seen)
	return nil, nil
}

// GetRun reports a run not listed yet as not visible, and decodes each
// status, the counts and the error of the run it finds.
func TestGetRun(t *testing.T) {
	cases := []struct {
		name   string
		script hightouchtest.RunScript
		want   []string
		check  func(t *testing.T, r *hightouch.SyncRun)
	}{
		{"default", hightouchtest.RunScript{},
			[]string{"queued", "querying", "processing", "reporting", "success"},
			func(t *testing.T, r *hightouch.SyncRun) {
				eq(t, r.SuccessfulRows, hightouch.RowCounts{Added: 10})
				eq(t, r.CompletionRatio, 1.0)
				if r.FinishedAt == nil || r.FinishedAt.Before(r.StartedAt) {
					t.Errorf("finishedAt %v, startedAt %v", r.FinishedAt, r.StartedAt)
				}
			}},
		{"warning", hightouchtest.RunScript{Final: "warning", Planned: &hightouchtest.Rows{Changed: 5},
			Successful: &hightouchtest.Rows{Changed: 3}, Failed: &hightouchtest.Rows{Changed: 2}, Error: "2 rows rejected"},
			[]string{"queued", "querying", "processing", "reporting", "warning"},
			func(t *testing.T, r *hightouch.SyncRun) {
				eq(t, r.FailedRows, hightouch.RowCounts{Changed: 2})
				eq(t, r.PlannedRows.Total(), int64(5))
				eq(t, r.Error, "2 rows rejected")
			}},
		{"failed after an empty list", hightouchtest.RunScript{Final: "failed", Error: "query failed", HiddenPolls: 3, Steps: []string{"queued"}},
			[]string{"", "", "", "queued", "failed"},
			func(t *testing.T, r *hightouch.SyncRun) { eq(t, r.Error, "query failed") }},
		{"unknown final status", hightouchtest.RunScript{Final: "completed_with_errors", Steps: []string{"pending", "mystery"}},
			[]string{"pending", "mystery", "completed_with_errors"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, c := fakeClient(t)
			w := seed(s)
			s.ScriptRuns(string(w.sync), tc.script)
			runID, err := c.TriggerSync(context.Background(), w.sync, hightouch.TriggerOptions{})
			if err != nil {
				t.Fatal(err)
			}
			seen, run := poll(t, c, w.sync, runID)
			if !reflect.DeepEqual(seen, tc.want) {
				t.Errorf("statuses %q, want %q", seen, tc.want)
			}
			if tc.check != nil {
				tc.check(t, run)
			}
		})
	}
}

func TestTriggerSyncsConcurrently(t *testing.T) {
	s, c := fakeClient(t)
	w := seed(s)
	var ids []hightouch.ID
	for i := range 30 {
		ids = append(ids, hightouch.ID(s.AddSync(hightouchtest.Sync{Slug: fmt.Sprint("s", i), ModelID: string(w.model), DestinationID: string(w.destination)})))
	}
	ids = append(ids, "999")
	var triggers []hightouch.Trigger
	for i, id := range ids {
		triggers = append(triggers, hightouch.Trigger{SyncID: id, Options: hightouch.TriggerOptions{FullResync: i%2 == 0}})
	}
	res := c.TriggerSyncs(context.Background(), triggers, 5)
	runs := map[hightouch.ID]bool{}
	for i, r := range res[:30] {
		if r.Err != nil || r.SyncID != ids[i] || runs[r.RunID] {
			t.Errorf("result %d: %+v", i, r)
		}
		runs[r.RunID] = true
	}
	if res[30].Err == nil {
		t.Error("unknown sync triggered")
	}
	if n := s.Count(hightouchtest.RouteTrigger); n != 31 {
		t.Errorf("%d triggers", n)
	}
	// Each sync got its own options.
	for i, id := range ids[:30] {
		if runs := s.Runs(string(id)); len(runs) != 1 || runs[0].FullResync != (i%2 == 0) {
			t.Errorf("sync %s runs %+v, want one with fullResync %v", id, runs, i%2 == 0)
		}
	}
}
