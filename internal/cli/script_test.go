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
)

// TestMain makes the test binary double as htgit, so scripts run the real
// command line (flags, streams, exit codes) in a child process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"htgit": func() {
			os.Exit(cli.New(os.Stdin, os.Stdout, os.Stderr).Run(context.Background(), os.Args[1:]))
		},
	})
}

// TestScripts runs testdata/script/*.txtar. `status CODE htgit ARGS...`
// asserts the exact exit code, which `exec` cannot: 1 and 2 mean different
// things to CI.
func TestScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the scripts run htgit (and git) as separate processes")
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
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("status: %v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
		},
	})
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
