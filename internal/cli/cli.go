// Package cli is htgit's command line and its GitHub Action front end: it
// parses flags (declared once, in the engine) or reads the Action's inputs,
// runs the engine, renders what it returns and maps outcomes to exit codes.
// It runs no git and builds no plan itself. Everything reaches it injected
// (arguments, streams, environment, working directory), so tests run it
// in-process. A file per command; exit.go decides exit codes; flags.go
// builds every flag set.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/htgit/htgit/internal/hightouch"
)

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

	// the Action's inputs instead of flags.
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

const usage = `htgit keeps a Hightouch Git Sync workspace in check.

Usage:
  htgit validate [flags] [FILE...]   check models, syncs and the manifest
  htgit plan     [flags]             show what a merge will do in Hightouch
  htgit deploy   [flags]             after a merge: ingest, trigger syncs, wait
  htgit drift    [flags]             compare the files with what Hightouch has
  htgit export   --out DIR           write a workspace's models and syncs as Git Sync files
  htgit action                       run as the GitHub Action (reads INPUT_*)
  htgit schema   NAME                print a JSON Schema for editors (model, sync, manifest,
                                     schema-model, relationship, contract, aliases, config)
  htgit rules    [--format json]     list every rule id .htgit.yaml can configure
  htgit version                      print the version (also htgit --version)

Run "htgit COMMAND --help" for a command's flags.
Exit codes: 0 clean, 1 findings or failed runs, 2 usage or input error,
3 internal failure, 4 Hightouch unreachable or answering wrongly.
`

// commands are the subcommands by name.
var commands = map[string]func(*Command, context.Context, []string) error{
	"validate": (*Command).validate,
	"plan":     (*Command).plan,
	"deploy":   (*Command).deploy,
	"drift":    (*Command).drift,
	"export":   (*Command).export,
	"action":   (*Command).action,
	"schema":   (*Command).schema,
	"rules":    (*Command).rulesCommand,
	"version":  (*Command).version,
}

// Run executes args (without the program name) and returns the exit code.
func (c *Command) Run(ctx context.Context, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(c.Stderr, "htgit: internal error: %v\n%s\nPlease report this at https://github.com/htgit/htgit/issues\n", r, debug.Stack())
			code = ExitInternal
		}
	}()
	err := c.dispatch(ctx, args)
	if printable(err) {
		fmt.Fprintln(c.Stderr, "htgit:", err)
		if unavailable(err) {
			fmt.Fprintf(c.Stderr, "htgit: %v; try again later\n", hightouch.ErrUnavailable)
		}
	}
	return exitCode(err)
}

func (c *Command) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, usage)
		return &exitError{code: ExitUsage}
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.Stdout, usage)
		return nil
	case "-version", "--version":
		name = "version"
	}
	run, ok := commands[name]
	if !ok {
		return usagef("unknown command %q\n\n%s", name, usage)
	}
	return run(c, ctx, rest)
}
