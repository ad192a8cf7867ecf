package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// hostileServer answers every request 400 with message, and counts them.
func hostileServer(t *testing.T, message string) (url string, requests *atomic.Int32) {
	t.Helper()
	requests = &atomic.Int32{}
	body, _ := json.Marshal(map[string]any{"message": message, "details": message})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, requests
}

// TestServerTextCannotForge: Hightouch's text reaches a job's log and a
// terminal with its line breaks and control characters escaped, so it
// cannot start a workflow command (::error::, ::add-mask::) or colour the
// terminal; a 1 MB message (10 MB in the issue) is clipped, saying how much was cut; a 400 to
// a listing is Hightouch answering wrongly, exit 4 (issues 22 and 18).
func TestServerTextCannotForge(t *testing.T) {
	t.Parallel()
	forged := "bad request\n::error file=README.md,line=1::forged\n::add-mask::htgit\n\x1b[2J\x1b[31mred" + strings.Repeat("x", 1<<20)
	url, _ := hostileServer(t, forged)
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/models", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/models/m.yaml", []byte("name: M\nsource: wh\ntype: table\ntableName: t\nprimaryKey: id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"export", "--out", dir + "/out"}, {"drift", "--root", dir}} {
		r := run(t, dir, map[string]string{"HIGHTOUCH_API_URL": url, "HIGHTOUCH_API_KEY": "ht-test-key-0123456789", "GITHUB_ACTIONS": "true"}, args...)
		if r.code != 4 {
			t.Errorf("%s: exit %d, want 4\n%.2000s", args[0], r.code, r.stderr)
		}
		for _, line := range strings.Split(r.stdout+r.stderr, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "::") || strings.ContainsRune(line, 0x1b) {
				t.Errorf("%s: a forged line or an escape reached the output: %.200q", args[0], line)
			}
		}
		if !strings.Contains(r.stderr, `bad request\n::error file=README.md,line=1::forged\n::add-mask::htgit\n\x1b[2J\x1b[31mred`) ||
			!strings.Contains(r.stderr, "more bytes cut)") || len(r.stderr) > 5000 {
			t.Errorf("%s: the message is not shown escaped and clipped (%d bytes):\n%.3000s", args[0], len(r.stderr), r.stderr)
		}
	}
}

// TestKeysRefusedAtOnce: a key that cannot be an HTTP header value, or too
// short to be a Hightouch key (whose redaction would garble messages), is
// exit 2 before any request, and the message does not show it (issue 18).
func TestKeysRefusedAtOnce(t *testing.T) {
	t.Parallel()
	url, requests := hostileServer(t, "unused")
	for key, want := range map[string]string{
		"ht-live-SECRET\x01-7f3a9c0d": "not printable ASCII",
		"x":                           "the API key is 1 characters long",
	} {
		r := run(t, t.TempDir(), map[string]string{"HIGHTOUCH_API_URL": url, "HIGHTOUCH_API_KEY": key}, "export", "--out", t.TempDir()+"/out")
		if r.code != 2 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "SECRET") || strings.Contains(r.stderr, "[redacted]") {
			t.Errorf("key %q: exit %d, want 2 saying %q\n%s", key, r.code, want, r.stderr)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests with a refused key", n)
	}
}
