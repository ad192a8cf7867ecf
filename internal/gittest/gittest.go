// Package gittest makes throwaway Git repositories for tests. Tests that use
// it run git, an external program: under -short they skip themselves.
package gittest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Env returns the variables, as KEY=value, that cut git off from the
// machine's user and system config and give commits a fixed identity.
func Env() []string {
	return []string{
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=htgit test", "GIT_AUTHOR_EMAIL=test@htgit.invalid",
		"GIT_COMMITTER_NAME=htgit test", "GIT_COMMITTER_EMAIL=test@htgit.invalid",
	}
}

// Isolate sets Env in the process and keeps git from finding a repository
// above the temporary directory or being pointed at another one (a hook
// sets GIT_DIR, GIT_INDEX_FILE, ...), so that the code under test runs git
// as the helpers do. Call it from TestMain.
func Isolate() {
	for _, k := range []string{
		"GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_COMMON_DIR",
		"GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
		"GIT_SHALLOW_FILE", "GIT_GRAFT_FILE", "GIT_PREFIX",
	} {
		os.Unsetenv(k)
	}
	for _, kv := range append(Env(), "GIT_CEILING_DIRECTORIES="+os.TempDir()) {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
}

// Run runs git in dir with Env and returns its trimmed stdout, failing the
// test on error. Under -short it skips the test instead: a test that runs
// git, an external program, is not a short one.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: runs git, an external program")
	}
	cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main",
		"-c", "protocol.file.allow=always", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Env()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return strings.TrimSpace(stdout.String())
}

// Init makes an empty repository on branch main in a new temporary
// directory and returns the directory.
func Init(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	Run(t, dir, "init", "-q", "-b", "main")
	return dir
}

// ReadTree reads every file under dir, by slash-separated path relative to
// dir: what Write takes.
func ReadTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Write writes files (slash-separated path relative to dir -> content)
// under dir: "" deletes the file and content starting with "->" makes a
// symlink to the rest.
func Write(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if content == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Commit writes files, commits everything in dir with msg and returns the
// new commit id.
func Commit(t testing.TB, dir, msg string, files map[string]string) string {
	t.Helper()
	Write(t, dir, files)
	Run(t, dir, "add", "-A")
	Run(t, dir, "commit", "-q", "--allow-empty", "-m", msg)
	if id, ok := head(dir); ok {
		return id
	}
	return Run(t, dir, "rev-parse", "HEAD")
}

// Bare makes a bare repository of src's branches in a new temporary
// directory, as a Git host holds it, and returns its path.
func Bare(t testing.TB, src string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "origin.git")
	Run(t, src, "clone", "-q", "--bare", src, dir)
	return dir
}

// CloneDetached clones origin as a CI host checks a commit out: depth
// commits deep (0: all), branch only, on a detached HEAD at rev (a commit
// of that branch, "" for its tip). It returns the clone's directory.
func CloneDetached(t testing.TB, origin, branch, rev string, depth int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "checkout")
	args := []string{"clone", "-q", "--single-branch", "--branch", branch}
	if depth > 0 {
		args = append(args, "--depth="+strconv.Itoa(depth))
	}
	Run(t, filepath.Dir(dir), append(args, "file://"+filepath.ToSlash(origin), dir)...)
	if rev == "" {
		rev = "HEAD"
	}
	Run(t, dir, "checkout", "-q", "--detach", rev)
	return dir
}

// head reads the commit HEAD names from the files of a repository whose
// top is dir, on a branch whose ref is loose (as a commit leaves it): one
// git process less per commit, which adds up over a test suite. ok is
// false where it cannot tell (dir is not the top, a packed ref).
func head(dir string) (id string, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, ".git", "HEAD"))
	if err != nil {
		return "", false
	}
	id = strings.TrimSpace(string(b))
	if ref, isRef := strings.CutPrefix(id, "ref: refs/heads/"); isRef {
		if b, err = os.ReadFile(filepath.Join(dir, ".git", "refs", "heads", filepath.FromSlash(ref))); err != nil {
			return "", false
		}
		id = strings.TrimSpace(string(b))
	}
	if len(id) != 40 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", false
	}
	return id, true
}
