// Package cli is htgit's command line: it parses flags, wires the packages
// together for each subcommand and maps outcomes to exit codes. Everything
// reaches it injected (arguments, streams, environment, working directory),
// so tests run it in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Exit codes, as documented in the README.
const (
	ExitClean    = 0 // no error-level findings; the deploy succeeded
	ExitFindings = 1 // error-level findings, a failed run or an ingestion timeout
	ExitUsage    = 2 // bad flags, nothing to check, unreadable input, a refused deploy
	ExitInternal = 3 // a bug or an environment failure htgit cannot recover from
)

// version is set at build time with -ldflags "-X github.com/htgit/htgit/internal/cli.version=v1.2.3".
var version string

// Version is htgit's version: the ldflags value, else the module version
// from the build info (go install ...@v1.2.3), else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

// Command is one invocation of htgit.
type Command struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment; tests pass a map.
	Getenv func(string) string
	// Dir is the working directory relative paths are resolved against.
	Dir string
	// IsTerminal says whether w is a terminal (for colour).
	IsTerminal func(w io.Writer) bool
}

// New returns a Command on the process's streams and environment.
func New(stdin io.Reader, stdout, stderr io.Writer) *Command {
	dir, _ := os.Getwd()
	return &Command{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, Dir: dir, IsTerminal: isTerminal}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// usageError is a problem with how htgit was called: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries an exit code decided by a subcommand (findings, failed runs).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

const usage = `htgit keeps a Hightouch Git Sync workspace in check.

Usage:
  htgit validate [flags] [FILE...]   check models, syncs and the manifest
  htgit plan     [flags]             show what a merge will do in Hightouch
  htgit deploy   [flags]             after a merge: ingest, trigger syncs, wait
  htgit action                       run as the GitHub Action (reads INPUT_*)
  htgit schema   NAME                print a JSON Schema for editors (model, sync, manifest,
                                     schema-model, relationship, contract, aliases, config)
  htgit rules    [--format json]     list every rule id .htgit.yaml can configure
  htgit version                      print the version

Run "htgit COMMAND -h" for a command's flags.
Exit codes: 0 clean, 1 findings or failed runs, 2 usage or input error, 3 internal failure.
`

// Run executes args (without the program name) and returns the exit code.
func (c *Command) Run(ctx context.Context, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(c.Stderr, "htgit: internal error: %v\n%s\nPlease report this at https://github.com/htgit/htgit/issues\n", r, debug.Stack())
			code = ExitInternal
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, usage)
		return ExitUsage
	}
	var err error
	switch name, rest := args[0], args[1:]; name {
	case "validate":
		err = c.validate(ctx, rest)
	case "plan":
		err = c.deploy(ctx, rest, false)
	case "deploy":
		err = c.deploy(ctx, rest, true)
	case "action":
		err = c.action(ctx, rest)
	case "schema":
		err = c.schema(rest)
	case "rules":
		err = c.rulesCommand(rest)
	case "version", "--version":
		if len(rest) > 0 {
			err = usagef("htgit version takes no arguments")
			break
		}
		fmt.Fprintln(c.Stdout, "htgit", Version())
	case "help", "-h", "--help":
		fmt.Fprint(c.Stdout, usage)
	default:
		err = usagef("unknown command %q\n\n%s", name, usage)
	}
	return c.exitCode(err)
}

func (c *Command) exitCode(err error) int {
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		return ExitClean
	case errors.Is(err, flag.ErrHelp):
		return ExitClean
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintln(c.Stderr, "htgit:", ue.msg)
		return ExitUsage
	default:
		fmt.Fprintln(c.Stderr, "htgit:", err)
		return ExitInternal
	}
}

// parse parses flags that may come before, between or after positional
// arguments (pre-commit appends file names after the hook's args).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{msg: err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
