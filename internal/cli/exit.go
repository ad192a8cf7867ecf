package cli

import (
	"errors"
	"flag"
	"fmt"
	"net/http"

	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// Exit codes, as documented in the README.
const (
	ExitClean       = 0 // no error-level findings; the deploy succeeded
	ExitFindings    = 1 // error-level findings, a failed run or an ingestion timeout
	ExitUsage       = 2 // bad flags, nothing to check, unreadable input, a refused deploy
	ExitInternal    = 3 // a bug or an environment failure htgit cannot recover from
	ExitUnavailable = 4 // Hightouch could not be reached or answered wrongly
)

// usagef is a problem with how htgit was called: exit 2.
func usagef(format string, args ...any) error { return engine.Usagef(format, args...) }

// exitError is an outcome a command decided (findings, failed runs). msg,
// when set, is printed; findings and run tables have been printed already.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return fmt.Sprintf("exit %d", e.code)
}

// exitCode is the one place outcomes become exit codes.
func exitCode(err error) int {
	var ee *exitError
	var failure *engine.Failure
	var he *hightouch.Error
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitClean
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &failure):
		return ExitFindings
	case isUsage(err):
		return ExitUsage
	case errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden):
		return ExitUsage // a wrong key: the user fixes it, not htgit
	case unavailable(err):
		return ExitUnavailable
	default:
		return ExitInternal
	}
}

// unavailable reports whether Hightouch could not be reached or answered
// wrongly: a workflow may retry, and a bug stays exit 3.
func unavailable(err error) bool { return errors.Is(err, hightouch.ErrUnavailable) }

// isUsage reports whether err is the user's to fix: how htgit was called, or
// the input it was pointed at (a folder, a commit Git lacks).
func isUsage(err error) bool {
	var ue *engine.UsageError
	var ie *workspace.InputError
	var missing *gitdiff.MissingCommitError
	return errors.As(err, &ue) || errors.As(err, &ie) || errors.As(err, &missing) ||
		errors.Is(err, gitdiff.ErrNewBranch) || errors.Is(err, gitdiff.ErrNotRepo) || errors.Is(err, plan.ErrFullResyncMode)
}

// printable reports whether err's message still has to be printed: help was
// printed by the flag set, findings and run tables by the command.
func printable(err error) bool {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.msg != ""
	}
	var failure *engine.Failure
	if errors.As(err, &failure) {
		return failure.Msg != ""
	}
	return err != nil && !errors.Is(err, flag.ErrHelp)
}
