package action

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// eventNames are the events the fuzzed payloads arrive with.
var eventNames = []string{"pull_request", "pull_request_target", "push", "workflow_dispatch", ""}

// FuzzEvent reads arbitrary bytes as the event payload of each kind of
// event: never a crash; an error names the payload's file; a pull request
// read has both commits; a link base is "" or a URL of the repository's
// files ending in a slash.
func FuzzEvent(f *testing.F) {
	payloads, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(payloads) == 0 {
		f.Fatalf("no payloads in testdata: %v", err)
	}
	for _, p := range payloads {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// Only what htgit reads of the payload: the fuzzer mutates a short
		// input where it matters; a 20 kB one it barely moves.
		var read payload
		if err := json.Unmarshal(src, &read); err != nil {
			f.Fatal(err)
		}
		if src, err = json.Marshal(read); err != nil {
			f.Fatal(err)
		}
		for i := range eventNames {
			f.Add(uint8(i), src)
		}
	}
	f.Add(uint8(0), []byte(`{"pull_request": null, "number": 1e400}`))
	f.Add(uint8(2), []byte(`{"after": "0000000000000000000000000000000000000000", "repository": {"full_name": "o/r"}}`))
	// One file, rewritten for each input: a worker runs one input at a time.
	path := filepath.Join(f.TempDir(), "event.json")
	f.Fuzz(func(t *testing.T, name uint8, payload []byte) {
		if err := os.WriteFile(path, payload, 0o644); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"GITHUB_EVENT_NAME": eventNames[int(name)%len(eventNames)], "GITHUB_EVENT_PATH": path}
		ev, err := New(&bytes.Buffer{}, func(k string) string { return env[k] }).Event()
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the error does not name the payload's file: %v", err)
			}
			return
		}
		if ev.IsPullRequest() && (ev.BaseSHA == "" || ev.HeadSHA == "") {
			t.Fatalf("a pull request without its commits: %+v", ev)
		}
		if u := ev.BlobURL(); u != "" && (!strings.HasPrefix(u, "https://github.com/"+ev.Repository+"/blob/") || !strings.HasSuffix(u, "/")) {
			t.Fatalf("BlobURL %q for %+v", u, ev)
		}
		if b := ev.Branch(); b != "" && !strings.HasSuffix(ev.Ref, "/"+b) {
			t.Fatalf("Branch %q of ref %q", b, ev.Ref)
		}
	})
}
