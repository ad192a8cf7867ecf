package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/engine"
)

// drift runs `htgit drift`: exit 0 when Git and Hightouch agree, 1 when
// they drift.
func (c *Command) drift(ctx context.Context, args []string) error {
	fs := c.flagSet("drift", "", "Compares the workspace's model and sync files with what Hightouch has: what only\nHightouch has, what only Git has, and what differs, field by field. No Git history\nis needed. The API key is read from HIGHTOUCH_API_KEY. Exit 0 when they agree, 1\nwhen they drift.")
	e := c.engine(fs, engine.Drift)
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: use text or json", *format)
	}
	r, err := e.Drift(ctx, "drift")
	if err != nil {
		return err
	}
	if *format == "json" {
		err = r.WriteJSON(c.Stdout)
	} else {
		r.WriteText(c.Stdout)
	}
	if err != nil {
		return err
	}
	if r.Drifted() {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// actionDrift is the Action's `command: drift`: the text on the log, the
// report in the job summary, and the output `drift`, the number of
// resources on which Git and Hightouch disagree.
func (c *Command) actionDrift(ctx context.Context, r *action.Runner, e *engine.Engine) error {
	rep, err := e.Drift(ctx, "command: drift")
	if err != nil {
		return err
	}
	rep.WriteText(c.Stdout)
	if err := r.AddSummary("# htgit drift\n\n" + rep.Markdown()); err != nil {
		return err
	}
	if err := r.SetOutput("drift", strconv.Itoa(len(rep.Items))); err != nil {
		return err
	}
	if rep.Drifted() {
		return &exitError{code: ExitFindings, msg: fmt.Sprintf("Git and Hightouch disagree on %d resource(s); the job summary lists them", len(rep.Items))}
	}
	return nil
}
