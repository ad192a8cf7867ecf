package hightouchtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAuthentication(t *testing.T) {
	s := New(WithAPIKey("other-key"))
	defer s.Close()
	for key, details := range map[string]string{"": "Missing API key", "wrong": "Invalid API key"} {
		req, _ := http.NewRequest("GET", s.URL+"/syncs", nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Message, Details string }
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 401 || body.Message != "Authentication error" || body.Details != details {
			t.Errorf("key %q: %d %+v", key, resp.StatusCode, body)
		}
	}
	if status, _ := call(t, s, "GET", "/syncs", ""); status != 200 {
		t.Errorf("the right key: %d", status)
	}
}

// Faults are taken in order, the route's own before AnyRoute's, Times
// times each; then the route behaves again.
func TestFaultQueue(t *testing.T) {
	s := New()
	defer s.Close()
	s.Fault(AnyRoute, Fault{Status: 502})
	s.Fault(RouteListSyncs, Fault{Status: 429, RetryAfter: "3", Times: 2}, Fault{Status: 503})
	var got []int
	for range 5 {
		status, _ := call(t, s, "GET", "/syncs", "")
		got = append(got, status)
	}
	if want := []int{429, 429, 503, 502, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if n := s.Count(RouteListSyncs); n != 5 {
		t.Errorf("%d requests recorded", n)
	}
}

func TestRetryAfterHeaderAndBodies(t *testing.T) {
	s := New()
	defer s.Close()
	s.Fault(RouteGetSync, Fault{Status: 429, RetryAfter: "7"}, Fault{Status: 503})
	resp, err := http.Get(s.URL + "/syncs/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("%d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	status, body := call(t, s, "GET", "/syncs/1", "")
	if status != 503 || !strings.Contains(string(body), "Service Unavailable") {
		t.Errorf("%d %s", status, body)
	}
}

func TestPaging(t *testing.T) {
	s := New()
	defer s.Close()
	seed(s)
	var page struct {
		Data    []map[string]any
		HasMore bool
	}
	_, body := call(t, s, "GET", "/models?limit=2&offset=1", "")
	json.Unmarshal(body, &page)
	if len(page.Data) != 2 || !page.HasMore || page.Data[0]["slug"] != "accounts" {
		t.Errorf("page %s", body)
	}
	_, body = call(t, s, "GET", "/models?limit=2&offset=3", "")
	json.Unmarshal(body, &page)
	if len(page.Data) != 1 || page.HasMore {
		t.Errorf("last page %s", body)
	}
	if status, body := call(t, s, "GET", "/models?limit=ten", ""); status != 422 {
		t.Errorf("bad limit: %d %s", status, body)
	}
}

func TestRateLimitOption(t *testing.T) {
	s := New(WithRateLimit(3, time.Minute))
	defer s.Close()
	var got []int
	for range 5 {
		status, _ := call(t, s, "GET", "/syncs", "")
		got = append(got, status)
	}
	if want := []int{200, 200, 200, 429, 429}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

// A dropped answer still has its effect; a request dropped before its body
// was read has none.
func TestDrops(t *testing.T) {
	s := New()
	defer s.Close()
	id := seed(s)
	s.Fault(RouteTrigger, Fault{Drop: DropBeforeBody}, Fault{Drop: DropAfterBody})
	for range 2 {
		req, _ := http.NewRequest("POST", s.URL+"/syncs/"+id+"/trigger", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+s.APIKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Error("the connection was not dropped")
		}
	}
	if runs := s.Runs(id); len(runs) != 1 {
		t.Errorf("%d runs, want 1 (from the drop after the body)", len(runs))
	}
	if n := s.Count(RouteTrigger); n != 2 {
		t.Errorf("%d triggers recorded", n)
	}
}
