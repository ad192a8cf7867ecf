package hightouch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// BenchmarkTrigger100SyncsBySlug triggers 100 syncs named by slug against the
// fake with 100 ms latency per request and the client's default rate limit:
//
//   - one-lookup-per-slug is what existing tools do: for each slug, look it
//     up with ?slug= and trigger it, one at a time (200 requests in series);
//   - htgit lists the syncs once (one request per page of 100) and triggers
//     concurrently, at most 10 in flight, all under the shared limiter.
//
// It reports requests, wall time, the peak number of requests in any 1 s and
// any 10 s window (Hightouch allows 200 per 10 s) and, for htgit, the speedup
// over the first way. Run it with:
//
//	go test -run '^$' -bench Trigger100SyncsBySlug ./internal/hightouch/
func BenchmarkTrigger100SyncsBySlug(b *testing.B) {
	const syncs, latency, parallel = 100, 100 * time.Millisecond, 10
	setup := func() (*hightouchtest.Server, *hightouch.Client, []string) {
		s := hightouchtest.New(hightouchtest.WithLatency(latency))
		w := seed(s)
		var slugs []string
		for i := range syncs - 1 {
			slug := fmt.Sprintf("sync-%03d", i)
			s.AddSync(hightouchtest.Sync{Slug: slug, ModelID: string(w.model), DestinationID: string(w.destination)})
			slugs = append(slugs, slug)
		}
		slugs = append(slugs, "users-to-braze")
		c, err := hightouch.New(hightouch.Config{BaseURL: s.URL, APIKey: s.APIKey, Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		return s, c, slugs
	}
	measure := func(b *testing.B, trigger func(context.Context, *hightouch.Client, []string) error) time.Duration {
		var wall time.Duration
		var requests, peak1s, peak10s int
		for range b.N {
			b.StopTimer()
			s, c, slugs := setup()
			b.StartTimer()
			start := time.Now()
			if err := trigger(context.Background(), c, slugs); err != nil {
				b.Fatal(err)
			}
			wall += time.Since(start)
			b.StopTimer()
			if n := s.Count(hightouchtest.RouteTrigger); n != syncs {
				b.Fatalf("%d triggers, want %d", n, syncs)
			}
			ts := requestTimes(s)
			requests += len(ts)
			peak1s, peak10s = max(peak1s, peak(ts, time.Second)), max(peak10s, peak(ts, 10*time.Second))
			s.Close()
			b.StartTimer()
		}
		perOp := wall / time.Duration(b.N)
		b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
		b.ReportMetric(perOp.Seconds(), "wall-s/op")
		b.ReportMetric(float64(peak1s), "peak-req/1s")
		b.ReportMetric(float64(peak10s), "peak-req/10s")
		// Hightouch's limit; the 1 s peak is the default bucket's burst (50)
		// plus its rate (15/s), shown for information.
		if peak10s > 200 {
			b.Errorf("rate limit broken: %d requests within 10 s, Hightouch allows 200", peak10s)
		}
		return perOp
	}

	var oneByOne time.Duration
	b.Run("one-lookup-per-slug", func(b *testing.B) {
		oneByOne = measure(b, func(ctx context.Context, c *hightouch.Client, slugs []string) error {
			for _, slug := range slugs {
				found, err := c.SyncsWithSlug(ctx, slug)
				if err != nil || len(found) != 1 {
					return fmt.Errorf("sync %s: %d found, %v", slug, len(found), err)
				}
				if _, err := c.TriggerSync(ctx, found[0].ID, hightouch.TriggerOptions{}); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("htgit", func(b *testing.B) {
		perOp := measure(b, func(ctx context.Context, c *hightouch.Client, slugs []string) error {
			// What htgit deploy does: one listing, then the triggers.
			found, err := c.Syncs(ctx)
			if err != nil {
				return err
			}
			ids := map[string]hightouch.ID{}
			for _, s := range found {
				ids[s.Slug] = s.ID
			}
			triggers := make([]hightouch.Trigger, 0, len(slugs))
			for _, slug := range slugs {
				triggers = append(triggers, hightouch.Trigger{SyncID: ids[slug]})
			}
			for _, r := range c.TriggerSyncs(ctx, triggers, parallel) {
				if r.Err != nil {
					return r.Err
				}
			}
			return nil
		})
		if oneByOne > 0 {
			speedup := oneByOne.Seconds() / perOp.Seconds()
			b.ReportMetric(speedup, "speedup-x")
			if speedup < 4 {
				b.Errorf("htgit is %.1fx faster, target 4x", speedup)
			}
		}
	})
}
