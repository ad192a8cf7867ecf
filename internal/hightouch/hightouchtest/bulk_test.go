package hightouchtest

import (
	"encoding/json"
	"fmt"
	"testing"
)

// A populated workspace lists over many pages, each matching the OpenAPI
// document, and pausing a sync is a PATCH the document allows that shows in
// the next listing.
func TestPopulatePagesAndPausing(t *testing.T) {
	s := New()
	defer s.Close()
	ids := s.Populate(30, 250)
	seen := map[string]bool{}
	for offset := 0; ; offset += 100 {
		status, body := call(t, s, "GET", fmt.Sprintf("/syncs?limit=100&offset=%d", offset), "")
		if status != 200 {
			t.Fatalf("page at %d: %d %s", offset, status, body)
		}
		conforms(t, "ListSyncs", body)
		var page struct {
			Data []struct {
				Slug     string
				Disabled bool
			}
			HasMore bool
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, y := range page.Data {
			seen[y.Slug] = true
		}
		if !page.HasMore {
			if offset != 200 || len(page.Data) != 50 {
				t.Errorf("last page at %d with %d syncs", offset, len(page.Data))
			}
			break
		}
	}
	if len(seen) != 250 || !seen["sync-0001"] || !seen["sync-0250"] {
		t.Errorf("listed %d distinct syncs", len(seen))
	}
	_, body := call(t, s, "GET", "/models?limit=100", "")
	conforms(t, "ListModels", body)

	status, body := call(t, s, "PATCH", "/syncs/"+ids[0], `{"disabled":true}`)
	if status != 200 {
		t.Fatalf("pause: %d %s", status, body)
	}
	conforms(t, "Sync", body)
	if y, _ := s.Sync("sync-0001"); !y.Disabled || y.Configuration["mode"] != "upsert" {
		t.Errorf("after pausing: %+v", y)
	}
	if s.Count(RoutePatchSync) != 1 || s.Count(RouteListModels) != 1 {
		t.Errorf("counts: %d patches, %d model lists", s.Count(RoutePatchSync), s.Count(RouteListModels))
	}
	if status, _ := call(t, s, "PATCH", "/syncs/"+ids[1], `{"disabled":"yes"}`); status != 422 {
		t.Errorf("a string for disabled: %d, want 422", status)
	}
}
