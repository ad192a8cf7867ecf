// Package engine is htgit's pipeline under every front end (the command
// line, the GitHub Action, other CI hosts): from one Options value it reads
// the configuration, finds and checks the workspace, gathers every source of
// findings and passes them through the rule policy once, plans a change, and
// previews, deploys, compares or exports it. It renders nothing but progress
// to its log, and decides no exit code: it returns typed errors the front
// end maps.
package engine

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/htgit/htgit/internal/config"
)

// Engine runs the pipeline for one invocation.
type Engine struct {
	Opts Options
	// Getenv reads the environment; tests pass a map.
	Getenv func(string) string
	// Dir is the working directory relative paths are resolved against.
	Dir string
	// Log receives progress: the plan, ingestion, runs (standard output).
	Log io.Writer
	// Notes receives remarks beside the output: skipped files, retries
	// (standard error).
	Notes io.Writer
	// Version is htgit's, sent to Hightouch as the user agent.
	Version string

	cfg *config.Config // read once, by Config
	// workspace is the declared workspace the run talks to (see Use); the
	// zero value when the configuration declares none.
	workspace config.Workspace
}

// UsageError is a problem with how htgit was called or what it was pointed
// at, for the user to fix.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// Failure is an outcome that fails the run: errors found, a deploy whose runs
// failed or did not finish. Msg is "" when what failed was printed already.
type Failure struct{ Msg string }

func (e *Failure) Error() string { return cmp.Or(e.Msg, "failed") }

// Origin is where the options were given, so messages name a setting as the
// user wrote it.
type Origin int

const (
	FromFlags  Origin = iota // the command line: --name
	FromInputs               // the GitHub Action: input name
)

// Name is how the user refers to option name.
func (o Origin) Name(name string) string {
	if o == FromInputs {
		return "input " + name
	}
	return "--" + name
}

// Pass says how to give option name a value: "" for a boolean's true.
func (o Origin) Pass(name, value string) string {
	if o == FromInputs {
		return fmt.Sprintf("set the input `%s: %s`", name, cmp.Or(value, "true"))
	}
	return strings.TrimSpace("pass --" + name + " " + value)
}

// abs resolves p against the working directory.
func (e *Engine) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(e.Dir, p)
}

// APIKey is the key the run uses: the declared workspace's (Use), else
// the option, else HIGHTOUCH_API_KEY.
func (e *Engine) APIKey() string {
	switch {
	case e.workspace.Name != "":
		return e.Opts.APIKey // Use set it from the workspace's variable only: keys never cross
	case e.cfg != nil && len(e.cfg.Workspaces) > 0:
		return "" // workspaces are declared, none chosen: no key is the right one
	}
	return cmp.Or(e.Opts.APIKey, strings.TrimSpace(e.Getenv("HIGHTOUCH_API_KEY")))
}
