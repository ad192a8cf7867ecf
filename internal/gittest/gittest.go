// Package gittest makes throwaway Git repositories for tests. Tests that use
// it run git, an external program: under -short they skip themselves.
package gittest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	out, err := git(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// git runs git in dir with Env and returns its trimmed stdout.
func git(dir string, args ...string) (string, error) {
	// No automatic maintenance: "git commit" would start "git maintenance
	// run --auto", a process per commit that a throwaway repository never
	// needs.
	cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main",
		"-c", "protocol.file.allow=always", "-c", "commit.gpgsign=false",
		"-c", "maintenance.auto=false", "-c", "gc.auto=0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Env()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Init makes an empty repository on branch main in a new temporary
// directory and returns the directory. Like Seed's, it has no sample hooks
// or other template files (--template=): a test repository needs none,
// and each is a file to write.
func Init(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	Run(t, dir, "init", "-q", "--template=", "-b", "main")
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
	if err := write(dir, files); err != nil {
		t.Fatal(err)
	}
}

func write(dir string, files map[string]string) error {
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if content == "" {
			if err := os.Remove(p); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			return err
		}
	}
	return nil
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

// Seed returns a new repository on branch main (in a new temporary
// directory) whose one commit holds files, and that commit's id. A test
// process makes the repository of a given set of files with git once and
// copies it after that: init, add and commit cost three processes, and
// many tests start from the same workspace.
func Seed(t testing.TB, files map[string]string) (dir, commit string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: runs git, an external program")
	}
	s := seedOf(files)
	s.once.Do(func() { s.build(files) })
	if s.err != nil {
		t.Fatal(s.err)
	}
	dir = t.TempDir()
	for _, e := range s.entries {
		p := filepath.Join(dir, e.rel)
		var err error
		switch {
		case e.mode.IsDir():
			err = os.MkdirAll(p, 0o755)
		case e.mode&fs.ModeSymlink != 0:
			err = os.Symlink(e.content, p)
		default:
			err = os.WriteFile(p, []byte(e.content), e.mode.Perm()|0o200)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir, s.commit
}

// seed is a repository Seed made, held in memory: every directory, file
// and link of it (.git too), parents before children.
type seed struct {
	once    sync.Once
	entries []seedEntry
	commit  string
	err     error
}

type seedEntry struct {
	rel     string // path relative to the repository's top
	mode    fs.FileMode
	content string // a file's bytes or a link's target
}

var (
	seedsMu sync.Mutex
	seeds   = map[[sha256.Size]byte]*seed{}
)

// seedOf returns the seed of files, made or not yet.
func seedOf(files map[string]string) *seed {
	h := sha256.New()
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%q %q\n", rel, files[rel])
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	seedsMu.Lock()
	defer seedsMu.Unlock()
	if seeds[key] == nil {
		seeds[key] = &seed{}
	}
	return seeds[key]
}

// build makes the repository in a directory of its own, reads it into
// memory and removes it.
func (s *seed) build(files map[string]string) {
	dir, err := os.MkdirTemp("", "gittest-seed-")
	if err != nil {
		s.err = err
		return
	}
	defer os.RemoveAll(dir)
	if s.err = write(dir, files); s.err != nil {
		return
	}
	for _, args := range [][]string{{"init", "-q", "--template=", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "--allow-empty", "-m", "seed"}} {
		if _, s.err = git(dir, args...); s.err != nil {
			return
		}
	}
	if s.commit, s.err = git(dir, "rev-parse", "HEAD"); s.err != nil {
		return
	}
	s.err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := seedEntry{rel: rel, mode: info.Mode()}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			e.content, err = os.Readlink(p)
		case d.Type().IsRegular():
			var b []byte
			b, err = os.ReadFile(p)
			e.content = string(b)
		}
		s.entries = append(s.entries, e)
		return err
	})
}
