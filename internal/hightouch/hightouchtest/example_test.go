package hightouchtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// A workspace with one sync, a scripted run, a fault and a simulated Git
// Sync ingestion.
func Example() {
	s := hightouchtest.New()
	defer s.Close()
	src := s.AddSource(hightouchtest.Source{Slug: "snowflake", Type: "snowflake"})
	dst := s.AddDestination(hightouchtest.Destination{Slug: "braze", Type: "braze"})
	model := s.AddModel(hightouchtest.Model{Slug: "users", SourceID: src, SQL: "select * from users", PrimaryKey: "id"})
	syncID := s.AddSync(hightouchtest.Sync{Slug: "users-to-braze", ModelID: model, DestinationID: dst})

	// The next run is missing from the runs list for one poll, then warns.
	s.ScriptRuns(syncID, hightouchtest.RunScript{Steps: []string{"queued", "processing"}, Final: "warning", HiddenPolls: 1})
	// The first trigger meets a 429, which the client retries.
	s.Fault(hightouchtest.RouteTrigger, hightouchtest.Fault{Status: 429, RetryAfter: "0"})
	// Git Sync ingests a merged change a little later; the id is kept.
	time.AfterFunc(10*time.Millisecond, func() {
		s.UpsertSync(hightouchtest.Sync{Slug: "users-to-braze", ModelID: model, DestinationID: dst, Disabled: true})
	})

	c, err := hightouch.New(hightouch.Config{BaseURL: s.URL, APIKey: s.APIKey})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	runID, err := c.TriggerSync(ctx, hightouch.ID(syncID), hightouch.TriggerOptions{})
	fmt.Println("trigger:", err, "requests:", s.Count(hightouchtest.RouteTrigger))
	for {
		run, visible, err := c.GetRun(ctx, hightouch.ID(syncID), runID)
		if err != nil {
			panic(err)
		}
		if !visible {
			fmt.Println("not listed yet")
			continue
		}
		fmt.Println(run.Status)
		if run.Status.IsTerminal() {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	got, _ := s.Sync("users-to-braze")
	fmt.Println("ingested:", got.Disabled, got.ID == syncID)
	// Output:
	// trigger: <nil> requests: 2
	// not listed yet
	// queued
	// processing
	// warning
	// ingested: true true
}
