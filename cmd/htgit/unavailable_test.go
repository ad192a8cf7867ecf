package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// dpProxy puts a server in front of the fake: answer may answer a request
// itself (true), else the fake does, and rewrite may change the fake's
// answer body. It returns the API URL to give htgit.
func dpProxy(t *testing.T, fake *hightouchtest.Server, answer func(w http.ResponseWriter, r *http.Request) bool, rewrite func([]byte) []byte) string {
	t.Helper()
	target, _ := url.Parse(fake.URL)
	target.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if rewrite == nil {
			return nil
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		b = rewrite(b)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answer == nil || !answer(w, r) {
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + hightouchtest.BasePath
}

// TestDeployHightouchUnavailable: when Hightouch cannot be reached or
// answers wrongly before anything is triggered, deploy exits 4 (not 3, a
// bug) and says so, without the key.
func TestDeployHightouchUnavailable(t *testing.T) {
	t.Parallel()
	dir, from, to, fake := dpChanged(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String() + "/api/v1"
	l.Close()
	html := dpProxy(t, fake, func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Sign in</body></html>")
		return true
	}, nil)
	redirect := dpProxy(t, fake, func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, "https://login.example.com/", http.StatusFound)
		return true
	}, nil)
	for name, api := range map[string]string{"refused connection": refused, "HTML instead of JSON": html, "redirect": redirect} {
		r := run(t, dir, dpEnv(fake, "HIGHTOUCH_API_URL", api), "deploy", "--path", "hightouch", "--from", from, "--to", to, "--wait")
		if r.code != 4 || !strings.Contains(r.stderr, "Hightouch could not be reached or answered wrongly") {
			t.Errorf("%s: exit %d, want 4\nstdout:\n%s\nstderr:\n%s", name, r.code, r.stdout, r.stderr)
		}
		dpNoKey(t, name, r.stdout+r.stderr)
	}
	if n := fake.Count(hightouchtest.RouteTrigger); n != 0 {
		t.Errorf("%d triggers", n)
	}
}

// TestDeployActionTriggerAnsweredWithoutID: a trigger answered 200 {} may
// have started a run: it is not sent again, and the step says to check the
// sync's runs before triggering by hand.
func TestDeployActionTriggerAnsweredWithoutID(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: []string{}})
	var triggers atomic.Int32 // the two syncs are triggered concurrently
	api := dpProxy(t, fake, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/trigger") {
			return false
		}
		triggers.Add(1)
		fmt.Fprint(w, `{}`)
		return true
	}, nil)
	a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, map[string]string{"api-url": api})
	if a.code != 1 || a.outputs["failed"] != "2" {
		t.Fatal(a)
	}
	if n := triggers.Load(); n != 2 {
		t.Errorf("%d trigger requests, want one per sync", n)
	}
	dpContains(t, "stdout", a.stdout, "answer without an id", "the trigger may have started a run", "check the sync's runs in Hightouch")
	dpContains(t, "summary", a.summary, "check the sync's runs")
}

// TestDeployActionKeyInARunError: a run's error that echoes the key,
// JSON-escaped or URL-encoded, reaches the log and the job summary
// redacted.
func TestDeployActionKeyInARunError(t *testing.T) {
	t.Parallel()
	for name, form := range map[string]string{
		"JSON-escaped": strings.ReplaceAll(dpKey, "-", `\u002d`),
		"URL-encoded":  strings.ReplaceAll(dpKey, "-", "%2D"),
	} {
		dir, before, after, fake := dpChanged(t)
		fake.ScriptRuns("", hightouchtest.RunScript{Steps: []string{}, Final: "failed", Error: "destination refused " + dpKey})
		api := dpProxy(t, fake, nil, func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(dpKey), []byte(form)) })
		a := runPushAction(t, dpPush{dir: dir, before: before, after: after}, fake, map[string]string{"api-url": api})
		if a.code != 1 {
			t.Fatal(a)
		}
		dpContains(t, name+" summary", a.summary, "destination refused [redacted]")
		dpContains(t, name+" stdout", a.stdout, "destination refused [redacted]")
		// The key is given to the runner to mask, and nowhere else.
		text := strings.ReplaceAll(a.stdout+a.stderr+a.summary+a.outputsRaw, "::add-mask::"+dpKey+"\n", "")
		if strings.Contains(text, "SECRET") {
			t.Errorf("%s: the key is printed:\n%s", name, text)
		}
	}
}
