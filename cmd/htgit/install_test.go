package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// runInstall runs scripts/install-htgit.sh for real with env laid over
// installEnv, as the composite action's first step does.
func runInstall(t *testing.T, env map[string]string) result {
	t.Helper()
	return runCmd(t, t.TempDir(), env, "bash", installScript(t))
}

func TestInstallScript(t *testing.T) {
	skipShort(t)
	t.Parallel()
	rel := testRelease(t)
	linux := "/v" + rel.version + "/htgit_" + rel.version + "_linux_amd64.tar.gz"
	sums := "/v" + rel.version + "/checksums.txt"
	with := func(env map[string]string, kv ...string) map[string]string {
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}

	t.Run("fresh install, then a cache hit", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t, rel, serveOK)
		cache := t.TempDir()
		ghOutput := filepath.Join(t.TempDir(), "output")
		ghPath := filepath.Join(t.TempDir(), "path")
		env := with(installEnv(t, rel, srv, cache), "RUNNER_OS", "Linux", "RUNNER_ARCH", "X64",
			"GITHUB_OUTPUT", ghOutput, "GITHUB_PATH", ghPath)
		r := runInstall(t, env)
		want := filepath.Join(cache, "htgit", rel.version, "x64", "htgit")
		if r.code != 0 || strings.TrimSpace(r.stdout) != want {
			t.Fatalf("install: exit %d, stdout %q (want %q), stderr:\n%s", r.code, r.stdout, want, r.stderr)
		}
		if got := srv.paths(); !slices.Equal(got, []string{sums, linux}) {
			t.Errorf("requests %q, want checksums.txt then the linux/amd64 archive", got)
		}
		if v := runCmd(t, t.TempDir(), nil, want, "version"); v.code != 0 || v.stdout != "htgit "+rel.version+"\n" {
			t.Errorf("installed htgit version: exit %d, %q; want %q", v.code, v.stdout, "htgit "+rel.version+"\n")
		}
		if out := readFile(t, ghOutput); out != "path="+want+"\n" {
			t.Errorf("$GITHUB_OUTPUT = %q, want path=%s", out, want)
		}
		if p := readFile(t, ghPath); p != filepath.Dir(want)+"\n" {
			t.Errorf("$GITHUB_PATH = %q, want %s", p, filepath.Dir(want))
		}

		again := runInstall(t, env)
		if again.code != 0 || strings.TrimSpace(again.stdout) != want || !strings.Contains(again.stderr, "found in the tool cache") {
			t.Fatalf("second install: exit %d, stdout %q, stderr:\n%s", again.code, again.stdout, again.stderr)
		}
		if got := srv.paths(); len(got) != 2 {
			t.Errorf("a cache hit downloaded again: requests %q", got)
		}
	})

	t.Run("the runner's platform picks the archive", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct{ os, arch, archive, exe string }{
			{"macOS", "ARM64", "darwin_arm64.tar.gz", "arm64/htgit"},
			{"Windows", "X64", "windows_amd64.zip", "x64/htgit.exe"},
			{"Linux", "ARM64", "linux_arm64.tar.gz", "arm64/htgit"},
		} {
			srv := newReleaseServer(t, rel, serveOK)
			cache := t.TempDir()
			r := runInstall(t, with(installEnv(t, rel, srv, cache), "RUNNER_OS", tc.os, "RUNNER_ARCH", tc.arch))
			archive := "/v" + rel.version + "/htgit_" + rel.version + "_" + tc.archive
			want := filepath.Join(cache, "htgit", rel.version, filepath.FromSlash(tc.exe))
			if r.code != 0 || strings.TrimSpace(r.stdout) != want || !slices.Contains(srv.paths(), archive) {
				t.Errorf("%s %s: exit %d, stdout %q (want %s), requests %q (want %s)\n%s", tc.os, tc.arch, r.code, r.stdout, want, srv.paths(), archive, r.stderr)
			}
		}
	})

	t.Run("a tampered checksum is refused", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t, rel, serveTampered)
		cache := t.TempDir()
		r := runInstall(t, with(installEnv(t, rel, srv, cache), "RUNNER_OS", "Linux", "RUNNER_ARCH", "X64", "GITHUB_ACTIONS", "true"))
		if r.code != 1 || !strings.Contains(r.stderr, "but checksums.txt says") || !strings.Contains(r.stderr, "refusing to install") {
			t.Fatalf("exit %d, want 1 and a checksum refusal; stderr:\n%s", r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stdout, "::error title=htgit install::SHA-256 of htgit_") {
			t.Errorf("no error annotation for the runner: stdout %q", r.stdout)
		}
		if entries, _ := os.ReadDir(filepath.Join(cache, "htgit", rel.version)); len(entries) != 0 {
			t.Errorf("the refused binary reached the tool cache: %v", entries)
		}
	})

	t.Run("an unknown architecture is refused with a clear error", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t, rel, serveOK)
		r := runInstall(t, with(installEnv(t, rel, srv, t.TempDir()), "RUNNER_OS", "Linux", "RUNNER_ARCH", "ARM"))
		want := `no htgit release for the architecture "ARM" on linux; releases exist for x64 (amd64) and arm64. Build it instead: go install github.com/htgit/htgit/cmd/htgit@v` + rel.version
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Fatalf("exit %d, want 1 and %q; stderr:\n%s", r.code, want, r.stderr)
		}
		if got := srv.paths(); len(got) != 0 {
			t.Errorf("it downloaded before refusing: %q", got)
		}
	})

	t.Run("a failing server is refused after a bounded number of tries", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t, rel, serveFailing)
		start := time.Now()
		r := runInstall(t, with(installEnv(t, rel, srv, t.TempDir()), "RUNNER_OS", "Linux", "RUNNER_ARCH", "X64"))
		took := time.Since(start)
		if r.code != 1 || !strings.Contains(r.stderr, "cannot download "+srv.URL+sums) || !strings.Contains(r.stderr, "500") {
			t.Fatalf("exit %d, want 1 naming the URL and the 500; stderr:\n%s", r.code, r.stderr)
		}
		// curl --retry 3: the first try and three more, one second apart.
		if got := srv.paths(); len(got) != 4 {
			t.Errorf("%d requests, want 4 (a try and 3 retries): %q", len(got), got)
		}
		if took > 30*time.Second {
			t.Errorf("giving up took %v", took)
		}
	})
}
