package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/gittest"
)

// binary is htgit built once for the end-to-end tests, which run it as a
// user, pre-commit or the Actions runner would: a separate process with its
// own environment.
var binary string

// binaryEnv hands the composite run (a child process of the same tests)
// the binary its parent built.
const binaryEnv = "HTGIT_E2E_BINARY"

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "htgit-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "htgit")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	switch {
	case testing.Short():
		// The end-to-end tests skip themselves (skipShort): nothing to build.
	case compositeMode && os.Getenv(binaryEnv) != "":
		binary = os.Getenv(binaryEnv)
	default:
		// -trimpath, as pre-commit's build does (see preCommitEnv): its
		// clone then finds these packages in the build cache. -s, as
		// .goreleaser.yaml builds releases: no symbol table or DWARF,
		// which take a third of the link.
		// Stamped with the newest version in CHANGELOG.md, as a release
		// is: the test release (fakeRelease) packs this same binary.
		version, err := readChangelogVersion()
		if err != nil {
			panic(err)
		}
		build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -X github.com/htgit/htgit/internal/cli.version="+version, "-o", binary, ".")
		// Static, as releases are (CGO_ENABLED=0 in .goreleaser.yaml): a
		// binary linked against libc starts slower, on every one of the
		// runs these tests make.
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			panic("building htgit: " + err.Error())
		}
	}
	if compositeMode {
		if err := warmToolCache(); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.RemoveAll(compositeToolCache)
	removeFakeRelease()
	os.Exit(code)
}

// skipShort skips an end-to-end test under -short: it runs external
// programs (the built htgit, git, bash, pre-commit).
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: an end-to-end test, running the built htgit and other programs")
	}
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the binary in dir with exactly env (plus PATH and HOME, which git
// needs) and returns what it printed and its exit code.
func run(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	return runCmd(t, dir, env, binary, args...)
}

// runCmd is run for any program: the composite action's steps run bash.
func runCmd(t *testing.T, dir string, env map[string]string, name string, args ...string) result {
	t.Helper()
	skipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	// Deploys poll every 10ms (deploy.PollIntervalEnv), not every 2s, and
	// retry after 5ms, 10ms... (hightouch.BackoffEnv), not 500ms, 1s...
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1",
		"HTGIT_POLL_INTERVAL=10ms", "HTGIT_BACKOFF=5ms"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// newRepo makes a git repository holding a copy of the example workspace
// under sub ("" for the root) and returns its directory and first commit.
func newRepo(t *testing.T, sub string) (dir, first string) {
	t.Helper()
	skipShort(t)
	files := map[string]string{}
	for rel, src := range gittest.ReadTree(t, filepath.Join("..", "..", "testdata", "example")) {
		files[path.Join(sub, rel)] = src
	}
	return gittest.Seed(t, files)
}

// example returns a file of the example workspace, with replacements
// applied (old, new, old, new...), each of which must match.
func example(t *testing.T, rel string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "example", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("%s has no %q", rel, replace[i])
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	return s
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := run(t, t.TempDir(), nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "htgit ") {
		t.Fatalf("htgit version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestValidateExample(t *testing.T) {
	t.Parallel()
	dir, _ := newRepo(t, "hightouch")
	r := run(t, dir, nil, "validate", "--path", "hightouch")
	if r.code != 0 || !strings.Contains(r.stdout, "no problems in 8 files (3 models, 4 syncs)") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
