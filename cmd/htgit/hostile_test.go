package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
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

// TestAPICommandsExitCodes: drift and export exit as documented (issue
// 18): their --timeout ending is 1 as for deploy, not 3; --out naming a
// file or a folder whose parent is missing is 2, with nothing written; each
// retry prints one line without --debug.
func TestAPICommandsExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/models", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/models/m.yaml", []byte("name: M\nsource: wh\ntype: table\ntableName: t\nprimaryKey: id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fake := func() *hightouchtest.Server {
		f := hightouchtest.New(hightouchtest.WithAPIKey(dpKey))
		t.Cleanup(f.Close)
		return f
	}

	slow := fake()
	slow.Fault(hightouchtest.AnyRoute, hightouchtest.Fault{Latency: 10 * time.Second, Times: 100})
	for _, args := range [][]string{{"drift", "--root", dir, "--timeout", "300ms"}, {"export", "--out", dir + "/out", "--timeout", "300ms"}} {
		r := run(t, dir, dpEnv(slow), args...)
		if r.code != 1 || !strings.Contains(r.stderr, args[0]+" did not finish within --timeout 300ms") {
			t.Errorf("%s past its --timeout: exit %d, want 1\n%s", args[0], r.code, r.stderr)
		}
	}

	flaky := fake()
	flaky.Fault(hightouchtest.RouteListSyncs, hightouchtest.Fault{Status: 503})
	env := dpEnv(flaky, "HTGIT_BACKOFF", "1ms")
	r := run(t, dir, env, "drift", "--root", dir)
	if r.code != 1 || !regexp.MustCompile(`(?m)^htgit: Hightouch answered 503 to GET /syncs; retrying in \S+ \(attempt 2 of 5\)$`).MatchString(r.stderr) {
		t.Errorf("a retry: exit %d (want 1, drift), stderr:\n%s", r.code, r.stderr)
	}

	file := dir + "/a-file"
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for out, want := range map[string]string{file: "is a file", dir + "/missing/out": "its parent folder"} {
		r := run(t, dir, env, "export", "--out", out)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("export --out %s: exit %d, want 2 saying %q\n%s", out, r.code, want, r.stderr)
		}
	}
	if _, err := os.Stat(dir + "/missing"); err == nil {
		t.Error("export created the missing parent")
	}
}
