package drift_test

import (
	"context"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/drift"
	"github.com/htgit/htgit/internal/export"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
	"github.com/htgit/htgit/internal/workspace"
)

// bigWorkspace is a fake holding models models and syncs syncs (with
// latency per request), exported to a folder, and a client for the fake.
func bigWorkspace(tb testing.TB, models, syncs int, latency time.Duration) (*hightouchtest.Server, *hightouch.Client, *workspace.Workspace) {
	tb.Helper()
	s := hightouchtest.New(hightouchtest.WithLatency(latency))
	tb.Cleanup(s.Close)
	s.Populate(models, syncs)
	c, err := hightouch.New(hightouch.Config{BaseURL: s.URL, APIKey: s.APIKey, Version: "bench"})
	if err != nil {
		tb.Fatal(err)
	}
	snap, err := compare.Fetch(context.Background(), c)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := export.Files(snap)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if err := export.Write(dir, res.Files); err != nil {
		tb.Fatal(err)
	}
	ws, _, err := workspace.Discover(workspace.Options{Root: dir})
	if err != nil {
		tb.Fatal(err)
	}
	return s, c, ws
}

// A workspace of 1,000 syncs and as many models costs 22 list requests
// (one source page, one destination page, ten of each of the others),
// never one per resource, and shows no drift against its own export.
func TestDriftIsPaged(t *testing.T) {
	s, c, ws := bigWorkspace(t, 1000, 1000, 0)
	before := s.Count(hightouchtest.AnyRoute)
	snap, err := compare.Fetch(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Count(hightouchtest.AnyRoute) - before; n != 22 {
		t.Errorf("%d requests for 1,000 models and 1,000 syncs, want 22", n)
	}
	if r := drift.Compare(ws, snap); r.Drifted() || r.Syncs != 1000 || r.Models != 1000 {
		t.Errorf("drift against the export: %d items, %d syncs, %d models compared", len(r.Items), r.Syncs, r.Models)
	}
}

// BenchmarkDrift1000Syncs runs what `htgit drift` does on a workspace of
// 1,000 syncs over 1,000 models against the fake with 100 ms per request
// (as the trigger benchmark assumes): list everything, read and compare
// 2,000 files. It reports the wall time and the requests made. Run it with:
//
//	go test -run '^$' -bench Drift1000Syncs ./internal/drift/
func BenchmarkDrift1000Syncs(b *testing.B) {
	s, c, ws := bigWorkspace(b, 1000, 1000, 100*time.Millisecond)
	before := s.Count(hightouchtest.AnyRoute)
	start := time.Now()
	for b.Loop() {
		snap, err := compare.Fetch(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		if r := drift.Compare(ws, snap); r.Drifted() {
			b.Fatal("drift against the workspace's own export")
		}
	}
	b.ReportMetric(float64(s.Count(hightouchtest.AnyRoute)-before)/float64(b.N), "requests/op")
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "wall-s/op")
}
