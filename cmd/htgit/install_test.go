package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"maps"
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

// hostileRelease is a release of version 9.9.9 whose linux/amd64 archive
// holds entries (each a script when it is a file) and whose checksums.txt
// is sums(the archive's digest line).
func hostileRelease(t *testing.T, entries []*tar.Header, sums func(line string) string) release {
	t.Helper()
	const version = "9.9.9"
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, h := range entries {
		data := []byte("#!/bin/sh\necho hostile\n")
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(data))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(data)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	dir := t.TempDir()
	name := "htgit_" + version + "_linux_amd64.tar.gz"
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	line := hex.EncodeToString(sum[:]) + "  " + name + "\n"
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(sums(line)), 0o644); err != nil {
		t.Fatal(err)
	}
	return release{version: version, dir: dir}
}

// TestInstallScriptHostile: what a hostile release or environment tries is
// refused, and nothing outside htgit's cache folder is touched (issue 22).
func TestInstallScriptHostile(t *testing.T) {
	t.Parallel()
	linux := map[string]string{"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}
	env := func(rel release, srv *releaseServer, cache string) map[string]string {
		e := installEnv(t, rel, srv, cache)
		e["HTGIT_VERSION"] = rel.version
		maps.Copy(e, linux)
		return e
	}
	same := func(line string) string { return line }

	t.Run("the binary is a symlink", func(t *testing.T) {
		t.Parallel()
		victim := filepath.Join(t.TempDir(), "victim")
		if err := os.WriteFile(victim, []byte("not a program\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		rel := hostileRelease(t, []*tar.Header{{Name: "htgit", Typeflag: tar.TypeSymlink, Linkname: victim, Mode: 0o777}}, same)
		cache := t.TempDir()
		r := runInstall(t, env(rel, newReleaseServer(t, rel, serveOK), cache))
		if r.code != 1 || !strings.Contains(r.stderr, "has no htgit file at its top level (a link or a folder is refused)") {
			t.Errorf("exit %d, want 1 and a refusal; stderr:\n%s", r.code, r.stderr)
		}
		if st, err := os.Stat(victim); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("the file the link names changed: %v %v", st.Mode(), err)
		}
		if _, err := os.Lstat(filepath.Join(cache, "htgit", rel.version, "x64.complete")); err == nil {
			t.Error("the refused install is marked complete")
		}
	})

	t.Run("other entries are not extracted", func(t *testing.T) {
		t.Parallel()
		outside := filepath.Join(t.TempDir(), "planted")
		rel := hostileRelease(t, []*tar.Header{
			{Name: "d", Typeflag: tar.TypeSymlink, Linkname: filepath.Dir(outside), Mode: 0o777},
			{Name: "d/planted", Typeflag: tar.TypeReg, Mode: 0o755},
			{Name: "htgit", Typeflag: tar.TypeReg, Mode: 0o755},
		}, same)
		r := runInstall(t, env(rel, newReleaseServer(t, rel, serveOK), t.TempDir()))
		if r.code != 0 {
			t.Errorf("exit %d; stderr:\n%s", r.code, r.stderr)
		}
		if _, err := os.Lstat(outside); err == nil {
			t.Error("an entry of the archive was written outside the cache")
		}
	})

	t.Run("two checksum lines for the archive", func(t *testing.T) {
		t.Parallel()
		rel := hostileRelease(t, []*tar.Header{{Name: "htgit", Typeflag: tar.TypeReg, Mode: 0o755}},
			func(line string) string { return line + strings.Repeat("0", 64) + line[64:] })
		r := runInstall(t, env(rel, newReleaseServer(t, rel, serveOK), t.TempDir()))
		if r.code != 1 || !strings.Contains(r.stderr, "lists htgit_9.9.9_linux_amd64.tar.gz more than once; refusing") {
			t.Errorf("exit %d, want 1 and a refusal; stderr:\n%s", r.code, r.stderr)
		}
	})

	t.Run("a version that is a path", func(t *testing.T) {
		t.Parallel()
		rel := testRelease(t)
		for _, v := range []string{"..", ".", "v..", "1.2", "../1.0.0", "1.0.0/../..", "1.0.0\n"} {
			cache := t.TempDir()
			keep := filepath.Join(cache, "htgit", "keep")
			if err := os.MkdirAll(keep, 0o755); err != nil {
				t.Fatal(err)
			}
			srv := newReleaseServer(t, rel, serveOK)
			e := env(rel, srv, cache)
			e["HTGIT_VERSION"] = v
			r := runInstall(t, e)
			if r.code != 1 || !strings.Contains(r.stderr, "is not a release version such as 1.2.3") || len(srv.paths()) != 0 {
				t.Errorf("HTGIT_VERSION=%q: exit %d, requests %q; want 1, none; stderr:\n%s", v, r.code, srv.paths(), r.stderr)
			}
			if _, err := os.Stat(keep); err != nil {
				t.Errorf("HTGIT_VERSION=%q removed a folder of the cache: %v", v, err)
			}
		}
	})
}
