package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/gittest"
)

// TestPreCommitHooks runs the real pre-commit against this checkout's
// .pre-commit-hooks.yaml at its current commit, as a user's
// .pre-commit-config.yaml would: pre-commit clones the repository, builds
// htgit with `go install ./...` and runs the hook on a workspace in a
// Git Sync subfolder.
func TestPreCommitHooks(t *testing.T) {
	skipShort(t)
	t.Parallel()
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pre-commit is not installed; .ci/run installs it (apt-get install pre-commit)")
		}
		t.Skip("pre-commit is not installed (apt-get install pre-commit); CI runs this test")
	}
	self := gittest.Run(t, ".", "rev-parse", "--show-toplevel")
	rev := gittest.Run(t, self, "rev-parse", "HEAD")

	dir, _ := newRepo(t, "hightouch")
	// hookConfig is a .pre-commit-config.yaml using one hook of this checkout.
	hookConfig := func(hook, args string) string {
		config := "repos:\n  - repo: " + self + "\n    rev: " + rev + "\n    hooks:\n      - id: " + hook + "\n"
		if args != "" {
			config += "        args: " + args + "\n"
		}
		return config
	}
	gittest.Commit(t, dir, "hook config", map[string]string{".pre-commit-config.yaml": hookConfig("htgit-validate", "[--path, hightouch]")})

	env := preCommitEnv(t)
	preCommitRun := func(args ...string) (string, int) {
		t.Helper()
		return runIn(t, dir, env, preCommit, args...)
	}

	t.Run("clean workspace passes", func(t *testing.T) {
		out, code := preCommitRun("run", "--all-files")
		if code != 0 || !strings.Contains(out, "htgit validate") || !strings.Contains(out, "Passed") {
			t.Fatalf("pre-commit run --all-files: exit %d\n%s", code, out)
		}
	})

	t.Run("system hook uses the htgit on PATH", func(t *testing.T) {
		config := filepath.Join(t.TempDir(), "system.yaml")
		gittest.Write(t, filepath.Dir(config), map[string]string{"system.yaml": hookConfig("htgit-validate-system", "[--path, hightouch]")})
		withBinary := append([]string{"PATH=" + filepath.Dir(binary) + string(os.PathListSeparator) + os.Getenv("PATH")}, env[1:]...)
		out, code := runIn(t, dir, withBinary, preCommit, "run", "--all-files", "--config", config)
		if code != 0 || !strings.Contains(out, "Passed") {
			t.Fatalf("system hook: exit %d\n%s", code, out)
		}
	})

	// pre-commit hides a passing hook's output unless the hook is verbose:
	// a warning must reach whoever commits.
	t.Run("a passing commit shows its warnings", func(t *testing.T) {
		gittest.Write(t, dir, map[string]string{"hightouch/models/accounts.yaml": strings.Replace(
			readFile(t, filepath.Join(dir, "hightouch/models/accounts.yaml")), "type: table", "type: tabel", 1)})
		out, code := preCommitRun("run", "--all-files")
		want := regexp.MustCompile(`hightouch/models/accounts\.yaml:3:7: warning: .*\[model-type\]`)
		if code != 0 || !strings.Contains(out, "Passed") || !want.MatchString(out) {
			t.Fatalf("pre-commit run --all-files with a misspelt model type: exit %d, want a pass showing a warning matching %s\n%s", code, want, out)
		}
		gittest.Run(t, dir, "checkout", "--", ".")
	})

	t.Run("broken workspace fails at path:line:col", func(t *testing.T) {
		gittest.Write(t, dir, map[string]string{"hightouch/models/accounts.yaml": strings.Replace(
			readFile(t, filepath.Join(dir, "hightouch/models/accounts.yaml")), "primaryKey: account_id", "primaryKey: ''", 1)})
		out, code := preCommitRun("run", "--all-files")
		want := regexp.MustCompile(`hightouch/models/accounts\.yaml:8:13: error: .*\[model-primary-key\]`)
		if code == 0 || !want.MatchString(out) {
			t.Fatalf("pre-commit run --all-files on a broken model: exit %d, want a failure matching %s\n%s", code, want, out)
		}
		gittest.Run(t, dir, "checkout", "--", ".")
	})

	// commitFails commits what is staged and wants the hook to refuse it
	// at the sync that still names model accounts.
	commitFails := func(t *testing.T, msg string) {
		t.Helper()
		out, code := runIn(t, dir, env, "git", "commit", "-m", msg)
		want := regexp.MustCompile(`hightouch/syncs/accounts-to-salesforce\.yaml:1:8: error: model "accounts" is not a model slug.*\[sync-model-ref\]`)
		if code == 0 || !want.MatchString(out) {
			t.Fatalf("git commit (%s): exit %d, want a failure matching %s\n%s", msg, code, want, out)
		}
		if head := gittest.Run(t, dir, "log", "-1", "--format=%s"); head == msg {
			t.Fatal("the commit went through despite the broken reference")
		}
		gittest.Run(t, dir, "reset", "-q", "--hard")
	}

	t.Run("commit of a renamed model fails on the sync that still names it", func(t *testing.T) {
		if out, code := preCommitRun("install"); code != 0 {
			t.Fatalf("pre-commit install: exit %d\n%s", code, out)
		}
		gittest.Run(t, dir, "mv", "hightouch/models/accounts.yaml", "hightouch/models/companies.yaml")
		commitFails(t, "rename accounts")
	})

	// pre-commit never passes a hook the files a commit deletes: the hook
	// reads the index itself (--staged, pass_filenames: false).
	t.Run("commit deleting a model fails at the sync's model line", func(t *testing.T) {
		gittest.Run(t, dir, "rm", "-q", "hightouch/models/accounts.yaml")
		commitFails(t, "delete accounts")
	})

	// A dbt project beside the Git Sync folder: with no --path the hook finds
	// hightouch/ itself (it holds the manifest) and never sends dbt's
	// models/schema.yml to the checks.
	t.Run("dbt project beside it: the hook without --path leaves dbt's files alone", func(t *testing.T) {
		config := filepath.Join(t.TempDir(), "nopath.yaml")
		gittest.Write(t, filepath.Dir(config), map[string]string{"nopath.yaml": hookConfig("htgit-validate", "")})
		gittest.Write(t, dir, map[string]string{
			"dbt_project.yml":   "name: analytics\nversion: '1.0'\n",
			"models/schema.yml": "version: 2\nmodels:\n  - name: dim_users\n",
		})
		gittest.Run(t, dir, "add", "dbt_project.yml", "models/schema.yml")
		out, code := runIn(t, dir, env, preCommit, "run", "--config", config)
		if code != 0 || !strings.Contains(out, "Passed") || strings.Contains(out, "schema.yml") {
			t.Fatalf("pre-commit run with a dbt project beside hightouch/: exit %d\n%s", code, out)
		}
		gittest.Run(t, dir, "reset", "-q", "--hard")
	})

	t.Run("commit of other files passes without checking", func(t *testing.T) {
		gittest.Write(t, dir, map[string]string{"notes.md": "notes\n"})
		gittest.Run(t, dir, "add", "notes.md")
		out, code := runIn(t, dir, env, "git", "commit", "-m", "notes")
		if code != 0 || !strings.Contains(out, "Passed") {
			t.Fatalf("git commit of a file outside the workspace: exit %d\n%s", code, out)
		}
	})
}

// preCommitEnv isolates pre-commit (its own cache, no user git config) but
// shares the Go caches so building the hook does not download again, and
// builds with -trimpath: without it a package's cache entry holds its
// directory, and pre-commit's clone of the repository would compile every
// package again instead of finding what TestMain's build left. -ldflags=-s
// (no symbol table or DWARF) and CGO_ENABLED=0 as TestMain builds, so
// the two builds share every package.
func preCommitEnv(t *testing.T) []string {
	home := t.TempDir()
	env := append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"PRE_COMMIT_HOME=" + filepath.Join(home, "pre-commit"),
		"CGO_ENABLED=0",
	}, gittest.Env()...)
	for _, k := range []string{"GOMODCACHE", "GOCACHE", "GOPROXY", "GOFLAGS"} {
		out, err := exec.Command("go", "env", k).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", k, err)
		}
		v := strings.TrimSpace(string(out))
		if k == "GOFLAGS" {
			v = strings.TrimSpace(v + " -trimpath -ldflags=-s")
		}
		env = append(env, k+"="+v)
	}
	return env
}

// runIn runs a command with env and returns its combined output and exit code.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out), 0
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
