package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/drift"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/workspace"
)

const example = "../../testdata/example"

// start runs the command until the test ends and returns the environment
// it printed.
func start(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r, w := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, args, w, io.Discard)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d after Ctrl-C, want 0", code)
		}
	})
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	for len(env) < 2 && sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("unexpected line %q", sc.Text())
		}
		env[k] = v
	}
	go io.Copy(io.Discard, r)
	return env
}

// The fake seeded from a Git Sync folder has what the folder says: drift
// finds none, through the same client htgit uses.
func TestServesFolder(t *testing.T) {
	t.Parallel()
	env := start(t, "--addr", "127.0.0.1:0", example)
	client, err := hightouch.New(hightouch.Config{BaseURL: env["HIGHTOUCH_API_URL"], APIKey: env["HIGHTOUCH_API_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := compare.Fetch(t.Context(), client)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := workspace.Discover(workspace.Options{Root: example})
	if err != nil {
		t.Fatal(err)
	}
	r := drift.Compare(ws, snap)
	if r.Drifted() || len(snap.Models) != 3 || len(snap.Syncs) != 4 {
		var b strings.Builder
		r.WriteText(&b)
		t.Errorf("%d models, %d syncs in the fake:\n%s", len(snap.Models), len(snap.Syncs), b.String())
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	env := start(t, "--addr", "127.0.0.1:0")
	client, _ := hightouch.New(hightouch.Config{BaseURL: env["HIGHTOUCH_API_URL"], APIKey: env["HIGHTOUCH_API_KEY"]})
	snap, err := compare.Fetch(t.Context(), client)
	if err != nil || len(snap.Models)+len(snap.Syncs) != 0 {
		t.Errorf("an empty fake: %v, %+v", err, snap)
	}
}

// Bad arguments and a folder Git Sync would reject exit 2 at once, saying why.
func TestRefusals(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	gittest.Write(t, broken, map[string]string{
		"manifest.yaml":     "sources:\n  wh: {name: W, type: snowflake}\ndestinations:\n  crm: {name: C, type: salesforce}\n",
		"models/users.yaml": "name: Users\nsource: wh\ntype: raw_sql\nrawSql: select 1\nprimaryKey: id\n",
		"syncs/orphan.yaml": "model: nobody\ndestination: crm\n",
	})
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"two folders", []string{"a", "b"}, "one Git Sync folder at most"},
		{"unknown flag", []string{"--bogus"}, "bogus"},
		{"missing folder", []string{filepath.Join(broken, "nope")}, "no such file or directory"},
		{"a file", []string{notDir}, "is not a folder"},
		{"a sync naming no model", []string{"--addr", "127.0.0.1:0", broken}, `syncs/orphan.yaml: no model "nobody"`},
		{"bad address", []string{"--addr", "nowhere:-1", example}, "--addr nowhere:-1"},
	} {
		var stderr strings.Builder
		code := run(t.Context(), tc.args, io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, want 2 with %q:\n%s", tc.name, code, tc.want, stderr.String())
		}
	}
}
