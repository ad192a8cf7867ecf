package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/drift"
	"github.com/htgit/htgit/internal/hightouch"
)

// apiFlags reach Hightouch for drift and export.
type apiFlags struct {
	apiURL  string
	timeout time.Duration
	debug   bool
}

func (a *apiFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&a.apiURL, "api-url", cmp.Or(getenv("HIGHTOUCH_API_URL"), hightouch.DefaultBaseURL), "Hightouch API base `URL` (env HIGHTOUCH_API_URL)")
	fs.DurationVar(&a.timeout, "timeout", 5*time.Minute, "bound on the whole command, as a `DURATION`")
	fs.BoolVar(&a.debug, "debug", false, "log every API request (method, path, status, timing; never the key)")
}

// apiFlagSet is the flag set of a command that reads Hightouch (drift,
// export), with the apiFlags registered.
func (c *Command) apiFlagSet(name, synopsis, about string) (*flagSet, *apiFlags) {
	fs := c.flagSet(name, synopsis, about)
	a := &apiFlags{}
	a.register(fs.FlagSet, c.Getenv)
	return fs, a
}

// snapshot lists what Hightouch has with the key from HIGHTOUCH_API_KEY.
func (c *Command) snapshot(ctx context.Context, name string, a apiFlags, key string) (*compare.Snapshot, error) {
	if key == "" {
		return nil, usagef("%s needs the Hightouch API key in the environment variable HIGHTOUCH_API_KEY", name)
	}
	if a.timeout <= 0 {
		return nil, usagef("--timeout must be a positive duration such as 5m")
	}
	client, err := c.client(planFlags{apiURL: a.apiURL, debug: a.debug}, key)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	return compare.Fetch(ctx, client)
}

// drift runs `htgit drift`: exit 0 when Git and Hightouch agree, 1 when
// they drift.
func (c *Command) drift(ctx context.Context, args []string) error {
	fs, a := c.apiFlagSet("drift", "", "Compares the workspace's model and sync files with what Hightouch has: what only\nHightouch has, what only Git has, and what differs, field by field. No Git history\nis needed. The API key is read from HIGHTOUCH_API_KEY. Exit 0 when they agree, 1\nwhen they drift.")
	var w workspaceFlags
	w.register(fs.FlagSet)
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: use text or json", *format)
	}
	if err := w.check(); err != nil {
		return err
	}
	d, err := c.discover(w)
	if err != nil {
		return err
	}
	snap, err := c.snapshot(ctx, "drift", *a, strings.TrimSpace(c.Getenv("HIGHTOUCH_API_KEY")))
	if err != nil {
		return err
	}
	r := drift.Compare(d.ws, snap)
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
func (c *Command) actionDrift(ctx context.Context, r *action.Runner, in action.Inputs, w workspaceFlags) error {
	d, err := c.discover(w)
	if err != nil {
		return err
	}
	timeout, err := time.ParseDuration(in.Timeout)
	if err != nil {
		return usagef("input timeout: %v (write a Go duration such as 30m)", err)
	}
	a := apiFlags{apiURL: cmp.Or(in.APIURL, c.Getenv("HIGHTOUCH_API_URL"), hightouch.DefaultBaseURL), timeout: timeout, debug: in.Debug}
	snap, err := c.snapshot(ctx, "command: drift", a, in.APIKey)
	if err != nil {
		return err
	}
	rep := drift.Compare(d.ws, snap)
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
