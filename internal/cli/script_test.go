package cli_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/htgit/htgit/internal/cli"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch"
)

func TestMain(m *testing.M) {
	// The scripts' git and htgit's own see no user or system config; an
	// outage a script provokes is retried after 1ms, not 500ms.
	gittest.Isolate()
	os.Setenv(hightouch.BackoffEnv, "1ms")
	os.Exit(m.Run())
}

// TestScripts runs testdata/script/*.txtar. `status CODE htgit ARGS...`
// runs the command line (flags, streams, exit codes) in this process, on
// the script's environment and directory, and asserts the exact exit code,
// which `exec` cannot: 1 and 2 mean different things to CI. The built
// binary, as a process, is cmd/htgit's to test. `status CODE PROGRAM
// ARGS...` runs any other program.
func TestScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the scripts run git, an external program")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: status CODE command [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("status: %v", err)
				}
				if got := runScripted(ts, args[1], args[2:]); got != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
		},
	})
}

// runScripted runs htgit in this process, or another program, and returns
// its exit code.
func runScripted(ts *testscript.TestScript, name string, args []string) int {
	if name == "htgit" {
		c := &cli.Command{
			Stdin: strings.NewReader(""), Stdout: ts.Stdout(), Stderr: ts.Stderr(),
			Getenv: ts.Getenv, Dir: ts.MkAbs("."),
			IsTerminal: func(io.Writer) bool { return false },
		}
		return c.Run(context.Background(), args)
	}
	if err := ts.Exec(name, args...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("status: %v", err)
		}
		return ee.ExitCode()
	}
	return 0
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestExitInternal: a failure that is neither the user's input nor a
// finding (here, stdout refusing the report) exits 3 and says why.
func TestExitInternal(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "example"))
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	c := &cli.Command{
		Stdin: strings.NewReader(""), Stdout: failingWriter{}, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Dir: root,
		IsTerminal: func(io.Writer) bool { return false },
	}
	if code := c.Run(context.Background(), []string{"validate", "--root", root}); code != cli.ExitInternal {
		t.Errorf("exit code %d, want %d", code, cli.ExitInternal)
	}
	if !strings.Contains(stderr.String(), "disk full") {
		t.Errorf("stderr %q does not say what failed", stderr.String())
	}
}
