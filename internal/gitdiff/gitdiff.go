// Package gitdiff tells what changed in Git between two revisions: which
// files, at which paths, with what content before. It shells out to the git
// binary and never changes the repository except to fetch a missing commit.
package gitdiff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotRepo is returned (wrapped) when a directory is not inside a Git
// working tree.
var ErrNotRepo = errors.New("not inside a Git repository")

// ErrNotExist is returned (wrapped) by Show when the path is not a file at
// the revision.
var ErrNotExist = errors.New("file does not exist")

// repoEnv lists the variables that point git at a repository other than the
// one its working directory is in. Git sets some of them for hooks (a
// pre-commit run inherits GIT_DIR, GIT_INDEX_FILE), and they would override
// the directory every function here is given.
var repoEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_COMMON_DIR",
	"GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_SHALLOW_FILE", "GIT_GRAFT_FILE", "GIT_PREFIX",
}

// git runs git in dir and returns its stdout. The error names the command
// and carries git's trimmed stderr; it wraps ErrNotRepo when git says so,
// and the context's error when that is why git stopped.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return gitWithInput(ctx, dir, nil, args...)
}

// gitWithInput is git with stdin read from in (nil: none).
func gitWithInput(ctx context.Context, dir string, in io.Reader, args ...string) ([]byte, error) {
	full := append([]string{"-c", "core.quotepath=off"}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Dir, cmd.Stdin = dir, in
	env := os.Environ()
	for _, k := range repoEnv {
		env = unsetenv(env, k)
	}
	// No prompt may wait for a terminal in CI; C locale keeps messages parseable.
	cmd.Env = append(env, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	name := "git " + strings.Join(args, " ")
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", name, ctx.Err())
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Contains(msg, "not a git repository") {
		return nil, fmt.Errorf("%s in %s: %w", name, dir, ErrNotRepo)
	}
	if msg == "" {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return nil, &gitError{cmd: name, err: err, stderr: msg}
}

// gitError keeps git's stderr apart from the exit status so callers that
// expect a failure can still report what git said.
type gitError struct {
	cmd, stderr string
	err         error
}

func (e *gitError) Error() string { return fmt.Sprintf("%s: %v: %s", e.cmd, e.err, e.stderr) }
func (e *gitError) Unwrap() error { return e.err }

// stderrOf returns what git printed to stderr for err, or err's text.
func stderrOf(err error) string {
	var ge *gitError
	if errors.As(err, &ge) {
		return ge.stderr
	}
	return err.Error()
}

// exitCode is git's exit status, or -1 when it did not get to exit.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

func unsetenv(env []string, key string) []string {
	out := env[:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// checkRev rejects revisions git would read as options or that are empty.
func checkRev(rev string) error {
	if rev == "" {
		return errors.New("empty revision")
	}
	if strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, "\x00\n") {
		return fmt.Errorf("invalid revision %q", rev)
	}
	return nil
}

// TopLevel returns the absolute top-level directory of the Git working tree
// that contains dir. Outside a repository the error wraps ErrNotRepo.
func TopLevel(ctx context.Context, dir string) (string, error) {
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	return filepath.FromSlash(strings.TrimSpace(string(out))), nil
}

// RealPath resolves the symlinks in p, as Git reports its top level
// resolved; p itself when it cannot.
func RealPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// IsZero reports whether sha is the all-zeros object id (SHA-1 or SHA-256)
// that GitHub sends as the "before" of a push that created the branch.
func IsZero(sha string) bool {
	return (len(sha) == 40 || len(sha) == 64) && strings.Trim(sha, "0") == ""
}

// isFullID reports whether s is a complete hex object id, the only form a
// remote will hand out by id.
func isFullID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Show returns the content of file, a repo-relative path, in revision rev.
// When file is not a file there, the error wraps ErrNotExist.
func Show(ctx context.Context, repoDir, rev, file string) ([]byte, error) {
	// Only clean paths: "rev:./x" would be relative to the working directory,
	// not the top level.
	clean := strings.TrimPrefix(filepath.ToSlash(file), "/")
	if clean == "" || clean != path.Clean(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return nil, fmt.Errorf("show %s at %s: path must be repo-relative and clean", file, rev)
	}
	if err := checkRev(rev); err != nil {
		return nil, err
	}
	// One git process where the file is there (a plan reads one per
	// changed model); only a failure asks why.
	out, err := git(ctx, repoDir, "cat-file", "blob", rev+"^{commit}:"+clean)
	if err == nil {
		return out, nil
	}
	if exitCode(err) != 128 {
		return nil, err
	}
	if _, err := resolve(ctx, repoDir, rev); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: %s at %s", ErrNotExist, clean, rev)
}

// CurrentBranch is the branch checked out in dir, or "" when HEAD is
// detached (as in most CI checkouts).
func CurrentBranch(ctx context.Context, dir string) (string, error) {
	out, err := git(ctx, dir, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		if exitCode(err) == 1 {
			return "", nil // detached HEAD
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
